"""Domain: questions for a meeting, drafted from concerns, kept in their running order, on
their way from draft to the AGM floor; the concerns they answer and the excerpts of a
community's words they may quote; their translations into the languages of the people
they speak for.

Sign-offs: questions.signoffs. Answers and the report back: questions.answers.
Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

import math
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from agmtool import history, workflow
from agmtool.concerns import domain as concerns
from agmtool.database import claim
from agmtool.extensions import db
from agmtool.models import (
    AGM,
    Attendee,
    Attribution,
    Concern,
    ConcernStatus,
    Question,
    QuestionConcern,
    QuestionStatus,
    Reader,
    SignOffDecision,
    User,
    utcnow,
)
from agmtool.text import clean_text
from agmtool.translation import domain as translation

# The kinds of text of a question that are translated (agmtool.translation).
QUESTION = "question"
BACKGROUND = "question_background"
SIGNOFF_COMMENT = "signoff_comment"


def question_page(question_id: int) -> dict:
    """The URL values of the question's staff page (where the translation editor links)."""
    return {"question_id": question_id}


TRANSLATION_KINDS = {
    QUESTION: translation.Kind(_l("An AGM question"), "questions.detail", question_page),
    BACKGROUND: translation.Kind(_l("Background notes for the speaker"), "questions.detail",
                                 question_page),
}

# The one table of a question's moves. Editing the text of a question that waits for its
# sign-off or is approved sends it back to translation (see edit).
TRANSITIONS: dict[QuestionStatus, set[QuestionStatus]] = {
    QuestionStatus.DRAFT: {QuestionStatus.IN_TRANSLATION, QuestionStatus.WITHDRAWN},
    QuestionStatus.IN_TRANSLATION: {QuestionStatus.DRAFT, QuestionStatus.AWAITING_SIGNOFF,
                                    QuestionStatus.WITHDRAWN},
    QuestionStatus.AWAITING_SIGNOFF: {QuestionStatus.IN_TRANSLATION, QuestionStatus.APPROVED,
                                      QuestionStatus.DRAFT, QuestionStatus.WITHDRAWN},
    QuestionStatus.APPROVED: {QuestionStatus.IN_TRANSLATION, QuestionStatus.ASKED,
                              QuestionStatus.NOT_REACHED, QuestionStatus.DRAFT,
                              QuestionStatus.WITHDRAWN},
    # What happened at the meeting can be corrected.
    QuestionStatus.ASKED: {QuestionStatus.NOT_REACHED},
    QuestionStatus.NOT_REACHED: {QuestionStatus.ASKED},
    QuestionStatus.WITHDRAWN: {QuestionStatus.DRAFT},
}
# Questions the community is shown, and asked to sign off, once it can read them.
SHOWN_TO_COMMUNITY = {QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
                      QuestionStatus.APPROVED, QuestionStatus.ASKED, QuestionStatus.NOT_REACHED}
# Questions whose translations are being written: translators see them in the queue.
TRANSLATED = {QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
              QuestionStatus.APPROVED, QuestionStatus.ASKED, QuestionStatus.NOT_REACHED}
# At about 130 words a minute, as a question is read out.
WORDS_PER_MINUTE = 130
# Fields of a question whose values never go into the history (a community's words).
PRIVATE_FIELDS = {"excerpt"}


def _concern_label(value) -> str:
    return concerns.HISTORY.values["merged_into_id"](value)


