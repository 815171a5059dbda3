"""Domain: the community's sign-off of a question asked in its name.

A sign-off records the versions it saw: of the question, of its translation into the
community's language (none when the community reads English) and of the excerpt of its
words the question may quote. When any of them changes it is superseded: derived here by
comparing versions, never pushed by the questions. The community is asked (on its status
page) whenever it can read the question and has no current answer; staff can record an
answer given by phone, message or meeting.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from agmtool import history, settings
from agmtool.extensions import db
from agmtool.models import (
    Attribution,
    Concern,
    ConcernStatus,
    Question,
    QuestionConcern,
    Reader,
    SignOff,
    SignOffChannel,
    SignOffDecision,
    User,
    utcnow,
)
from agmtool.questions import domain as questions
from agmtool.text import clean_text
from agmtool.translation import domain as translation

COMMENT = questions.SIGNOFF_COMMENT


def _signoff_page(signoff_id: int) -> dict | None:
    question_id = db.session.scalar(sa.select(SignOff.question_id)
                                    .where(SignOff.id == signoff_id))
    return questions.question_page(question_id) if question_id is not None else None


TRANSLATION_KINDS = {COMMENT: translation.Kind(_l("A community's comment on a question"),
                                               "questions.detail", _signoff_page)}


@dataclass(frozen=True)
class State:
    """Where one community stands on one question.

    ``key``: "not_asked" (it cannot read the question yet, or the question is a draft),
    "requested", "given", "changes_asked", "superseded" (it answered an earlier version and
    is asked again once it can read the new one). ``signoff`` is its latest answer."""

    key: str
    signoff: SignOff | None = None
    readable: str | None = None


LABELS = {
    "not_asked": _l("Not asked yet: the question is not ready in their language"),
    "requested": _l("Asked, waiting for their answer"),
    "given": _l("Given"),
    "changes_asked": _l("Changes asked"),
    "superseded": _l("Superseded: they answered an earlier version"),
}


def needed(concern: Concern) -> bool:
    """Whether the question needs this community's sign-off before it is approved: always
    where its consent names the person or the community; for anonymous concerns, as the
    admins set."""
    if concern.attribution in (Attribution.NAMED, Attribution.COMMUNITY):
        return True
    return bool(settings.get("anonymous_signoff_required"))


def versions(question: Question, concern: Concern) -> tuple[int, int | None, int] | None:
    """The versions the community reads now (question, translation, excerpt), or None when
    it cannot read the question in its reply language yet."""
    link = questions.link_for(question, concern)
    excerpt = link.excerpt_version if link is not None else 1
    if concern.reply_language == "en":
        return question.text_version, None, excerpt
    row = translation.readable(questions.QUESTION, question.id, concern.reply_language)
    if row is None:
        return None
    return question.text_version, row.version, excerpt


def latest(question: Question, concern: Concern) -> SignOff | None:
    found = [s for s in question.signoffs if s.concern_id == concern.id]
    return found[-1] if found else None


def state(question: Question, concern: Concern) -> State:
    """Where ``concern``'s community stands on ``question`` (see State)."""
    last = latest(question, concern)
    now = versions(question, concern)
    readable = questions.in_language(question, concern.reply_language)
    if question.status not in questions.SHOWN_TO_COMMUNITY:
        return State("not_asked", last)
    if last is not None and now == (last.question_version, last.translation_version,
                                    last.excerpt_version):
        return State(last.decision.value, last, readable)
    if now is None:
        return State("superseded" if last is not None else "not_asked", last)
    return State("requested", last, readable)


def missing(question: Question) -> list[Concern]:
    """The concerns whose sign-off the question still needs before it is approved."""
    return [concern for concern in questions.speakers_for(question)
            if needed(concern) and state(question, concern).key != "given"]


def respond(question: Question, concern: Concern, decision: SignOffDecision,
            comment: str | None, channel: SignOffChannel, user: User | None = None,
            given_by: str | None = None, given_on: date | None = None,
            seen: tuple[int, int | None, int] | None = None) -> SignOff:
    """Record the community's answer to the question as it reads it now.

    ``seen`` are the versions shown to the person (see versions): an answer to a version
    that has changed since is refused, so nobody signs off a text they did not read. A
    comment comes back to staff as a change request on the question (and waits for its
    English translation). Side effects: adds the sign-off, notes the question for staff's
    attention when changes are asked, history, flush. Raises ValueError when the community
    cannot read the question yet or read another version (``seen``).
    """
    now = versions(question, concern)
    if now is None or question.status not in questions.SHOWN_TO_COMMUNITY:
        raise ValueError(f"question {question.id} cannot be read in "
                         f"{concern.reply_language} yet")
    if seen is not None and tuple(seen) != now:
        raise ValueError(f"question {question.id} changed since it was read")
    comment = (clean_text(comment) or "").strip() or None
    signoff = SignOff(
        question=question, concern=concern, decision=decision, question_version=now[0],
        translation_version=now[1], excerpt_version=now[2], comment=comment,
        comment_language=concern.reply_language if comment else None, channel=channel,
        given_by=(clean_text(given_by) or "").strip() or None,
        given_on=given_on or utcnow().date(), recorded_by_id=user.id if user else None)
    db.session.add(signoff)
    db.session.flush()
    if decision == SignOffDecision.CHANGES_ASKED:
        questions.note_attention(question, questions.CHANGES_NOTE % {"number": concern.id})
    if comment:
        translation.sync(COMMENT, signoff.id, comment, concern.reply_language, ["en"],
                         reader=Reader.STAFF, agm_id=question.agm_id,
                         due_on=questions.due_on(question.agm))
    # The community's words stay out of the history; who decided what is kept.
    history.record(question, user, "signoff", {
        "concern": [None, concern.id], "signoff": [None, decision],
        **({"comment": ["…", "…"]} if comment else {})})
    db.session.flush()
    return signoff


def erase(concern: Concern) -> None:
    """A withdrawn concern's sign-offs and their comments go (the questions unlink it)."""
    for signoff in db.session.scalars(db.select(SignOff).where(
            SignOff.concern_id == concern.id)).all():
        translation.erase(COMMENT, [signoff.id])
        db.session.delete(signoff)


def signed_off_excerpt(question: Question, link: QuestionConcern) -> str | None:
    """The excerpt of ``link``'s concern that a page or a PDF beyond staff may show: quoting
    allowed, the concern not withdrawn, and its community's sign-off given on the question,
    its translation and the excerpt as they stand now. The one rule for every such output
    (the attendee's page, the pack, the cards)."""
    excerpt = questions.quotable(link)
    if excerpt is None or link.concern.status == ConcernStatus.WITHDRAWN:
        return None
    return excerpt if state(question, link.concern).key == "given" else None
