"""XLIFF 1.2 exchange with the tools professional translators work in offline (OmegaT,
Trados, memoQ, Poedit): the work waiting in one language pair exported as a file, and the
file they return imported, both through translate-toolkit.

Each exported unit's id names the translation, its version and a fingerprint of its
original at the time of the export. On import, a unit lands as a translation waiting for
review (never approved); a unit is refused, with its reason, when its original changed
since the export, when someone saved the translation meanwhile, when it is not a unit of
ours; a unit left as it was changes nothing. A file with a DOCTYPE (where entities are
declared) is refused whole.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from translate.storage import xliff

from agmtool.database import StaleEdit
from agmtool.extensions import db
from agmtool.models import Translation, User
from agmtool.text import clean_text
from agmtool.translation import domain as translation
from agmtool.translation import queue

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
MAX_TEXT = 20000
UNIT_ID = re.compile(r"^(\d{1,12})-(\d{1,12})-([0-9a-f]{16})$")


class Unit12(xliff.xliffunit):
    namespace = NAMESPACE


class File12(xliff.xlifffile):
    """translate-toolkit writes XLIFF 1.1 by default; the same store in 1.2's namespace."""

    UnitClass = Unit12
    namespace = NAMESPACE
    XMLskeleton = f"""<?xml version="1.0" ?>
<xliff version="1.2" xmlns="{NAMESPACE}">
<file original="NoName" source-language="en" datatype="plaintext">
<body>
</body>
</file>
</xliff>"""


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unit_id(row: Translation) -> str:
    return f"{row.id}-{row.version}-{fingerprint(row.source_text)}"


def waiting(source_language: str, language: str) -> list[Translation]:
    """The translations waiting in one pair (missing, draft, for review), soonest first."""
    return list(db.session.scalars(sa.select(Translation).where(
        Translation.source_language == source_language, Translation.language == language,
        Translation.state.in_(queue.WAITING)).order_by(
        Translation.due_on.is_(None), Translation.due_on, Translation.id)))


def export(rows: Iterable[Translation], source_language: str, language: str,
           notes: dict[int, str] | None = None) -> bytes:
    """An XLIFF 1.2 file of ``rows`` (one pair): each original with the text written so far
    as its target, not approved, and ``notes[row.id]`` for the translator."""
    store = File12(sourcelanguage=source_language, targetlanguage=language)
    name = f"agmtool-{source_language}-{language}"
    for row in rows:
        unit = store.addsourceunit(row.source_text, filename=name, createifmissing=True)
        unit.setid(unit_id(row))
        if row.text:
            unit.settarget(row.text, lang=language)
            unit.markapproved(False)
            unit.set_state_n(unit.S_NEEDS_REVIEW)
        if notes and notes.get(row.id):
            unit.addnote(notes[row.id], origin="developer")
    return bytes(store)


# --- importing ----------------------------------------------------------------------------

class NotXliff(ValueError):
    """The file is refused whole; ``args[0]`` is the reason's key: "unreadable" (not an
    XLIFF 1.x file), "doctype" (a DOCTYPE, where entities would be declared)."""


@dataclass(frozen=True)
class Refused:
    """A unit not imported: its id in the file, the translation it named (when it is one of
    ours), and the reason's key (see REASONS in the views)."""

    unit: str
    translation_id: int | None
    reason: str


@dataclass
class Imported:
    saved: list[Translation] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    unchanged: int = 0


def read(data: bytes) -> xliff.xlifffile:
    """The file as translate-toolkit reads it (its parser loads no DTD, resolves no entity
    and reaches no network); a file with a DOCTYPE is refused all the same."""
    try:
        store = xliff.xlifffile.parsestring(data)
    except Exception as error:  # lxml and the toolkit raise many kinds; all mean unreadable
        raise NotXliff("unreadable") from error
    info = store.document.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise NotXliff("doctype")
    return store


def _local_id(unit) -> str:
    """The unit's own id (translate-toolkit prefixes it with its file's name)."""
    return (unit.getid() or "").split("\x04")[-1]


def import_file(data: bytes, user: User) -> Imported:
    """Save each unit of the file that changed a translation ``user`` may open (see
    queue.visible) as that translation, waiting for review, made from its original as
    exported.

    Side effects: translation.save ("imported" in the history) for each unit saved, each in
    a savepoint; nothing for a refused unit. Raises NotXliff (nothing changes).
    """
    store = read(data)
    result = Imported()
    for unit in store.units:
        if not unit.istranslatable() or unit.isheader():
            continue
        name = _local_id(unit)
        matched = UNIT_ID.match(name)
        row = None
        if matched:
            row = db.session.scalar(queue.visible(sa.select(Translation).where(
                Translation.id == int(matched[1])), user))
        if row is None:
            result.refused.append(Refused(name[:80], None, "unknown"))
            continue
        text = (clean_text(unit.target) or "").strip() if unit.target else ""
        if not text or text == row.text:
            result.unchanged += 1
            continue
        reason = None
        if fingerprint(row.source_text) != matched[3]:
            reason = "source_changed"
        elif row.version != int(matched[2]):
            reason = "saved_meanwhile"
        elif len(text) > MAX_TEXT:
            reason = "too_long"
        if reason is None:
            try:
                with db.session.begin_nested():
                    translation.save(row, text, user, int(matched[2]), ready=True,
                                     action="imported")
            except StaleEdit:
                db.session.refresh(row)
                reason = "saved_meanwhile"
        if reason:
            result.refused.append(Refused(name, row.id, reason))
        else:
            result.saved.append(row)
    return result