# How a question's history reads (registered by agmtool.questions.init_app).
HISTORY = history.Labels(
    fields={
        "status": _l("Status"),
        "text": _l("Question, in English as it will be asked"),
        "background": _l("Background notes for the speaker"),
        "position": _l("Place in the running order"),
        "speaker_name": _l("Speaker"),
        "speaker_id": _l("Speaker"),
        "needs_interpretation": _l("Read in another language and interpreted"),
        "interpret_from": _l("Read in"),
        "sent_in_writing": _l("Also sent in writing before the meeting"),
        "concern": _l("Concern"),
        "excerpt": _l("Words that may be quoted"),
        "attention": _l("For staff's attention"),
        "signoff": _l("Sign-off"),
        "comment": _l("Comment"),
        "answer_text": _l("The answer as given"),
        "answered_by": _l("Answered by"),
        "written_promised": _l("The company promised a written answer"),
        "written_due": _l("Written answer due by"),
        "written_text": _l("The written answer"),
        "written_received_on": _l("Received on"),
    },
    actions={
        "drafted": lazy_pgettext("history action", "Drafted"),
        "moved": lazy_pgettext("history action", "Status changed"),
        "linked": lazy_pgettext("history action", "Concern added"),
        "unlinked": lazy_pgettext("history action", "Concern removed"),
        "excerpt_chosen": lazy_pgettext("history action", "Quoted words chosen"),
        "reordered": lazy_pgettext("history action", "Running order changed"),
        "carried": lazy_pgettext("history action", "Carried to the next meeting"),
        "concern_withdrawn": lazy_pgettext("history action",
                                           "A concern was withdrawn by its submitter"),
        "signoff": lazy_pgettext("history action", "The community's sign-off"),
        "answer": lazy_pgettext("history action", "Answer recorded"),
        "written_answer": lazy_pgettext("history action", "Written answer recorded"),
    },
    enums={"status": QuestionStatus, "signoff": SignOffDecision},
    values={"concern": _concern_label, "written_due": history.day,
            "written_received_on": history.day},
)


class NotReady(ValueError):
    """A move the table allows, refused until something is done first; ``reason`` says what
    (a key the views translate)."""

    def __init__(self, question: Question, reason: str, **details):
        super().__init__(f"question {question.id}: {reason}")
        self.reason, self.details = reason, details


# --- reading -----------------------------------------------------------------------------

def reading_seconds(text: str | None) -> int:
    """How long the text takes to read out, at WORDS_PER_MINUTE."""
    words = len((text or "").split())
    return math.ceil(words * 60 / WORDS_PER_MINUTE)


def over_time(question: Question) -> bool:
    return reading_seconds(question.text) > question.agm.question_seconds


def speakers_for(question: Question) -> list[Concern]:
    """The concerns a question speaks for: those linked to it and, for each, the concerns
    merged into it (their submitters are asked and answered like the linked ones)."""
    found: list[Concern] = []
    seen: set[int] = set()
    stack = [link.concern for link in question.links]
    while stack:
        concern = stack.pop(0)
        if concern.id in seen:
            continue
        seen.add(concern.id)
        found.append(concern)
        stack.extend(concern.merged)
    return found


def link_for(question: Question, concern: Concern) -> QuestionConcern | None:
    """The link through which ``concern`` reaches the question (its own, or that of the
    concern it was merged into)."""
    target = concern
    while target is not None:
        for link in question.links:
            if link.concern_id == target.id:
                return link
        target = target.merged_into
    return None


def target_languages(question: Question) -> list[str]:
    """The languages the question and its answer are needed in: the reply language of every
    concern it speaks for, the language it is read in at the meeting when interpreted, and
    its speaker's (who reads it, with its notes, before the meeting)."""
    codes = {concern.reply_language for concern in speakers_for(question)
             if concern.status != ConcernStatus.WITHDRAWN}
    if question.needs_interpretation and question.interpret_from:
        codes.add(question.interpret_from)
    if question.speaker is not None:
        codes.add(question.speaker.language)
    codes.discard("en")
    return sorted(codes)


def due_on(agm: AGM) -> date:
    """When the question's translations are needed: the deadline for written questions
    when there is one, else the meeting day."""
    if agm.questions_deadline is not None:
        return agm.questions_deadline.date()
    return agm.local_date


