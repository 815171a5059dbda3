"""The glossary: per language pair, the names that are never translated (companies, mines,
places, organisations, Wayuu, Amungme and Kamoro words) and the terms translated one way;
which of them a text contains, and which a translation breaks.

A term matches whole words, whatever their case, with any run of spaces or line breaks
between its words; where terms overlap, the longest wins ("tailings dam" rather than
"tailings"). A translation keeps a term when the required rendering (the name itself, for
a name kept) appears in it the same way. Approval checks it (translation.approve): a
translation that breaks a term is approved only with a reason, kept in the history.

Functions change objects, record history and flush; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from agmtool import history
from agmtool.database import StaleEdit, claim
from agmtool.extensions import db
from agmtool.models import EVERY_LANGUAGE, GlossaryTerm, Role, TermKind, User, utcnow
from agmtool.text import clean_text

HISTORY = history.Labels(
    fields={"kind": _l("Kind of term"), "source_language": _l("Language of the original"),
            "language": _l("Language of the translation"), "term": _l("Term"),
            "rendering": _l("Required translation"), "note": _l("Note for translators")},
    actions={"deleted": _l("Term deleted")},
    enums={"kind": TermKind},
)
MAX_TERM = 200
MAX_NOTE = 500


class TermExists(ValueError):
    """The pair already has this term."""


class BadTerm(ValueError):
    """The values do not make a term; ``args[0]`` says which rule they break."""


# --- finding terms ------------------------------------------------------------------------

def _pattern(text: str) -> str:
    """``text`` as whole words, any whitespace between its words."""
    return r"(?<!\w)" + r"\s+".join(map(re.escape, text.split())) + r"(?!\w)"


def terms_for(source_language: str, language: str) -> list[GlossaryTerm]:
    """The terms that apply to a pair: its own, and those of every language (a term of the
    pair wins over one of every language with the same words)."""
    rows = db.session.scalars(sa.select(GlossaryTerm).where(
        GlossaryTerm.source_language.in_([source_language, EVERY_LANGUAGE]),
        GlossaryTerm.language.in_([language, EVERY_LANGUAGE])))
    chosen: dict[str, GlossaryTerm] = {}
    for term in sorted(rows, key=lambda t: (t.source_language, t.language) == (
            EVERY_LANGUAGE, EVERY_LANGUAGE)):
        chosen.setdefault(term.term_key, term)
    return list(chosen.values())


def found_in(text: str, terms: list[GlossaryTerm]) -> list[GlossaryTerm]:
    """The terms ``text`` contains, in the order they first appear, each once; where two
    overlap, the longer."""
    usable = sorted((t for t in terms if t.term.split()), key=lambda t: -len(t.term))
    if not text or not usable:
        return []
    matcher = re.compile("|".join(f"(?P<t{n}>{_pattern(t.term)})"
                                  for n, t in enumerate(usable)), re.IGNORECASE)
    found: dict[int, GlossaryTerm] = {}
    for match in matcher.finditer(text):
        term = usable[int(match.lastgroup[1:])]
        found.setdefault(term.id, term)
    return list(found.values())


def renders(text: str, rendering: str) -> bool:
    """Whether ``text`` contains ``rendering`` as whole words (case aside)."""
    return bool(rendering.split()) and re.search(
        _pattern(rendering), text or "", re.IGNORECASE) is not None


@dataclass(frozen=True)
class Check:
    """A term found in the original, and whether the translation renders it as required."""

    term: GlossaryTerm
    kept: bool

    @property
    def line(self) -> str:
        """The term and its required rendering, for a history entry."""
        return f"{self.term.term} → {self.term.rendering}"


def check(source_text: str, text: str, source_language: str, language: str) -> list[Check]:
    """Every term of the pair in ``source_text``, with whether ``text`` keeps it (an empty
    translation keeps none)."""
    terms = found_in(source_text, terms_for(source_language, language))
    return [Check(term, renders(text, term.rendering)) for term in terms]


def breaches(source_text: str, text: str, source_language: str,
             language: str) -> list[Check]:
    """The terms of the original that ``text`` does not render as required."""
    return [c for c in check(source_text, text, source_language, language) if not c.kept]


# --- editing the glossary -----------------------------------------------------------------

def may_edit(user: User, source_language: str, language: str) -> bool:
    """Admins and staff edit every term; a translator the terms of every language and those
    of pairs with one of their languages."""
    if user.role in (Role.ADMIN, Role.STAFF):
        return True
    if user.role != Role.TRANSLATOR:
        return False
    return bool({source_language, language} & {EVERY_LANGUAGE, *user.language_list})


def _values(kind: TermKind, source_language: str, language: str, term: str,
            rendering: str | None, note: str | None) -> dict:
    """The stored values, checked: a name kept is rendered as itself; a term translated
    one way needs two different languages and its rendering."""
    term = " ".join((clean_text(term) or "").split())
    rendering = " ".join((clean_text(rendering) or "").split())
    note = (clean_text(note) or "").strip() or None
    if not term or not re.search(r"\w", term):
        raise BadTerm("term")
    if kind == TermKind.KEEP:
        rendering = term
    elif EVERY_LANGUAGE in (source_language, language) or source_language == language:
        raise BadTerm("pair")
    elif not rendering:
        raise BadTerm("rendering")
    if len(term) > MAX_TERM or len(rendering) > MAX_TERM or (note and len(note) > MAX_NOTE):
        raise BadTerm("length")
    return {"kind": kind, "source_language": source_language, "language": language,
            "term": term, "term_key": term.casefold(), "rendering": rendering, "note": note}


def add(user: User | None, kind: TermKind, source_language: str, language: str, term: str,
        rendering: str | None = None, note: str | None = None) -> GlossaryTerm:
    """Add a term. Side effects: a row, history, flush. Raises BadTerm, TermExists."""
    values = _values(kind, source_language, language, term, rendering, note)
    row = GlossaryTerm(**values, updated_at=utcnow(), version=1)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        raise TermExists(values["term"]) from error
    history.record(row, user, "created", {
        name: [None, values[name]] for name in HISTORY.fields if values[name] is not None})
    db.session.flush()
    return row


def change(row: GlossaryTerm, user: User, seen_version: int | None, kind: TermKind,
           source_language: str, language: str, term: str, rendering: str | None = None,
           note: str | None = None) -> GlossaryTerm:
    """Change a term as the user saw it. Side effects: a conditional UPDATE on the version
    (StaleEdit when someone changed it meanwhile), history, flush. Raises BadTerm,
    TermExists."""
    values = _values(kind, source_language, language, term, rendering, note)
    changes = {name: [getattr(row, name), values[name]] for name in HISTORY.fields
               if getattr(row, name) != values[name]}
    try:
        with db.session.begin_nested():
            claim(row, GlossaryTerm.version == seen_version, **values, updated_at=utcnow(),
                  version=GlossaryTerm.version + 1)
    except IntegrityError as error:
        raise TermExists(values["term"]) from error
    if changes:
        history.record(row, user, "updated", changes)
    db.session.flush()
    return row


def delete(row: GlossaryTerm, user: User, seen_version: int | None) -> None:
    """Delete a term as the user saw it. Side effects: history (what it was), a
    conditional DELETE on the version (StaleEdit), flush."""
    result = db.session.execute(sa.delete(GlossaryTerm).where(
        GlossaryTerm.id == row.id, GlossaryTerm.version == seen_version))
    if result.rowcount != 1:
        raise StaleEdit(f"glossary_term {row.id} changed meanwhile")
    history.record(row, user, "deleted", {
        name: [getattr(row, name), None] for name in ("term", "rendering")})
    db.session.expunge(row)
    db.session.flush()
