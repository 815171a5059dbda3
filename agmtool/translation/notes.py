"""The public notes of meetings, kept translated into every configured language.

Meetings come before translation in the chain of features, so they cannot ask for their
note's translations; instead this module follows every change of a note as it is written
(a mapper event on AGM, registered by agmtool.translation.init_app) and keeps the
translation rows in step, in the same transaction, as translation.sync does for the texts
of later features.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from agmtool.extensions import db
from agmtool.meetings import agms
from agmtool.models import (
    AGM,
    History,
    MemorySegment,
    Reader,
    Translation,
    TranslationState,
    utcnow,
)
from agmtool.text import clean_text

SOURCE_TYPE = agms.NOTE
LABEL = _l("A meeting's public note")


def meeting_page(agm_id: int) -> dict:
    """The URL values of the staff page where the note is written."""
    return {"agm_id": agm_id}


def shown_changed(row: Translation) -> None:
    """What readers of a note's translation are shown changed: the meeting learns of it,
    so that its page and calendar events change with it (connected to
    translation.shown_changed by agmtool.translation.init_app)."""
    if row.source_type == SOURCE_TYPE:
        agm = db.session.get(AGM, row.source_id)
        if agm is not None:
            agms.note_translation_changed(agm)


def listen() -> None:
    """Follow every note written to the database (idempotent)."""
    if not event.contains(AGM, "after_insert", _written):
        event.listen(AGM, "after_insert", _written)
        event.listen(AGM, "after_update", _written)
        event.listen(AGM, "after_delete", _deleted)


def _changed(agm: AGM, name: str) -> bool:
    return sa.inspect(agm).attrs[name].history.has_changes()


def _written(_mapper, connection, agm: AGM) -> None:
    if _changed(agm, "status_note") or _changed(agm, "status_note_language"):
        keep_in_step(connection, agm.id, agm.status_note, agm.status_note_language or "en")


def _deleted(_mapper, connection, agm: AGM) -> None:
    keep_in_step(connection, agm.id, None, "en")


def keep_in_step(connection, agm_id: int, note: str | None, language: str) -> None:
    """The rows of one meeting's note, as translation.sync keeps those of other texts: a
    missing row per other configured language, the note copied in (a new version, due
    today), an approved translation of another note back to review, no rows once the note
    is gone. Runs on ``connection`` inside the flush that wrote the note (a mapper event may
    only emit SQL)."""
    table = Translation.__table__
    note = (clean_text(note) or "").strip()
    where = sa.and_(table.c.source_type == SOURCE_TYPE, table.c.source_id == agm_id)
    if not note:
        connection.execute(sa.delete(table).where(where))
        return
    wanted = [code for code in current_app.config["LANGUAGES"] if code != language]
    existing = {row.language: row for row in connection.execute(
        sa.select(table.c.id, table.c.language, table.c.state, table.c.source_text).where(where))}
    now = utcnow()
    for code, row in existing.items():
        if code not in wanted and row.state == TranslationState.MISSING:
            connection.execute(sa.delete(table).where(table.c.id == row.id))
            continue
        values = {"source_text": note, "source_language": language, "agm_id": agm_id}
        if row.source_text != note:
            values |= {"version": table.c.version + 1, "due_on": now.date()}
        if row.source_text != note and row.state == TranslationState.APPROVED:
            values |= {"state": TranslationState.NEEDS_REVIEW}
            connection.execute(sa.insert(History.__table__).values(
                at=now, object_type=Translation.__tablename__, object_id=row.id,
                action="source_changed",
                changes={"state": [TranslationState.APPROVED.value,
                                   TranslationState.NEEDS_REVIEW.value]}))
            # No longer approved, so out of the memory (see memory.follow); a deleted row's
            # segments go with it (ON DELETE CASCADE).
            segments = MemorySegment.__table__
            connection.execute(sa.delete(segments).where(segments.c.translation_id == row.id))
        connection.execute(sa.update(table).where(table.c.id == row.id).values(**values))
    for code in wanted:
        if code not in existing:
            connection.execute(sa.insert(table).values(
                source_type=SOURCE_TYPE, source_id=agm_id, source_language=language,
                source_text=note, language=code, text="", state=TranslationState.MISSING,
                reader=Reader.PUBLIC, agm_id=agm_id,
                due_on=now.date(), updated_at=now,
                version=1))

