"""The base of every form, and the forms for accounts.

Every validator carries its own translated message. WTForms' own messages ("Not a valid
choice.") are looked up in agmtool's catalogue, which translates them in every language:
WTForms ships no Indonesian.
"""

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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


class Form(FlaskForm):
    """Every form of agmtool: typed text arrives cleaned (no NUL, control or bidi
    characters: PostgreSQL refuses NUL) and WTForms speaks the reader's language."""

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
    """Who a concern, a question or a translation is assigned to (``offer`` the people)."""

    assignee = SelectField(_l("Assigned to"), choices=[])

    def offer(self, people) -> "AssignForm":
        self.people = {str(p.id): p for p in people}
        self.assignee.choices = options([("", _l("Nobody"))] + [
            (p.id, p.name or p.email) for p in people])
        return self

    def chosen(self):
        """The person chosen, or None for nobody."""
        return self.people.get(self.assignee.data or "")
