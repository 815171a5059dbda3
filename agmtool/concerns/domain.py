"""Concerns: submission, status, withdrawal, triage and the English translation. Receipt
codes: receipts. Finding and exporting concerns: concern_search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.exc import IntegrityError

from agmtool import history, i18n, workflow
from agmtool.concerns.receipts import key_hash, receipt_from_key, receipt_hash
from agmtool.database import StaleEdit, claim, erase_from_disk
from agmtool.extensions import db
from agmtool.models import (
    QUARANTINE_REASONS,
    Attribution,
    Channel,
    Clarification,
    Company,
    Concern,
    ConcernStatus,
    ConcernTopic,
    Reader,
    Topic,
    Translation,
    User,
    utcnow,
)
from agmtool.text import clean_text, folded
from agmtool.translation import domain as translation


def _merged_into(value) -> str:
    return _("concern %(number)s", number=value)


def _question(value) -> str:
    return _("question %(number)s", number=value)


def _quarantine_reason(value) -> str:
    return str(QUARANTINE_REASONS.get(value, value))


# How a concern's history reads (registered by agmtool.concerns.init_app). The labels reuse
# the forms' wording, so that a field is called the same on the form and in its history.
HISTORY = history.Labels(
    fields={
        "status": _l("Status"),
        "channel": _l("How it arrived"),
        "quarantine_reason": _l("Held back because"),
        "closed_on": _l("Closed on"),
        "decline_reason": _l("Reason for declining"),
        "decline_reason_language": _l("Written in"),
        # Entries written before the questions and answers moved to their own table.
        "clarification": _l("Question for the community"),
        "clarification_answer": _l("The community's answer"),
        "merged_into_id": _l("Merged into"),
        "merged_in_id": _l("Merged into this one"),
        "withdrawn_on": _l("Withdrawn on"),
        "contact_erased_on": _l("Contact details deleted on"),
        "body": _l("What is happening?"),
        "wanted": _l("What the community wants"),
        "place": _l("Mine or place"),
        "community_name": _l("Community"),
        "company_other": _l("Company"),
        "speaker_name": _l("The name we may say"),
        "contact_name": _l("Contact details"),
        "contact_details": _l("Contact details"),
        "question": _l("Question"),
    },
    actions={
        "submitted": lazy_pgettext("history action", "Sent through the form"),
        "entered": lazy_pgettext("history action", "Entered by staff"),
        "accepted": lazy_pgettext("history action", "Accepted"),
        "clarification_asked": lazy_pgettext("history action", "Clarification asked for"),
        "clarification_answered": lazy_pgettext("history action", "Answered by the community"),
        "answer_read": lazy_pgettext("history action", "The community's answer read"),
        "released": lazy_pgettext("history action", "Released from quarantine"),
        "reopened": lazy_pgettext("history action", "Reopened"),
        "declined": lazy_pgettext("history action", "Declined"),
        "merged": lazy_pgettext("history action", "Merged"),
        "took_in": lazy_pgettext("history action", "Took in a merged concern"),
        "withdrawn": lazy_pgettext("history action", "Withdrawn by the submitter"),
        "contact_erased": lazy_pgettext("history action", "Contact details deleted"),
        # What the questions do with it (agmtool.questions).
        "question_linked": lazy_pgettext("history action", "Added to a question"),
        "question_unlinked": lazy_pgettext("history action", "Removed from a question"),
        "asked": lazy_pgettext("history action", "Asked at the AGM"),
        "answered": lazy_pgettext("history action", "The company answered"),
    },
    enums={"status": ConcernStatus, "channel": Channel},
    values={"closed_on": history.day, "withdrawn_on": history.day,
            "contact_erased_on": history.day, "quarantine_reason": _quarantine_reason,
            "merged_into_id": _merged_into, "merged_in_id": _merged_into,
            "decline_reason_language": i18n.language_name,
            "question": _question},
)
# --- submission ---------------------------------------------------------------------------

@dataclass
class Submission:
    """What a form (public or staff) collected, already cleaned."""

    language: str
    reply_language: str
    body: str
    wanted: str | None = None
    company_id: int | None = None
    company_other: str | None = None
    place: str | None = None
    community_name: str | None = None
    topics: list[str] = field(default_factory=list)
    attribution: Attribution = Attribution.ANONYMOUS
    may_quote: bool = False
    speaker_name: str | None = None
    contact_name: str | None = None
    contact_details: str | None = None
    channel: Channel = Channel.FORM
    received_on: date | None = None


def submit(data: Submission, key: str, *, suspect: str | None = None,
           user: User | None = None) -> tuple[Concern, str]:
    """Store a concern once per idempotency ``key``; return it and its receipt code.

    Side effects: adds the concern and its topics, its translations waiting to be written
    (see sync_translations), records history (day only when there is no user), flushes.
    A ``suspect`` reason puts it in quarantine instead of the inbox. A
    key seen before returns the concern already stored for it, also when another request
    stored it a moment ago. The unique index on the key is what decides, so nothing looks
    for the key first (a form sent twice is rare; a lookup in every submission is not): the
    INSERT fails, the session is rolled back (a submission is the first thing its
    transaction writes) and the stored concern is read.

    Everything is prepared first, then written in two flushes (the concern with its topics
    and words folded for search; then its translations and history, which need its id),
    with no savepoint around the concern: SQLite holds its one write lock only that long,
    and pysqlite would commit a savepoint taken before anything else is written on its own.
    """
    hashed_key = key_hash(key)
    code = receipt_from_key(key)
    concern = Concern(
        status=ConcernStatus.QUARANTINED if suspect else ConcernStatus.RECEIVED,
        quarantine_reason=suspect,
        channel=data.channel,
        language=data.language,
        reply_language=data.reply_language,
        receipt_hash=receipt_hash(code),
        idempotency_key=hashed_key,
        company_id=data.company_id,
        company_other=data.company_other or None,
        place=data.place or None,
        community_name=data.community_name or None,
        body=data.body,
        wanted=data.wanted or None,
        attribution=data.attribution,
        may_quote=data.may_quote,
        # A name is kept only where the person agreed to be named.
        speaker_name=(data.speaker_name or None) if data.attribution == Attribution.NAMED
        else None,
        contact_name=data.contact_name or None,
        contact_details=data.contact_details or None,
        entered_by_id=user.id if user else None,
        received_on=data.received_on or utcnow().date(),
        topic_rows=[ConcernTopic(topic=Topic(t)) for t in dict.fromkeys(data.topics)],
    )
    refresh_search_text(concern)
    db.session.add(concern)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            sa.select(Concern).where(Concern.idempotency_key == hashed_key))
        if existing is None:
            raise
        return existing, code
    # Its translations are new and still empty: the words folded above are all there is.
    sync_translations(concern, user, new=True)
    history.record(concern, user, "entered" if user else "submitted", {
        "status": [None, concern.status], "channel": [None, concern.channel],
        **({"quarantine_reason": [None, suspect]} if suspect else {}),
    })
    db.session.flush()
    return concern, code


# --- the triage workflow ------------------------------------------------------------------

# The one table of allowed moves. Withdrawal is the submitter's right from any state.
TRANSITIONS: dict[ConcernStatus, set[ConcernStatus]] = {
    ConcernStatus.RECEIVED: {
        ConcernStatus.ACCEPTED, ConcernStatus.NEEDS_CLARIFICATION, ConcernStatus.MERGED,
        ConcernStatus.DECLINED, ConcernStatus.WITHDRAWN},
    ConcernStatus.QUARANTINED: {
        ConcernStatus.RECEIVED, ConcernStatus.DECLINED, ConcernStatus.WITHDRAWN},
    # Received again when the community answers the question from its status page.
    ConcernStatus.NEEDS_CLARIFICATION: {
        ConcernStatus.RECEIVED, ConcernStatus.ACCEPTED, ConcernStatus.MERGED,
        ConcernStatus.DECLINED, ConcernStatus.WITHDRAWN},
    ConcernStatus.ACCEPTED: {
        ConcernStatus.NEEDS_CLARIFICATION, ConcernStatus.MERGED, ConcernStatus.DECLINED,
        ConcernStatus.ASKED, ConcernStatus.WITHDRAWN},
    ConcernStatus.ASKED: {ConcernStatus.ANSWERED, ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN},
    ConcernStatus.ANSWERED: {ConcernStatus.CLOSED, ConcernStatus.WITHDRAWN},
    ConcernStatus.MERGED: {ConcernStatus.WITHDRAWN},
    ConcernStatus.DECLINED: {ConcernStatus.RECEIVED, ConcernStatus.WITHDRAWN},
    ConcernStatus.CLOSED: {ConcernStatus.WITHDRAWN},
    ConcernStatus.WITHDRAWN: set(),
}
# Reaching one of these starts the clock on erasing contact details.
CLOSING = {ConcernStatus.MERGED, ConcernStatus.DECLINED, ConcernStatus.CLOSED}
# Fields whose values never go into the history: their old values are what gets deleted.
PRIVATE_FIELDS = {"body", "wanted", "place", "community_name", "company_other",
                  "speaker_name", "contact_name", "contact_details", "text"}


def allowed(concern: Concern) -> set[ConcernStatus]:
    return TRANSITIONS[concern.status]


def _redacted(changes: dict) -> dict:
    return {name: (["…", "…"] if name in PRIVATE_FIELDS else values)
            for name, values in changes.items()}


def _claim(concern: Concern, to: ConcernStatus, condition) -> bool:
    """Set the status in the database only where ``condition`` still holds; True if it did
    (see database.claim). The object keeps the status it had, for the history."""
    try:
        claim(concern, condition, refresh=False, status=to)
    except StaleEdit:
        return False
    return True


def move(concern: Concern, to: ConcernStatus, user: User | None, action: str,
         seen: ConcernStatus | str | None = None, **values) -> None:
    """Move ``concern`` to ``to`` if the transition table allows it, setting ``values``.

    ``seen`` is the status the user saw (default: the one loaded). The move claims the row
    with a conditional UPDATE on that status, so a concern someone else moved meanwhile
    (a submitter's withdrawal, another staff member's click) is not moved again.
    Side effects: changes the concern (status, closed_on when it closes, ``values``),
    records history, flushes. Raises TransitionNotAllowed, StaleEdit.
    """
    if seen is None:
        seen = concern.status
    elif seen in ConcernStatus._value2member_map_:
        seen = ConcernStatus(seen)
    else:
        raise StaleEdit(f"concern {concern.id}: no status was seen")
    workflow.check(TRANSITIONS, concern, seen, to)
    if not _claim(concern, to, Concern.status == seen):
        raise StaleEdit(f"concern {concern.id} is no longer {seen}")
    _apply(concern, to, user, action, values)


def _apply(concern: Concern, to: ConcernStatus, user: User | None, action: str,
           values: dict) -> None:
    values["status"] = to
    if to in CLOSING:
        values["closed_on"] = utcnow().date()
    elif to not in {ConcernStatus.WITHDRAWN}:
        values["closed_on"] = None
    changes = history.apply_changes(concern, values)
    history.record(concern, user, action, _redacted(changes))
    if to != ConcernStatus.WITHDRAWN:
        sync_translations(concern, user)
    db.session.flush()


def accept(concern: Concern, user: User, seen: str | None = None) -> None:
    """Accept for an AGM question (see move)."""
    move(concern, ConcernStatus.ACCEPTED, user, "accepted", seen)


def ask_clarification(concern: Concern, user: User, question: str, language: str,
                      seen: str | None = None) -> None:
    """Ask the community something; the question shows on its status page, in the
    community's reply language once translated from ``language`` (see move). Earlier
    questions and answers are kept."""
    move(concern, ConcernStatus.NEEDS_CLARIFICATION, user, "clarification_asked", seen)
    asked = Clarification(question=(clean_text(question) or "").strip(),
                          question_language=language, asked_by_id=user.id if user else None)
    concern.clarifications.append(asked)
    db.session.flush()
    translation.sync(CLARIFICATION_QUESTION, asked.id, asked.question, language,
                     [concern.reply_language], reader=Reader.COMMUNITY, user=user,
                     due_on=utcnow().date())


def answer_clarification(concern: Concern, answer: str) -> None:
    """The community answers the open question (from its status page): the answer is kept
    with it (and waits for its English translation), and the concern goes back to the inbox
    as received. Raises StaleEdit when the concern no longer waits for an answer (see
    move)."""
    asked = concern.open_question
    move(concern, ConcernStatus.RECEIVED, None, "clarification_answered",
         ConcernStatus.NEEDS_CLARIFICATION)
    if asked is not None:
        asked.answer = (clean_text(answer) or "").strip()
        asked.answered_on = utcnow().date()
        translation.sync(CLARIFICATION_ANSWER, asked.id, asked.answer, concern.reply_language,
                         ["en"], reader=Reader.STAFF, due_on=asked.answered_on)
    refresh_search_text(concern)
    db.session.flush()


def mark_answers_read(concern: Concern, user: User) -> int:
    """Staff have read the community's answers: they stop being flagged and counted in the
    inbox. Side effects: each unread round's ``answer_read_at`` and reader, one history
    entry, flush. Returns how many were marked (0: nothing was waiting)."""
    unread = concern.unread_answers
    if not unread:
        return 0
    now = utcnow()
    for round in unread:
        round.answer_read_at, round.answer_read_by_id = now, user.id
    history.record(concern, user, "answer_read")
    db.session.flush()
    return len(unread)


def _only_from(concern: Concern, seen: str | None, status: ConcernStatus) -> None:
    """Several moves lead back to received; each is only right from its own status."""
    if (seen or concern.status) != status:
        raise workflow.TransitionNotAllowed(concern, concern.status, ConcernStatus.RECEIVED)


def release(concern: Concern, user: User, seen: str | None = None) -> None:
    """Release from quarantine into the inbox (see move); the quarantine reason stays."""
    _only_from(concern, seen, ConcernStatus.QUARANTINED)
    move(concern, ConcernStatus.RECEIVED, user, "released", seen)


def reopen(concern: Concern, user: User, seen: str | None = None) -> None:
    """Take a declined concern back into the inbox (see move); the reason goes, with its
    translations."""
    _only_from(concern, seen, ConcernStatus.DECLINED)
    move(concern, ConcernStatus.RECEIVED, user, "reopened", seen, decline_reason=None,
         decline_reason_language=None)
    translation.erase(DECLINE_REASON, [concern.id])


def decline(concern: Concern, user: User, reason: str, language: str,
            seen: str | None = None) -> None:
    """Decline with a reason, written in ``language``, that the submitter reads on the
    status page in its reply language once translated (see move)."""
    reason = (clean_text(reason) or "").strip()
    if not reason:
        raise ValueError("a reason is required")
    move(concern, ConcernStatus.DECLINED, user, "declined", seen, decline_reason=reason,
         decline_reason_language=language)
    translation.sync(DECLINE_REASON, concern.id, reason, language, [concern.reply_language],
                     reader=Reader.COMMUNITY, user=user, due_on=utcnow().date())


class MergeNotPossible(ValueError):
    pass


# A concern in one of these cannot take in others.
CANNOT_TAKE_IN = [ConcernStatus.WITHDRAWN, ConcernStatus.DECLINED, ConcernStatus.QUARANTINED,
                  ConcernStatus.MERGED]


def merge(concern: Concern, into: Concern, user: User, seen: str | None = None) -> None:
    """Merge ``concern`` into ``into`` (following ``into``'s own merges to the end).

    Both rows are claimed in the database, lower id first (so two crossed merges wait for
    each other instead of deadlocking): ``concern`` by the status the user saw, ``into`` by
    still being able to take in others. Of two crossed merges (A into B, B into A) the
    second therefore finds its target merged and is refused: no cycle.
    Side effects: sets merged_into, moves to merged (see move), records on ``into`` that it
    took the concern in; flushes. Raises MergeNotPossible
    for a merge into itself, into a withdrawn, declined, merged or quarantined concern (or
    one that became so meanwhile), StaleEdit, TransitionNotAllowed.
    """
    chain = {concern.id}
    while into.merged_into is not None and into.id not in chain:
        chain.add(into.id)
        into = into.merged_into
    if into.id in chain or into.id == concern.id:
        raise MergeNotPossible("a concern cannot be merged into itself")
    if into.status in CANNOT_TAKE_IN:
        raise MergeNotPossible(f"concern {into.id} is {into.status}")

    def claim_target() -> None:
        if not _claim(into, Concern.status, Concern.status.not_in(CANNOT_TAKE_IN)):
            raise MergeNotPossible(f"concern {into.id} changed meanwhile")

    if into.id < concern.id:
        claim_target()
    move(concern, ConcernStatus.MERGED, user, "merged", seen, merged_into_id=into.id)
    if into.id > concern.id:
        claim_target()
    history.record(into, user, "took_in", {"merged_in_id": [None, concern.id]})
    db.session.flush()


def merged_in(concern: Concern) -> list[Concern]:
    """The concerns merged into ``concern``, directly or through one merged into it, by
    number: whose language, consent and reply language matter when reporting back."""
    found, todo = {}, list(concern.merged)
    while todo:
        other = todo.pop()
        if other.id not in found and other.id != concern.id:
            found[other.id] = other
            todo.extend(other.merged)
    return [found[number] for number in sorted(found)]


# Sent when a submitter withdraws a concern, inside the same transaction: a later feature
# that keeps something of the concern (a question's link to it) removes it then.
signals = Namespace()
withdrawn = signals.signal("concern-withdrawn")


def withdraw(concern: Concern) -> None:
    """The submitter takes the concern back: its words and contact details are deleted.

    Withdrawal is allowed from every state, so it claims the row by "not yet withdrawn"
    rather than by the status it read: a staff click a moment earlier cannot undo it.
    Side effects: empties text, names, contact details, the clarification rounds and every
    translation of them; keeps status withdrawn, language, company and topics as the
    record that a concern was withdrawn; bumps the version (the text changed); records
    history without the deleted values; sends ``withdrawn`` (questions unlink it); asks for
    the WAL to be truncated on commit (``database.erase_from_disk``); flushes.
    Does nothing when the concern was withdrawn already.
    """
    if not _claim(concern, ConcernStatus.WITHDRAWN, Concern.status != ConcernStatus.WITHDRAWN):
        return
    today = utcnow().date()
    rounds = [round.id for round in concern.clarifications]
    for kind, ids in ((BODY, [concern.id]), (WANTED, [concern.id]),
                      (DECLINE_REASON, [concern.id]), (CLARIFICATION_QUESTION, rounds),
                      (CLARIFICATION_ANSWER, rounds)):
        translation.erase(kind, ids)
    db.session.expire(concern, ["translations"])
    concern.clarifications.clear()  # questions can quote the words; answers are theirs
    concern.search_text = None
    had_contact = bool(concern.contact_name or concern.contact_details)
    _apply(concern, ConcernStatus.WITHDRAWN, None, "withdrawn", dict(
        body=None, wanted=None, place=None, community_name=None, company_other=None,
        speaker_name=None, contact_name=None, contact_details=None, decline_reason=None,
        withdrawn_on=today,
        version=concern.version + 1,
        contact_erased_on=today if had_contact else concern.contact_erased_on))
    withdrawn.send(concern)
    erase_from_disk()
    db.session.flush()


def erase_contact(concern: Concern, user: User | None) -> bool:
    """Delete the contact details. Side effects: history, the WAL truncated on commit
    (``database.erase_from_disk``), flush. False when none were kept."""
    if not (concern.contact_name or concern.contact_details):
        return False
    changes = history.apply_changes(concern, {"contact_name": None, "contact_details": None,
                                     "contact_erased_on": utcnow().date()})
    history.record(concern, user, "contact_erased", _redacted(changes))
    erase_from_disk()
    db.session.flush()
    return True


def purge_contacts(today: date | None = None) -> int:
    """Erase contact details kept longer than CONTACT_RETENTION after closing.

    Side effects: erase_contact on each; returns how many were erased.
    """
    today = today or utcnow().date()
    cutoff = today - current_app.config["CONTACT_RETENTION"]
    due = db.session.scalars(sa.select(Concern).where(
        Concern.closed_on.is_not(None), Concern.closed_on <= cutoff,
        sa.or_(Concern.contact_name.is_not(None), Concern.contact_details.is_not(None)),
    )).all()
    return sum(erase_contact(concern, None) for concern in due)


# --- translations ---------------------------------------------------------------------------
# The kinds of text of a concern that are translated (agmtool.translation): its words into
# English for staff, and what staff write to the community into its reply language.
BODY, WANTED = "concern_body", "concern_wanted"
CLARIFICATION_QUESTION, CLARIFICATION_ANSWER = "clarification_question", "clarification_answer"
DECLINE_REASON = "decline_reason"


def _concern_page(concern_id: int) -> dict:
    return {"concern_id": concern_id}


def _round_page(round_id: int) -> dict | None:
    """The page of the concern a clarification round belongs to (None once deleted)."""
    concern_id = db.session.scalar(sa.select(Clarification.concern_id)
                                   .where(Clarification.id == round_id))
    return {"concern_id": concern_id} if concern_id is not None else None


def _kind(label, values=_concern_page) -> translation.Kind:
    return translation.Kind(label, endpoint="inbox.detail", values=values)


TRANSLATION_KINDS = {
    BODY: _kind(_l("What is happening (a concern)")),
    WANTED: _kind(_l("What the community wants (a concern)")),
    CLARIFICATION_QUESTION: _kind(_l("Staff's question to the community"), _round_page),
    CLARIFICATION_ANSWER: _kind(_l("The community's answer to staff's question"), _round_page),
    DECLINE_REASON: _kind(_l("Why a concern was declined")),
}
# Concerns whose words staff work with: these wait for their English translation.
TRANSLATED = {ConcernStatus.RECEIVED, ConcernStatus.NEEDS_CLARIFICATION, ConcernStatus.ACCEPTED,
              ConcernStatus.MERGED, ConcernStatus.ASKED, ConcernStatus.ANSWERED,
              ConcernStatus.CLOSED}


def sync_translations(concern: Concern, user: User | None = None, new: bool = False) -> None:
    """Keep the English translations of the concern's words in step with its words and its
    status: a concern in the inbox waits for them; a quarantined or declined one does not
    (what was written is kept). ``new``: the concern was created in this transaction.
    Side effects: see translation.sync."""
    targets = ["en"] if concern.status in TRANSLATED else []
    due = concern.received_on + current_app.config["CONCERN_TRANSLATION_TIME"]
    for kind, text in ((BODY, concern.body), (WANTED, concern.wanted)):
        translation.sync(kind, concern.id, text, concern.language, targets,
                         reader=Reader.STAFF, due_on=due, user=user, new_source=new)
    db.session.expire(concern, ["translations"])


def english(concern: Concern, kind: str = BODY) -> Translation | None:
    """The English translation of the concern's words (``kind``: BODY or WANTED)."""
    return next((t for t in concern.translations
                 if t.source_type == kind and t.language == "en"), None)


@dataclass(frozen=True)
class Shown:
    """A text as one reader may read it: in their language, or as written while its
    translation is on its way (``pending``)."""

    text: str
    language: str
    pending: bool = False


def for_reader(kind: str, source_id: int, text: str, language: str, reader: str) -> Shown:
    """``text`` (written in ``language``) for a reader of ``reader``: as written when that is
    their language, else its approved translation, else as written and pending."""
    if language == reader:
        return Shown(text, language)
    row = translation.readable(kind, source_id, reader)
    return Shown(row.text, reader) if row is not None else Shown(text, language, pending=True)


def staff_texts_for_submitter(concern: Concern) -> dict[tuple[str, int], Shown]:
    """What staff wrote to the submitter (the decline reason, each clarification question),
    each as the submitter may read it in their reply language."""
    shown = {}
    if concern.decline_reason:
        shown[(DECLINE_REASON, concern.id)] = for_reader(
            DECLINE_REASON, concern.id, concern.decline_reason,
            concern.decline_reason_language or "en", concern.reply_language)
    for round in concern.clarifications:
        shown[(CLARIFICATION_QUESTION, round.id)] = for_reader(
            CLARIFICATION_QUESTION, round.id, round.question, round.question_language,
            concern.reply_language)
    return shown


def written_to_submitter(concern: Concern) -> list[tuple[str, int]]:
    """The texts staff wrote to the submitter and what the submitter wrote back, as
    translation sources: the decline reason, each clarification question and answer."""
    sources = [(DECLINE_REASON, concern.id)] if concern.decline_reason else []
    for round in concern.clarifications:
        sources.append((CLARIFICATION_QUESTION, round.id))
        if round.answer:
            sources.append((CLARIFICATION_ANSWER, round.id))
    return sources


def all_translations(concern: Concern) -> dict[tuple[str, int], list[Translation]]:
    """Every translation of the concern's texts, by source (see translation.of_sources):
    its words, and what staff and the submitter wrote to each other."""
    sources = [(BODY, concern.id), (WANTED, concern.id), *written_to_submitter(concern)]
    return translation.of_sources(sources)


def translation_saved(row: Translation) -> None:
    """A translation's text was saved: when it is of a concern's words, search reads it.
    (Connected to translation.saved by agmtool.concerns.init_app.)"""
    if row.source_type in (BODY, WANTED):
        concern = db.session.get(Concern, row.source_id)
        if concern is not None:
            db.session.expire(concern, ["translations"])
            refresh_search_text(concern)


def refresh_search_text(concern: Concern) -> None:
    """Fold the concern's words and English translation into the column search reads."""
    concern.search_text = folded(
        concern.body, concern.wanted, concern.place, concern.community_name,
        concern.company_other, *(round.answer for round in concern.clarifications),
        *(t.text for t in concern.translations if t.language == "en")) or None


def companies() -> list[Company]:
    return list(db.session.scalars(sa.select(Company).order_by(Company.name)))


def company_choices() -> list[tuple[int, str]]:
    """(id, name) of every company by name: what a form offers, read as plain rows."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Company.id, Company.name).order_by(Company.name))]


def retention_ends(concern: Concern) -> date | None:
    if concern.closed_on is None:
        return None
    return concern.closed_on + current_app.config["CONTACT_RETENTION"]

