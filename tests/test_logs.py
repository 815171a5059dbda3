"""The logs keep no one's traces: a real gunicorn, served from gunicorn.conf.py, takes a
submission, a receipt code on the status page, a staff search and a reset link, from a
client sending its user agent, a Referer and a forwarded address; then its access log, its
error log and the app's own lines are read, and none of those is in them."""

from __future__ import annotations

import html
import http.client
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agmtool import logs
from agmtool.config import ROOT

AGENT = "TraceableBrowser/7.7.7-unique"
FORWARDED = "198.51.100.77"
CONCERN = "Los peces del arroyo Quebradita murieron en marzo"
CONTACT = "+57 300 555 0199"
SEARCH = "quebradita"
RESET_SECRET = "Zq9-reset-secret-token-31337"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """Plain HTTP/1.1 requests to the gunicorn under test, with a browser's headers."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | None = None, headers=None,
                cookie: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"User-Agent": AGENT, "X-Forwarded-For": FORWARDED,
                "Referer": f"http://127.0.0.1:{self.port}/staff/concerns/?q={SEARCH}",
                **(headers or {})}
        if cookie if cookie is not None else self.cookie:
            sent["Cookie"] = cookie if cookie is not None else self.cookie
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            for value in answer.headers.get_all("Set-Cookie") or []:
                if cookie is None:
                    self.cookie = value.split(";", 1)[0]
            return answer.status, answer.read().decode()
        finally:
            connection.close()


def hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1))


@pytest.fixture
def gunicorn(app, tmp_path):
    """gunicorn from the repository's gunicorn.conf.py serving the test database with the
    production configuration (the minimum fill time off, so a test need not wait), its
    access and error logs in files and its standard error (the app's lines) in another."""
    from agmtool.bench.server import SETTINGS

    port = free_port()
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": app.config["SECRET_KEY"], "BASE_URL": "https://agm.example.org",
                "CONCERN_MIN_FILL_SECONDS": 0}
    files = {name: tmp_path / f"{name}.log" for name in ("access", "error", "stderr")}
    env = {**os.environ, SETTINGS: json.dumps(settings),
           "AGMTOOL_ACCESS_LOG": str(files["access"]), "AGMTOOL_ERROR_LOG": str(files["error"]),
           "WEB_CONCURRENCY": "1", "AGMTOOL_THREADS": "2"}
    with open(files["stderr"], "w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", "agmtool.bench.server:create_app()"],
            cwd=ROOT, env=env, stdout=stderr, stderr=stderr)
    deadline = time.monotonic() + 60
    while True:
        try:
            if Client(port).request("GET", "/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, \
            files["stderr"].read_text()
        time.sleep(0.2)

    def stop() -> dict[str, str]:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        return {name: path.read_text() for name, path in files.items()}

    yield port, stop
    if server.poll() is None:
        server.kill()
        server.wait()


def test_a_real_gunicorn_logs_no_address_agent_referer_query_receipt_or_concern(
        gunicorn, make_user, make_company, db, app):
    from agmtool.accounts import domain as accounts

    port, stop = gunicorn
    company = make_company()
    staff = make_user("staff@example.org")
    token = accounts.start_session(staff)
    db.session.commit()
    staff_cookie = "agmtool_session=" + app.session_interface.get_signing_serializer(
        app).dumps({"sid": token})

    public = Client(port)
    status, form = public.request("GET", "/es/concerns/new")
    assert status == 200
    status, receipt_page = public.request("POST", "/es/concerns/new", {
        "csrf_token": hidden(form, "csrf_token"),
        "idempotency_key": hidden(form, "idempotency_key"),
        "started": hidden(form, "started"), "website": "", "company": str(company.id),
        "company_other": "", "place": "Quebradita", "community_name": "Vereda Alta",
        "topics": "water", "body": CONCERN, "wanted": "Que limpien el arroyo.",
        "attribution": "anonymous", "speaker_name": "", "contact_name": "Rosa",
        "contact_details": CONTACT, "reply_language": "es"})
    assert status == 200
    receipt = re.search(r'<p class="receipt" lang="en">([^<]+)</p>', receipt_page).group(1)
    status, status_page = public.request("POST", "/es/status", {
        "csrf_token": hidden(form, "csrf_token"), "code": receipt})
    assert (status, CONCERN in status_page) == (200, True)

    status, inbox = public.request("GET", f"/staff/concerns/?q={SEARCH}", cookie=staff_cookie)
    assert (status, CONCERN in inbox) == (200, True)
    status, _ = public.request("GET", f"/staff/reset/{RESET_SECRET}", cookie="")
    assert status == 404  # an unknown link
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.sendall(b"GARBAGE /staff/concerns/?q=" + SEARCH.encode() + b"\r\n\r\n")
        raw.recv(1024)

    written = stop()
    access = [json.loads(line) for line in written["access"].splitlines()]
    assert [(line["method"], line["path"], line["status"]) for line in access
            if line["path"] != "/healthz"] == [
        ("GET", "/es/concerns/new", 200), ("POST", "/es/concerns/new", 200),
        ("POST", "/es/status", 200), ("GET", "/staff/concerns/", 200),
        ("GET", "/staff/reset/…", 404)]
    assert {tuple(line) for line in access} == {
        ("at", "method", "path", "status", "bytes", "ms", "worker")}
    assert "Invalid request from ip=…" in written["error"]
    everything = "\n".join(written.values())
    for trace in ("127.0.0.1", AGENT, "TraceableBrowser", FORWARDED, SEARCH, "q=",
                  receipt, receipt.replace("-", ""), CONCERN, "Quebradita", CONTACT,
                  RESET_SECRET, "Referer", "Mozilla"):
        assert trace not in everything, trace


def test_the_access_line_has_the_documented_fields_only():
    line = logs.access_record("GET", "/staff/reset/abc123?next=/x", "302 FOUND", 17,
                              timedelta(milliseconds=41.6))
    assert line == {"at": line["at"], "method": "GET", "path": "/staff/reset/…",
                    "status": 302, "bytes": 17, "ms": 42, "worker": os.getpid()}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["at"])


