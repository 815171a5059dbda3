"""Text from outside (forms, CSV files, the database) made safe to store and to render."""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings, overrides and isolates: they can make text read differently than it is.
BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Control characters but tab and newline, lone surrogates, and the bidi controls.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None) -> str | None:
    """NFC, without NUL, control characters (but newline and tab) and bidi controls.

    PostgreSQL refuses NUL and SQLite keeps it: cleaning first makes both store the same.
    Line endings become \\n so that a cap counts what the person typed.
    """
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", unicodedata.normalize("NFC", value))


# What a spreadsheet would start a formula with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _marked(text: str) -> bool:
    # A formula's start, or one already behind apostrophes: the mark must read back as
    # added, never as the text's own.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def spreadsheet_cell(value) -> str:
    """A value for a CSV cell that a spreadsheet shows as text, never runs as a formula: an
    apostrophe goes before a formula's first character (see from_spreadsheet_cell)."""
    text = "" if value is None else str(value)
    return "'" + text if _marked(text) else text


def from_spreadsheet_cell(text: str) -> str:
    """A cell's value as spreadsheet_cell wrote it, without the apostrophe it added."""
    return text[1:] if text.startswith("'") and _marked(text[1:]) else text


def folded(*parts: str | None) -> str:
    """``parts`` as search compares them: without accents, case folded ("Fundão" and
    "FUNDAO" are both "fundao"), every run of spaces and line breaks one space, so that one
    LIKE finds them on SQLite and PostgreSQL."""
    text = " ".join(" ".join(part.split()) for part in parts if part)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch)).casefold()


# A web address as people paste it: http(s), then anything but spaces.
WEB_LINK = re.compile(r"^https?://[^\s]+$")


def is_web_link(value: str | None) -> bool:
    return bool(value) and WEB_LINK.match(value) is not None
