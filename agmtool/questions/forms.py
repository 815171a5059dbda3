"""Forms for questions: drafting and editing, quoted words, the running order, what happened
at the meeting, sign-offs recorded by staff, and the community's answers on its status page.

Every validator carries its own translated message: WTForms ships no Indonesian catalogue.
"""

from __future__ import annotations

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
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from agmtool.forms import REQUIRED, Cap, Form, MultiCheckboxField, enum_choices, options
from agmtool.models import Entry, Holding, QuestionProcess, Satisfaction, SignOffChannel

TOO_LONG = _l("This text is longer than %(max)s characters. Shorten it a little; nothing you "
              "wrote has been lost.")
BAD_DATE = _l("Enter a date, like 2027-05-14.")


def _cap(limit: int):
    return Cap(limit, TOO_LONG)


class QuestionForm(Form):
    """Drafting a question, and editing it (``version`` then holds the one the user saw)."""

    version = HiddenField()
    text = TextAreaField(_l("Question, in English as it will be asked"), validators=[
        DataRequired(_l("Write the question.")), _cap(5000)])
    background = TextAreaField(_l("Background notes for the speaker"),
                               validators=[Optional(), _cap(10000)])
    # One of the meeting's attendees (questions.attendees).
    speaker = SelectField(_l("Speaker"), choices=[], validate_choice=False)
    needs_interpretation = BooleanField(_l("Read in another language and interpreted"))
    interpret_from = SelectField(_l("Read in"), choices=[], validate_choice=False)
    sent_in_writing = BooleanField(_l("Also sent in writing before the meeting"))


class NewQuestionForm(QuestionForm):
    speaker = None  # chosen on the question's page, among the meeting's attendees
    agm = SelectField(_l("Meeting"), choices=[], validate_choice=False,
                      validators=[DataRequired(_l("Choose the meeting."))])


class MoveForm(Form):
    """A button that moves a question on (or back) its way."""

    seen_status = HiddenField()


class LinkForm(Form):
    concern = IntegerField(_l("Number of an accepted concern"), validators=[
        InputRequired(_l("Enter the number of a concern.")),
        NumberRange(min=1, max=2**31 - 1, message=_l("Enter the number of a concern."))])


class ExcerptForm(Form):
    seen_version = HiddenField()
    excerpt = TextAreaField(_l("Words that may be quoted"), validators=[Optional(), _cap(2000)])


class OutcomeForm(Form):
    seen_status = HiddenField()
    asked = RadioField(_l("At the meeting"), choices=options([
        ("asked", _l("It was asked")), ("not_reached", _l("It was not reached"))]),
        validators=[InputRequired(_l("Say whether it was asked."))])
    answer_text = TextAreaField(_l("The answer as given"), validators=[Optional(), _cap(20000)])
    given_by = StringField(_l("Answered by"), validators=[Optional(), _cap(200)])
    written_promised = BooleanField(_l("The company promised a written answer"))
    written_due = DateField(_l("Written answer due by"), validators=[Optional()])


class WrittenAnswerForm(Form):
    seen_version = HiddenField()
    written_text = TextAreaField(_l("The written answer"), validators=[
        DataRequired(_l("Paste the written answer.")), _cap(50000)])
    written_received_on = DateField(_l("Received on"), validators=[
        InputRequired(BAD_DATE)])


class CarryForm(Form):
    agm = SelectField(_l("Carry to the meeting"), choices=[], validate_choice=False,
                      validators=[DataRequired(_l("Choose the meeting."))])


class RecordSignOffForm(Form):
    """A sign-off the community gave by phone, message or in a meeting."""

    concern = HiddenField()
    decision = RadioField(_l("What they said"), choices=options([
        ("given", _l("Yes, ask it")), ("changes_asked", _l("Please change it"))]),
        validators=[InputRequired(_l("Say what they said."))])
    channel = SelectField(_l("How"), choices=enum_choices(
        c for c in SignOffChannel if c != SignOffChannel.STATUS_PAGE),
        validators=[DataRequired(REQUIRED)])
    given_by = StringField(_l("Who gave it"), validators=[
        DataRequired(_l("Say who gave it, as you would to a colleague.")), _cap(200)])
    given_on = DateField(_l("On"), validators=[InputRequired(BAD_DATE)])
    comment = TextAreaField(_l("What they asked to change, in their words"),
                            validators=[Optional(), _cap(2000)])


