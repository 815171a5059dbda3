"""Links: absolute ones for things read away from the site (feeds, PDFs, reset links), the
check that keeps a ``?next=`` redirect on this site, and numbers read from addresses."""

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.routing import IntegerConverter

# Row ids are 32-bit in PostgreSQL, and SQLite overflows past 64 bits: a bigger number in an
# address can name nothing, so it is a 404 rather than a database error.
LARGEST_ID = 2**31 - 1


class RowId(IntegerConverter):
    """``<int:...>`` in every route: a non-negative number up to LARGEST_ID."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def number(text: str | None, default: int | None = None) -> int | None:
    """A positive whole number from a query argument, or ``default``."""
    if text and text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID:
        return int(text)
    return default


def external_url(endpoint: str, **values) -> str:
    """``url_for`` made absolute with AGMTOOL_BASE_URL when set, else with the request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the staff start page.

    Browsers drop tabs and newlines and read a backslash as a slash, so a path made of a
    slash, a tab and ``/evil.example`` would leave the site: refuse such characters outright.
    """
    if (
        target
        and target.startswith("/")
        and not any(ord(ch) < 0x21 or ch in "\\\x7f" for ch in target)
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and not urlsplit(target).scheme
    ):
        return target
    return url_for("staff.index")


def posted_from() -> str:
    """The page whose form was just posted, when it is on this site (else the staff start
    page): where to send someone back to, since the URL posted to may take no GET."""
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc == request.host
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else "")
                     if same_site else None)
