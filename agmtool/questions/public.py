"""The questions on a submitter's status page: each question asked in the concern's name,
in the community's language once it can be read, with "yes, ask this" and "please change
it"; after the meeting, the answer and any promise; the community's view of the answer; and
the whole as plain text to paste into a message.

The status page itself (the receipt code, its rate limits, the token) is the concerns
package's; this module is its "questions" section (see concerns.public.StatusSection).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from agmtool import i18n
from agmtool.concerns.status import Outcome, StatusSection
from agmtool.extensions import db
from agmtool.models import Answer, Concern, Question, Satisfaction, SignOffChannel, SignOffDecision
from agmtool.questions import answers, signoffs
from agmtool.questions.forms import FeedbackForm, SignOffForm

SIGNED = _l("Thank you. Our team has your answer.")
CHANGES_NEED_A_WORD = _l("Tell us what to change, so our team can do it.")
CHANGED_MEANWHILE = _l("Our team changed this question while you were reading it. Here it "
                       "is as it is now: read it again before you answer.")
FEEDBACK_SENT = _l("Thank you. Our team will read what you think of the answer.")


def _versions(text: str | None) -> tuple | None:
    try:
        question, translation, excerpt = (text or "").split(".")
        return int(question), int(translation) if translation else None, int(excerpt)
    except ValueError:
        return None


def versions_text(versions: tuple | None) -> str:
    if versions is None:
        return ""
    question, translation, excerpt = versions
    return f"{question}.{translation if translation is not None else ''}.{excerpt}"


def context(concern: Concern, state: dict) -> dict:
    """What the questions section shows for ``concern`` (``state``: forms posted back)."""
    reported = answers.report(concern)
    return {
        "reported": reported,
        "versions_text": versions_text,
        "signoff_forms": state.get("signoff_forms", {}),
        "feedback_forms": state.get("feedback_forms", {}),
        "plain_text": plain_text(concern, reported) if reported else None,
        "satisfaction_choices": [(choice.value, choice.label) for choice in Satisfaction],
    }


def _question_of(concern: Concern, question_id: str | None) -> Question | None:
    """A question the status page offers this concern (its own or its merge target's)."""
    for item in answers.report(concern):
        if str(item.question.id) == (question_id or ""):
            return item.question
    return None


def sign_off(concern: Concern, data: MultiDict) -> Outcome:
    """"Yes, ask this" or "please change it", with a comment, from the status page."""
    form = SignOffForm(formdata=data)
    question = _question_of(concern, form.question.data)
    if question is None:
        return Outcome(404, problem=_("This question is no longer waiting for your answer."))
    decision = (SignOffDecision.GIVEN if form.decision.data == "given"
                else SignOffDecision.CHANGES_ASKED)
    forms = {"signoff_forms": {question.id: form}}
    if not form.validate():
        return Outcome(422, state=forms)
    if decision == SignOffDecision.CHANGES_ASKED and not form.comment.data:
        form.comment.errors.append(str(CHANGES_NEED_A_WORD))
        return Outcome(422, state=forms)
    try:
        signoffs.respond(question, concern, decision, form.comment.data,
                         SignOffChannel.STATUS_PAGE, seen=_versions(form.seen.data))
    except ValueError:
        return Outcome(409, problem=str(CHANGED_MEANWHILE), state=forms)
    return Outcome(200, done=str(SIGNED))


def feedback(concern: Concern, data: MultiDict) -> Outcome:
    """The community's view of the company's answer."""
    form = FeedbackForm(formdata=data)
    answer = db.session.get(Answer, int(form.answer.data)) if (
        form.answer.data or "").isdigit() else None
    offered = {item.question.answer.id for item in answers.report(concern)
               if item.question.answer is not None and item.answer is not None}
    if answer is None or answer.id not in offered:
        return Outcome(404, problem=_("This answer is not one we brought back to you."))
    if not form.validate() or form.satisfaction.data not in Satisfaction._value2member_map_:
        if not form.satisfaction.errors:
            form.satisfaction.errors.append(_("Choose one answer."))
        return Outcome(422, state={"feedback_forms": {answer.id: form}})
    answers.give_feedback(answer, concern, Satisfaction(form.satisfaction.data),
                          form.comment.data)
    return Outcome(200, done=str(FEEDBACK_SENT))


def plain_text(concern: Concern, reported: list[answers.Reported]) -> str:
    """The report back as plain text in the community's language, to paste into a message:
    only what can be read in that language (a text still being translated is said so)."""
    lines = []
    for item in reported:
        agm = item.agm
        if agm.date_estimated:
            lines.append(_("Question for the meeting of %(company)s expected in %(month)s",
                           company=agm.company.name, month=i18n.format_month(agm.local_date)))
        else:
            lines.append(_("Question for the meeting of %(company)s on %(day)s",
                           company=agm.company.name,
                           day=i18n.format_day(agm.local_date, "long")))
        lines.append(item.text.text if item.text.text else _("(being translated)"))
        if item.answer is not None:
            lines.append("")
            lines.append(_("The company's answer:"))
            lines.append(item.answer.text if item.answer.text else _("(being translated)"))
        if item.written_due is not None:
            lines.append(_("The company promised a written answer by %(day)s.",
                           day=i18n.format_day(item.written_due, "long")))
        if item.written is not None:
            lines.append(_("The written answer:"))
            lines.append(item.written.text if item.written.text else _("(being translated)"))
        lines.append("")
    return "\n".join(lines).strip()


SECTION = StatusSection(template="questions/_status.html", context=context,
                        actions={"sign-off": sign_off, "feedback": feedback})