def sync_translations(question: Question, user: User | None = None) -> None:
    """Keep the translations of the question (and its background notes) in step with its
    text, its status and the people it speaks for (see translation.sync): none while it is
    a draft or withdrawn."""
    targets = target_languages(question) if question.status in TRANSLATED else []
    translation.sync(QUESTION, question.id, question.text, "en", targets,
                     reader=Reader.COMMUNITY, agm_id=question.agm_id,
                     due_on=due_on(question.agm), user=user)
    # The notes are for the speaker: needed only where someone reads the question out in
    # another language, or the speaker reads another.
    speaker = sorted({code for code in (
        question.interpret_from if question.needs_interpretation else None,
        question.speaker.language if question.speaker is not None else None)
        if code not in (None, "en")})
    translation.sync(BACKGROUND, question.id, question.background, "en",
                     speaker if question.status in TRANSLATED else [],
                     reader=Reader.ATTENDEE, agm_id=question.agm_id,
                     due_on=due_on(question.agm), user=user)


def in_language(question: Question, language: str):
    """The question as a reader of ``language`` may read it: the English text, or its
    approved translation; None while there is none."""
    if language == "en":
        return question.text
    row = translation.readable(QUESTION, question.id, language)
    return row.text if row is not None else None


def running_order(agm: AGM) -> list[Question]:
    """The meeting's questions in the order they are read, withdrawn ones last."""
    return sorted(agm.questions, key=lambda q: (q.status == QuestionStatus.WITHDRAWN, q.position,
                                                q.id))


# --- consent -----------------------------------------------------------------------------

def community_name(concern: Concern) -> str | None:
    """The community, where its consent allows naming it."""
    if concern.attribution not in (Attribution.NAMED, Attribution.COMMUNITY):
        return None
    return concern.community_name or (concern.community.name if concern.community else None)


def person_name(concern: Concern) -> str | None:
    """The person, where they agreed to be named."""
    return concern.speaker_name if concern.attribution == Attribution.NAMED else None


def quotable(link: QuestionConcern) -> str | None:
    """The excerpt of the concern's words the question may quote: only with consent to be
    quoted, and only what staff chose (the community signs it off with the question)."""
    return link.excerpt if link.concern.may_quote and link.excerpt else None


# --- drafting and editing ----------------------------------------------------------------

def _text(value: str | None) -> str | None:
    return (clean_text(value) or "").strip() or None


def draft(agm: AGM, sources: list[Concern], text: str, user: User,
          background: str | None = None) -> Question:
    """Draft a question for ``agm`` answering ``sources`` (accepted concerns), last in the
    running order.

    Side effects: adds the question and its links, records history on it and on each
    concern, flushes. Raises ValueError (no text, or a concern that is not accepted).
    """
    text = _text(text)
    if not text:
        raise ValueError("a question needs its text")
    for concern in sources:
        if concern.status not in (ConcernStatus.ACCEPTED, ConcernStatus.ASKED,
                                  ConcernStatus.ANSWERED):
            raise ValueError(f"concern {concern.id} is {concern.status}, not accepted")
    last = db.session.scalar(sa.select(sa.func.max(Question.position))
                             .where(Question.agm_id == agm.id))
    question = Question(agm=agm, text=text, background=_text(background),
                        status=QuestionStatus.DRAFT,
                        position=(last or 0) + 1, version=1)
    db.session.add(question)
    db.session.flush()
    history.record(question, user, "drafted", {"status": [None, QuestionStatus.DRAFT]})
    for concern in dict.fromkeys(sources):
        _link(question, concern, user)
    db.session.flush()
    return question


def _link(question: Question, concern: Concern, user: User | None) -> QuestionConcern:
    link = QuestionConcern(question=question, concern=concern, excerpt_version=1)
    db.session.add(link)
    history.record(question, user, "linked", {"concern": [None, concern.id]})
    history.record(concern, user, "question_linked", {"question": [None, question.id]})
    return link


