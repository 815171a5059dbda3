"""Benchmarks (`make bench`): prints a table and writes bench-results.json.

Runs the production configuration on a temporary SQLite database (DB=postgres: the
PostgreSQL database at AGMTOOL_BENCH_DATABASE_URL, emptied first), with rate limits turned
off. Requests go to a threaded WSGI server on 127.0.0.1 from a client in this process:
loopback only, a bounded number of requests and a time limit.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from flask import send_from_directory
from werkzeug.serving import make_server

from agmtool import create_app
from agmtool.config import ROOT

RESULTS = ROOT / "bench-results.json"
MEETINGS = 1000
PAIRS = 7
REQUESTS_PER_RUN = 200
TIME_LIMIT_SECONDS = 120
ZONES = ["Europe/London", "Europe/Zurich", "Australia/Perth", "Australia/Melbourne",
         "Australia/Adelaide", "Africa/Johannesburg", "America/Toronto", "America/Bogota"]


def database_url(tmp: Path) -> str:
    if os.environ.get("DB") == "postgres":
        return os.environ.get("AGMTOOL_BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/agmtool_bench")
    return f"sqlite:///{tmp / 'bench.sqlite'}"


def production_config(url: str) -> dict:
    # The production defaults (agmtool/config.py), except the database, a throwaway key,
    # and rate limits off so that the loop measures the feed, not the limiter.
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32),
            "RATELIMIT_ENABLED": False, "BASE_URL": "https://agm.example.org"}


def prepare_database(url: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from agmtool.extensions import db

    app = create_app({**production_config(url), "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        load_meetings()
        db.session.commit()
        db.engine.dispose()


def load_meetings() -> None:
    from agmtool.meetings import agms, companies
    from agmtool.models import AGMStatus, MeetingFormat

    today = datetime.now(UTC).date()
    companies = [companies.save_company(None, None, {"name": f"Mining Company {n}",
                                                 "slug": f"mining-{n}"},
                                   [(f"Mining Company {n} plc", "LSE", f"MC{n}")], [])
                 for n in range(20)]
    for n in range(MEETINGS):
        zone = ZONES[n % len(ZONES)]
        day = today + timedelta(days=(n % 400) - 200)
        start = datetime.combine(day, time(9 + n % 6, 30))
        agms.create_agm(None, {
            "company_id": companies[n % 20].id, "listing_id": companies[n % 20].listings[0].id,
            "local_date": day, "local_time": start.time(), "timezone": zone, "fold": 0,
            "duration_minutes": 120, "venue": f"Convention Centre Hall {n}",
            "address": "1 Example Street, Example City", "format": MeetingFormat.HYBRID,
            "webcast_url": f"https://example.org/webcast/{n}",
            "questions_deadline": start - timedelta(days=7),
            "proxy_deadline": start - timedelta(days=2),
            "registration_deadline": start - timedelta(days=1),
            "status": AGMStatus.CONFIRMED if n % 3 else AGMStatus.EXPECTED,
        })


def uncached_ms_per_meeting(app, repeats: int = 5) -> tuple[float, int]:
    import sqlalchemy as sa

    from agmtool.extensions import db
    from agmtool.meetings import feed_cache, ical
    from agmtool.models import FeedEvent

    times, size = [], 0
    for _ in range(repeats):
        with app.test_request_context("/calendar.ics"):
            feed_cache.cached().clear()
            db.session.execute(sa.delete(FeedEvent))
            db.session.commit()
            ical.clear_caches()  # every cache empty, the formatting ones too
            db.session.expunge_all()
            started = clock.perf_counter()
            feed = feed_cache.build(None, "en", True, (0, datetime.now(UTC).date()))
            times.append(clock.perf_counter() - started)
            size = len(feed.body)
            db.session.remove()
    return statistics.median(times) * 1000 / MEETINGS, size


def after_change_ms_per_meeting(app, repeats: int = 5) -> float:
    """The feed rebuilt after one meeting changed: the whole-feed cache misses, the changed
    meeting is serialized again, the others come from the per-meeting event cache. This is
    what a poll costs after a staff edit; it is not `feed_uncached_ms_per_event`."""
    from agmtool.extensions import db
    from agmtool.meetings import agms, feed_cache
    from agmtool.models import AGM

    day = datetime.now(UTC).date()
    times = []
    with app.test_request_context("/calendar.ics"):
        feed_cache.build(None, "en", True, (0, day))  # stores each meeting's events
        for n in range(repeats):
            agm = db.session.scalars(db.select(AGM).order_by(AGM.id).limit(1)).one()
            agms.update_agm(agm, None, {"venue": f"Convention Centre Hall {n} (moved)"},
                            agm.version)
            db.session.commit()
            db.session.expunge_all()
            started = clock.perf_counter()
            feed_cache.build(None, "en", True, (0, day))
            times.append(clock.perf_counter() - started)
        db.session.remove()
    return statistics.median(times) * 1000 / MEETINGS


class Server:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()


def requests_per_second(port: int, path: str, headers: dict, expect: int,
                        deadline: float) -> float:
    started = clock.perf_counter()
    for _ in range(REQUESTS_PER_RUN):
        if clock.monotonic() > deadline:
            raise SystemExit("bench: time limit reached")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != expect:
            raise SystemExit(f"bench: {path} answered {response.status}, expected {expect}")
    return REQUESTS_PER_RUN / (clock.perf_counter() - started)


def paired_ratio(port, a: tuple, b: tuple, deadline: float) -> tuple[float, float, float]:
    """A then B, PAIRS times; the median of the ratios, and each side's median rate."""
    ratios, rates_a, rates_b = [], [], []
    for _ in range(PAIRS):
        rate_a = requests_per_second(port, *a, deadline)
        rate_b = requests_per_second(port, *b, deadline)
        ratios.append(rate_a / rate_b)
        rates_a.append(rate_a)
        rates_b.append(rate_b)
    return statistics.median(ratios), statistics.median(rates_a), statistics.median(rates_b)


