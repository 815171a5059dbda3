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


REFUSED = ("We could not log you in with this email and password. Check them and try "
           "again; after several failed attempts, wait a minute before the next one.")


def post_login(client, email, password=helpers.PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def log_in_with_forms(client, user, password=helpers.PASSWORD, ahead=0):
    """The password, then the code: a whole login through the forms."""
    assert post_login(client, user.email, password).headers["Location"] == "/staff/login/verify"
    response = client.post("/staff/login/verify", data={"code": current_code(user, ahead)})
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
    assert "Your translation languages: Spanish." in page


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
    assert "This code was used already. Wait for the next code from your app." in response.text
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
        assert REFUSED in response.text


def test_a_nul_in_the_email_is_an_ordinary_wrong_login(client, make_user):
    make_user("tr@example.org", role=Role.TRANSLATOR)
    response = post_login(client, "tr\x00@example.org", "wrong password here")
    assert response.status_code == 200  # PostgreSQL would refuse the NUL with a 500
    assert REFUSED in response.text
    assert 'value="tr@example.org"' in response.text


def test_logins_are_slowed_per_account(client, make_user, db):
    user = make_user("tr@example.org", role=Role.TRANSLATOR)
    for _ in range(5):
        post_login(client, "tr@example.org", "wrong password here")
    db.session.refresh(user)
    assert user.failed_logins == 5
    assert 0 < (user.locked_until - utcnow()).total_seconds() <= 1
    response = post_login(client, "tr@example.org")  # the right password, while it waits
    assert REFUSED in response.text
    assert client.get("/staff/").status_code == 302
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    log_in_with_forms(client, user)


def test_the_wait_doubles_up_to_a_minute(app):
    waits = [accounts.backoff(n, app.config) for n in (1, 4, 5, 6, 7, 10, 11, 12, 40)]
    assert waits == [0, 0, 1, 2, 4, 32, 60, 60, 60]


def test_an_attacker_who_knows_the_email_does_not_shut_its_owner_out(app, make_user, db):
    user = make_user("staff@example.org", role=Role.STAFF)
    owner = app.test_client()
    log_in_with_forms(owner, user)  # the owner's browser, some day before
    owner.post("/staff/logout")
    attacker = app.test_client()
    for _ in range(30):
        response = post_login(attacker, "staff@example.org", "guess number one two")
        assert REFUSED in response.text
    db.session.refresh(user)
    assert user.failed_logins >= 6 and user.locked_until is not None  # slowed down...
    user.locked_until = utcnow() + timedelta(minutes=1)  # as the attacker keeps on trying
    db.session.commit()
    assert post_login(attacker, "staff@example.org").headers.get("Location") is None
    # ...but not for the browser its owner logged in from before.
    log_in_with_forms(owner, user, ahead=1)  # the next code: the first login used this one
    assert owner.get("/staff/").status_code == 200
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_locked_unknown_and_wrong_logins_read_and_take_alike(client, make_user, db):
    user = make_user("staff@example.org", role=Role.STAFF)
    waiting = make_user("waiting@example.org", role=Role.STAFF,
                        locked_until=utcnow() + timedelta(minutes=1), failed_logins=9)
    times = {"wrong": [], "unknown": [], "waiting": []}
    bodies = {}
    for _ in range(5):
        for case, email in (("wrong", user.email), ("unknown", "nobody@example.org"),
                            ("waiting", waiting.email)):
            started = time.perf_counter()
            response = post_login(client, email, "wrong password here")
            times[case].append(time.perf_counter() - started)
            bodies[case] = re.sub(r'value="[^"]*@example.org"', "", response.text)
            bodies[case] = re.sub(r'name="csrf_token"[^>]*>', "", bodies[case])
    assert REFUSED in bodies["wrong"]
    assert bodies["wrong"] == bodies["unknown"] == bodies["waiting"]
    median = {case: sorted(spent)[2] for case, spent in times.items()}
    assert median["unknown"] > median["wrong"] / 3 and median["waiting"] > median["wrong"] / 3


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "LOGIN_CLIENT_LIMIT": "3 per 15 minutes"}])
def test_failed_logins_are_limited_per_client_address(app, make_user, db, caplog):
    user = make_user("staff@example.org", role=Role.STAFF)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    emails = ["a@example.org", "b@example.org", "staff@example.org"]
    for email in emails:
        assert REFUSED in post_login(attacker, email, "wrong password here").text
    blocked = post_login(attacker, "staff@example.org")  # even the right password, from there
    assert blocked.status_code == 429
    assert ("Too many failed logins came from here. Wait a few minutes, then try again."
            in blocked.text)
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    log_in_with_forms(owner, user)
    dump = "\n".join(repr(row) for table in db.metadata.sorted_tables
                     for row in db.session.execute(table.select()))
    for trace in ("203.0.113.66", "198.51.100.7"):
        assert trace not in dump and trace not in caplog.text


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "LOGIN_CLIENT_LIMIT": "2 per 15 minutes"}])
def test_a_forwarded_address_is_believed_only_behind_a_trusted_proxy(app, make_user):
    make_user("staff@example.org", role=Role.STAFF)
    client = app.test_client()
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        post_login_from = client.post("/staff/login", data={
            "email": "staff@example.org", "password": "wrong password here"},
            headers={"X-Forwarded-For": forwarded})
        assert post_login_from.status_code == 200
    # Untrusted, the header changes nothing: both came from the same address.
    third = client.post("/staff/login", data={"email": "staff@example.org",
                                              "password": "wrong password here"},
                        headers={"X-Forwarded-For": "203.0.113.3"})
    assert third.status_code == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "PROXY_FIX_X_FOR": 1,
                                         "LOGIN_CLIENT_LIMIT": "2 per 15 minutes"}])
def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(app, make_user):
    make_user("staff@example.org", role=Role.STAFF)
    client = app.test_client()
    for forwarded in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
        response = client.post("/staff/login", data={"email": "staff@example.org",
                                                     "password": "wrong password here"},
                               headers={"X-Forwarded-For": forwarded})
        assert response.status_code == 200
    again = client.post("/staff/login", data={"email": "staff@example.org",
                                               "password": "wrong password here"},
                        headers={"X-Forwarded-For": "203.0.113.1"})
    assert again.status_code == 429


def test_a_replayed_code_does_not_count_towards_the_wait(client, make_user, db):
    user = make_user("staff@example.org", role=Role.STAFF)
    code = current_code(user)
    log_in_with_forms(client, user)
    other = client.application.test_client()
    post_login(other, "staff@example.org")
    for _ in range(10):
        response = other.post("/staff/login/verify", data={"code": code})
        assert "This code was used already." in response.text
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (0, None)


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
    assert user.locked_until is not None and user.failed_logins == 5


def test_a_totp_step_claimed_elsewhere_is_refused(make_user, db):
    user = make_user("staff@example.org", role=Role.STAFF)
    code = current_code(user)
    step = int(time.time() // 30)
    # A parallel request already used this step; this request's copy doesn't know yet.
    db.session.execute(db.update(type(user)).where(type(user).id == user.id)
                       .values(totp_last_step=step).execution_options(synchronize_session=False))
    assert accounts.verify_totp(user, code) is False
