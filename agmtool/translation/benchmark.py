"""`translate_queue_ms` for `make bench`: the translator's queue at 20,000 concerns with their
translations, as staff (every language) open its first page.

The bench harness calls ``run(app)`` (or ``seed`` then ``measure``, to drive the page with
its own load generator: ``seed`` returns the path and the session cookie). Concerns come
after translation in the chain of features, so the concerns and their translations are
written here as rows, in bulk, the way the concerns package stores them.
"""

from __future__ import annotations

import statistics
import time as clock
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from agmtool.accounts import domain as accounts
from agmtool.extensions import db
from agmtool.models import (
    Attribution,
    Channel,
    Concern,
    ConcernStatus,
    Reader,
    Role,
    Translation,
    TranslationState,
)

CONCERNS = 20_000
PATH = "/staff/translate/"
KEY = "translate_queue_ms"
TARGET_MS = 100
LANGUAGES = ("es", "pt", "id")
# How the translations of a concern's words stand, by the concern's position: most were
# approved long ago; the rest wait, some written from an earlier text.
STATES = (*[TranslationState.APPROVED] * 7, TranslationState.MISSING, TranslationState.DRAFT,
          TranslationState.NEEDS_REVIEW)
BATCH = 2_000


@dataclass(frozen=True)
class Seeded:
    """What a client needs to open the queue as the staff account made by ``seed``."""

    path: str
    cookie_name: str
    cookie_value: str
    concerns: int
    translations: int


def _concern(n: int, day) -> dict:
    language = LANGUAGES[n % len(LANGUAGES)]
    return {"status": ConcernStatus.ACCEPTED if n % 4 else ConcernStatus.RECEIVED,
            "channel": Channel.FORM, "language": language, "reply_language": language,
            "attribution": Attribution.ANONYMOUS, "may_quote": False,
            "received_on": day - timedelta(days=n % 400), "version": 1,
            "body": f"Texto de la preocupación número {n}: el agua del río llega turbia "
                    "desde que abrió el nuevo tajo y los animales se enferman.",
            "wanted": f"Que la empresa explique qué hará con el agua ({n})."}


def _translations(concern_id: int, n: int, row: dict, now) -> list[dict]:
    made = []
    for kind, text in (("concern_body", row["body"]), ("concern_wanted", row["wanted"])):
        state = STATES[(n + len(made)) % len(STATES)]
        written = state != TranslationState.MISSING
        # One in five written translations was made from an earlier text.
        made_from = (None if not written else
                     "An earlier text." if n % 5 == 0 else text)
        made.append({
            "source_type": kind, "source_id": concern_id, "source_language": row["language"],
            "source_text": text, "language": "en", "state": state, "made_from": made_from,
            "text": f"The translation of concern {n}." if written else "",
            "reader": Reader.STAFF, "due_on": row["received_on"] + timedelta(days=14),
            "updated_at": now, "version": 1})
    return made


def seed(app: Flask, count: int = CONCERNS) -> Seeded:
    """Add ``count`` concerns in Spanish, Portuguese and Indonesian, the English
    translations of their words in every state, and a staff account with a session.

    Side effects: inserts and commits (the harness seeds a database of its own).
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    day = now.date()
    for start in range(0, count, BATCH):
        rows = [_concern(n, day) for n in range(start, min(start + BATCH, count))]
        ids = db.session.scalars(
            sa.insert(Concern).returning(Concern.id, sort_by_parameter_order=True), rows).all()
        db.session.execute(sa.insert(Translation), [
            made for n, (concern_id, row) in enumerate(zip(ids, rows, strict=True), start)
            for made in _translations(concern_id, n, row, now)])
        db.session.commit()
    user = accounts.get_by_email("bench-staff@example.org") or accounts.create_user(
        "bench-staff@example.org", Role.STAFF)
    token = accounts.start_session(user)
    db.session.commit()
    cookie = app.session_interface.get_signing_serializer(app).dumps({"sid": token})
    return Seeded(path=PATH, cookie_name=app.config["SESSION_COOKIE_NAME"],
                  cookie_value=cookie, concerns=count,
                  translations=db.session.scalar(sa.select(sa.func.count(Translation.id))))


def measure(app: Flask, seeded: Seeded, requests: int = 30, warm_up: int = 3) -> float:
    """The median time, in milliseconds, of a request for the queue through the app (a
    test client in this process: the queries and the page, not the network)."""
    client = app.test_client()
    client.set_cookie(seeded.cookie_name, seeded.cookie_value)
    times = []
    for n in range(warm_up + requests):
        started = clock.perf_counter()
        response = client.get(seeded.path)
        elapsed = clock.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{seeded.path} answered {response.status_code}")
        if n >= warm_up:
            times.append(elapsed)
    return statistics.median(times) * 1000


def run(app: Flask, count: int = CONCERNS) -> dict:
    """Seed, then measure: ``{KEY: milliseconds}`` for bench-results.json."""
    with app.app_context():
        seeded = seed(app, count)
        db.session.remove()
    return {KEY: round(measure(app, seeded), 1)}
