"""Domain: translations of every text a reader meets in another language, their states, and
who may approve them.

A feature that owns a text (a concern's words, a question, a decline reason...) calls
``sync`` whenever the text, its language or its readers change; this module keeps one row
per target language, with the source text copied in, so that the queue, the editor and the
diff need nothing from that feature. A translation is written (``save``), sent for review,
then approved (``approve``) by a second person unless the admins allow self-approval, or
sent back with a comment (``send_back``). Only a ``readable`` translation reaches a reader.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from blinker import Namespace
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.exc import IntegrityError

from agmtool import history, i18n, settings
from agmtool.database import claim
from agmtool.extensions import db
from agmtool.models import Reader, Translation, TranslationState, User, utcnow
from agmtool.text import clean_text
from agmtool.translation import glossary, memory

# How a translation's history reads (registered by agmtool.translation.init_app). Its text is
# never kept in the history: it may quote a community's words.
HISTORY = history.Labels(
    fields={"state": _l("Translation"), "text": _l("Text"), "review_note": _l("Comment"),
            "terms": _l("Glossary terms not kept")},
    actions={
        "saved": lazy_pgettext("history action", "Translation saved"),
        "approved": lazy_pgettext("history action", "Translation approved"),
        "sent_back": lazy_pgettext("history action", "Translation sent back"),
        "source_changed": lazy_pgettext("history action",
                                        "The original changed: the translation needs review"),
        "overridden": lazy_pgettext("history action", "Approved despite a glossary warning"),
        "imported": lazy_pgettext("history action", "Translation imported from an XLIFF file"),
    },
    enums={"state": TranslationState},
)


@dataclass(frozen=True)
class Kind:
    """A kind of text that is translated, as the queue and the editor name it, and where
    staff read the text in its place: the ``endpoint`` of that page and ``values``, the
    page's URL values for a source id (None when the source is gone)."""

    label: object  # a lazy string: "What is happening (a concern)"
    endpoint: str | None = None
    values: Callable[[int], dict | None] | None = None


def register_kind(app: Flask, source_type: str, kind: Kind) -> None:
    """Say what a feature's ``source_type`` is called (from its package's init_app)."""
    app.extensions.setdefault("agmtool.translation_kinds", {})[source_type] = kind


def kind(source_type: str) -> Kind:
    found = current_app.extensions.get("agmtool.translation_kinds", {}).get(source_type)
    return found if found is not None else Kind(source_type)


def kind_label(source_type: str):
    return kind(source_type).label


def history_subjects(rows: Iterable[Translation]) -> dict[tuple[str, int], str]:
    """What each row's history entries are about, for a source's page that shows them with
    its own (history_list's ``about``): "Why a concern was declined, into Spanish"."""
    return {(row.__tablename__, row.id): _("%(text)s, into %(language)s",
                                           text=kind_label(row.source_type),
                                           language=i18n.language_name(row.language))
            for row in rows}


def source_page(row: Translation) -> tuple[str, dict] | None:
    """The endpoint and URL values of the staff page where the row's source is read."""
    found = kind(row.source_type)
    if found.endpoint is None:
        return None
    values = found.values(row.source_id) if found.values else {}
    return (found.endpoint, values) if values is not None else None


# Sent with the row whenever a translation's text is saved, inside the same transaction: a
# later feature that keeps something derived from its texts (concerns' search) updates it.
signals = Namespace()
saved = signals.signal("translation-saved")
# Sent with the row whenever what its readers are shown changes: a translation approved, an
# approved one written again, sent back or outdated by its source. Inside the same
# transaction, so that a page or feed that shows it can mark itself changed (a meeting's
# public note: agmtool.translation.notes).
shown_changed = signals.signal("translation-shown-changed")


class NotYours(PermissionError):
    """The approver wrote the text themselves, and self-approval is off."""


class NothingToApprove(ValueError):
    """The translation has no text yet."""


class GlossaryBroken(ValueError):
    """The text does not render terms of the glossary as required, and no reason to
    approve it all the same was given. ``checks`` lists them."""

    def __init__(self, checks: list[glossary.Check]):
        super().__init__(", ".join(check.line for check in checks))
        self.checks = checks


# --- keeping translations in step with their source ---------------------------------------

def rows(source_type: str, source_id: int) -> dict[str, Translation]:
    """The translations of one source text, by language."""
    found = db.session.scalars(sa.select(Translation).where(
        Translation.source_type == source_type, Translation.source_id == source_id))
    return {row.language: row for row in found}