class BriefingForm(Form):
    """What the pack needs to know about a meeting."""

    version = HiddenField()
    question_seconds = IntegerField(_l("Time the company gives one question, in seconds"),
                                    validators=[InputRequired(_l("Enter a number of seconds.")),
                                                NumberRange(min=10, max=3600, message=_l(
                                                    "Between 10 and 3,600 seconds."))])
    question_process = SelectField(_l("How the company takes questions"),
                                   choices=[*options([("", _l("Not known yet"))]),
                                            *enum_choices(QuestionProcess)])
    practical_notes = TextAreaField(_l("Practical notes for the people attending"),
                                    validators=[Optional(), _cap(5000)])


class SourceForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the title.")),
                                                 _cap(300)])
    publisher = StringField(_l("Publisher"), validators=[Optional(), _cap(200)])
    published_on = DateField(_l("Date"), validators=[Optional()])
    link = StringField(_l("Link"), validators=[Optional(), _cap(500)])


class BackgroundForm(Form):
    version = HiddenField()
    background = TextAreaField(_l("Background"), validators=[Optional(), _cap(20000)])


# --- on the community's status page (no account; the code travels in the form) -------------

class SignOffForm(Form):
    class Meta:
        csrf = False  # checked by the status page, which keeps the text when it expired

    code = HiddenField()
    question = HiddenField()
    seen = HiddenField()  # the versions the person read: "question.translation.excerpt"
    decision = HiddenField()
    comment = TextAreaField(_l("Your comment (optional)"), validators=[Optional(), _cap(2000)])


class FeedbackForm(Form):
    class Meta:
        csrf = False

    code = HiddenField()
    answer = HiddenField()
    satisfaction = RadioField(_l("Does the company's answer answer your question?"),
                              choices=enum_choices(Satisfaction), validate_choice=False,
                              validators=[InputRequired(_l("Choose one answer."))])
    comment = TextAreaField(_l("Anything you want to add (optional)"),
                            validators=[Optional(), _cap(2000)])


# --- attendance (questions.attendees) -------------------------------------------------------

class ShareholderForm(Form):
    version = HiddenField()
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Give the shareholder's name.")), _cap(200)])
    holding = SelectField(_l("How they hold"), choices=enum_choices(Holding),
                          validators=[DataRequired(REQUIRED)])
    contact = TextAreaField(_l("Contact at the registrar or broker"),
                            validators=[Optional(), _cap(2000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), _cap(5000)])


class HoldingForm(Form):
    company = SelectField(_l("Company"), choices=[], validate_choice=False,
                          validators=[DataRequired(_l("Choose the company."))])
    shares = IntegerField(_l("Number of shares"), validators=[
        InputRequired(_l("Enter a number of shares, 0 or more.")),
        NumberRange(min=0, max=2**62, message=_l("Enter a number of shares, 0 or more."))])


class AttendeeForm(Form):
    """Adding an attendee to a meeting, and editing one (``version`` the one the user saw)."""

    version = HiddenField()
    user_id = SelectField(_l("Attendee account"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[Optional(), _cap(200)])
    community_id = SelectField(_l("Community"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False,
                           validators=[DataRequired(REQUIRED)])
    needs_interpretation = BooleanField(_l("Needs interpretation"))
    may_be_named = BooleanField(_l("Agrees to be named in the pack"))
    interprets = MultiCheckboxField(_l("Interprets between"), choices=[], validate_choice=False)
    entry = SelectField(_l("How they get in"), choices=enum_choices(Entry),
                        validators=[DataRequired(REQUIRED)])
    shareholding_id = SelectField(_l("From the shares of"), choices=[], validate_choice=False)
    shares = IntegerField(_l("Shares the proxy carries"), default=1, validators=[
        Optional(), NumberRange(min=1, max=2**31 - 1,
                                message=_l("A proxy carries at least one share."))])
    online_login = BooleanField(_l("Online login received"))
    contact_details = TextAreaField(_l("Contact details"), validators=[Optional(), _cap(2000)])


class TravelForm(Form):
    version = HiddenField()
    visa = TextAreaField(_l("Visa or travel authorisation"), validators=[Optional(), _cap(2000)])
    arrives_on = DateField(_l("Arrives on"), validators=[Optional()])
    leaves_on = DateField(_l("Leaves on"), validators=[Optional()])
    lodging = TextAreaField(_l("Where they stay"), validators=[Optional(), _cap(2000)])
    travel_notes = TextAreaField(_l("Travel notes"), validators=[Optional(), _cap(5000)])