def link(question: Question, concern: Concern, user: User) -> QuestionConcern:
    """Let the question answer one more accepted concern too.

    Side effects: adds the link, history on both, keeps translations in step, flushes.
    Raises ValueError for a concern not accepted or already linked.
    """
    if concern.status not in (ConcernStatus.ACCEPTED, ConcernStatus.ASKED,
                              ConcernStatus.ANSWERED):
        raise ValueError(f"concern {concern.id} is {concern.status}, not accepted")
    if any(existing.concern_id == concern.id for existing in question.links):
        raise ValueError(f"concern {concern.id} is linked already")
    added = _link(question, concern, user)
    db.session.flush()
    db.session.expire(question, ["links"])
    sync_translations(question, user)
    return added


def unlink(question: Question, concern: Concern, user: User | None,
           action: str = "unlinked") -> None:
    """The question no longer answers ``concern``: the link, its excerpt and the concern's
    sign-offs of the question go.

    Side effects: deletes them, history on both (never the excerpt), keeps translations in
    step, flushes.
    """
    for existing in list(question.links):
        if existing.concern_id == concern.id:
            question.links.remove(existing)
            db.session.delete(existing)
    for signoff in list(question.signoffs):
        if signoff.concern_id == concern.id:
            translation.erase(SIGNOFF_COMMENT, [signoff.id])
            question.signoffs.remove(signoff)
            db.session.delete(signoff)
    history.record(question, user, action, {"concern": [concern.id, None]})
    if concern.status != ConcernStatus.WITHDRAWN:
        history.record(concern, user, "question_unlinked", {"question": [question.id, None]})
    db.session.flush()
    sync_translations(question, user)


def choose_excerpt(question: Question, concern: Concern, excerpt: str | None, user: User,
                   seen_version: int) -> QuestionConcern:
    """Choose the words of ``concern`` the question may quote (None: none).

    The excerpt must be the community's own words: a passage of what it wrote, as it wrote
    it (spaces aside). Side effects: the excerpt, its version (which supersedes earlier
    sign-offs), history without the words, flush. Raises ValueError when the concern does not
    allow quoting or the words are not its own, StaleEdit (the excerpt changed meanwhile).
    """
    found = next((item for item in question.links if item.concern_id == concern.id), None)
    if found is None:
        raise ValueError(f"concern {concern.id} is not linked")
    excerpt = _text(excerpt)
    if excerpt and not concern.may_quote:
        raise ValueError(f"concern {concern.id} may not be quoted")
    if excerpt and " ".join(excerpt.split()) not in " ".join(
            f"{concern.body or ''}\n{concern.wanted or ''}".split()):
        raise ValueError("an excerpt must be the community's own words")
    claim(found, QuestionConcern.excerpt_version == seen_version, excerpt=excerpt,
          excerpt_version=QuestionConcern.excerpt_version + 1)
    history.record(question, user, "excerpt_chosen", {"excerpt": ["…", "…"],
                                                      "concern": [None, concern.id]})
    db.session.flush()
    return found


