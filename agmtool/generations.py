"""The documents' generation: one number that rises with every change to a table a PDF reads.

Packs cache each PDF by the hash of its inputs; hashing them means reading them all. A pack
request first reads this number (one row) and finds the hash it computed at the same
generation in the shared cache, so an unchanged pack is served without reading its inputs.
The number rises in a flush event here, in the core, so that no feature pushes state up to
packs, and it commits or rolls back with the change that raised it, whoever made it.
"""

from __future__ import annotations

from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from agmtool.database import upsert
from agmtool.extensions import db
from agmtool.models import (
    AGM,
    Answer,
    Attendee,
    Community,
    Company,
    Concern,
    ConcernTopic,
    DocumentState,
    Listing,
    Question,
    QuestionConcern,
    SignOff,
    Site,
    Source,
    Translation,
    User,
)

# The tables a pack, its cards or a report-back read. A feature whose rows reach a PDF adds
# its models here: an attendee's name and consent to be named are printed.
DOCUMENT_MODELS: tuple[type, ...] = (
    AGM, Answer, Attendee, Community, Company, Concern, ConcernTopic, Listing, Question,
    QuestionConcern, SignOff, Site, Source, Translation, User)
# New rows of these reach no PDF until something else changes (a concern is linked to a
# question, a translation is written): a submission from the public form raises nothing.
INSERTS_IGNORED: tuple[type, ...] = (Concern, ConcernTopic, Translation)

_GENERATION = sa.select(DocumentState.__table__.c.generation).where(
    DocumentState.__table__.c.id == 1)


def current() -> int:
    """The generation now: 0 before the first change. A one-row read."""
    return db.session.execute(_GENERATION).scalar() or 0


def raise_(connection: sa.Connection) -> None:
    """Add one to the generation in ``connection``'s transaction (creating its row)."""
    table = DocumentState.__table__
    statement = upsert(connection.dialect, table).values(id=1, generation=1)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[table.c.id], set_={"generation": table.c.generation + 1}))


def _touches_documents(session: Session) -> bool:
    new = (obj for obj in session.new if not isinstance(obj, INSERTS_IGNORED))
    # Collections count: a meeting's attendees are a collection of the meeting.
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    return any(isinstance(obj, DOCUMENT_MODELS)
               for obj in chain(new, session.deleted, dirty))


@event.listens_for(Session, "after_flush")
def _documents_changed(session: Session, _context) -> None:
    if _touches_documents(session):
        raise_(session.connection())
