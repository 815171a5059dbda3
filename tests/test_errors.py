"""Error pages speak the reader's language; bodies over the limit meet a localized 413."""

import pytest


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
