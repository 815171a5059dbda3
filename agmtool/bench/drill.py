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

import contextlib
import html
import http.client
import json
import os
import random
import re
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
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from agmtool import create_app
from agmtool.bench import harness, intake
from agmtool.bench.server import SETTINGS
from agmtool.config import ROOT

SUBMISSIONS = 10_000
RESENDS = 500
AT_ONCE = 200
TRIALS = 5
PER_TRIAL = 1000
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

    def close(self) -> None:
        super().close()
        self.load.process.stdout.close()

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


def database_url(tmp: Path, name: str = "agmtool_drill", force_postgres: bool = False) -> str:
    if os.environ.get("DB") != "postgres" and not force_postgres:
        return f"sqlite:///{tmp / 'drill.sqlite'}"
    url = os.environ.get("AGMTOOL_DRILL_DATABASE_URL",
                         f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
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
        if db.engine.dialect.name == "postgresql":
            # Whatever an older schema left (tables this code no longer knows) goes too.
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        else:
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

def load_drill(tmp: Path, url: str, submissions: int = SUBMISSIONS, resends: int = RESENDS,
               at_once: int = AT_ONCE) -> dict:
    company_id = fresh_database(url)
    run = Drill(tmp, url)
    run.app = create_app(run.settings)
    try:
        run.start_server()
        requests, order = run.submissions(submissions, company_id, resends)
        began = time.monotonic()
        results = run.send(requests, at_once)
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


def concern_count(run: Drill) -> int:
    from agmtool.extensions import db
    from agmtool.models import Concern

    with run.app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Concern))
        db.session.remove()
    return count


def kill_drill(tmp: Path, url: str, trials: int = TRIALS, per_trial: int = PER_TRIAL,
               between: tuple[float, float] = (0.2, 0.7)) -> dict:
    """Each trial kills the server once the database holds a random share (``between``) of
    the trial's submissions: always in mid-stream, whatever the machine's speed."""
    company_id = fresh_database(url)
    run = Drill(tmp, url)
    run.app = create_app(run.settings)
    acknowledged: set[str] = set()
    sent = answered = 0
    downtimes, kill_points = [], []
    try:
        run.start_server()
        for trial in range(trials):
            requests, _ = run.submissions(per_trial, company_id)
            results: list = []
            sender = threading.Thread(target=lambda r=requests, into=results: into.extend(
                run.send(r, 20)))
            base = concern_count(run)
            target = base + round(per_trial * random.uniform(*between))
            sender.start()
            while sender.is_alive() and concern_count(run) < target:
                time.sleep(0.05)
            kill_points.append(concern_count(run) - base)
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
            "trials": trials, "sent": sent, "acknowledged": len(acknowledged),
            "stored": total, "lost": len(acknowledged) - found,
            "duplicates": total - distinct,
            "stored_at_each_kill": kill_points,
            "restart_seconds_max": round(max(downtimes), 1),
            "integrity": integrity(url)})
    finally:
        run.close()


# --- faults: Redis, the database, the disk ----------------------------------------------

# A 200's receipt code, or the concern's text that a 503 shows back (in the form again, or on
# the page of kept text).
ANSWER = r'(?:<p class="receipt" lang="en">|<textarea[^>]*>\s*(?=Desde))([^<]+)'


def request(port: int, method: str, path: str, body: str = "", headers=None
            ) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers={
            **({"Content-Type": "application/x-www-form-urlencoded"} if body else {}),
            **(headers or {})})
        answer = connection.getresponse()
        cookies = [v.split(";", 1)[0] for v in answer.headers.get_all("Set-Cookie") or []]
        return answer.status, {"cookie": "; ".join(cookies)}, answer.read().decode()
    finally:
        connection.close()


