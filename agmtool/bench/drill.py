"""`make drill`: the reliability drills, through gunicorn from gunicorn.conf.py, driven by the
bench's load generator (agmtool.bench.load) in another process. Each prints its counts;
docs/reliability.md keeps the figures of a run.

- load: SUBMISSIONS concern submissions at AT_ONCE connections, RESENDS of them the same
  form sent again (the same idempotency key): stored rows equal the unique submissions
  acknowledged, no duplicate, no 5xx, no "database is locked" (which would be a 503).
- kill: TRIALS times, ``kill -9`` of gunicorn (master and workers) while it takes
  submissions, then a restart; every acknowledged submission is stored, and the database
  passes its integrity check (SQLite's ``PRAGMA integrity_check``; on PostgreSQL,
  ``pg_amcheck`` when the amcheck extension can be made).
- redis: two gunicorn servers on one database and one Redis of the drill's own (a
  redis-server started on a free port): a meeting changed through one shows in the other's
  feed at once; a browser's rate limit holds across both; then Redis is stopped, and the
  pages and the form go on.
- database: a PostgreSQL of the drill's own (initdb on a free port, run as the postgres
  user) is stopped while submissions arrive: 503s that show the text back, nothing
  half-written, and the app recovers by itself when it is started again.

`python -m agmtool.bench.drill [load] [kill] [redis] [database]` runs some; DB=postgres runs
load and kill on PostgreSQL (AGMTOOL_DRILL_DATABASE_URL, else agmtool_drill on 127.0.0.1,
made when missing; everything in it is replaced).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from agmtool import create_app
from agmtool.bench import harness, intake
from agmtool.bench.server import SETTINGS
from agmtool.config import ROOT

SUBMISSIONS = 10_000
RESENDS = 500
AT_ONCE = 200
TRIALS = 5
PER_TRIAL = 600
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Drill(harness.Run):
    """A bench run whose server keeps its port across restarts and can be killed whole."""

    def __init__(self, tmp: Path, url: str | None = None, **settings):
        super().__init__(tmp)
        if url:
            self.url = url
            self.settings["SQLALCHEMY_DATABASE_URI"] = url
        self.settings.update(settings)
        self.port = free_port()
        self.log = tmp / f"gunicorn-{self.port}.log"

    def start_server(self) -> None:
        with open(self.log, "a") as log:
            self.server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{self.port}", "agmtool.bench.server:create_app()"],
                cwd=ROOT, start_new_session=True, stdout=log, stderr=log,
                env={**os.environ, SETTINGS: json.dumps(self.settings),
                     "AGMTOOL_ACCESS_LOG": os.devnull})
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"drill: gunicorn did not start; see {self.log}")
            time.sleep(0.1)

    def kill9(self) -> None:
        """SIGKILL to the master and every worker at once: nothing is flushed or closed."""
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()
        self.server = None

    def submissions(self, count: int, company_id: int, resends: int = 0) -> tuple[list, list]:
        """``count`` submissions as browsers send them, ``resends`` of them twice; the
        requests in the order they go, and for each the index of its form."""
        made = [intake.submission(form, n, company_id)
                for n, form in enumerate(intake.forms(self, count - resends))]
        order = list(range(len(made))) + random.sample(range(len(made)), resends)
        random.shuffle(order)
        return [made[i] for i in order], order

    def send(self, requests: list[dict], concurrency: int) -> list[dict]:
        return self.load.ask(op="run", port=self.port, requests=requests, count=len(requests),
                             concurrency=concurrency, capture=intake.RECEIPT,
                             fresh=True)["results"]


def database_url(tmp: Path) -> str:
    if os.environ.get("DB") != "postgres":
        return f"sqlite:///{tmp / 'drill.sqlite'}"
    url = os.environ.get("AGMTOOL_DRILL_DATABASE_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/agmtool_drill")
    parsed = sa.engine.make_url(url)
    engine = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                     {"n": parsed.database}):
                connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        engine.dispose()
    return url


def fresh_database(url: str) -> int:
    """Empty the database, migrate it from nothing and add one company; its id."""
    from flask_migrate import upgrade

    from agmtool.extensions import db
    from agmtool.meetings import companies

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32),
                      "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        with app.test_request_context("/"):
            company = companies.save_company(None, None, {"name": "Drill Mining",
                                                          "slug": "drill-mining"},
                                             [("Drill Mining plc", "LSE", "DRL")], [])
            db.session.commit()
            company_id = company.id
        db.engine.dispose()
    return company_id


def stored(run: Drill, codes: set[str]) -> tuple[int, int, int]:
    """Of ``codes``, how many are stored; and the concerns in all, and their distinct
    submissions (a duplicate would be one idempotency key twice)."""
    from agmtool.concerns import receipts
    from agmtool.extensions import db
    from agmtool.models import Concern

    with run.app.app_context():
        hashes = [receipts.receipt_hash(code) for code in codes]
        found = 0
        for start in range(0, len(hashes), 500):
            found += db.session.scalar(sa.select(sa.func.count()).select_from(Concern).where(
                Concern.receipt_hash.in_(hashes[start:start + 500])))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Concern))
        distinct = db.session.scalar(sa.select(sa.func.count(sa.distinct(
            Concern.receipt_hash))))
        db.session.remove()
        db.engine.dispose()
    return found, total, distinct


def integrity(url: str) -> str:
    """What the database's own check says."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database) as connection:
            return "PRAGMA integrity_check: " + connection.execute(
                "PRAGMA integrity_check").fetchone()[0]
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    except sa.exc.DBAPIError:
        return "pg_amcheck not run: the amcheck extension is not available"
    finally:
        engine.dispose()
    amcheck = shutil.which("pg_amcheck") or str(PG_BIN / "pg_amcheck")
    result = subprocess.run([amcheck, "--heapallindexed", "-h", parsed.host or "127.0.0.1",
                             "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres",
                             "-d", parsed.database], capture_output=True, text=True)
    return "pg_amcheck --heapallindexed: " + (
        "ok" if result.returncode == 0 else f"FAILED {result.stdout[-500:]}")


