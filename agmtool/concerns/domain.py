"""Concerns: submission, status, withdrawal, triage and the English translation. Receipt
codes: receipts. Finding and exporting concerns: concern_search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from agmtool import history
from agmtool.concerns.receipts import key_hash, receipt_from_key, receipt_hash
from agmtool.database import StaleEdit, claim
from agmtool.extensions import db
from agmtool.models import (
    Attribution,
    Channel,
    Clarification,
    Company,
    Concern,
    ConcernStatus,
    ConcernTopic,
    Topic,
    Translation,
    TranslationState,
    User,
    utcnow,
)
from agmtool.text import clean_text, folded

S = ConcernStatus

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

    Side effects: adds the concern and its topics, records history (day only when there is
    no user), flushes. A ``suspect`` reason puts it in quarantine instead of the inbox. A
    key seen before returns the concern already stored for it, also when another request
    stored it a moment ago: the unique index on the key decides that race, and the loser's
    session is rolled back (a submission is the first thing its transaction writes).

    Everything is prepared first, then written in one burst (the concern with its topics and
    words folded for search, then its history), with no savepoint: SQLite holds its one
    write lock only that long, and pysqlite would commit a savepoint on its own.
    """
    hashed_key = key_hash(key)
    code = receipt_from_key(key)
    seen = db.session.scalar(sa.select(Concern.id).where(Concern.idempotency_key == hashed_key))
    if seen is not None:
        return db.session.get(Concern, seen), code
    concern = Concern(
        status=S.QUARANTINED if suspect else S.RECEIVED,
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
        translations=[],
        clarifications=[],
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
    history.record(concern, user, "entered" if user else "submitted", {
        "status": [None, concern.status], "channel": [None, concern.channel],
        **({"quarantine_reason": [None, suspect]} if suspect else {}),
    })
    db.session.flush()
    return concern, code


# --- the triage workflow ------------------------------------------------------------------

# The one table of allowed moves. Withdrawal is the submitter's right from any state.
TRANSITIONS: dict[ConcernStatus, set[ConcernStatus]] = {
    S.RECEIVED: {S.ACCEPTED, S.NEEDS_CLARIFICATION, S.MERGED, S.DECLINED, S.WITHDRAWN},
    S.QUARANTINED: {S.RECEIVED, S.DECLINED, S.WITHDRAWN},
    # Received again when the community answers the question from its status page.
    S.NEEDS_CLARIFICATION: {S.RECEIVED, S.ACCEPTED, S.MERGED, S.DECLINED, S.WITHDRAWN},
    S.ACCEPTED: {S.NEEDS_CLARIFICATION, S.MERGED, S.DECLINED, S.ASKED, S.WITHDRAWN},
    S.ASKED: {S.ANSWERED, S.CLOSED, S.WITHDRAWN},
    S.ANSWERED: {S.CLOSED, S.WITHDRAWN},
    S.MERGED: {S.WITHDRAWN},
    S.DECLINED: {S.RECEIVED, S.WITHDRAWN},
    S.CLOSED: {S.WITHDRAWN},
    S.WITHDRAWN: set(),
}
# Reaching one of these starts the clock on erasing contact details.
CLOSING = {S.MERGED, S.DECLINED, S.CLOSED}
# Fields whose values never go into the history: their old values are what gets deleted.
PRIVATE_FIELDS = {"body", "wanted", "place", "community_name", "company_other",
                  "speaker_name", "contact_name", "contact_details", "text"}


class TransitionNotAllowed(ValueError):
    def __init__(self, concern: Concern, to: ConcernStatus):
        super().__init__(f"concern {concern.id}: {concern.status} -> {to} is not allowed")
        self.status, self.to = concern.status, to


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
    elif seen in S._value2member_map_:
        seen = S(seen)
    else:
        raise StaleEdit(f"concern {concern.id}: no status was seen")
    if to not in TRANSITIONS[seen]:
        raise TransitionNotAllowed(concern, to)
    if not _claim(concern, to, Concern.status == seen):
        raise StaleEdit(f"concern {concern.id} is no longer {seen}")
    _apply(concern, to, user, action, values)


def _apply(concern: Concern, to: ConcernStatus, user: User | None, action: str,
           values: dict) -> None:
    values["status"] = to
    if to in CLOSING:
        values["closed_on"] = utcnow().date()
    elif to not in {S.WITHDRAWN}:
        values["closed_on"] = None
    changes = history.apply_changes(concern, values)
    history.record(concern, user, action, _redacted(changes))
    db.session.flush()


def accept(concern: Concern, user: User, seen: str | None = None) -> None:
    """Accept for an AGM question (see move)."""
    move(concern, S.ACCEPTED, user, "accepted", seen)


def ask_clarification(concern: Concern, user: User, question: str,
                      seen: str | None = None) -> None:
    """Ask the community something; the question shows on its status page (see move).
    Earlier questions and answers are kept."""
    move(concern, S.NEEDS_CLARIFICATION, user, "clarification_asked", seen)
    concern.clarifications.append(Clarification(
        question=(clean_text(question) or "").strip(), asked_by_id=user.id))
    db.session.flush()


def answer_clarification(concern: Concern, answer: str) -> None:
    """The community answers the open question (from its status page): the answer is kept
    with it, and the concern goes back to the inbox as received. Raises StaleEdit when the
    concern no longer waits for an answer (see move)."""
    asked = concern.open_question
    move(concern, S.RECEIVED, None, "clarification_answered", S.NEEDS_CLARIFICATION)
    if asked is not None:
        asked.answer = (clean_text(answer) or "").strip()
        asked.answered_on = utcnow().date()
    refresh_search_text(concern)
    db.session.flush()


def _only_from(concern: Concern, seen: str | None, status: ConcernStatus) -> None:
    """Several moves lead back to received; each is only right from its own status."""
    if (seen or concern.status) != status:
        raise TransitionNotAllowed(concern, S.RECEIVED)


def release(concern: Concern, user: User, seen: str | None = None) -> None:
    """Release from quarantine into the inbox (see move); the quarantine reason stays."""
    _only_from(concern, seen, S.QUARANTINED)
    move(concern, S.RECEIVED, user, "released", seen)


def reopen(concern: Concern, user: User, seen: str | None = None) -> None:
    """Take a declined concern back into the inbox (see move)."""
    _only_from(concern, seen, S.DECLINED)
    move(concern, S.RECEIVED, user, "reopened", seen, decline_reason=None)


def decline(concern: Concern, user: User, reason: str, seen: str | None = None) -> None:
    """Decline with a reason the submitter will read on the status page (see move)."""
    reason = (clean_text(reason) or "").strip()
    if not reason:
        raise ValueError("a reason is required")
    move(concern, S.DECLINED, user, "declined", seen, decline_reason=reason)


class MergeNotPossible(ValueError):
    pass


# A concern in one of these cannot take in others.
CANNOT_TAKE_IN = [S.WITHDRAWN, S.DECLINED, S.QUARANTINED, S.MERGED]


def merge(concern: Concern, into: Concern, user: User, seen: str | None = None) -> None:
    """Merge ``concern`` into ``into`` (following ``into``'s own merges to the end).

    Both rows are claimed in the database, lower id first (so two crossed merges wait for
    each other instead of deadlocking): ``concern`` by the status the user saw, ``into`` by
    still being able to take in others. Of two crossed merges (A into B, B into A) the
    second therefore finds its target merged and is refused: no cycle.
    Side effects: sets merged_into, moves to merged (see move). Raises MergeNotPossible
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
    move(concern, S.MERGED, user, "merged", seen, merged_into_id=into.id)
    if into.id > concern.id:
        claim_target()


def withdraw(concern: Concern) -> None:
    """The submitter takes the concern back: its words and contact details are deleted.

    Withdrawal is allowed from every state, so it claims the row by "not yet withdrawn"
    rather than by the status it read: a staff click a moment earlier cannot undo it.
    Side effects: empties text, names, contact details and translations; keeps status
    withdrawn, language, company and topics as the record that a concern was withdrawn;
    bumps the version (the text changed); records history without the deleted values;
    flushes. Does nothing when the concern was withdrawn already.
    """
    if not _claim(concern, S.WITHDRAWN, Concern.status != S.WITHDRAWN):
        return
    today = utcnow().date()
    for translation in list(concern.translations):
        db.session.delete(translation)
    concern.clarifications.clear()  # questions can quote the words; answers are theirs
    concern.search_text = None
    had_contact = bool(concern.contact_name or concern.contact_details)
    _apply(concern, S.WITHDRAWN, None, "withdrawn", dict(
        body=None, wanted=None, place=None, community_name=None, company_other=None,
        speaker_name=None, contact_name=None, contact_details=None,
        withdrawn_on=today,
        version=concern.version + 1,
        contact_erased_on=today if had_contact else concern.contact_erased_on))


def erase_contact(concern: Concern, user: User | None) -> bool:
    """Delete the contact details. Side effects: history, flush. False when none were kept."""
    if not (concern.contact_name or concern.contact_details):
        return False
    changes = history.apply_changes(concern, {"contact_name": None, "contact_details": None,
                                     "contact_erased_on": utcnow().date()})
    history.record(concern, user, "contact_erased", _redacted(changes))
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


# --- the English translation --------------------------------------------------------------

def refresh_search_text(concern: Concern) -> None:
    """Fold the concern's words and English translation into the column search reads."""
    translation = english(concern)
    concern.search_text = folded(
        concern.body, concern.wanted, concern.place, concern.community_name,
        concern.company_other, *(round.answer for round in concern.clarifications),
        translation.text if translation else None) or None


def english(concern: Concern) -> Translation | None:
    return next((t for t in concern.translations if t.language == "en"), None)


class ConcernWithdrawn(ValueError):
    """The submitter withdrew the concern: its words, and so any translation, are gone."""


def _not_withdrawn(concern: Concern) -> None:
    """Raise ConcernWithdrawn unless the row is still not withdrawn.

    A no-op UPDATE rather than a read: it holds the row until commit, so a withdrawal
    running at the same moment waits and then deletes this translation too.
    """
    if not _claim(concern, Concern.status, Concern.status != S.WITHDRAWN):
        raise ConcernWithdrawn(f"concern {concern.id} was withdrawn")


def save_translation(concern: Concern, text: str, user: User, seen_version: int | None,
                     ready: bool = False) -> Translation:
    """Save the English translation as a draft, or for review when ``ready``.

    ``seen_version`` is the translation's version the editor started from (None: there
    was none); a conditional UPDATE refuses a save over someone else's newer one.
    Side effects: creates or updates the translation, records history, flushes. Raises
    StaleEdit, ConcernWithdrawn.
    """
    _not_withdrawn(concern)
    text = (clean_text(text) or "").strip()
    state = TranslationState.NEEDS_REVIEW if ready else TranslationState.DRAFT
    translation = english(concern)
    if translation is None:
        if seen_version is not None:
            raise StaleEdit("the translation was deleted")
        translation = Translation(concern_id=concern.id, language="en", text=text,
                                  state=state, source_version=concern.version,
                                  translator_id=user.id)
        try:
            with db.session.begin_nested():  # two first saves at once: one wins
                db.session.add(translation)
        except IntegrityError:
            raise StaleEdit("someone else saved the first translation meanwhile") from None
        db.session.expire(concern, ["translations"])
        refresh_search_text(concern)
        history.record(translation, user, "created", {"state": [None, state]})
        db.session.flush()
        return translation
    old_state = translation.state
    _claim_translation(translation, seen_version, text=text, state=state,
                       source_version=concern.version, translator_id=user.id,
                       updated_at=utcnow())
    refresh_search_text(concern)
    history.record(translation, user, "saved", {"text": ["…", "…"], "state": [old_state, state]}
                   if old_state != state else {"text": ["…", "…"]})
    db.session.flush()
    return translation


def _claim_translation(translation: Translation, seen_version: int | None, **values) -> None:
    """Write ``values`` and bump the version where the version is still ``seen_version``."""
    claim(translation, Translation.version == seen_version, **values,
          version=Translation.version + 1)


def approve_translation(concern: Concern, user: User, seen_version: int | None) -> Translation:
    """Approve the English translation the approver saw (its ``seen_version``).

    Side effects: state, approver, version (a conditional UPDATE), history, flush. Raises
    ConcernWithdrawn, StaleEdit (someone saved a newer text meanwhile), ValueError (none).
    """
    _not_withdrawn(concern)
    translation = english(concern)
    if translation is None or not translation.text:
        raise ValueError("there is no translation to approve")
    old = {"state": translation.state, "approved_by_id": translation.approved_by_id,
           "source_version": translation.source_version}
    new = {"state": TranslationState.APPROVED, "approved_by_id": user.id,
           "source_version": concern.version}
    _claim_translation(translation, seen_version, **new, approved_at=utcnow())
    history.record(translation, user, "approved",
                   {name: [old[name], value] for name, value in new.items()
                    if old[name] != value})
    db.session.flush()
    return translation


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

