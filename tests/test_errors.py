"""Error pages speak the reader's language; bodies over the limit meet a localized 413."""

import re
from html import unescape

import pytest

from agmtool.concerns import domain as concerns
from agmtool.models import Role, UserSession


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": 1024, "MAX_FORM_MEMORY_SIZE": 1024}


def test_body_over_the_limit_gets_a_localized_413(client):
    response = client.post("/staff/login", data={"email": "x" * 5000},
                           headers={"Accept-Language": "es"})
    assert response.status_code == 413
    assert '<html lang="es">' in response.text
    assert "<h1>Era demasiado para enviar de una sola vez</h1>" in response.text


def test_not_found_page_in_indonesian(client):
    response = client.get("/id/no-such-page")
    assert response.status_code == 404
    assert '<html lang="id">' in response.text
    assert "<h1>Halaman tidak ditemukan</h1>" in response.text


def test_server_error_is_a_localized_page(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/pt/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/pt/boom")
    assert response.status_code == 500
    assert '<html lang="pt">' in response.text
    assert "RuntimeError" not in response.text


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_a_form_without_its_token_says_it_expired(csrf_client):
    response = csrf_client.post("/staff/login", data={"email": "a@example.org"},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "<h1>This form has expired</h1>" in response.text


def kept(html: str) -> list[str]:
    return [unescape(text) for text in re.findall(
        r'<textarea class="kept" readonly rows="\d+" aria-label="[^"]*">(.*?)</textarea>',
        html, re.S)]


def test_an_expired_staff_form_shows_back_what_was_typed(csrf_client, make_user, log_in,
                                                         make_concern):
    log_in(csrf_client, make_user("staff@example.org", role=Role.STAFF))
    concern = make_concern(language="es", body="El río se volvió rojo.")
    csrf_client.get("/language/pt?next=/staff/")
    editor = f"/staff/translate/{concerns.english(concern).id}"
    response = csrf_client.post(
        editor, data={"csrf_token": "expired", "seen_version": "1", "step": "save",
                      "text": "The river <b>turned</b> red after the dam burst."},
        headers={"Referer": f"http://localhost{editor}"})
    assert response.status_code == 400
    assert "<h1>Este formulário expirou</h1>" in response.text
    assert kept(response.text) == ["The river <b>turned</b> red after the dam burst."]
    assert f'<a href="{editor}">Abrir o formulário de novo</a>' in response.text


def test_logged_out_while_writing_shows_back_what_was_typed(client, make_concern):
    concern = make_concern()
    response = client.post(f"/staff/concerns/{concern.id}/decline",
                           data={"seen_status": "received",
                                 "reason": "Esta empresa no cotiza en Londres."},
                           headers={"Referer": f"http://localhost/staff/concerns/{concern.id}"})
    assert response.status_code == 401
    assert "<h1>You were logged out</h1>" in response.text
    assert kept(response.text) == ["Esta empresa no cotiza en Londres."]
    assert (f'<a href="/staff/login?next=/staff/concerns/{concern.id}">Log in again</a>'
            in response.text)


@pytest.mark.parametrize(("language", "line"), [
    ("en", "This site is not served at that address."),
    ("id", "Situs ini tidak dilayani di alamat itu.")])
def test_an_unknown_host_gets_one_line_in_the_browsers_language(app, client, language, line):
    app.config["TRUSTED_HOSTS"] = ["agm.example.org"]
    response = client.get("/en/", base_url="http://evil.example.net",
                          headers={"Accept-Language": language})
    assert (response.status_code, response.text) == (400, line)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("token_kept", [True, False], ids=["token-kept", "token-dropped"])
def test_logged_out_in_another_tab_is_said_so_and_keeps_a_one_word_reason(
        client, make_user, log_in, make_concern, db, token_kept):
    log_in(client, make_user("staff@example.org", role=Role.STAFF))
    concern = make_concern()
    client.get(f"/staff/concerns/{concern.id}")
    with client.session_transaction() as session:
        token = session.get("csrf_token")
    db.session.execute(db.delete(UserSession))  # logged out elsewhere
    db.session.commit()
    response = client.post(f"/staff/concerns/{concern.id}/decline",
                           data={"seen_status": "received", "reason": "Duplicado",
                                 "csrf_token": token if token_kept else "dropped"},
                           headers={"Referer": f"http://localhost/staff/concerns/{concern.id}"})
    assert response.status_code == 401
    assert "<h1>You were logged out</h1>" in response.text
    assert kept(response.text) == ["Duplicado"]
    # The language menu leads back to the page the form was on, not to the POST address.
    assert (f'href="/language/es?next=/staff/concerns/{concern.id}"' in response.text)
