"""The base of every form, and the forms for accounts.

Every validator carries its own translated message. WTForms' own messages ("Not a valid
choice.") are looked up in agmtool's catalogue, which translates them in every language:
WTForms ships no Indonesian.
"""

from urllib.parse import parse_qsl

import flask
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.formparser import FormDataParser
from wtforms import (
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from agmtool.i18n import format_number
from agmtool.text import clean_text

# WTForms' messages that our forms can show, marked here so that `flask i18n extract` puts
# them in the catalogue.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid datetime value."),
    _l("Not a valid integer value."),
)


class _Catalogue:
    """WTForms' translations interface over agmtool's catalogue (no formatting here: WTForms
    fills in the values itself)."""

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value


UNREADABLE = _l("Some characters could not be read, and are shown as �. Check your text, "
                "correct them and send again.")


def decode_form_body(raw: bytes, max_num_fields: int | None = None) -> tuple[list, bool]:
    """The fields of a urlencoded body, and whether every byte was valid UTF-8.

    Raw UTF-8 (curl -d, many HTTP libraries) and its percent-escapes (browsers) are both
    read as UTF-8; a byte that is neither becomes U+FFFD and the rest is kept (Werkzeug
    would drop the whole form, or keep the escape as typed). Raises ValueError past
    ``max_num_fields``.
    """
    try:
        text, readable = raw.decode("utf-8"), True
    except UnicodeDecodeError:
        text, readable = raw.decode("utf-8", errors="replace"), False
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=max_num_fields), readable
    except UnicodeDecodeError:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace",
                         max_num_fields=max_num_fields), False


class _FormDataParser(FormDataParser):
    request: "Request | None" = None

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items, readable = decode_form_body(stream.read())
        if not readable and self.request is not None:
            self.request.unreadable = True
        return stream, self.cls(items), self.cls()


class Request(flask.Request):
    """The app's request: a posted form with bytes that are not UTF-8 keeps what can be
    read (``unreadable`` then says so; every Form marks the fields concerned)."""

    form_data_parser_class = _FormDataParser
    unreadable = False

    def make_form_data_parser(self):
        parser = super().make_form_data_parser()
        parser.request = self
        return parser


class Form(FlaskForm):
    """Every form of agmtool: typed text arrives cleaned (no NUL, control or bidi
    characters: PostgreSQL refuses NUL) and WTForms speaks the reader's language. A field
    whose bytes could not all be read says so, with what could be read kept in it."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (flask.has_request_context() and getattr(flask.request, "unreadable", False)):
            return valid
        for field in self:
            if isinstance(field.data, str) and "\ufffd" in field.data:
                field.errors = [*field.errors, UNREADABLE]
                valid = False
        return valid

    class Meta:
        def get_translations(self, form):
            return _Catalogue()

        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                options = {**options,
                           "filters": [_clean, *unbound_field.kwargs.get("filters", ())]}
            return unbound_field.bind(form=form, **options)


def options(pairs) -> list[SelectChoice]:
    """Options from (value, label) pairs."""
    return [SelectChoice(str(value) if value is not None else "", label) for value, label in pairs]


def enum_choices(members) -> list[SelectChoice]:
    """Options for enum members (a whole enum, or some of it): stored key, translated label."""
    return [SelectChoice(member.value, member.label) for member in members]


class Cap:
    """At most ``limit`` characters. Unlike WTForms' Length, it puts no ``maxlength`` on the
    input, so a browser never cuts pasted text silently: the person reads ``message`` (with
    ``%(max)s`` written the reader's way) and keeps every word to shorten."""

    def __init__(self, limit: int, message):
        self.limit, self.message = limit, message

    def __call__(self, form, field) -> None:
        if field.data and len(field.data) > self.limit:
            raise ValidationError(str(self.message) % {"max": format_number(self.limit)})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


REQUIRED = _l("This field is required.")
# The one answer to a stale edit (database.StaleEdit), wherever a save lost the race.
STALE_EDIT = _l("Someone else saved a change after you opened this page, so yours was not "
                "saved. Check what is there now, then make your change again.")


class AssignForm(Form):
    """Who a concern, a question or a translation is assigned to (``for_record``)."""

    assignee = SelectField(_l("Assigned to"), choices=[])

    @classmethod
    def for_record(cls, record, people, formdata=None) -> "AssignForm":
        """The form for ``record`` (anything with ``assignee_id``), offering ``people``."""
        return cls(formdata=formdata, assignee=str(record.assignee_id or "")).offer(people)

    def offer(self, people) -> "AssignForm":
        self.people = {str(p.id): p for p in people}
        self.assignee.choices = options([("", _l("Nobody"))] + [
            (p.id, p.name or p.email) for p in people])
        return self

    def chosen(self):
        """The person chosen, or None for nobody."""
        return self.people.get(self.assignee.data or "")
