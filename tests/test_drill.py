"""`make drill` is long, so `make test` runs its pieces: a small load through gunicorn with
re-sends, one kill -9 and restart, the form reader, the error counter and the integrity
check. Each drill runs on its own SQLite file (a drill empties its database)."""

from __future__ import annotations

import json
import sqlite3

from agmtool.bench import drill


def test_a_small_load_with_resends_stores_each_acknowledged_submission_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'drill.sqlite'}"
    figures = drill.load_drill(tmp_path, url, submissions=80, resends=15, at_once=20)
    assert {key: figures[key] for key in (
        "sent", "acknowledged", "unique_acknowledged", "resend_with_another_receipt", "5xx",
        "stored", "acknowledged_stored", "lost", "duplicates", "database_is_locked",
        "integrity")} == {
        "sent": 80, "acknowledged": 80, "unique_acknowledged": 65,
        "resend_with_another_receipt": 0, "5xx": 0, "stored": 65, "acknowledged_stored": 65,
        "lost": 0, "duplicates": 0, "database_is_locked": 0,
        "integrity": "PRAGMA integrity_check: ok"}


def test_kill_9_and_restart_loses_no_acknowledged_submission(tmp_path):
    url = f"sqlite:///{tmp_path / 'drill.sqlite'}"
    figures = drill.kill_drill(tmp_path, url, trials=1, per_trial=150, between=(0.3, 0.3))
    assert (figures["trials"], figures["sent"], figures["lost"], figures["duplicates"],
            figures["integrity"]) == (1, 150, 0, 0, "PRAGMA integrity_check: ok")
    # killed in mid-stream: some were answered before the kill, a few may be stored without
    # their answer arriving
    assert 45 <= figures["stored_at_each_kill"][0] < 150
    assert 0 < figures["acknowledged"] <= figures["stored"]


def test_the_form_reader_sends_back_what_a_browser_would():
    page = """<form method="post" action="/other"><input name="x" value="no"></form>
    <form method="post" action="/staff/agms/3/edit">
      <input type="hidden" name="csrf_token" value="tok">
      <input name="venue" value="Hall &amp; Annex">
      <input type="checkbox" name="tbc" value="y">
      <input type="checkbox" name="webcast" value="y" checked>
      <select name="status"><option value="expected">E</option>
        <option value="announced" selected>A</option></select>
      <select name="timezone"><option value="Europe/London">L</option></select>
      <textarea name="address">1 Main St
Town</textarea>
      <input type="submit" value="Save">
    </form>"""
    assert drill.form_fields(page, "/staff/agms/3/edit") == [
        ("csrf_token", "tok"), ("venue", "Hall & Annex"), ("webcast", "y"),
        ("status", "announced"), ("timezone", "Europe/London"), ("address", "1 Main St\nTown")]


def test_errors_are_counted_from_the_apps_json_lines(tmp_path):
    log = tmp_path / "gunicorn.log"
    line = {"at": "2026-11-29T20:00:00Z", "level": "ERROR", "logger": "agmtool",
            "message": "Exception on /es/concerns/new [POST]",
            "error": "Traceback (most recent call last):\n  ...\nKeyError: 'x'"}
    log.write_text("[2026-11-29 20:00:00 +0000] [1] [INFO] Booting worker\n"
                   + json.dumps(line) + "\n" + json.dumps(line) + "\n"
                   + json.dumps({**line, "level": "WARNING"}) + "\n")
    assert drill.errors_logged(log) == {"KeyError: 'x'": 2}


def test_the_integrity_check_reports_what_sqlite_says(tmp_path):
    path = tmp_path / "x.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (a)")
    assert drill.integrity(f"sqlite:///{path}") == "PRAGMA integrity_check: ok"
