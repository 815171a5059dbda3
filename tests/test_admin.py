"""Admins manage accounts: create with a one-time link, roles, languages, deactivation."""

import re

import helpers
import pytest

from agmtool.accounts import domain as accounts
from agmtool.models import History, Role, User


def test_admin_creates_a_translator_and_hands_over_a_one_time_link(client, make_user, log_in, db):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    log_in(client, admin)
    response = client.post("/staff/users/new", data={
        "email": "Traductora@Example.org", "name": "Ana", "role": "translator",
        "languages": ["es", "pt"], "active": "y",
    })
    assert response.status_code == 200
    link = re.search(r'value="(http://localhost/staff/reset/[^"]+)"', response.text).group(1)
    user = db.session.scalar(db.select(User).where(User.email == "traductora@example.org"))
    assert (user.role, user.languages, user.name) == (Role.TRANSLATOR, "es,pt", "Ana")

    newcomer = client.application.test_client()
    path = link.removeprefix("http://localhost")
    response = newcomer.post(path, data={"password": "mi contraseña larga", "confirm":
                                         "mi contraseña larga"})
    assert response.headers["Location"] == "/staff/login"
    response = newcomer.post("/staff/login", data={"email": "traductora@example.org",
                                                  "password": "mi contraseña larga"})
    assert response.headers["Location"] == "/staff/login/setup"  # every role has a 2nd factor
    # The link works once.
    assert newcomer.get(path).status_code == 404


def test_short_password_is_refused_through_the_reset_link(client, make_user, log_in):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    target = make_user("tr@example.org", role=Role.TRANSLATOR)
    log_in(client, admin)
    response = client.post(f"/staff/users/{target.id}/reset-link")
    path = re.search(r'value="http://localhost(/staff/reset/[^"]+)"', response.text).group(1)
    response = client.application.test_client().post(path, data={"password": "short",
                                                                "confirm": "short"})
    assert "Use at least 12 characters." in response.text


def test_admin_deactivates_an_account_and_history_records_it(client, make_user, log_in, db):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    target = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["id"])
    log_in(client, admin)
    response = client.post(f"/staff/users/{target.id}", data={"role": "translator",
                                                              "languages": ["id"], "name": "",
                                                              "version": "1"})
    assert response.headers["Location"] == "/staff/users/"
    db.session.refresh(target)
    assert target.active is False
    entry = db.session.scalars(
        db.select(History).where(History.object_id == target.id, History.action == "updated")
    ).one()
    assert (entry.user_id, entry.changes) == (admin.id, {"active": [True, False]})
    page = client.get(f"/staff/users/{target.id}").text
    assert helpers.history_lines(page)[-1] == (
        "Changed (admin@example.org) | Account active: Yes → No")