def main() -> int:
    # One log line per request would bury the table and slow both sides of every ratio.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    deadline = clock.monotonic() + TIME_LIMIT_SECONDS
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = database_url(tmp)
        print(f"bench: production configuration, rate limits OFF, database "
              f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite (temporary)'}, "
              f"{MEETINGS} meetings with 3 deadlines each")
        started = clock.perf_counter()
        prepare_database(url)
        print(f"bench: database ready in {clock.perf_counter() - started:.1f} s")
        app = create_app(production_config(url))
        # The same bytes as a static file, served by the same Flask app and server.
        app.add_url_rule("/bench-static/<path:name>", "bench_static",
                         lambda name: send_from_directory(tmp, name))
        per_meeting, size = uncached_ms_per_meeting(app)
        after_change = after_change_ms_per_meeting(app)

        client = app.test_client()
        feed = client.get("/calendar.ics")
        (tmp / "calendar.ics").write_bytes(feed.data)
        etag = feed.headers["ETag"]
        with Server(app) as server:
            static = ("/bench-static/calendar.ics", {}, 200)
            cached, feed_rate, static_rate = paired_ratio(
                server.port, ("/calendar.ics", {}, 200), static, deadline)
            not_modified, rate_304, static_rate_2 = paired_ratio(
                server.port, ("/calendar.ics", {"If-None-Match": etag}, 304), static, deadline)
        from agmtool.extensions import db

        with app.app_context():
            db.engine.dispose()

    results = {
        "feed_cached_vs_static": round(cached, 3),
        "feed_304_vs_static": round(not_modified, 3),
        "feed_uncached_ms_per_event": round(per_meeting, 4),
        "feed_after_change_ms_per_event": round(after_change, 4),
    }
    rows = [
        ("feed_cached_vs_static", results["feed_cached_vs_static"], ">= 0.9",
         f"{feed_rate:.0f} req/s vs {static_rate:.0f} req/s ({size / 1024:.0f} KiB)"),
        ("feed_304_vs_static", results["feed_304_vs_static"], ">= 0.9",
         f"{rate_304:.0f} req/s vs {static_rate_2:.0f} req/s"),
        ("feed_uncached_ms_per_event", results["feed_uncached_ms_per_event"], "<= 0.2",
         f"whole feed of {MEETINGS} meetings (+{3 * MEETINGS} deadline events), caches empty,"
         f" / {MEETINGS}; {per_meeting / 4:.3f} ms per VEVENT"),
        ("feed_after_change_ms_per_event", results["feed_after_change_ms_per_event"], "-",
         "the same feed after one meeting changed: the others from the per-meeting cache"),
    ]
    print(f"{'figure':<30} {'value':>8}  {'target':<8} detail")
    for name, value, target, detail in rows:
        print(f"{name:<30} {value:>8}  {target:<8} {detail}")
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    # Later benchmarks add their own keys to the same file; keep theirs.
    RESULTS.write_text(json.dumps({**previous, **results}, indent=2) + "\n")
    print(f"bench: wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
