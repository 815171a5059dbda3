"""The application factory, configuration, health, the language redirect and headers."""

import pytest

from agmtool import create_app
from agmtool.extensions import db
from agmtool.models import Role
from agmtool.security import CONTENT_SECURITY_POLICY


def test_root_redirects_to_the_best_browser_language(client):
    response = client.get("/", headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/pt/"


def test_root_falls_back_to_english(client):
    response = client.get("/", headers={"Accept-Language": "de-DE"})
    assert response.headers["Location"] == "/en/"


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_unknown_language_prefix_is_not_found(client):
    assert client.get("/fr/").status_code == 404


def test_security_headers_on_every_page(client):
    headers = client.get("/en/").headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # the tests run over plain HTTP


def test_https_pages_ask_for_https_from_then_on(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = app.test_client().get("/en/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_staff_page_is_kept_in_a_cache(client, make_user, log_in):
    log_in(client, make_user("staff@example.org", role=Role.STAFF))
    for path in ("/staff/", "/staff/concerns/", "/staff/login"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/calendar/x%00.ics", "/en/agms/?q=%00", "/en/%00"])
def test_a_nul_in_the_address_is_a_bad_request(client, path):
    response = client.get(path)
    assert (response.status_code, response.headers["Content-Type"]) == (
        400, "text/html; charset=utf-8")


def test_environment_overrides_defaults(_schema, monkeypatch):
    monkeypatch.setenv("AGMTOOL_LANGUAGES", "en, es")
    monkeypatch.setenv("AGMTOOL_SECRET_KEY", "k" * 20 + "abcdefghijklmnop")
    monkeypatch.setenv("AGMTOOL_DATABASE_URL", _schema)
    monkeypatch.setenv("AGMTOOL_BASE_URL", "https://agm.example.org")
    app = create_app()
    assert app.config["LANGUAGES"] == ["en", "es"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == _schema
    assert app.config["BASE_URL"] == "https://agm.example.org"
    assert app.config["SECRET_KEY"] == "k" * 20 + "abcdefghijklmnop"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_cookies_are_secure_httponly_and_lax_outside_local_development(_schema, monkeypatch):
    monkeypatch.setenv("AGMTOOL_SECRET_KEY", "k" * 20 + "abcdefghijklmnop")
    monkeypatch.setenv("AGMTOOL_BASE_URL", "https://agm.example.org")
    monkeypatch.setenv("AGMTOOL_DATABASE_URL", _schema)
    config = create_app().config
    assert (config["SESSION_COOKIE_SECURE"], config["SESSION_COOKIE_HTTPONLY"],
            config["SESSION_COOKIE_SAMESITE"]) == (True, True, "Lax")
    monkeypatch.setenv("AGMTOOL_LOCAL_DEVELOPMENT", "1")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("key", [None, "dev", "short-key", "a" * 64])
def test_production_refuses_a_weak_secret_key(key, tmp_path, monkeypatch):
    monkeypatch.delenv("AGMTOOL_SECRET_KEY", raising=False)
    if key:
        monkeypatch.setenv("AGMTOOL_SECRET_KEY", key)
    monkeypatch.setenv("AGMTOOL_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("AGMTOOL_BASE_URL", "https://agm.example.org")
    monkeypatch.setattr("agmtool.security.key_file", lambda app: tmp_path / "absent")
    with pytest.raises(SystemExit, match="agmtool refuses to start: .*AGMTOOL_SECRET_KEY"):
        create_app()


def test_production_refuses_to_start_without_a_base_url(_schema, monkeypatch):
    monkeypatch.setenv("AGMTOOL_SECRET_KEY", "k" * 20 + "abcdefghijklmnop")
    monkeypatch.setenv("AGMTOOL_DATABASE_URL", _schema)
    monkeypatch.delenv("AGMTOOL_BASE_URL", raising=False)
    with pytest.raises(SystemExit, match="AGMTOOL_BASE_URL is not set"):
        create_app()


def test_a_forged_host_is_refused_when_the_base_url_is_set(_schema, monkeypatch):
    monkeypatch.setenv("AGMTOOL_SECRET_KEY", "k" * 20 + "abcdefghijklmnop")
    monkeypatch.setenv("AGMTOOL_DATABASE_URL", _schema)
    monkeypatch.setenv("AGMTOOL_BASE_URL", "https://agm.example.org")
    app = create_app()
    client = app.test_client()
    assert client.get("/healthz", base_url="https://agm.example.org").text == "ok"
    assert client.get("/healthz", base_url="https://forged.example").status_code == 400
    with app.app_context():
        db.engine.dispose()  # no pooled connection left for the garbage collector to find


def test_reset_tokens_and_client_addresses_stay_out_of_the_request_log():
    import logging

    from agmtool.logs import DevServerLine

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1,
        '203.0.113.9 - - [23/Nov/2026 10:00:00] "%s" %s %s\n',
        ("GET /staff/reset/Abc-123_secret HTTP/1.1", "200", "-"), None)
    DevServerLine().filter(record)
    assert record.getMessage() == (
        '- - - [23/Nov/2026 10:00:00] "GET /staff/reset/… HTTP/1.1" 200 -\n')
