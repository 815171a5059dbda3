"""Forms for companies and meetings. Every validator carries its own translated message,
because WTForms ships no Indonesian catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from agmtool import i18n
from agmtool.forms import REQUIRED, Cap, Form, enum_choices, options
from agmtool.links import number
from agmtool.meetings import agms
from agmtool.models import AGMStatus, MeetingFormat, MeetingKind

TICK_TO_CONFIRM = _l("Tick the box to confirm.")
BAD_DATE = _l("Enter a date.")
BAD_TIME = _l("Enter a time, like 11:00.")
BAD_MOMENT = _l("Enter a date and a time.")
BAD_NUMBER = _l("Enter a whole number.")
DEADLINES_TBC = _l("Deadlines to be confirmed: the company has not confirmed them since "
                   "the meeting was postponed")
# A public note reaches readers of other languages once its translation is approved.
PUBLIC_NOTE_HELP = _l("Shown on the public page and in calendars: keep it short and plain. "
                      "Readers of other languages see it as written until its translation is "
                      "approved.")


def _max(n: int):
    return Cap(n, _l("At most %(max)s characters."))



def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


def _whole_number(form, field) -> None:
    if number(field.data) is None:
        raise ValidationError(REQUIRED)


class Versioned(Form):
    # The version the user saw: saving compares it in the database (a stale edit check).
    # Not used when creating; every form that edits a record requires it (Edits).
    version = HiddenField(validators=[Optional()])

    @property
    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class Edits(Form):
    """Mixed into a form that edits a record: without the version the user saw, no save."""

    version = HiddenField(validators=[InputRequired(REQUIRED), _whole_number])


class MeetingForm(Versioned):
    company_id = SelectField(_l("Company"), coerce=_int_or_none,
                             validators=[InputRequired(REQUIRED)])
    listing_id = SelectField(_l("Listed entity holding the meeting"), coerce=_int_or_none,
                             validators=[Optional()])
    kind = SelectField(_l("Kind of meeting"), choices=enum_choices(MeetingKind),
                       default=MeetingKind.AGM.value)
    local_date = DateField(_l("Date (local)"), validators=[InputRequired(REQUIRED)])
    local_time = TimeField(_l("Start time (local)"), validators=[Optional()])
    timezone = SelectField(_l("Timezone"), validators=[DataRequired(REQUIRED)])
    fold = SelectField(
        _l("If the time happens twice (clocks going back)"),
        choices=options([
            ("", _l("Not needed")), ("0", _l("The first time (still summer time)")),
            ("1", _l("The second time (after the clocks went back)"))]),
        coerce=_int_or_none, validators=[Optional()])
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[Optional(), NumberRange(1, 1440, message=_l("Between 1 and 1,440."))])
    venue = StringField(_l("Venue"), validators=[Optional(), _max(agms.TEXT_CAPS["venue"])])
    address = TextAreaField(_l("Address"),
                            validators=[Optional(), _max(agms.TEXT_CAPS["address"])])
    format = SelectField(_l("Format"), choices=[SelectChoice("", _l("Not known yet")),
                                                *enum_choices(MeetingFormat)])
    webcast_url = StringField(_l("Webcast or platform link"),
                              validators=[Optional(), _max(agms.TEXT_CAPS["webcast_url"])])
    questions_deadline = DateTimeLocalField(_l("Deadline for written questions (local)"),
                                            validators=[Optional()])
    proxy_deadline = DateTimeLocalField(_l("Deadline for proxy appointment (local)"),
                                        validators=[Optional()])
    registration_deadline = DateTimeLocalField(_l("Deadline for registration (local)"),
                                               validators=[Optional()])
    deadlines_to_be_confirmed = BooleanField(DEADLINES_TBC)
    status = SelectField(_l("Status"), choices=options([
        (s.value, s.label) for s in (AGMStatus.EXPECTED, AGMStatus.ANNOUNCED,
                                     AGMStatus.CONFIRMED)]))
    status_note = TextAreaField(_l("Public note"), description=PUBLIC_NOTE_HELP,
                                validators=[Optional(), _max(agms.TEXT_CAPS["status_note"])])
    status_note_language = SelectField(_l("The public note is written in"), choices=[],
                                       validate_choice=False)
    notes = TextAreaField(_l("Private notes (staff only, never published)"),
                          validators=[Optional(), _max(agms.TEXT_CAPS["notes"])])

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.company_id.choices = options([(None, "—")] + [(c.id, c.name) for c in companies])
        self.listing_id.choices = options([(None, _l("The company itself"))] + [
            (listing.id, f"{c.name}: {listing.entity_name} ({listing.exchange}: "
                         f"{listing.ticker})")
            for c in companies for listing in c.listings])
        self.timezone.choices = options([("", "—")] + [(z, z) for z in agms.zone_names()])
        self.status_note_language.choices = options(
            (code, i18n.language_name(code)) for code in i18n.languages())

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in agms.EDITABLE_FIELDS}
        data["format"] = data["format"] or None
        return data


# WTForms' own parse errors ("Not a valid date value.") have no Indonesian: replace them.
def _translated_parse_errors(form: Form) -> None:
    messages = {DateField: BAD_DATE, TimeField: BAD_TIME, DateTimeLocalField: BAD_MOMENT,
                IntegerField: BAD_NUMBER}
    for field in form:
        for kind, message in messages.items():
            # Optional() clears the parse error of an empty field: only replace what is left.
            if type(field) is kind and any(e in field.process_errors for e in field.errors):
                rest = [e for e in field.errors if e not in field.process_errors]
                field.errors = [message, *rest]


def validate(form: Form) -> bool:
    ok = form.validate_on_submit()
    _translated_parse_errors(form)
    return ok


class MeetingEditForm(Edits, MeetingForm):
    pass


class PostponeForm(Edits, Versioned):
    new_date = DateField(_l("New date (local), if known"), validators=[Optional()])
    new_time = TimeField(_l("New start time (local), if known"), validators=[Optional()])
    time_to_be_announced = BooleanField(_l("The new start time is not known yet"))
    # No default: a postponement's deadlines are a choice, never a leftover.
    deadlines = RadioField(_l("Deadlines"), choices=options([
        ("new", _l("The deadlines below are the new ones")),
        ("tbc", _l("The new deadlines are not known yet: show the current ones as to be "
                   "confirmed"))]), validators=[Optional()])
    questions_deadline = MeetingForm.questions_deadline
    proxy_deadline = MeetingForm.proxy_deadline
    registration_deadline = MeetingForm.registration_deadline

    def new_deadlines(self) -> dict | None:
        """The deadlines typed, when they are said to be the new ones."""
        if self.deadlines.data != "new":
            return None
        return {attr: self[attr].data for attr, _key, _label in agms.DEADLINES}
    note = TextAreaField(_l("Public note: why, and what happens next"),
                         description=PUBLIC_NOTE_HELP,
                         validators=[DataRequired(REQUIRED), _max(agms.TEXT_CAPS["status_note"])])


class CancelForm(Edits, Versioned):
    note = TextAreaField(_l("Public note: why the meeting is cancelled"),
                         description=PUBLIC_NOTE_HELP,
                         validators=[DataRequired(REQUIRED), _max(agms.TEXT_CAPS["status_note"])])
    confirm = BooleanField(
        _l("Yes, cancel this meeting: every subscribed calendar will show it as cancelled"),
        validators=[DataRequired(TICK_TO_CONFIRM)])


class ReinstateForm(Edits, Versioned):
    note = TextAreaField(_l("Public note: what changed (optional)"),
                         description=PUBLIC_NOTE_HELP,
                         validators=[Optional(), _max(agms.TEXT_CAPS["status_note"])])


class DeleteForm(Edits, Versioned):
    confirm = BooleanField(
        _l("Yes, delete this meeting: it disappears from the pages and from every "
           "subscribed calendar"), validators=[DataRequired(TICK_TO_CONFIRM)])


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class CompanyForm(Versioned):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), _max(200)])
    slug = StringField(_l("Short name for links"), validators=[DataRequired(REQUIRED), _max(80)])
    website = StringField(_l("Website"), validators=[Optional(), _max(500)])
    listings = TextAreaField(_l("Listings"), validators=[Optional(), _max(5000)])
    sites = TextAreaField(_l("Sites (mines and projects)"), validators=[Optional(), _max(20000)])
    notes = TextAreaField(_l("Private notes (staff only, never published)"),
                          validators=[Optional(), _max(5000)])


class CompanyEditForm(Edits, CompanyForm):
    # The slug is in every calendar subscription's address: fixed once the company exists.
    slug = None