def sync(source_type: str, source_id: int, text: str | None, language: str,
         targets: Iterable[str], *, reader: Reader, agm_id: int | None = None,
         due_on: date | None = None, user: User | None = None,
         new_source: bool = False) -> dict[str, Translation]:
    """Keep the translations of one source text in step with it.

    Every language of ``targets`` but the source's own ``language`` gets a row (missing at
    first). Each row takes the source text as it is now; an approved translation made from
    another text goes back to review (the diff shows what changed). A row whose source
    text changes gets a new version, so that an editor opened on the old text cannot save
    over it unawares. A row no longer among the targets is deleted while nothing was
    written in it; written work is kept. An empty ``text`` deletes every row (see erase).
    ``new_source``: the source was created in this transaction, so it has no rows yet and no
    other sync can add any meanwhile (a concern just submitted): its rows are added without
    looking for others first, and left for the caller's next flush.
    Side effects: adds, updates or deletes rows, records history and sends
    ``shown_changed`` for approvals lost, flushes (but for a ``new_source``). Returns the
    rows by language.
    """
    text = (clean_text(text) or "").strip()
    if not text:
        if not new_source:
            erase(source_type, [source_id])
        return {}
    wanted = {code for code in targets if code != language}
    existing = {} if new_source else rows(source_type, source_id)
    lost: list[Translation] = []
    for code, row in existing.items():
        if code not in wanted and row.state == TranslationState.MISSING:
            db.session.delete(row)
            continue
        changed = row.source_text != text
        row.source_text, row.source_language, row.reader = text, language, reader
        row.agm_id, row.due_on = agm_id, due_on
        if changed:
            row.version = row.version + 1
        if changed and row.state == TranslationState.APPROVED:
            row.state = TranslationState.NEEDS_REVIEW
            history.record(row, user, "source_changed",
                           {"state": [TranslationState.APPROVED, TranslationState.NEEDS_REVIEW]})
            lost.append(row)
            memory.follow(row)
    for code in sorted(wanted - set(existing)):
        row = Translation(source_type=source_type, source_id=source_id, language=code,
                          source_language=language, source_text=text, text="",
                          state=TranslationState.MISSING, reader=reader, agm_id=agm_id,
                          due_on=due_on)
        if new_source:
            db.session.add(row)
        else:
            try:
                with db.session.begin_nested():  # two syncs at once: one row stays
                    db.session.add(row)
            except IntegrityError:
                continue
        existing[code] = row
    if not new_source:
        db.session.flush()
    for row in lost:
        shown_changed.send(row)
    return {code: row for code, row in existing.items() if code in wanted or row.text}


def erase(source_type: str, source_ids: Iterable[int]) -> int:
    """Delete every translation of these sources, with their words (a withdrawal).

    Side effects: deletes rows and their segments in the memory; their history holds no
    text. Returns how many went.
    """
    ids = list(source_ids)
    if not ids:
        return 0
    memory.forget(source_type, ids)
    result = db.session.execute(sa.delete(Translation).where(
        Translation.source_type == source_type, Translation.source_id.in_(ids)))
    return result.rowcount


def of_sources(sources: Iterable[tuple[str, int]]) -> dict[tuple[str, int], list[Translation]]:
    """The translations of several source texts (pairs of source type and id) in one query,
    by source, each list by language."""
    wanted = set(sources)
    found: dict[tuple[str, int], list[Translation]] = {source: [] for source in wanted}
    if not wanted:
        return found
    condition = sa.tuple_(Translation.source_type, Translation.source_id).in_(sorted(wanted))
    for row in db.session.scalars(sa.select(Translation).where(condition)
                                  .order_by(Translation.language)):
        found[(row.source_type, row.source_id)].append(row)
    return found


def readable(source_type: str, source_id: int, language: str) -> Translation | None:
    """The translation a reader of ``language`` may read, if there is one."""
    row = db.session.scalar(sa.select(Translation).where(
        Translation.source_type == source_type, Translation.source_id == source_id,
        Translation.language == language))
    return row if row is not None and row.readable else None


# --- writing and reviewing ----------------------------------------------------------------

def _claim(row: Translation, seen_version: int | None, **values) -> None:
    """Write ``values`` and bump the version where it is still the one the user saw."""
    claim(row, Translation.version == seen_version, **values, version=Translation.version + 1)


