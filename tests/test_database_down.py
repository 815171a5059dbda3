"""An unreachable database (here: a SQLite file in a folder that does not exist; the drills
do it for real with a PostgreSQL that stops) answers 503 in the reader's language, shows
back what they typed, writes nothing, and the app recovers by itself once the database is
back."""

from __future__ import annotations

import re

import helpers
import pytest

from agmtool import create_app

BODY = "El agua del pozo sale amarilla desde enero y nadie nos responde."


@pytest.fixture
def unreachable(tmp_path):
    url = f"sqlite:///{tmp_path / 'not-yet' / 'agmtool.sqlite'}"
    app = create_app(helpers.base_config(url, CONCERN_MIN_FILL_SECONDS=0))
    yield app, tmp_path / "not-yet"
    with app.app_context():
        from agmtool.extensions import db

        db.engine.dispose()


def test_a_submission_while_the_database_is_unreachable_gets_503_with_its_text(unreachable):
    app, _ = unreachable
    client = app.test_client()
    answer = client.post("/es/concerns/new", data={"body": BODY, "company": "other",
                                                    "place": "San Juan"},
                         headers={"Referer": "http://localhost/es/concerns/new"})
    page = answer.text
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "60")
    assert re.search(r"<h1>([^<]+)</h1>", page).group(1) == "No se pudo hacer ahora"
    assert re.findall(r'<textarea class="kept"[^>]*>([^<]*)</textarea>', page) == [
        BODY, "San Juan"]
    assert '<a href="/es/concerns/new">Abrir el formulario de nuevo</a>' in page


def test_pages_and_the_health_check_say_503_until_the_database_is_back(unreachable):
    app, folder = unreachable
    client = app.test_client()
    page = client.get("/pt/agms/")
    assert (page.status_code, re.search(r"<h1>([^<]+)</h1>", page.text).group(1)) == (
        503, "Não foi possível fazer isto agora")
    assert client.get("/healthz").status_code == 503
    folder.mkdir()  # the fault ends: the next request finds the database
    health = client.get("/healthz")
    assert (health.status_code, health.text) == (200, "ok")
