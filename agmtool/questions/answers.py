"""Domain: what happened at the meeting and what goes back to the community: a question
asked or not reached, the company's answer and who gave it, a written answer promised with
its due date and the written answer when it comes, their translations, the community's
view of the answer, and the report back that puts it all in the community's language.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from agmtool import history
from agmtool.concerns import domain as concerns
from agmtool.database import claim
from agmtool.extensions import db
from agmtool.models import (
    AGM,
    Answer,
    Concern,
    ConcernStatus,
    Feedback,
    Question,
    QuestionConcern,
    QuestionStatus,
    Reader,
    Satisfaction,
    User,
    utcnow,
)
from agmtool.questions import domain as questions
from agmtool.text import clean_text
from agmtool.translation import domain as translation

ANSWER, WRITTEN_ANSWER, FEEDBACK = "answer", "written_answer", "feedback_comment"


def _answer_page(answer_id: int) -> dict | None:
    question_id = db.session.scalar(sa.select(Answer.question_id).where(Answer.id == answer_id))
    return questions.question_page(question_id) if question_id is not None else None


def _feedback_page(feedback_id: int) -> dict | None:
    question_id = db.session.scalar(sa.select(Answer.question_id).join(Feedback).where(
        Feedback.id == feedback_id))
    return questions.question_page(question_id) if question_id is not None else None


TRANSLATION_KINDS = {
    ANSWER: translation.Kind(_l("The company's answer at the AGM"), "questions.detail",
                             _answer_page),
    WRITTEN_ANSWER: translation.Kind(_l("The company's written answer"), "questions.detail",
                                     _answer_page),
    FEEDBACK: translation.Kind(_l("A community's view of the company's answer"),
                               "questions.detail", _feedback_page),
}


# An answer's fields as the question's history names them.
ANSWER_FIELDS = {"text": "answer_text", "given_by": "answered_by",
                 "written_promised": "written_promised", "written_due": "written_due",
                 "written_text": "written_text", "written_received_on": "written_received_on"}


def _text(value: str | None) -> str | None:
    return (clean_text(value) or "").strip() or None


def sync_translations(answer: Answer, user: User | None = None) -> None:
    """The answer and the written answer, in every language the question is needed in."""
    question = answer.question
    targets = questions.target_languages(question)
    for kind, text in ((ANSWER, answer.text), (WRITTEN_ANSWER, answer.written_text)):
        translation.sync(kind, answer.id, text, "en", targets, reader=Reader.COMMUNITY,
                         agm_id=question.agm_id, due_on=utcnow().date(), user=user)


def _concerns_follow(question: Question, to: ConcernStatus, user: User) -> None:
    """The concerns a question answers follow it: asked when it is asked, answered when the
    company answered. A concern already further on, or elsewhere (merged, withdrawn), stays."""
    for link in question.links:
        concern = link.concern
        if to in concerns.TRANSITIONS.get(concern.status, ()):
            concerns.move(concern, to, user, "asked" if to == ConcernStatus.ASKED
                          else "answered")


def record_outcome(question: Question, user: User, asked: bool, seen_status: str | None,
                   text: str | None = None, given_by: str | None = None,
                   written_promised: bool = False,
                   written_due: date | None = None) -> Answer | None:
    """Record what happened to the question at the meeting: asked (with the answer as
    given, by whom, and any written answer promised with its due date) or not reached.

    Side effects: the question's status (see questions.move), the answer, the concerns it
    answers (asked, then answered once there is an answer), the answer's translations,
    history, flush. Raises TransitionNotAllowed, StaleEdit, ValueError (a promise without a
    due date).
    """
    to = QuestionStatus.ASKED if asked else QuestionStatus.NOT_REACHED
    if question.status != to:
        questions.move(question, to, user, seen_status)
    if not asked:
        return None
    _concerns_follow(question, ConcernStatus.ASKED, user)
    text = _text(text)
    if written_promised and written_due is None:
        raise ValueError("a promised written answer needs its due date")
    if text is None and not written_promised:
        return question.answer
    answer = question.answer
    values = {"text": text or "", "given_by": _text(given_by),
              "written_promised": written_promised,
              "written_due": written_due if written_promised else None}
    if answer is None:
        answer = Answer(question=question, recorded_by_id=user.id if user else None,
                        version=1, **values)
        db.session.add(answer)
        db.session.flush()
        changes = {name: [None, value] for name, value in values.items() if value}
    else:
        changes = history.apply_changes(answer, values)
        answer.version = Answer.version + 1
    # In the question's history, under names of their own (the question has a text too).
    history.record(question, user, "answer",
                   {ANSWER_FIELDS[name]: change for name, change in changes.items()})
    if text:
        _concerns_follow(question, ConcernStatus.ANSWERED, user)
    db.session.flush()
    db.session.refresh(answer, ["version"])
    sync_translations(answer, user)
    return answer


def record_written_answer(answer: Answer, user: User, text: str, received_on: date,
                          seen_version: int) -> None:
    """The written answer the company promised has come.

    Side effects: a conditional UPDATE of the version (StaleEdit), the text and the day,
    translations, history, flush."""
    text = _text(text)
    if not text:
        raise ValueError("the written answer needs its text")
    claim(answer, Answer.version == seen_version, version=Answer.version + 1,
          written_text=text, written_received_on=received_on)
    history.record(answer.question, user, "written_answer",
                   {"written_text": [None, text], "written_received_on": [None, received_on]})
    db.session.flush()
    sync_translations(answer, user)


def written_overdue(today: date):
    """The condition on Answer: a written answer promised, past its due date, not received."""
    return sa.and_(Answer.written_promised.is_(True), Answer.written_text.is_(None),
                   Answer.written_due < today)


def overdue(today: date) -> list[Answer]:
    """Written answers promised, past their due date and not yet received."""
    return list(db.session.scalars(sa.select(Answer).where(written_overdue(today))
                                   .order_by(Answer.written_due)))


def give_feedback(answer: Answer, concern: Concern, satisfaction: Satisfaction,
                  comment: str | None) -> Feedback:
    """The community says whether the answer satisfied it (from its status page); a second
    view replaces the first.

    Side effects: adds or updates the feedback, its comment waits for English, flush."""
    comment = _text(comment)
    found = db.session.scalar(sa.select(Feedback).where(
        Feedback.answer_id == answer.id, Feedback.concern_id == concern.id))
    if found is None:
        found = Feedback(answer=answer, concern_id=concern.id, satisfaction=satisfaction)
        db.session.add(found)
    found.satisfaction, found.comment = satisfaction, comment
    found.comment_language = concern.reply_language if comment else None
    found.sent_on = utcnow().date()
    db.session.flush()
    translation.sync(FEEDBACK, found.id, comment, concern.reply_language, ["en"],
                     reader=Reader.STAFF, agm_id=answer.question.agm_id,
                     due_on=utcnow().date())
    return found


def concern_withdrawn(concern: Concern) -> None:
    """A withdrawn concern's views of answers go, with their comments."""
    for found in db.session.scalars(sa.select(Feedback).where(
            Feedback.concern_id == concern.id)).all():
        translation.erase(FEEDBACK, [found.id])
        db.session.delete(found)