def test_admin_cannot_lock_themselves_out(client, make_user, log_in, db):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    log_in(client, admin)
    response = client.post(f"/staff/users/{admin.id}", data={"role": "staff", "active": "y",
                                                             "version": "1"},
                           follow_redirects=True)
    assert "You cannot remove your own administrator access." in response.text
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_users_create_command(runner, db):
    result = runner.invoke(args=["users", "create", "t@example.org", "--role", "translator",
                                 "--languages", "es,id", "--password-stdin"],
                           input=helpers.PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output == ("Created t@example.org (translator). Two-factor login is set up "
                             "at the first login.\n")
    user = db.session.scalar(db.select(User))
    assert (user.email, user.languages) == ("t@example.org", "es,id")


def test_users_create_refuses_an_unknown_language_and_a_weak_password(runner, db):
    result = runner.invoke(args=["users", "create", "t@example.org", "--role", "translator",
                                 "--languages", "fr", "--password-stdin"], input=helpers.PASSWORD)
    assert result.exit_code == 2
    assert "unknown language(s): fr" in result.output
    result = runner.invoke(args=["users", "create", "s@example.org", "--role", "staff",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "password refused (too short)" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_reset_link_uses_the_configured_base_url(client, make_user, log_in, app):
    app.config["BASE_URL"] = "https://agm.example.org/"
    target = make_user("tr@example.org", role=Role.TRANSLATOR)
    log_in(client, make_user("admin@example.org", role=Role.ADMIN))
    response = client.post(f"/staff/users/{target.id}/reset-link")
    assert re.search(r'value="https://agm\.example\.org/staff/reset/[\w-]{43}"', response.text)


def test_a_translator_needs_a_language(client, make_user, log_in, db):
    log_in(client, make_user("admin@example.org", role=Role.ADMIN))
    response = client.post("/staff/users/new", data={"email": "t@example.org",
                                                    "role": "translator", "active": "y"})
    assert response.status_code == 200
    assert "Choose at least one language for a translator." in response.text
    assert db.session.scalar(db.select(User).where(User.email == "t@example.org")) is None


def test_attendee_start_page_says_what_will_come(client, make_user, log_in):
    log_in(client, make_user("att@example.org", role=Role.ATTENDEE))
    page = client.get("/staff/").text
    assert "once staff add you to a meeting" in page
    assert 'href="/en/agms/"' in page


def test_a_new_role_ends_the_sessions_opened_under_the_old_one(app, client, make_user, log_in,
                                                                db):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    translator = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"])
    theirs = app.test_client()
    log_in(theirs, translator)
    assert theirs.get("/staff/concerns/").status_code == 200
    log_in(client, admin)
    client.post(f"/staff/users/{translator.id}", data={"role": "staff", "languages": ["es"],
                                                      "active": "y", "name": "", "version": "1"})
    db.session.refresh(translator)
    assert translator.role == Role.STAFF
    response = theirs.get("/staff/concerns/")
    assert (response.status_code, response.headers["Location"]) == (
        302, "/staff/login?next=/staff/concerns/")


def test_an_account_edited_meanwhile_is_not_overwritten(client, make_user, log_in, db):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    target = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"])
    log_in(client, admin)
    page = client.get(f"/staff/users/{target.id}").text
    assert 'name="version" type="hidden" value="1"' in page
    first = {"role": "translator", "languages": ["es", "pt"], "active": "y", "name": "",
             "version": "1"}
    assert client.post(f"/staff/users/{target.id}", data=first).status_code == 302
    second = client.post(f"/staff/users/{target.id}", data=first | {"languages": ["id"]},
                         follow_redirects=True)
    assert "Someone else saved a change after you opened this page" in second.text
    db.session.refresh(target)
    assert (target.languages, target.version) == ("es,pt", 2)


def test_no_caller_can_take_away_its_own_administrator_access(app, make_user, db):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    with pytest.raises(accounts.AccountError) as refused:
        accounts.update_user(admin, admin, Role.STAFF, [], True, None, admin.version)
    db.session.rollback()
    with app.test_request_context("/"):
        assert str(refused.value) == "You cannot remove your own administrator access."
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_the_new_account_form_preselects_no_role_and_lists_the_least_first(client, make_user,
                                                                          log_in, db):
    log_in(client, make_user("admin@example.org", role=Role.ADMIN))
    page = client.get("/staff/users/new").text
    select = re.search(r'<select[^>]*name="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option([^>]*)value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert [(value, label) for _attrs, value, label in options] == [
        ("", "Choose a role"), ("attendee", "Attendee"), ("translator", "Translator"),
        ("staff", "Staff"), ("admin", "Administrator")]
    assert "selected" not in select
    # A form sent without choosing makes no account, and says why.
    response = client.post("/staff/users/new", data={"email": "new@example.org", "name": "Ana",
                                                    "active": "y"})
    assert response.status_code == 200
    assert "Choose a role for this account." in response.text
    assert 'value="new@example.org"' in response.text
    assert db.session.scalar(db.select(User).where(User.email == "new@example.org")) is None
