"""The feeds' caches: each worker keeps one whole feed per variant, checked against the
calendar generation (one row); each meeting's serialized events are kept in the database, so
that neither a worker that has just started nor a feed rebuilt after one change serializes
more than the meetings that changed."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import babel
import icalendar
import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from agmtool import i18n, links, text
from agmtool.database import upsert
from agmtool.extensions import db
from agmtool.meetings import agms, ical
from agmtool.models import AGM, Company, FeedEvent

# The domain part of every event's UID, unless CALENDAR_UID_DOMAIN says otherwise. Fixed,
# not taken from BASE_URL or the request: a UID that changed when the site moved or was
# reached by another name would show every meeting twice in subscribed calendars.
UID_DOMAIN = "agm.agmtool"
# Last-Modified of a feed without meetings.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def init_app(app: Flask) -> None:
    app.extensions["agm_feeds"] = FeedCache()


def base_url() -> str:
    """The site's absolute root, without a trailing slash (see agmtool.links)."""
    return links.external_url("site.root").rstrip("/")


def uid_domain() -> str:
    return current_app.config.get("CALENDAR_UID_DOMAIN") or UID_DOMAIN


def today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Feed:
    stamp: tuple[int, date]  # the calendar generation and the day it was built for
    body: bytes
    etag: str
    last_modified: datetime
    # Where each meeting's events lie in ``body``, and their key: the next build of the
    # variant takes the unchanged ones from here rather than from the database.
    parts: dict[int, tuple[str, int, int]]


