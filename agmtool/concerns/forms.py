"""Forms for concerns: the public form, staff entry, status, withdrawal, triage, translation.

Every validator carries its own translated message: WTForms ships no Indonesian catalogue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from agmtool import i18n
from agmtool.concerns.domain import Submission, company_choices
from agmtool.forms import REQUIRED, Cap, Form, MultiCheckboxField, enum_choices, options
from agmtool.links import LARGEST_ID, number
from agmtool.models import Attribution, Channel, Topic
from agmtool.text import clean_text

# Caps in characters, shown beside each field. Their sum, even in 4-byte characters sent
# percent-encoded, stays well under MAX_CONTENT_LENGTH: only abuse meets the 413 page.
CAPS = {
    "company_other": 200,
    "place": 200,
    "community_name": 200,
    "body": 5000,
    "wanted": 2000,
    "speaker_name": 200,
    "contact_name": 200,
    "contact_details": 500,
}
TOO_LONG = _l("This text is longer than %(max)s characters. Shorten it a little; "
              "nothing you wrote has been lost.")



def tidy(value):
    cleaned = clean_text(value) if isinstance(value, str) else value
    return cleaned.strip() if isinstance(cleaned, str) else cleaned


def capped(name: str) -> list:
    return [Optional(), Cap(CAPS[name], TOO_LONG)]


CHOOSE_COMPANY = _l("Choose a company, or “Not sure, or another company”.")


class ConcernFields(Form):
    """What the public form and staff entry share."""

    # Not required: a community may not know which company runs the mine.
    company = SelectField(_l("Which company?"), choices=[], validate_choice=False,
                          default="other")
    company_other = StringField(_l("If not in the list: the company's name, if you know it"),
                                filters=[tidy], validators=capped("company_other"))
    place = StringField(_l("The mine or place"), filters=[tidy], validators=capped("place"))
    community_name = StringField(_l("Your community or group (optional)"), filters=[tidy],
                                 validators=capped("community_name"))
    topics = MultiCheckboxField(_l("What is it about? Choose all that apply."),
                                choices=enum_choices(Topic), validate_choice=False)
    body = TextAreaField(_l("What is happening?"), filters=[tidy], validators=[
        DataRequired(_l("Tell us what is happening: this is the one field we need.")),
        Cap(CAPS["body"], TOO_LONG)])
    wanted = TextAreaField(_l("What do you want the company to do or to answer?"),
                           filters=[tidy], validators=capped("wanted"))
    attribution = RadioField(_l("When we ask your question, may we say who it comes from?"),
                             choices=enum_choices(Attribution),
                             default=Attribution.ANONYMOUS.value, validate_choice=False)
    speaker_name = StringField(_l("The name we may say"), filters=[tidy],
                               validators=capped("speaker_name"))
    may_quote = BooleanField(_l("You may quote my words as I wrote them."))
    contact_name = StringField(_l("Name"), filters=[tidy], validators=capped("contact_name"))
    contact_details = TextAreaField(_l("Phone, WhatsApp, Signal or email"), filters=[tidy],
                                    validators=capped("contact_details"))
    reply_language = SelectField(_l("Language for our replies"), choices=[],
                                 validate_choice=False)

    NAME_NEEDED = _l("Write the name we may say, or choose another answer.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # "Named" without a name would be asked as anonymous without anyone deciding so.
        if self.attribution.data == Attribution.NAMED.value and not self.speaker_name.data:
            self.speaker_name.errors = [*self.speaker_name.errors, self.NAME_NEEDED]
            return False
        return valid

    def offer_companies(self) -> None:
        """The known companies, and "not sure": the choices both forms offer."""
        self.company.choices = options(
            [("other", _l("Not sure, or another company"))] + company_choices())

    def submission(self, language: str, **extra) -> Submission:
        """What was entered, as the domain takes it; a choice not offered falls back to the
        default (the reply language to ``language``, consent to anonymous)."""
        company, reply, attribution = (self.company.data or "", self.reply_language.data,
                                       self.attribution.data)
        return Submission(
            language=language,
            reply_language=reply if reply in i18n.languages() else language,
            body=self.body.data,
            wanted=self.wanted.data,
            company_id=number(company),
            company_other=self.company_other.data,
            place=self.place.data,
            community_name=self.community_name.data,
            topics=[t for t in self.topics.data or [] if t in Topic._value2member_map_],
            attribution=Attribution(attribution)
            if attribution in Attribution._value2member_map_ else Attribution.ANONYMOUS,
            may_quote=bool(self.may_quote.data),
            speaker_name=self.speaker_name.data,
            contact_name=self.contact_name.data,
            contact_details=self.contact_details.data,
            **extra,
        )

    def validate_company(self, field) -> None:
        # Our own message rather than WTForms' (which has no Indonesian), and a company
        # id that is not offered (deleted, or made up) never reaches the database.
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(CHOOSE_COMPANY)


class ConcernForm(ConcernFields):
    """The public form. Its CSRF token is checked by the view, so that an expired token
    re-shows the form with the text in it rather than an error page."""

    class Meta:
        csrf = False

    idempotency_key = HiddenField()
    started = HiddenField()
    # The honeypot: hidden from people by CSS, left empty by them, filled by bots.
    website = StringField(_l("Leave this field empty"))


class StaffConcernForm(ConcernFields):
    idempotency_key = HiddenField()
    channel = SelectField(_l("How it arrived"),
                          choices=enum_choices(c for c in Channel if c != Channel.FORM),
                          validators=[DataRequired(REQUIRED)])
    language = SelectField(_l("Language of the concern"), choices=[],
                           validators=[DataRequired(REQUIRED)])
    received_on = DateField(_l("Received on"), validators=[
        InputRequired(_l("Enter the day it arrived, like 2026-03-14."))])
    # The same fields as the public form, worded for the staff member who writes them down.
    community_name = StringField(_l("Community or group (optional)"), filters=[tidy],
                                 validators=capped("community_name"))
    body = TextAreaField(_l("What is happening?"), filters=[tidy], validators=[
        DataRequired(_l("Write down what is happening: this is the one field needed.")),
        Cap(CAPS["body"], TOO_LONG)])
    wanted = TextAreaField(_l("What they want the company to do or to answer"),
                           filters=[tidy], validators=capped("wanted"))
    attribution = RadioField(_l("When the question is asked, may we say who it comes from?"),
                             choices=enum_choices(Attribution),
                             default=Attribution.ANONYMOUS.value, validate_choice=False)
    may_quote = BooleanField(_l("They agreed to be quoted word for word."))

    def validate_received_on(self, field) -> None:
        # Today anywhere on Earth (UTC+14 is the first to reach a day): no later.
        if field.data and field.data > (datetime.now(UTC) + timedelta(hours=14)).date():
            raise ValidationError(_l("This day is still to come. Enter the day the concern "
                                     "arrived."))

    NAME_NEEDED = _l("Write the name they agreed to be named by, or choose another answer.")


class StatusForm(Form):
    class Meta:
        csrf = False

    code = StringField(_l("Receipt code"), filters=[tidy], validators=[
        DataRequired(_l("Enter the receipt code you were given.")),
        Length(max=40, message=_l("A receipt code is shorter than this. Check it and try "
                                  "again."))])


class WithdrawForm(StatusForm):
    confirm = BooleanField(_l("Yes, withdraw my concern and delete what I wrote."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class AnswerForm(StatusForm):
    """The community's answer to a question from staff, sent from the status page."""
    answer = TextAreaField(_l("Your answer"), filters=[tidy], validators=[
        DataRequired(_l("Write your answer first.")), Cap(CAPS["body"], TOO_LONG)])