@pytest.mark.parametrize("text, kept", [
    ("Invalid request from ip=203.0.113.9: bad line", "Invalid request from ip=…: bad line"),
    ("Invalid request from ip=2001:db8::17: bad", "Invalid request from ip=…: bad"),
    ("from ::ffff:192.0.2.1 and ::1", "from … and …"),
    ("Error handling request GET /staff/concerns/?q=river+pollution&page=2",
     "Error handling request GET /staff/concerns/"),
    ('"GET /staff/reset/Abc-123_secret HTTP/1.1" 200', '"GET /staff/reset/… HTTP/1.1" 200'),
    ("receipt 7K2M-QX9P-4RTV-8B seen", "receipt … seen"),
    ("PDF 3fa2c0d91e not rendered at 10:45:01", "PDF 3fa2c0d91e not rendered at 10:45:01"),
    ("Glencore AGM 2027-05-26, version 1.2.3", "Glencore AGM 2027-05-26, version 1.2.3"),
])
def test_scrub_removes_addresses_queries_secrets_and_receipts_only(text, kept):
    assert logs.scrub(text) == kept


def test_the_apps_lines_are_json_and_scrubbed(app, capsys):
    logger = logging.getLogger("agmtool.concerns.staff")
    handler = next(h for h in logging.getLogger("agmtool").handlers if h.get_name() == "agmtool")
    previous = handler.setStream(sys.stderr)  # pytest's captured stream
    try:
        logger.warning("search %s from %s", "/staff/concerns/?q=river", "203.0.113.9")
        try:
            raise ValueError("at /staff/reset/tok3n?x=1")
        except ValueError:
            logger.exception("failed")
    finally:
        handler.setStream(previous)
    first, second = [json.loads(line) for line in capsys.readouterr().err.splitlines()
                     if line.startswith("{")]
    assert first == {"at": first["at"], "level": "WARNING", "logger": "agmtool.concerns.staff",
                     "message": "search /staff/concerns/ from …"}
    assert (second["message"], "tok3n" in second["error"], "x=1" in second["error"],
            second["error"].splitlines()[-1]) == (
        "failed", False, False, "ValueError: at /staff/reset/…")


def test_gunicorn_trusts_forwarded_headers_only_from_the_configured_addresses(monkeypatch):
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["forwarded_allow_ips"], conf["worker_class"], conf["logger_class"],
            conf["accesslog"]) == ("127.0.0.1,::1", "gthread", "agmtool.logs.AccessLogger", "-")
    monkeypatch.setenv("AGMTOOL_FORWARDED_ALLOW_IPS", "10.0.0.5")
    monkeypatch.setenv("AGMTOOL_ACCESS_LOG", "")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["forwarded_allow_ips"], conf["accesslog"], conf["workers"]) == (
        "10.0.0.5", None, 5)


def test_a_random_secret_never_reaches_a_log_through_the_reset_path():
    secret = secrets.token_urlsafe(24)
    assert secret not in logs.scrub(f"GET /staff/reset/{secret} HTTP/1.1")


@given(st.ip_addresses(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                   max_size=30))
def test_no_address_survives_scrub_whatever_surrounds_it(address, query):
    line = logs.scrub(f"Invalid request from ip={address}: GET /staff/concerns/?q={query}")
    assert str(address) not in line.split("ip=", 1)[1]
    assert line.startswith("Invalid request from ip=…: GET /staff/concerns/")