class FormReader(HTMLParser):
    """The fields of the first form with a submit button whose action is ``action``, as a
    browser would send them back unchanged."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "") in ("", self.action)
        if not self.inside:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit",):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = [attrs.get("name"), None]
        elif tag == "option" and self._select is not None and (
                "selected" in attrs or self._select[1] is None):
            if "selected" in attrs or self._select[1] is None:
                self._select[1] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select[0], self._select[1] or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def form_fields(page: str, action: str) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(page)
    return reader.fields


class Redis:
    """A redis-server of the drill's own, on a free port, with nothing saved to disk."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("drill: redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def redis_drill(tmp: Path, _url: str) -> dict:
    """Two servers, one PostgreSQL (agmtool_drill_redis), one Redis."""
    from agmtool.concerns import receipts
    from agmtool.concerns.public import form_stamp

    url = database_url(tmp, name="agmtool_drill_redis", force_postgres=True)
    company_id = fresh_database(url)
    redis = Redis()
    redis.start()
    shared = {"SECRET_KEY": secrets.token_hex(32), "RATELIMIT_ENABLED": True,
              "RATELIMIT_STORAGE_URI": redis.url, "CACHE_URL": redis.url}
    (tmp / "one").mkdir()
    (tmp / "two").mkdir()
    one = Drill(tmp / "one", url, **shared)
    two = Drill(tmp / "two", url, **shared)
    one.app = two.app = create_app(one.settings)
    figures: dict = {}
    try:
        one.start_server()
        two.start_server()
        staff = {"Cookie": one.staff_cookie()}
        with one.app.test_request_context("/"):
            from agmtool.extensions import db
            from agmtool.meetings import agms
            from agmtool.models import AGMStatus, Company, MeetingFormat

            company = db.session.get(Company, company_id)
            day = date.today() + timedelta(days=60)
            agm = agms.create_agm(None, {
                "company_id": company_id, "listing_id": company.listings[0].id,
                "local_date": day, "local_time": None, "timezone": "Europe/London", "fold": 0,
                "duration_minutes": 120, "venue": "Before the drill", "address": "",
                "format": MeetingFormat.IN_PERSON, "webcast_url": "",
                "questions_deadline": None, "proxy_deadline": None,
                "registration_deadline": None, "status": AGMStatus.ANNOUNCED})
            db.session.commit()
            agm_id = agm.id
            db.session.remove()
        before = request(two.port, "GET", "/calendar.ics")[2]
        status, got, page = request(one.port, "GET", f"/staff/agms/{agm_id}/edit",
                                    headers=staff)
        staff = {"Cookie": got["cookie"] or staff["Cookie"]}  # now with its CSRF secret
        fields = [(k, "Changed through server one" if k == "venue" else v)
                  for k, v in form_fields(page, f"/staff/agms/{agm_id}/edit")]
        saved = request(one.port, "POST", f"/staff/agms/{agm_id}/edit", urlencode(fields),
                        headers={**staff, "Referer": f"http://127.0.0.1:{one.port}/staff/"})[0]
        began = time.monotonic()
        after = request(two.port, "GET", "/calendar.ics")[2]
        figures["edit_status"] = saved
        figures["before_had_old_venue"] = "Before the drill" in before
        figures["other_feed_shows_change"] = "Changed through server one" in after
        figures["other_feed_ms"] = round((time.monotonic() - began) * 1000)

        # One browser, its sends alternating between the two servers: the limit is shared.
        status, got, page = request(one.port, "GET", "/es/concerns/new")
        token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]*)"', page)[1])
        form = {"cookie": got["cookie"], "csrf_token": token}
        limit = int(one.app.config["CONCERN_RATE_LIMIT"].split("/")[0])
        statuses = []
        for n in range(limit + 1):
            with one.app.test_request_context("/es/concerns/new"):
                key = receipts.new_idempotency_key()
                form.update(idempotency_key=key, started=form_stamp(key))
            post = intake.submission(form, n, company_id)
            port = (one, two)[n % 2].port
            statuses.append(request(port, "POST", post["path"], post["body"],
                                    post["headers"])[0])
        figures["rate_limit_statuses"] = statuses
        figures["rate_limit_held"] = statuses == [200] * limit + [429]

        # Redis stops: pages, feeds and the form go on; the limits fall back to each
        # process's memory until it is back.
        redis.stop()
        down = {}
        for name, path in (("home", "/en/"), ("feed", "/calendar.ics"),
                           ("form", "/pt/concerns/new")):
            down[name] = request(two.port, "GET", path)[0]
        status, got, page = request(two.port, "GET", "/pt/concerns/new")
        if status == 200:
            token = html.unescape(re.search(r'name="csrf_token"[^>]*value="([^"]*)"',
                                            page)[1])
            with one.app.test_request_context("/pt/concerns/new"):
                key = receipts.new_idempotency_key()
                post = intake.submission({"cookie": got["cookie"], "csrf_token": token,
                                          "idempotency_key": key, "started": form_stamp(key)},
                                         0, company_id)
            down["submit"] = request(two.port, "POST", "/pt/concerns/new", post["body"],
                                     post["headers"])[0]
        figures["redis_down_statuses"] = down
        redis.start()
        figures["redis_back_home"] = request(one.port, "GET", "/en/")[0]
        figures["held"] = (figures["other_feed_shows_change"] and figures["rate_limit_held"]
                           and set(down.values()) == {200} and saved == 302)
        return report("two servers, one Redis (PostgreSQL)", figures)
    finally:
        one.close()
        two.close()
        redis.stop()


def errors_logged(log: Path, keep: str | None = None) -> dict:
    """The exceptions in the app's error lines (agmtool.logs' JSON), by their last line;
    the log is copied to ``keep`` when given."""
    if keep:
        shutil.copy(log, keep)
    found: Counter = Counter()
    for line in log.read_text().splitlines():
        if line.startswith("{") and '"level": "ERROR"' in line:
            error = json.loads(line).get("error", "")
            found[error.strip().splitlines()[-1][:120] if error else "?"] += 1
    return dict(found)