def save(row: Translation, text: str, user: User, seen_version: int | None,
         ready: bool = False, action: str = "saved") -> Translation:
    """Save the translation as a draft, or for review when ``ready``, as made from the
    source text as it is now. A reviewer's comment is cleared by the next save.
    ``action`` names the history entry ("imported": from an XLIFF file).

    Side effects: a conditional UPDATE on the version the user saw (StaleEdit when someone
    saved meanwhile, or the source changed), history (without the text), its segments
    leave the memory, flush, sends ``saved``, and ``shown_changed`` when it was approved.
    """
    text = (clean_text(text) or "").strip()
    state = TranslationState.NEEDS_REVIEW if ready else TranslationState.DRAFT
    old_state = row.state
    _claim(row, seen_version, text=text, state=state, made_from=row.source_text,
           translator_id=user.id, updated_at=utcnow(), review_note=None,
           approved_by_id=None, approved_at=None)
    changes = {"text": ["…", "…"]}
    if old_state != state:
        changes["state"] = [old_state, state]
    history.record(row, user, action, changes)
    memory.follow(row)
    db.session.flush()
    saved.send(row)
    if old_state == TranslationState.APPROVED:
        shown_changed.send(row)
    return row


def may_approve(row: Translation, user: User) -> bool:
    """A second person approves, unless the admins allow self-approval (a small team)."""
    return row.translator_id != user.id or settings.get("translation_self_approval")


def approve(row: Translation, user: User, seen_version: int | None,
            text: str | None = None, override: str | None = None) -> Translation:
    """Approve the translation as the approver read it: its ``seen_version`` and, when
    given, the ``text`` in the approver's box. A text that differs from the stored one is
    saved first (for review), so what is approved is always what was read; the approver
    then counts as its translator. A text that breaks the glossary is approved only with
    ``override``, the reason given for approving it all the same, kept in the history with
    the terms not kept.

    Side effects: as save when the text is saved first; state, approver, version (a
    conditional UPDATE), history, its segments in the memory, flush, sends
    ``shown_changed``. Raises GlossaryBroken (before anything is written), StaleEdit,
    NothingToApprove, NotYours (in which case a changed text has been saved for another
    person to approve).
    """
    override = (clean_text(override) or "").strip() or None
    broken = glossary.breaches(row.source_text, row.text if text is None else text,
                               row.source_language, row.language)
    if broken and not override:
        raise GlossaryBroken(broken)
    if text is not None and (row.version != seen_version
                             or row.text != (clean_text(text) or "").strip()):
        save(row, text, user, seen_version, ready=True)
        seen_version = row.version
    if not row.text:
        raise NothingToApprove(f"translation {row.id} has no text")
    if not may_approve(row, user):
        raise NotYours(f"translation {row.id} was written by its approver")
    old_state = row.state
    _claim(row, seen_version, state=TranslationState.APPROVED, approved_by_id=user.id,
           approved_at=utcnow(), made_from=row.source_text, review_note=None)
    changes = ({"state": [old_state, TranslationState.APPROVED]}
               if old_state != TranslationState.APPROVED else {})
    if broken:
        changes |= {"review_note": [None, override],
                    "terms": [None, "; ".join(check.line for check in broken)]}
    history.record(row, user, "overridden" if broken else "approved", changes)
    memory.follow(row)
    db.session.flush()
    shown_changed.send(row)
    return row


def send_back(row: Translation, user: User, seen_version: int | None,
              comment: str) -> Translation:
    """Send the translation back to its translator with a comment (shown in the editor).

    Side effects: state draft, the comment, version (conditional UPDATE), history, its
    segments leave the memory, flush, sends ``shown_changed`` when it was approved. Raises
    StaleEdit, ValueError (no comment).
    """
    comment = (clean_text(comment) or "").strip()
    if not comment:
        raise ValueError("a comment is required")
    old_state = row.state
    _claim(row, seen_version, state=TranslationState.DRAFT, review_note=comment,
           approved_by_id=None,
           approved_at=None)
    history.record(row, user, "sent_back",
                   {"state": [old_state, TranslationState.DRAFT], "review_note": [None, comment]})
    memory.follow(row)
    db.session.flush()
    if old_state == TranslationState.APPROVED:
        shown_changed.send(row)
    return row

