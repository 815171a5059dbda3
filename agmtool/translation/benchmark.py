"""The translation figures of `make bench`.

`translate_queue_ms`: the translator's queue at 20,000 concerns with their
translations, as staff (every language) open its first page.

The bench harness calls ``run(app)`` (or ``seed`` then ``measure``, to drive the page with
its own load generator: ``seed`` returns the path and the session cookie). Concerns come
after translation in the chain of features, so the concerns and their translations are
written here as rows, in bulk, the way the concerns package stores them.

`tm_lookup_ms_10k` and `tm_lookup_ms_100k`: the translation memory's top
five suggestions for a sentence, over 10,000 and 100,000 segments in one language pair
(every segment in the pair being looked up: the worst case), on the database the bench runs
on (pg_trgm candidates on PostgreSQL, the rapidfuzz scan on SQLite).

The bench harness calls ``run_memory(app)`` (or ``seed_memory`` then ``measure_lookup``).
The segments are sentences of 6 to 30 words drawn, with Zipf's law, from a vocabulary of
5,000 words (the domain's own, then made-up ones), as a memory of concerns and questions
would be; a lookup is one of them with a word changed, or a sentence not in the memory.
"""

from __future__ import annotations

import random
import statistics
import time as clock
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from babel import Locale
from flask import Flask

from agmtool.accounts import domain as accounts
from agmtool.extensions import db
from agmtool.models import (
    Attribution,
    Channel,
    Concern,
    ConcernStatus,
    MemorySegment,
    Reader,
    Role,
    Translation,
    TranslationState,
)
from agmtool.translation import memory

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


# --- the translation memory -------------------------------------------------------------

MEMORY_KEYS = {10_000: "tm_lookup_ms_10k", 100_000: "tm_lookup_ms_100k"}
MEMORY_TARGETS_MS = {"tm_lookup_ms_10k": 50, "tm_lookup_ms_100k": 200}
PAIR = ("es", "en")
MEMORY_BATCH = 5_000
COMMON = ("el la los las de del que y en un una por para con no se su al lo como más pero "
         "sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay "
         "donde quien desde todo nos durante todos uno les ni contra otros ese eso ante "
         "agua río mina empresa comunidad presa relaves polvo tierra familias niños salud "
         "escuela pescado ganado pozos camino noche ruido camiones tajo carbón cobre oro "
         "reasentamiento indemnización promesa reunión carta respuesta accionistas junta "
         "guardias ejército defensores consulta consentimiento territorio ranchería arroyo "
         "sequía lluvia cultivos enfermedad tos piel ojos hospital médico muertos heridos "
         "trabajadores contratistas salario sindicato huelga despidos accidente derrumbe")
WORDS = COMMON.split()


def _vocabulary(rng: random.Random, size: int = 5_000) -> list[str]:
    """The domain's words, the Spanish words of Babel's locale data (names of languages and
    places), then made-up words of Spanish-like syllables, ``size`` in all."""
    names = Locale("es")
    found = dict.fromkeys(WORDS)
    for table in (names.languages, names.territories, names.scripts):
        for name in table.values():
            found.update(dict.fromkeys(w for w in memory.words(name) if w.isalpha()))
    consonants, vowels = "bcdfghjlmnñprstvz", "aeiouáéí"
    while len(found) < size:
        found[
            "".join(rng.choice(consonants) + rng.choice(vowels)
                    for _ in range(rng.randint(2, 5))) + rng.choice(["", "s", "n", "r"])] = None
    return list(found)[:size]


def _sentences(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    return [" ".join(rng.choices(vocabulary, weights, k=rng.randint(6, 30))) + "."
            for _ in range(count)]


def seed_memory(count: int, seed: int = 16) -> int:
    """Add segments in the pair until it holds ``count`` (the same ones for the same
    ``seed``). Side effects: inserts and commits (the harness seeds a database of its own).
    Returns how many the pair holds."""
    where = (MemorySegment.source_language == PAIR[0], MemorySegment.language == PAIR[1])
    have = db.session.scalar(sa.select(sa.func.count()).select_from(MemorySegment).where(*where))
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    rng.seed(seed + have)
    for start in range(have, count, MEMORY_BATCH):
        rows = []
        batch = _sentences(rng, vocabulary, min(MEMORY_BATCH, count - start))
        for n, text in enumerate(batch, start):
            found = memory.words(text)
            rows.append({"source_language": PAIR[0], "language": PAIR[1], "source_text": text,
                         "target_text": f"Segment {n} in English.", "words": " ".join(found),
                         "word_count": len(found), "origin": "bench.tmx"})
        db.session.execute(sa.insert(MemorySegment), rows)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE memory_segment"))
            connection.commit()
    return max(have, count)


def _queries(count: int, seed: int) -> list[str]:
    """Half the lookups are a stored sentence with one word changed, half are new."""
    rng = random.Random(seed)
    stored = db.session.scalars(sa.select(MemorySegment.source_text).where(
        MemorySegment.source_language == PAIR[0]).order_by(MemorySegment.id).limit(2_000)).all()
    vocabulary = _vocabulary(random.Random(seed))
    queries = []
    for n in range(count):
        if n % 2 == 0 and stored:
            words = rng.choice(stored).split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            queries.append(" ".join(words))
        else:
            queries.append(_sentences(rng, vocabulary, 1)[0])
    return queries


def measure_lookup(lookups: int = 40, warm_up: int = 5, seed: int = 61) -> dict:
    """The median time, in milliseconds, of the top five suggestions for one sentence, over
    ``lookups`` sentences after ``warm_up``; with the spread, the first lookup (on SQLite it
    reads the pair's segments into the process) and how many found a suggestion."""
    times, found, first = [], 0, None
    for n, text in enumerate(_queries(warm_up + lookups, seed)):
        started = clock.perf_counter()
        suggestions = memory.suggest(text, *PAIR)
        elapsed = (clock.perf_counter() - started) * 1000
        db.session.rollback()  # each lookup as a request would make it: a fresh transaction
        first = elapsed if first is None else first
        if n >= warm_up:
            times.append(elapsed)
            found += bool(suggestions)
    quartiles = statistics.quantiles(times, n=4)
    return {"median_ms": round(statistics.median(times), 1),
            "p25_ms": round(quartiles[0], 1), "p75_ms": round(quartiles[2], 1),
            "max_ms": round(max(times), 1), "first_ms": round(first, 1),
            "with_suggestions": found, "lookups": lookups}


def run_memory(app: Flask, sizes=(10_000, 100_000)) -> dict:
    """Seed, then measure, for each size in turn: ``{KEY: milliseconds}`` for
    bench-results.json, and ``details`` for the table (spread, database, hits)."""
    results: dict = {}
    details = {}
    with app.app_context():
        for size in sizes:
            seed_memory(size)
            figures = measure_lookup()
            results[MEMORY_KEYS.get(size, f"tm_lookup_ms_{size}")] = figures["median_ms"]
            details[size] = figures | {"database": db.engine.dialect.name}
        db.session.remove()
    return results | {"details": details}