def written_in() -> SelectField:
    """The language a staff member wrote a text to the community in (see written_language)."""
    return SelectField(_l("Written in"), choices=[], validate_choice=False)


def written_language(field: SelectField) -> str:
    """A written_in field's language: one of the configured languages, else the language of
    the page the text was written on."""
    return field.data if field.data in i18n.languages() else i18n.current_language()


class DeclineForm(Form):
    seen_status = HiddenField()
    language = written_in()
    reason = TextAreaField(_l("Reason (the community reads it on the status page)"),
                           filters=[tidy], validators=[
                               DataRequired(_l("Give a reason.")),
                               Cap(2000, TOO_LONG)])


class ClarifyForm(Form):
    seen_status = HiddenField()
    language = written_in()
    question = TextAreaField(_l("What do you need to ask? (the community reads it on the "
                                "status page)"),
                             filters=[tidy], validators=[
                                 DataRequired(_l("Write the question for the community.")),
                                 Cap(2000, TOO_LONG)])


class MergeForm(Form):
    seen_status = HiddenField()
    into = IntegerField(_l("Number of the concern to merge into"), validators=[
        InputRequired(_l("Enter the number of a concern.")),
        NumberRange(min=1, max=LARGEST_ID, message=_l("Enter the number of a concern."))])


class ActionForm(Form):
    """A button that moves a concern (accept, release, reopen)."""

    seen_status = HiddenField()


class EraseContactForm(Form):
    """Deleting contact details cannot be undone, so it takes a tick as well as a click."""

    confirm = BooleanField(
        _l("I understand that they are deleted for good and cannot be brought back."),
        validators=[DataRequired(_l("Tick the box to confirm."))])
