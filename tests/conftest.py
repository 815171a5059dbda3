"""Fixtures: an app on a real database (SQLite, or PostgreSQL when
AGMTOOL_TEST_DATABASE_URL is set), a client, a CLI runner, factories, and a live server with
Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date, time
from pathlib import Path

import helpers
import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from agmtool import create_app
from agmtool.accounts import domain as accounts
from agmtool.concerns import domain as concerns
from agmtool.extensions import db as _db
from agmtool.models import (
    AGM,
    AGMStatus,
    Attribution,
    Channel,
    Company,
    Concern,
    ConcernStatus,
    Listing,
    Role,
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """SQLite in the run's temporary folder; on PostgreSQL, with pytest-xdist, a database of
    its own for each worker, made beside the one named and dropped at the end."""
    url = os.environ.get("AGMTOOL_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    if worker_id == "master":
        yield url
        return
    named = make_url(url)
    own = f"{named.database}_{worker_id}"
    admin = create_engine(named, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{own}"'))
    yield named.set(database=own).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    """Migrate the test database to head once per run (from empty)."""
    app = create_app(helpers.base_config(database_url))
    with app.app_context():
        _db.drop_all()
        with _db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        _db.engine.dispose()
    return database_url


def _empty_tables() -> None:
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the configuration of ``app``."""
    return {}


@pytest.fixture
def app(_schema, app_config):
    app = create_app(helpers.base_config(_schema, **app_config))
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories --------------------------------------------------------------------------

@pytest.fixture
def make_user(db):
    def make(email="someone@example.org", role=Role.STAFF, password=helpers.PASSWORD,
             languages=(), totp=None, **values):
        user = accounts.create_user(email, role, password=password, languages=list(languages))
        if totp is None:
            totp = accounts.needs_totp(user)
        if totp:
            user.totp_secret = pyotp.random_base32()
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


@pytest.fixture
def log_in(db):
    """Give ``client`` a logged-in session for ``user`` without going through the forms."""

    def log_in(client, user):
        token = accounts.start_session(user)
        db.session.commit()
        with client.session_transaction() as session:
            session["sid"] = token
        return token

    return log_in


@pytest.fixture
def make_company(db):
    def make(slug="glencore", name="Glencore", listings=(("Glencore plc", "LSE", "GLEN"),)):
        company = Company(slug=slug, name=name, listings=[
            Listing(entity_name=e, exchange=x, ticker=t) for e, x, t in listings
        ])
        db.session.add(company)
        db.session.commit()
        return company

    return make


@pytest.fixture
def make_agm(db, make_company):
    def make(company=None, local_date=date(2027, 5, 26), local_time=time(10, 30),
             timezone="Europe/Zurich", status=AGMStatus.ANNOUNCED, **values):
        company = company or make_company()
        agm = AGM(company=company, local_date=local_date, local_time=local_time,
                  timezone=timezone, status=status, **values)
        db.session.add(agm)
        db.session.commit()
        return agm

    return make


@pytest.fixture
def make_concern(db):
    def make(body="The river is brown since the new pit opened.", language="en", **values):
        values.setdefault("status", ConcernStatus.RECEIVED)
        values.setdefault("channel", Channel.FORM)
        values.setdefault("attribution", Attribution.ANONYMOUS)
        values.setdefault("reply_language", language)
        concern = Concern(body=body, language=language, **values)
        db.session.add(concern)
        db.session.flush()
        concerns.sync_translations(concern)  # as every domain function that stores words
        concerns.refresh_search_text(concern)
        db.session.commit()
        return concern

    return make


# --- the browser ------------------------------------------------------------------------

@pytest.fixture
def live_server(app):
    """Serve ``app`` on a free local port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    if not Path(helpers.CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Chromium not found at {helpers.CHROMIUM}: "
                    "install the Debian package chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=helpers.CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


