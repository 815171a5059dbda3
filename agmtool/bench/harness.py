"""The bench's harness: it seeds a database, serves the app with gunicorn on 127.0.0.1 through
the repository's gunicorn.conf.py, drives it with the load generator (agmtool.bench.load)
in another process, runs every registered measure, prints the table and writes
bench-results.json.

The configuration is production's (agmtool/config.py), except the database, a throwaway
secret key, and rate limits and the concern form's minimum fill time turned off, which would
otherwise refuse the load; the bench says so when it starts.
"""

from __future__ import annotations

import http.client
import importlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agmtool import bench, create_app
from agmtool.bench import seed
from agmtool.bench.server import SETTINGS
from agmtool.config import ROOT

RESULTS = ROOT / "bench-results.json"
# The modules whose measures run, in this order (the server's state carries over from one
# to the next: the export runs before the submissions add their concerns, the translation
# figures seed their own concerns and segments last but the PDF's). "pack_cached_vs_static"
# and "page_during_pdf_vs_alone" go with the packs' pages.
MODULES = ("feeds", "export", "intake", "memory", "restart", "translation", "pdf")
PAIRS = 7  # A then B, this many times; the median of the pairs' ratios is the figure
TIME_BUDGET = 300
BASE_URL = "https://agm.example.org"


def database_url(tmp: Path) -> str:
    if os.environ.get("DB") == "postgres":
        return os.environ.get("AGMTOOL_BENCH_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/agmtool_bench")
    return f"sqlite:///{tmp / 'bench.sqlite'}"