def edit(question: Question, user: User, values: dict, seen_version: int | None) -> dict:
    """Change the question's text, notes and how it is read, where it is still the version
    the user saw.

    Editing the text of a question that waits for the community's sign-off or is approved
    sends it back to translation: its translations go back to review and its sign-offs are
    superseded (they recorded the old version). Side effects: a conditional UPDATE of the
    version (StaleEdit when someone saved meanwhile), the fields, history (the text's old
    and new versions, for a word diff), translations in step, flush. Returns the changes.
    """
    fields = {name: values[name] for name in (
        "text", "background", "needs_interpretation", "interpret_from", "sent_in_writing",
        "speaker_name", "speaker_id") if name in values}
    if fields.get("speaker_id"):
        speaker = db.session.get(Attendee, fields["speaker_id"])
        if speaker is None or speaker.agm_id != question.agm_id:
            raise ValueError("the speaker is one of the meeting's attendees")
    elif "speaker_id" in fields:
        fields["speaker_id"] = None
    for name in ("text", "background", "speaker_name"):
        if name in fields:
            fields[name] = _text(fields[name])
    if "text" in fields and not fields["text"]:
        raise ValueError("a question needs its text")
    if not fields.get("needs_interpretation", question.needs_interpretation):
        fields["interpret_from"] = None
    claim(question, Question.version == seen_version, version=Question.version + 1,
          updated_at=utcnow())
    changes = history.apply_changes(question, fields)
    if "speaker_id" in changes:
        # The history names the speakers (staff read it): ids say nothing a year on.
        changes["speaker_id"] = [_speaker_name(value) for value in changes["speaker_id"]]
        db.session.expire(question, ["speaker"])
    if "text" in changes:
        question.text_version = Question.text_version + 1
    if "text" in changes and question.status in (QuestionStatus.AWAITING_SIGNOFF,
                                                 QuestionStatus.APPROVED):
        changes.update(history.apply_changes(question, {"status": QuestionStatus.IN_TRANSLATION}))
    if changes:
        history.record(question, user, "updated", changes)
    db.session.flush()
    db.session.refresh(question, ["text_version"])
    sync_translations(question, user)
    return changes


def _speaker_name(attendee_id: int | None) -> str | None:
    found = db.session.get(Attendee, attendee_id) if attendee_id else None
    return found.name if found else None


def move(question: Question, to: QuestionStatus, user: User | None,
         seen_status: QuestionStatus | str | None = None) -> None:
    """Move the question to ``to`` where the TRANSITIONS table allows it and what the step
    needs is done: its translations approved before the communities are asked, their
    sign-offs given before it is approved.

    ``seen_status`` is the status the user saw (default: the one loaded); the move claims
    the row by it, so a question someone else moved meanwhile is not moved again.
    Side effects: the status, history, translations in step, flush. Raises
    TransitionNotAllowed, NotReady, StaleEdit.
    """
    from agmtool.questions import signoffs  # signoffs reads questions; one module apart

    seen = QuestionStatus(seen_status) if seen_status else question.status
    workflow.check(TRANSITIONS, question, seen, to)
    if to == QuestionStatus.IN_TRANSLATION and not question.links:
        raise NotReady(question, "no_concern")
    if to == QuestionStatus.AWAITING_SIGNOFF:
        waiting = [code for code in target_languages(question)
                   if in_language(question, code) is None]
        if waiting:
            raise NotReady(question, "translations", languages=waiting)
    if to == QuestionStatus.APPROVED:
        missing = signoffs.missing(question)
        if missing:
            raise NotReady(question, "signoffs", concerns=[c.id for c in missing])
    claim(question, Question.status == seen, status=to, version=Question.version + 1,
          updated_at=utcnow())
    history.record(question, user, "moved", {"status": [seen, to]})
    db.session.flush()
    sync_translations(question, user)


def withdraw(question: Question, user: User, seen_status: str | None = None) -> None:
    """Withdraw the question (see move); it stays on record, out of the running order."""
    move(question, QuestionStatus.WITHDRAWN, user, seen_status)


def clear_attention(question: Question, user: User) -> None:
    """Staff have read what needed their attention. Side effects: history, flush."""
    if question.attention:
        history.record(question, user, "updated", {"attention": ["…", None]})
        question.attention = None
        db.session.flush()


def note_attention(question: Question, note: str) -> None:
    """Add a line for staff to read before going on (a change asked, a concern withdrawn)."""
    question.attention = "\n".join(filter(None, [question.attention, note]))


# --- the running order --------------------------------------------------------------------

def reorder(agm: AGM, ids: list[int], user: User) -> None:
    """Put the meeting's questions in the order of ``ids`` (the others after, as they were).

    Side effects: positions, one history entry per question that moved, flush.
    """
    order = running_order(agm)
    by_id = {question.id: question for question in order}
    wanted = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
    wanted += [question for question in order if question not in wanted]
    for position, question in enumerate(wanted, start=1):
        if question.position != position:
            history.record(question, user, "reordered",
                           {"position": [question.position, position]})
            question.position = position
    db.session.flush()