def summary(results: list[dict], codes_by_form: dict[int, set[str]]) -> dict:
    statuses = Counter(r["status"] for r in results)
    return {
        "sent": len(results),
        "acknowledged": sum(1 for r in results if r.get("capture")),
        "unique_acknowledged": sum(1 for codes in codes_by_form.values() if codes),
        "resend_with_another_receipt": sum(1 for codes in codes_by_form.values()
                                           if len(codes) > 1),
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
        "503": statuses.get(503, 0),
        "no_answer": statuses.get(0, 0),
        "statuses": dict(sorted(statuses.items())),
    }


def report(name: str, figures: dict) -> dict:
    print(f"drill {name}: " + ", ".join(f"{key} {value}" for key, value in figures.items()),
          flush=True)
    return figures


# --- the drills -------------------------------------------------------------------------

def load_drill(tmp: Path, url: str) -> dict:
    company_id = fresh_database(url)
    run = Drill(tmp, url)
    run.app = create_app(run.settings)
    try:
        run.start_server()
        requests, order = run.submissions(SUBMISSIONS, company_id, RESENDS)
        began = time.monotonic()
        results = run.send(requests, AT_ONCE)
        took = time.monotonic() - began
        codes_by_form: dict[int, set[str]] = {}
        for form, result in zip(order, results, strict=True):
            codes_by_form.setdefault(form, set())
            if result.get("capture"):
                codes_by_form[form].add(result["capture"])
        figures = summary(results, codes_by_form)
        codes = set().union(*codes_by_form.values())
        found, total, distinct = stored(run, codes)
        locked = run.log.read_text().count("database is locked")
        figures.update({
            "stored": total, "acknowledged_stored": found,
            "lost": len(codes) - found, "duplicates": total - distinct,
            "database_is_locked": locked,
            "seconds": round(took, 1), "per_second": round(len(results) / took),
            "integrity": integrity(url)})
        return report(f"load ({run.database})", figures)
    finally:
        run.close()


def kill_drill(tmp: Path, url: str) -> dict:
    company_id = fresh_database(url)
    run = Drill(tmp, url)
    run.app = create_app(run.settings)
    acknowledged: set[str] = set()
    sent = answered = 0
    downtimes = []
    try:
        run.start_server()
        for trial in range(TRIALS):
            requests, _ = run.submissions(PER_TRIAL, company_id)
            results: list = []
            sender = threading.Thread(target=lambda r=requests, into=results: into.extend(
                run.send(r, 20)))
            sender.start()
            time.sleep(random.uniform(0.8, 2.0))
            run.kill9()
            killed = time.monotonic()
            time.sleep(0.5)
            run.start_server()
            downtimes.append(time.monotonic() - killed)
            sender.join()
            sent += len(results)
            answered += sum(1 for r in results if r["status"])
            acknowledged |= {r["capture"] for r in results if r.get("capture")}
            print(f"drill kill: trial {trial + 1}: {len(results)} sent, "
                  f"{sum(1 for r in results if r.get('capture'))} acknowledged", flush=True)
        run.stop_server()
        found, total, distinct = stored(run, acknowledged)
        return report(f"kill -9 ({run.database})", {
            "trials": TRIALS, "sent": sent, "acknowledged": len(acknowledged),
            "stored": total, "lost": len(acknowledged) - found,
            "duplicates": total - distinct,
            "restart_seconds_max": round(max(downtimes), 1),
            "integrity": integrity(url)})
    finally:
        run.close()


DRILLS = {"load": load_drill, "kill": kill_drill}


def main(argv: list[str] | None = None) -> int:
    chosen = list(argv if argv is not None else sys.argv[1:]) or ["load", "kill"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = database_url(tmp)
        failed = []
        for name in chosen:
            (tmp / name).mkdir()
            figures = DRILLS[name](tmp / name, url)
            if figures.get("lost") or figures.get("5xx") or figures.get("duplicates"):
                failed.append(name)
        print("drill: " + ("FAILED " + ", ".join(failed) if failed else "every drill held"))
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