class Postgres:
    """A PostgreSQL server of the drill's own (initdb in a temporary folder, on a free port,
    run as the postgres user when started as root), so that it can be stopped and started
    without touching anyone else's."""

    def __init__(self):
        # Not inside the drill's own temporary folder, which only its owner may enter.
        folder = Path(tempfile.mkdtemp(prefix="agmtool-drill-pg-"))
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(folder, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E",
                  "UTF8", "--locale=C.UTF-8")

    def _run(self, program: str, *args: str) -> None:
        command = [str(PG_BIN / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        if done.returncode:
            raise SystemExit(f"drill: {program} failed: {done.stderr.strip()}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"),
                  "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                  "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


def fault_drill(name: str, run: Drill, company_id: int, fault, mend) -> dict:
    """Submissions at 20 at once; ``fault()`` after a second, ``mend()`` DOWN seconds later;
    what the senders got, what was stored, and whether the server answered again without a
    restart."""
    requests, order = run.submissions(1200, company_id)
    results: list = []
    sender = threading.Thread(target=lambda: results.extend(run.load.ask(
        op="run", port=run.port, requests=requests, count=len(requests), concurrency=20,
        capture=ANSWER, fresh=True)["results"]))
    sender.start()
    time.sleep(1.0)
    fault()
    faulted = time.monotonic()
    time.sleep(DOWN)
    mend()
    mended = time.monotonic()
    recovered = None
    while time.monotonic() - mended < 60:
        if run.get("/healthz")[0] == 200:
            recovered = time.monotonic() - mended
            break
        time.sleep(0.1)
    sender.join()
    codes = {r["capture"] for r in results if r["status"] == 200 and r.get("capture")}
    kept = sum(1 for r in results if r["status"] == 503
               and (r.get("capture") or "").startswith(intake.BODY[:30]))
    found, total, distinct = stored(run, codes)
    statuses = Counter(r["status"] for r in results)
    return report(name, {
        "sent": len(results), "acknowledged": len(codes), "503": statuses.get(503, 0),
        "503_with_text_shown_back": kept,
        "other_5xx": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "no_answer": statuses.get(0, 0), "stored": total, "lost": len(codes) - found,
        "duplicates": total - distinct, "fault_seconds": round(mended - faulted, 1),
        "recovered_seconds_after_mend": None if recovered is None else round(recovered, 1),
        "errors_logged": errors_logged(run.log, keep=os.environ.get("DRILL_KEEP_LOG")),
        "integrity": integrity(run.url),
        "held": (recovered is not None and found == len(codes) and total == distinct
                 and kept == statuses.get(503, 0)
                 and not any(s >= 500 and s != 503 for s in statuses)),
    })


DOWN = 3.0


def database_drill(tmp: Path, _url: str) -> dict:
    """PostgreSQL stops while submissions arrive, and starts again."""
    server = Postgres()
    server.start()
    try:
        company_id = fresh_database(server.url)
        run = Drill(tmp, server.url)
        run.app = create_app(run.settings)
        try:
            run.start_server()
            return fault_drill("database stopped and started (PostgreSQL)", run, company_id,
                               server.stop, server.start)
        finally:
            run.close()
    finally:
        with contextlib.suppress(SystemExit):
            server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


def disk_drill(tmp: Path, _url: str) -> dict:
    """The disk the SQLite database is on fills up, then space is freed. (A small tmpfs is
    mounted for it, which needs root.)"""
    if os.geteuid() != 0:
        return report("disk full (SQLite)", {"skipped": "mounting a small disk needs root"})
    disk = tmp / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], check=True)
    filler = disk / "filler"
    try:
        url = f"sqlite:///{disk / 'drill.sqlite'}"
        company_id = fresh_database(url)
        run = Drill(tmp, url)
        run.app = create_app(run.settings)

        def fill() -> None:
            with open(filler, "wb") as out:
                try:
                    while True:
                        out.write(b"\0" * (1 << 20))
                        out.flush()
                except OSError:
                    pass  # full

        try:
            run.start_server()
            return fault_drill("disk full (SQLite)", run, company_id, fill,
                               lambda: filler.unlink())
        finally:
            run.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


DRILLS = {"load": load_drill, "kill": kill_drill, "redis": redis_drill,
          "database": database_drill, "disk": disk_drill}


def main(argv: list[str] | None = None) -> int:
    chosen = list(argv if argv is not None else sys.argv[1:]) or ["load", "kill"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = database_url(tmp)
        failed = []
        for name in chosen:
            (tmp / name).mkdir()
            figures = DRILLS[name](tmp / name, url)
            if figures.get("lost") or figures.get("5xx") or figures.get("duplicates") or \
                    figures.get("held") is False:
                failed.append(name)
        print("drill: " + ("FAILED " + ", ".join(failed) if failed else "every drill held"))
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