def shift(question: Question, by: int, user: User) -> None:
    """Move the question ``by`` places (-1: up one, 1: down one) in its meeting's order."""
    order = [q.id for q in running_order(question.agm)]
    index = order.index(question.id)
    target = max(0, min(len(order) - 1, index + by))
    order.insert(target, order.pop(index))
    reorder(question.agm, order, user)


def carry(question: Question, to: AGM, user: User) -> Question:
    """Carry a question not reached to a later meeting of the company: a new draft with the
    same text, notes and concerns, linked to the old one.

    Side effects: adds it (see draft), history on both, flush. Raises ValueError when the
    question was not "not reached" or the meeting is another company's or not later.
    """
    if question.status != QuestionStatus.NOT_REACHED:
        raise ValueError("only a question not reached is carried")
    if to.company_id != question.agm.company_id or to.local_date <= question.agm.local_date:
        raise ValueError("a question is carried to a later meeting of the same company")
    new = Question(agm=to, text=question.text, background=question.background,
                   status=QuestionStatus.DRAFT, carried_from=question, version=1,
                   needs_interpretation=question.needs_interpretation,
                   interpret_from=question.interpret_from,
                   position=(db.session.scalar(sa.select(sa.func.max(Question.position))
                                               .where(Question.agm_id == to.id)) or 0) + 1)
    db.session.add(new)
    db.session.flush()
    history.record(new, user, "drafted", {"status": [None, QuestionStatus.DRAFT]})
    for old_link in question.links:
        _link(new, old_link.concern, user).excerpt = old_link.excerpt
    history.record(question, user, "carried", {})
    db.session.flush()
    return new


# --- when a concern is withdrawn ----------------------------------------------------------

def concern_withdrawn(concern: Concern) -> None:
    """A submitter withdrew ``concern``: every question that answered it lets it go and goes
    back to draft, with a note to staff; its sign-offs, its quoted words and any word of it
    in the questions' history go too. (Connected to concerns.withdrawn by
    agmtool.questions.init_app.)"""
    from agmtool.questions import answers, signoffs

    for found in db.session.scalars(sa.select(QuestionConcern).where(
            QuestionConcern.concern_id == concern.id)).all():
        question = found.question
        unlink(question, concern, None, action="concern_withdrawn")
        if question.status in (QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
                               QuestionStatus.APPROVED):
            history.record(question, None, "moved", {"status": [question.status,
                                                                QuestionStatus.DRAFT]})
            question.status = QuestionStatus.DRAFT
            question.version = Question.version + 1
        note_attention(question, WITHDRAWN_NOTE % {"number": concern.id})
    signoffs.erase(concern)  # also those of questions it reached through a merge
    answers.concern_withdrawn(concern)
    db.session.flush()


# Kept in English in the database (staff read it in their own language on the page, where
# it is shown through its key); a plain template, so it holds no words of the concern.
WITHDRAWN_NOTE = "concern-withdrawn:%(number)s"
CHANGES_NOTE = "changes-asked:%(number)s"


# --- asked before ---------------------------------------------------------------------------

def asked_before(question: Question, limit: int = 20) -> list[Question]:
    """Earlier questions to the same company (at its earlier meetings), latest first, with
    their answers: what the company said before, and what it still owes."""
    return list(db.session.scalars(
        sa.select(Question).join(AGM).where(
            AGM.company_id == question.agm.company_id, Question.id != question.id,
            AGM.local_date < question.agm.local_date,
            Question.status.in_([QuestionStatus.ASKED, QuestionStatus.NOT_REACHED,
                                 QuestionStatus.APPROVED]))
        .order_by(AGM.local_date.desc(), Question.position).limit(limit)))

