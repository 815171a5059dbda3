"""The migrations build the schema of the models, from empty and back, on each database."""

import subprocess
import sys

import helpers
import pytest
from alembic.runtime.migration import MigrationContext
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from agmtool import create_app
from agmtool.extensions import db


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        connection.execute(text("CREATE SCHEMA migration_test"))
    yield url.update_query_dict({"options": "-csearch_path=migration_test"}).render_as_string(
        hide_password=False
    )
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA migration_test CASCADE"))
    engine.dispose()


def test_upgrade_to_head_and_down_to_empty(empty_database_url):
    app = create_app(helpers.base_config(empty_database_url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert tables == set(db.metadata.tables) | {"alembic_version"}
        check()  # raises when the models and the migrations disagree
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() is None
        db.engine.dispose()


def test_serving_refuses_a_database_behind_its_migrations(empty_database_url, tmp_path):
    env = {"AGMTOOL_DATABASE_URL": empty_database_url, "PATH": "/usr/bin:/bin",
           "AGMTOOL_BASE_URL": "https://agm.example.org",
           "AGMTOOL_SECRET_KEY": "s3cret-key-for-this-test-0123456789abcdef"}
    flask = [sys.executable, "-m", "flask", "--app", "agmtool"]
    served = subprocess.run([*flask, "run", "--port", "0"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert served.returncode == 1
    assert "is at revision none (empty), behind the migrations" in served.stderr
    assert "Run `flask --app agmtool db upgrade`" in served.stderr
    # The db commands still work against that database, and then serving is allowed.
    upgraded = subprocess.run([*flask, "db", "upgrade"], env=env, capture_output=True,
                              text=True, timeout=60)
    assert upgraded.returncode == 0, upgraded.stderr
    app = create_app(helpers.base_config(empty_database_url, TESTING=False,
                                 BASE_URL="https://agm.example.org"))
    assert app.testing is False
    with app.app_context():
        db.engine.dispose()


def test_sqlite_connections_are_set_for_concurrent_writers(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        values = [connection.execute(text(f"PRAGMA {name}")).scalar()
                  for name in ("journal_mode", "busy_timeout", "foreign_keys", "secure_delete")]
    assert values == ["wal", 5000, 1, 1]


def test_upgrading_fills_in_what_earlier_rows_lack(empty_database_url):
    """Rows written before a migration get its derived columns: search text, estimates."""
    app = create_app(helpers.base_config(empty_database_url))
    with app.app_context():
        upgrade(revision="73491dd1d466")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO company (id, slug, name, version) VALUES (1, 'vale', 'Vale', 1)"))
            for number, status in ((1, "expected"), (2, "confirmed")):
                connection.execute(text(
                    "INSERT INTO agm (id, company_id, kind, local_date, timezone, fold, status,"
                    " sequence, version, created_at, updated_at) VALUES (:id, 1, 'agm',"
                    " '2027-04-29', 'America/Sao_Paulo', 0, :status, 0, 1, '2026-01-01',"
                    " '2026-01-01')"), {"id": number, "status": status})
            connection.execute(text(
                "INSERT INTO concern (id, status, channel, language, reply_language, body,"
                " place, attribution, may_quote, version, received_on)"
                " VALUES (1, 'received', 'form', 'pt', 'pt', 'A lama de Fundão chegou.',"
                " 'Mariana', 'anonymous', false, 1, '2026-01-01')"))
            connection.execute(text(
                "UPDATE concern SET clarification = 'Onde?'"))
            connection.execute(text(
                "INSERT INTO translation (concern_id, language, text, state, version,"
                " source_version, updated_at) VALUES (1, 'en', 'The MUD reached us.',"
                " 'draft', 1, 1, '2026-01-01')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT search_text FROM concern")).scalar() == (
                "a lama de fundao chegou. mariana the mud reached us.")
            assert connection.execute(text(
                "SELECT id FROM agm WHERE date_estimated ORDER BY id")).scalars().all() == [1]
            assert connection.execute(text(
                "SELECT concern_id, question, answer FROM clarification")).all() == [
                (1, "Onde?", None)]
        db.engine.dispose()
