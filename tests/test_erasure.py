"""Erased words leave every file of the database: the main file, its WAL and its index."""

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from agmtool.concerns import domain as concerns
from agmtool.models import Concern


@pytest.fixture
def app_config():
    return {"CONCERN_MIN_FILL_SECONDS": 0}


@pytest.fixture
def sqlite_files(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("the files of a SQLite database")
    path = Path(url.removeprefix("sqlite:///"))

    def files() -> dict[str, bytes]:
        found = {}
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = Path(f"{path}{suffix}")
            if candidate.exists():
                found[candidate.name] = candidate.read_bytes()
        return found

    return files


def holding(files: dict[str, bytes], word: str) -> list[str]:
    needles = [word.encode("utf-8"), word.encode("utf-16-le")]
    return sorted(name for name, data in files.items() if any(n in data for n in needles))


def _submit(client, text: str, **values) -> str:
    page = client.get("/es/concerns/new").text
    fields = {name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)
              for name in ("idempotency_key", "started")}
    response = client.post("/es/concerns/new", data=fields | {
        "company": "other", "attribution": "anonymous", "reply_language": "es",
        "body": text, **values})
    return re.search(r'<p class="receipt" lang="en">([^<]+)</p>', response.text).group(1)


def test_a_withdrawn_concern_s_words_are_in_no_database_file(client, db, sqlite_files):
    canary = f"canario{uuid.uuid4().hex}"
    contact = f"contacto{uuid.uuid4().hex}"
    code = _submit(client, f"El río está sucio {canary} desde marzo.",
                   contact_details=f"+57 300 {contact}")
    db.session.remove()
    assert holding(sqlite_files(), canary)  # it was written
    response = client.post("/es/status/withdraw", data={"code": code, "confirm": "y"})
    assert "Usted retiró esta inquietud." in response.text
    db.session.remove()
    files = sqlite_files()
    assert "test.sqlite" in files
    assert holding(files, canary) == []
    assert holding(files, contact) == []


def test_purged_contact_details_are_in_no_database_file(app, db, make_concern, sqlite_files):
    contact = f"contacto{uuid.uuid4().hex}"
    concern_id = make_concern(contact_details=f"+62 812 {contact}", contact_name="Ana",
                              closed_on=date.today() - timedelta(days=400)).id
    assert holding(sqlite_files(), contact)
    assert concerns.purge_contacts() == 1
    db.session.commit()
    db.session.remove()
    assert db.session.get(Concern, concern_id).contact_details is None
    db.session.remove()
    assert holding(sqlite_files(), contact) == []