class Load:
    """The load generator's process and the commands sent to it."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agmtool.bench.load"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, cwd=ROOT)

    def ask(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"load generator: {answer['error']}")
        return answer

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


class Run:
    """One bench run: the settings, the app in this process (for seeding, edits and the
    in-process figures), the gunicorn server and the load generator."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.static = tmp / "static"
        self.static.mkdir()
        self.url = database_url(tmp)
        self.settings = {
            "SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": secrets.token_hex(32),
            "BASE_URL": BASE_URL,
            # Off, so that the load is not refused: the two changes to production's settings.
            "RATELIMIT_ENABLED": False, "CONCERN_MIN_FILL_SECONDS": 0,
            "BENCH_ENDPOINTS": True, "BENCH_STATIC_DIR": str(self.static),
        }
        self.app = None
        self.server: subprocess.Popen | None = None
        self.port = 0
        self.load = Load()
        self.started = time.monotonic()

    @property
    def database(self) -> str:
        return "PostgreSQL" if self.url.startswith("postgresql") else "SQLite"

    # --- the server ----------------------------------------------------------------------

    def start_server(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "agmtool.bench.server:create_app()"],
            cwd=ROOT, env={**os.environ, SETTINGS: json.dumps(self.settings),
                          # production's access log, formatted and written, but not shown
                          "AGMTOOL_ACCESS_LOG": os.devnull})
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: gunicorn did not start")
            time.sleep(0.2)
        # Both workers up: each has answered a request.
        while len(self.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        seen = set()
        while len(seen) < 2 and time.monotonic() < deadline:
            seen.add(self.worker_state()["pid"])

    def stop_server(self) -> None:
        if self.server is None:
            return
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server = None

    def restart_server(self) -> None:
        self.stop_server()
        self.start_server()

    def workers(self) -> list[int]:
        """The gunicorn workers' process ids."""
        pid = self.server.pid
        try:
            return [int(child) for child in
                    Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def rss_mib(self, pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for process {pid}")

    def worker_state(self) -> dict:
        return json.loads(self.get("/bench/worker")[2])

    # --- requests ------------------------------------------------------------------------

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """One plain request from this process (to read a page, not to measure it)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", path, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, dict(answer.headers), answer.read()
        finally:
            connection.close()

    def rate(self, requests: list[dict], count: int, concurrency: int = 8,
             expect: int = 200, **options) -> dict:
        """Send ``count`` requests through the load generator; requests/s and the rest."""
        answer = self.load.ask(op="run", port=self.port, requests=requests, count=count,
                               concurrency=concurrency, **options)
        wrong = [r for r in answer["results"] if r["status"] != expect]
        if wrong:
            raise SystemExit(f"bench: {requests[0]['path']}: {len(wrong)} of {count} answers "
                             f"were not {expect} (first: {wrong[0]})")
        answer["rate"] = count / answer["seconds"]
        return answer

    def ratio(self, a, b) -> tuple[float, list[float], float, float]:
        """A then B, PAIRS times, each a callable returning a rate(); the median of the
        pairs' ratios, the ratios, and each side's median requests/s."""
        ratios, rates_a, rates_b = [], [], []
        for _ in range(PAIRS):
            rate_a, rate_b = a()["rate"], b()["rate"]
            ratios.append(rate_a / rate_b)
            rates_a.append(rate_a)
            rates_b.append(rate_b)
        return (statistics.median(ratios), ratios, statistics.median(rates_a),
                statistics.median(rates_b))

    def first_byte(self, request: dict) -> dict:
        return self.load.ask(op="first_byte", port=self.port, request=request)

    def staff_cookie(self) -> str:
        """The session cookie of a staff member logged in (made here, as a login would)."""
        if getattr(self, "_staff_cookie", None) is None:
            from agmtool.accounts import domain as accounts
            from agmtool.extensions import db
            from agmtool.models import Role

            with self.app.app_context():
                user = accounts.create_user(f"bench-{secrets.token_hex(4)}@example.org",
                                           Role.STAFF)
                token = accounts.start_session(user)
                db.session.commit()
                signed = self.app.session_interface.get_signing_serializer(self.app).dumps(
                    {"sid": token})
                db.session.remove()
            self._staff_cookie = f"{self.app.config['SESSION_COOKIE_NAME']}={signed}"
        return self._staff_cookie

    def put_static(self, name: str, body: bytes) -> str:
        (self.static / name).write_bytes(body)
        return f"/bench/static/{name}"

    def note(self, text: str) -> None:
        print(f"bench:   {text} ({time.monotonic() - self.started:.0f} s)", flush=True)

    def over_budget(self) -> bool:
        return time.monotonic() - self.started > TIME_BUDGET

    def close(self) -> None:
        self.stop_server()
        self.load.close()


def spread(ratios: list[float]) -> str:
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


def main(argv: list[str] | None = None) -> int:
    """Run every module's measures, or those of the modules named in ``argv`` (to work on
    one figure: `python -m agmtool.bench intake`)."""
    chosen = list(argv if argv is not None else sys.argv[1:]) or list(MODULES)
    unknown = sorted(set(chosen) - set(MODULES))
    if unknown:
        raise SystemExit(f"bench: no module {', '.join(unknown)}; the modules: "
                         f"{', '.join(MODULES)}")
    for name in MODULES:
        if name in chosen:
            importlib.import_module(f"agmtool.bench.{name}")
    results: dict[str, bench.Result] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        run = Run(Path(tmp_name))
        print(f"bench: the production configuration except: rate limits OFF, the concern "
              f"form's minimum fill time OFF; database {run.database}; gunicorn from "
              f"gunicorn.conf.py on 127.0.0.1; {seed.MEETINGS:,} meetings, "
              f"{seed.CONCERNS:,} concerns", flush=True)
        started = time.monotonic()
        seed.prepare(create_app({**run.settings, "TESTING": True}))
        run.app = create_app(run.settings)
        print(f"bench: database ready in {time.monotonic() - started:.0f} s", flush=True)
        try:
            run.start_server()
            for keys, measure in bench.MEASURES:
                began = time.monotonic()
                found = measure(run)
                results.update(found)
                print(f"bench: {', '.join(keys)} in {time.monotonic() - began:.0f} s",
                      flush=True)
        finally:
            run.close()
            with run.app.app_context():
                from agmtool.extensions import db

                db.engine.dispose()
    took = time.monotonic() - run.started
    print_table(results)
    RESULTS.write_text(json.dumps(
        {key: results[key].value for key in bench.FIGURES if key in results}, indent=2) + "\n")
    print(f"bench: wrote {RESULTS.name} in {took:.0f} s on {run.database}"
          + (f" (over the {TIME_BUDGET} s budget)" if took > TIME_BUDGET else ""))
    return 0


def print_table(results: dict[str, bench.Result]) -> None:
    print(f"\n{'figure':<33} {'value':>9}  {'target':<7} {'pairs':<10} detail")
    group = None
    for key, figure in bench.FIGURES.items():
        if figure.group != group:
            group = figure.group
            print(f"-- {group}")
        if key not in results:
            print(f"{key:<33} {'not measured':>9}")
            continue
        result = results[key]
        print(f"{key:<33} {result.value:>9}  {figure.target:<7} {result.spread:<10} "
              f"{result.detail}")