class FeedCache:
    """A worker's feeds: one per variant (which meetings, language, deadlines, base URL),
    replaced when the calendar generation or the day moves on. Its size is bounded by the
    number of variants, however often meetings change."""

    def __init__(self):
        self.feeds: dict[tuple, Feed] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        # Meetings this worker serialized: what a stored event saved (read by tests and the
        # bench, which count serializations rather than time them).
        self.serialized = 0

    def lock(self, variant: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(variant, threading.Lock())

    def clear(self) -> None:
        self.feeds.clear()


def cached() -> FeedCache:
    return current_app.extensions["agm_feeds"]


def feed(company: Company | None, lang: str, deadlines: bool) -> Feed:
    """The feed as it is now: this worker's copy while the generation and the day hold,
    else built again. Concurrent requests for one variant wait for a single build (after a
    change every subscriber's poll would otherwise rebuild it at once).

    Side effects: see build.
    """
    variant = (company.id if company else None, lang, deadlines, base_url())
    stamp = (agms.calendar_generation(), today())
    store = cached()
    found = store.feeds.get(variant)
    if found is not None and found.stamp == stamp:
        return found
    with store.lock(variant):
        found = store.feeds.get(variant)
        if found is None or found.stamp != stamp:  # else built by another request meanwhile
            found = build(company, lang, deadlines, stamp, found)
            store.feeds[variant] = found
    return found


def feed_options(company: Company | None, lang: str, deadlines: bool) -> ical.FeedOptions:
    """The feed's options. Call inside force_locale(lang): its name is translated."""
    if company is None:
        name = _("Mining company AGMs")
        about = _("Annual and general meetings of mining companies, with their deadlines "
                  "for questions, proxies and registration.")
    else:
        name = _("AGMs: %(company)s", company=ical.one_line(company.name))
        about = _("The annual and general meetings of %(company)s, with their deadlines.",
                  company=ical.one_line(company.name))
    return ical.FeedOptions(lang=lang, deadlines=deadlines, base_url=base_url(),
                            uid_domain=uid_domain(), name=name, description=about,
                            reference_zone=current_app.config["REFERENCE_TIMEZONE"])


def build(company: Company | None, lang: str, deadlines: bool, stamp: tuple[int, date],
          previous: Feed | None = None) -> Feed:
    """The feed from the database: each meeting's events taken from the ``previous`` feed
    of the variant, else from those stored, where their key still matches; the others
    serialized again and stored.

    Side effects: stores the events of the meetings it serialized (see serialize).
    """
    day = stamp[1]
    with force_locale(lang):
        options = feed_options(company, lang, deadlines)
        variant = variant_key(options)
        query = (sa.select(AGM.id, AGM.sequence, AGM.updated_at, AGM.local_date, AGM.local_time,
                           AGM.timezone, AGM.fold, FeedEvent.key)
                 .outerjoin(FeedEvent, sa.and_(FeedEvent.agm_id == AGM.id,
                                               FeedEvent.variant == variant))
                 .where(agms.in_feeds(day)))
        if company is not None:
            query = query.where(AGM.company_id == company.id)
        rows = agms.in_order(db.session.execute(query).all())
        renderer = renderer_version(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
        keys = {row.id: event_key(row, day, renderer) for row in rows}
        chunks: dict[int, bytes | memoryview] = {}
        if previous is not None:
            kept = memoryview(previous.body)
            for row in rows:
                part = previous.parts.get(row.id)
                if part is not None and part[0] == keys[row.id]:
                    chunks[row.id] = kept[part[1]:part[2]]
        stored = [row.id for row in rows if row.id not in chunks and row.key == keys[row.id]]
        chunks.update(stored_events(stored, variant))
        missing = [row.id for row in rows if row.id not in chunks]
        if missing:
            chunks.update(serialize(missing, options, variant, keys, day))
        head, end = ical.calendar_head(options)
    parts, offset = {}, len(head)
    for row in rows:
        size = len(chunks[row.id])
        parts[row.id] = (keys[row.id], offset, offset + size)
        offset += size
    body = b"".join([head, *(chunks[row.id] for row in rows), end])
    changed = max((row.updated_at for row in rows), default=None)
    return Feed(stamp=stamp, body=body, etag=hashlib.sha256(body).hexdigest()[:40],
                last_modified=changed.replace(tzinfo=UTC) if changed else NEVER, parts=parts)


def stored_events(ids: list[int], variant: str) -> dict[int, bytes]:
    """The stored events of the meetings ``ids`` in ``variant`` (their keys checked by the
    caller)."""
    found: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):
        found.update(db.session.execute(
            sa.select(FeedEvent.agm_id, FeedEvent.body)
            .where(FeedEvent.variant == variant,
                   FeedEvent.agm_id.in_(ids[start:start + 500]))).all())
    return found


def serialize(ids: list[int], options: ical.FeedOptions, variant: str,
              keys: dict[int, str], day: date) -> dict[int, bytes]:
    """Serialize the meetings ``ids`` as they read on ``day`` and store their events under
    ``keys``.

    Side effects: upserts their FeedEvent rows in a transaction of its own, committed at
    once (a cache, not part of the request's work; the request's session and its objects
    are left alone); counts them in FeedCache.serialized.
    """
    words = ical.Words(options.lang, options.reference_zone)
    meetings = db.session.scalars(
        sa.select(AGM).where(AGM.id.in_(ids))
        .options(joinedload(AGM.company), joinedload(AGM.listing))).unique().all()
    # Each public note in the feed's language. Approving its translation, or losing it,
    # raises the meeting's sequence (agms.note_translation_changed), which is in the key.
    notes = agms.public_notes(meetings, options.lang)
    chunks = {agm.id: ical.meeting_bytes(agm, options, words, agm.local_date < day,
                                         notes.get(agm.id))
              for agm in meetings}
    cached().serialized += len(chunks)
    table = FeedEvent.__table__
    statement = upsert(db.engine.dialect, table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.agm_id, table.c.variant],
        set_={"key": statement.excluded.key, "body": statement.excluded.body})
    try:
        with db.engine.begin() as connection:
            connection.execute(statement, [
                {"agm_id": agm_id, "variant": variant, "key": keys[agm_id], "body": chunk}
                for agm_id, chunk in chunks.items()])
    except (OperationalError, IntegrityError):
        # A busy database, or a meeting deleted meanwhile: the feed is right all the same,
        # and the next build stores what this one could not.
        pass
    return chunks


def variant_key(options: ical.FeedOptions) -> str:
    """What, besides the meeting, an event's bytes depend on: not the feed's name, so the
    all-meetings feed and each company's share their events."""
    parts = [options.lang, str(int(options.deadlines)), options.base_url, options.uid_domain,
             options.reference_zone]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def event_key(row, day: date, renderer: str) -> str:
    """What, within a variant, a meeting's bytes depend on: its sequence (raised by every
    change a calendar shows, a company's included), whether it is past, and the code and
    catalogues that write them (``renderer``, see renderer_version)."""
    return (f"{renderer}|{row.sequence}|{row.updated_at:%Y%m%d%H%M%S%f}|"
            f"{int(row.local_date < day)}")


@cache
def renderer_version(translations: str) -> str:
    """A digest of the code and the compiled catalogues an event's bytes come from, so that
    events stored by an earlier release are never served by a later one."""
    digest = hashlib.sha256()
    for module in (ical, agms, i18n, text):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(f"{icalendar.__version__}|{babel.__version__}".encode())
    for catalogue in sorted(Path(translations).glob("*/LC_MESSAGES/*.mo")):
        digest.update(catalogue.read_bytes())
    return digest.hexdigest()[:16]