# --- the report back ------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """A text for the community: in its language, or None while the translation is on its
    way (never an unapproved text)."""

    text: str | None
    pending: bool


def _shown(kind: str, source_id: int, text: str | None, language: str) -> Shown | None:
    if not text:
        return None
    if language == "en":
        return Shown(text, False)
    row = translation.readable(kind, source_id, language)
    return Shown(row.text if row else None, row is None)


@dataclass
class Reported:
    """One question as the community it speaks for may read it (see report)."""

    question: Question
    agm: AGM
    text: Shown
    speaker: str | None
    answer: Shown | None = None
    given_by: str | None = None
    written_due: date | None = None
    written: Shown | None = None
    feedback: Feedback | None = None
    signoff: object = None
    readable_versions: tuple | None = None
    # The community's own words the question quotes (signed off with it), as written.
    excerpt: str | None = None
    excerpt_language: str | None = None


def report(concern: Concern) -> list[Reported]:
    """Every question asked in ``concern``'s name (its own, or its merge target's), as its
    community may read it in its reply language: the question, who asked it (where they
    consented to be named), the answer and the written answer promised, each only once its
    translation is approved."""
    from agmtool.questions import signoffs

    target = concern
    while target.merged_into is not None:
        target = target.merged_into
    found = db.session.scalars(
        sa.select(Question)
        .where(Question.links.any(QuestionConcern.concern_id == target.id),
               Question.status.in_([*questions.SHOWN_TO_COMMUNITY, QuestionStatus.WITHDRAWN]))
        .order_by(Question.id)).all()
    language = concern.reply_language
    reported = []
    for question in found:
        answer = question.answer
        if question.status == QuestionStatus.WITHDRAWN and questions.in_language(question,
                                                                                 language) is None:
            continue  # withdrawn before the community could read it: nothing to tell
        item = Reported(
            question=question, agm=question.agm,
            text=_shown(questions.QUESTION, question.id, question.text, language),
            # Who asked it is said once the attendance records their consent to be named.
            speaker=None,
            signoff=signoffs.state(question, concern),
            readable_versions=signoffs.versions(question, concern))
        link = questions.link_for(question, concern)
        if link is not None and questions.quotable(link):
            item.excerpt, item.excerpt_language = link.excerpt, link.concern.language
        if answer is not None and question.status == QuestionStatus.ASKED:
            item.answer = _shown(ANSWER, answer.id, answer.text, language)
            item.given_by = answer.given_by
            item.written_due = answer.written_due if answer.written_promised else None
            item.written = _shown(WRITTEN_ANSWER, answer.id, answer.written_text, language)
            item.feedback = next((f for f in answer.feedback if f.concern_id == concern.id),
                                 None)
        reported.append(item)
    return reported

