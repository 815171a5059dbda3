"""What changed between two texts, word by word, and the page that shows two people's
versions of one text side by side when both saved it (a question, a translation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from flask import render_template

# A word with the spaces after it: a diff of these keeps the text's own spacing.
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    """A run of the text: ``kept`` in both, ``removed`` from the old, or ``added`` in the new."""

    kind: str
    text: str


def words(old: str | None, new: str | None) -> list[Piece]:
    """The word-level diff from ``old`` to ``new``, as pieces to show in order."""
    before, after = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    pieces: list[Piece] = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("kept", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("removed", "".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("added", "".join(after[b1:b2])))
    return pieces


def changed(old: str | None, new: str | None) -> bool:
    return (old or "") != (new or "")


def conflict_page(*, title: str, what: str, saved_text: str, saved_by: str | None,
                  your_text: str, action: str, field: str, hidden: dict, code: int = 409,
                  lang: str | None = None):
    """Someone saved ``saved_text`` after this person opened the page, so their own
    ``your_text`` was not saved. Both are shown side by side, with what differs marked;
    the person's text is in a box posted to ``action`` (as ``field``, with ``hidden``
    fields, whose version is the saved one), so they can merge the two and save again."""
    return render_template(
        "conflict.html", title=title, what=what, saved_text=saved_text, saved_by=saved_by,
        your_text=your_text, pieces=words(saved_text, your_text), action=action,
        field=field, hidden=hidden, lang=lang), code
