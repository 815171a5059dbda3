"""Jinja filters that make outside text safe to lay out in a PDF: caps, break points, languages.

Escaping is not here: the PDF environment autoescapes every ``{{ }}``. These filters take
plain text and return plain text (or a list of it), so autoescape still applies after them.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup

from agmtool.text import clean_text

ZWSP = "\u200b"
# A run longer than this without a break opportunity gets zero-width spaces. The A4 text
# column holds about 60 characters of body text; 40 keeps a run inside it at every size
# the packs use, and cards' columns too.
LONG_RUN = 40
# What caps a field when a template does not say: about 1,000 words.
DEFAULT_CAP = 6000
ELLIPSIS = "\u2026"

# Characters after which a line may break (Unicode line breaking): breaking white space,
# the soft hyphen, the zero-width space, the hyphen, en and em dashes. Not the ASCII
# hyphen-minus, which does not break between digits, nor the no-break spaces.
_BREAKS = frozenset(" \t\n\r\f\v\u00ad\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                    "\u2006\u2008\u2009\u200a\u200b\u2010\u2013\u2014\u2028\u2029"
                    "\u205f\u3000")
# A language tag as BCP 47 spells it, short. WeasyPrint copies the lang attribute into a
# CSS declaration unescaped, so anything else must never reach it.
_LANG_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}")


def _joins_previous(char: str) -> bool:
    """Whether a break before ``char`` would split a character as a reader sees it."""
    return (unicodedata.category(char)[0] == "M"  # combining accents
            or char in "\u200c\u200d"  # zero-width (non-)joiners
            or "\ufe00" <= char <= "\ufe0f")  # variation selectors


def breakable(value: str | None, limit: int = LONG_RUN) -> str:
    """``value`` with a zero-width space inserted so that no run of more than ``limit``
    characters lacks a break opportunity.

    CSS ``overflow-wrap: anywhere`` would do the same at layout time, but WeasyPrint's
    takes time quadratic in the word's length; this is linear. A zero-width space never
    goes inside a character (before a combining mark or a joiner). Text that has no long
    run comes back unchanged. Markup is refused: a break inside an entity would break it.
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        raise TypeError("breakable() takes plain text; escaping comes after it")
    value = str(value)
    if len(value) <= limit:
        return value
    out: list[str] = []
    run = 0
    for char in value:
        if run >= limit and char not in _BREAKS and not _joins_previous(char):
            out.append(ZWSP)
            run = 0
        out.append(char)
        run = 0 if char in _BREAKS else run + 1
    return "".join(out)


def cap(value: str | None, limit: int = DEFAULT_CAP) -> str:
    """``value`` cleaned (no control or bidi characters, NFC) and cut to ``limit``
    characters, an ellipsis marking the cut. Caps keep one hostile field from making a
    document of thousands of pages."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        raise TypeError("cap() takes plain text; escaping comes after it")
    text = clean_text(str(value)) or ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def paragraphs(value: str | None, limit: int = DEFAULT_CAP) -> list[str]:
    """``value`` capped, then split at blank lines into paragraphs, each breakable.

    A template writes ``{% for p in text|paragraphs %}<p lang=..>{{ p }}</p>{% endfor %}``:
    each paragraph is still escaped by autoescape. Single line breaks stay inside their
    paragraph (a template shows them with ``white-space: pre-line``).
    """
    text = cap(value, limit)
    parts = re.split(r"\n[ \t]*\n+", text)
    return [breakable(part.strip("\n")) for part in parts if part.strip()]


def lang_code(value: str | None, fallback: str = "und") -> str:
    """A language tag fit for a ``lang`` attribute, or ``fallback`` ("undetermined").

    Language codes come from our data, but a stored value could be anything; WeasyPrint
    writes ``lang`` into a CSS declaration without escaping it, so only a plain tag passes.
    """
    code = (value or "").strip().replace("_", "-")
    return code if _LANG_TAG.fullmatch(code) else fallback


FILTERS = {
    "breakable": breakable,
    "cap": cap,
    "paragraphs": paragraphs,
    "lang_code": lang_code,
}
