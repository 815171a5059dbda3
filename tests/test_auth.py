"""Logging in with a password and a TOTP code, server-side sessions, throttling, roles."""

import os
import re
import time
from datetime import timedelta

import helpers
import pyotp
import pytest

from agmtool.accounts import domain as accounts
from agmtool.models import Role, UserSession, utcnow


@pytest.fixture(autouse=True, params=["UTC", "America/Bogota", "Europe/London"])
def server_timezone(request):
    """Every test here runs on a server set to UTC, to UTC-5 and to London (UTC+1 in
    summer): a naive UTC time read as local time shows up as codes that never match."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


def post_login(client, email, password=helpers.PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def log_in_with_forms(client, user, password=helpers.PASSWORD):
    """The password, then the code: a whole login through the forms."""
    assert post_login(client, user.email, password).headers["Location"] == "/staff/login/verify"
    response = client.post("/staff/login/verify", data={"code": current_code(user)})
    assert response.headers["Location"] == "/staff/"


def current_code(user, ahead=0):
    totp = pyotp.TOTP(user.totp_secret)
    return totp.at(time.time() + ahead * totp.interval)


@pytest.mark.parametrize("role", [Role.TRANSLATOR, Role.ATTENDEE])
def test_translators_and_attendees_need_the_second_factor_too(client, make_user, db, role):
    user = make_user("tr@example.org", role=role, languages=["es"], totp=False)
    assert post_login(client, "tr@example.org").headers["Location"] == "/staff/login/setup"
    assert client.get("/staff/").headers["Location"] == "/staff/login?next=/staff/"
    secret = re.search(r'<code[^>]*>([A-Z2-7]{32})</code>', client.get(
        "/staff/login/setup").text).group(1)
    response = client.post("/staff/login/setup",
                           data={"code": pyotp.TOTP(secret).at(time.time())})
    assert response.headers["Location"] == "/staff/"
    db.session.refresh(user)
    assert user.totp_secret == secret


@pytest.mark.parametrize("app_config", [{"TOTP_REQUIRED_ROLES": ["admin", "staff"]}])
def test_a_deployment_can_drop_the_second_factor_for_a_role(client, make_user):
    make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"])
    response = post_login(client, "tr@example.org")
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/").text
    assert "You are logged in as: Translator." in page
    assert "Your translation languages: Español." in page


def test_staff_login_needs_the_second_factor(client, make_user):
    user = make_user("staff@example.org", role=Role.STAFF)
    response = post_login(client, "staff@example.org")
    assert response.headers["Location"] == "/staff/login/verify"
    # Without the code, the staff area is still closed.
    assert client.get("/staff/").headers["Location"] == "/staff/login?next=/staff/"
    response = client.post("/staff/login/verify", data={"code": current_code(user)})
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_used_totp_code_cannot_be_replayed(client, make_user, db):
    user = make_user("staff@example.org", role=Role.STAFF)
    code = current_code(user)
    post_login(client, "staff@example.org")
    client.post("/staff/login/verify", data={"code": code})
    other = client.application.test_client()
    post_login(other, "staff@example.org")
    response = other.post("/staff/login/verify", data={"code": code})
    assert response.status_code == 200
    assert "That code is not right." in response.text
    assert other.get("/staff/").status_code == 302


def test_first_login_of_an_admin_sets_up_totp(client, make_user, db):
    user = make_user("admin@example.org", role=Role.ADMIN, totp=False)
    assert post_login(client, "admin@example.org").headers["Location"] == "/staff/login/setup"
    page = client.get("/staff/login/setup").text
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', page).group(1)
    with client.session_transaction() as session:
        # The cookie, signed but readable, carries only a nonce, never the secret.
        assert secret not in repr(dict(session))
    assert client.get("/staff/login/setup").text.count(secret) >= 1  # the same on reload
    response = client.post("/staff/login/setup", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/staff/"
    db.session.refresh(user)
    assert user.totp_secret == secret


def test_wrong_password_is_refused_with_one_message(client, make_user):
    make_user("tr@example.org", role=Role.TRANSLATOR)
    for email in ("tr@example.org", "nobody@example.org"):
        response = post_login(client, email, "wrong password here")
        assert response.status_code == 200
        assert "That email and password do not match an active account." in response.text


def test_a_nul_in_the_email_is_an_ordinary_wrong_login(client, make_user):
    make_user("tr@example.org", role=Role.TRANSLATOR)
    response = post_login(client, "tr\x00@example.org", "wrong password here")
    assert response.status_code == 200  # PostgreSQL would refuse the NUL with a 500
    assert "That email and password do not match an active account." in response.text
    assert 'value="tr@example.org"' in response.text


def test_logins_are_throttled_per_account(client, make_user, db):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    for _ in range(5):
        post_login(client, "tr@example.org", "wrong password here")
    response = post_login(client, "tr@example.org")  # the right password, but locked
    assert "This account is locked for 15 more minutes." in response.text
    assert client.get("/staff/").status_code == 302
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    log_in_with_forms(client, user)


def test_cookie_replayed_after_logout_is_refused(client, make_user):
    log_in_with_forms(client, make_user("tr@example.org", role=Role.TRANSLATOR))
    cookie = client.get_cookie("agmtool_session").value
    client.post("/staff/logout")
    replay = client.application.test_client()
    replay.set_cookie("agmtool_session", cookie)
    response = replay.get("/staff/")
    assert response.headers["Location"] == "/staff/login?next=/staff/"


def test_deactivation_ends_every_session(client, make_user, log_in, db):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    admin = make_user("admin@example.org", role=Role.ADMIN)
    log_in(client, user)
    assert client.get("/staff/").status_code == 200
    accounts.update_user(user, admin, Role.TRANSLATOR, [], active=False, name=None,
                         seen_version=user.version)
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_idle_session_expires(client, make_user, log_in, db, app):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    log_in(client, user)
    record = db.session.scalar(db.select(UserSession))
    record.last_seen_at = utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/staff/").status_code == 302
    db.session.refresh(record)
    assert record.ended_at is not None


def test_password_change_logs_out_other_devices(client, make_user, log_in):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    other = client.application.test_client()
    log_in(client, user)
    log_in(other, user)
    response = client.post("/staff/account/password", data={
        "current": helpers.PASSWORD,
        "password": "a new long passphrase",
        "confirm": "a new long passphrase",
    })
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302


def test_translator_opening_a_staff_only_page_gets_403(client, make_user, log_in):
    log_in(client, make_user("tr@example.org", role=Role.TRANSLATOR))
    response = client.get("/staff/users/")
    assert response.status_code == 403
    assert "<h1>You cannot open this page</h1>" in response.text


def test_403_page_speaks_the_chosen_language(client, make_user, log_in):
    log_in(client, make_user("tr@example.org", role=Role.TRANSLATOR))
    client.get("/language/es?next=/staff/")
    response = client.get("/staff/users/")
    assert '<html lang="es">' in response.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/language/pt", query_string={"next": target})
    assert response.headers["Location"] == "/staff/"


def test_session_cookie_flags(client, make_user, app):
    app.config["SESSION_COOKIE_SECURE"] = True
    make_user("tr@example.org", role=Role.TRANSLATOR)
    response = post_login(client, "tr@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_ends_at_its_absolute_lifetime_even_when_busy(client, make_user, log_in, db, app):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    log_in(client, user)
    record = db.session.scalar(db.select(UserSession))
    record.created_at = utcnow() - app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(seconds=1)
    record.last_seen_at = utcnow()
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_failures_are_counted_in_the_database_not_on_a_stale_copy(make_user, db, app):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    # Four other requests failed meanwhile; this request's copy of the user still says 0.
    db.session.execute(db.update(type(user)).where(type(user).id == user.id)
                       .values(failed_logins=4).execution_options(synchronize_session=False))
    assert user.failed_logins == 0
    accounts.note_failure(user)
    db.session.commit()
    db.session.refresh(user)
    assert user.locked_until is not None and user.failed_logins == 0


def test_a_totp_step_claimed_elsewhere_is_refused(make_user, db):
    user = make_user("staff@example.org", role=Role.STAFF)
    code = current_code(user)
    step = int(time.time() // 30)
    # A parallel request already used this step; this request's copy doesn't know yet.
    db.session.execute(db.update(type(user)).where(type(user).id == user.id)
                       .values(totp_last_step=step).execution_options(synchronize_session=False))
    assert accounts.verify_totp(user, code) is False
