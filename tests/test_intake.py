"""The public concern form, the receipt, the status page and withdrawal, over HTTP."""

import logging
import re
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from itsdangerous import TimestampSigner

from agmtool.concerns import domain as concerns
from agmtool.concerns import receipts
from agmtool.concerns.forms import CAPS
from agmtool.extensions import db as _db
from agmtool.models import Concern, ConcernStatus

STYLE = Path(__file__).resolve().parent.parent / "agmtool" / "static" / "style.css"


@pytest.fixture
def app_config():
    return {"CONCERN_MIN_FILL_SECONDS": 0}


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    return match.group(1)


def fresh_form(client, lang="es") -> dict:
    page = client.get(f"/{lang}/concerns/new").text
    return {"idempotency_key": hidden(page, "idempotency_key"),
            "started": hidden(page, "started"), "company": "other",
            "attribution": "anonymous", "reply_language": lang}


def receipt_of(page: str) -> str:
    return re.search(r'<p class="receipt" lang="en">([^<]+)</p>', page).group(1)


def only_concern(db) -> Concern:
    (concern,) = db.session.scalars(db.select(Concern)).all()
    return concern


# --- the form -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, label", [
    ("en", "What is happening?"), ("es", "¿Qué está pasando?"),
    ("pt", "O que está acontecendo?"), ("id", "Apa yang sedang terjadi?"),
])
def test_form_speaks_the_page_language(client, lang, label):
    response = client.get(f"/{lang}/concerns/new")
    assert response.status_code == 200
    assert f'<label for="body">{label}</label>' in response.text
    assert f'<html lang="{lang}">' in response.text


def test_form_lists_known_companies_and_not_sure(client, make_company):
    company = make_company()
    page = client.get("/en/concerns/new").text
    options = re.findall(r'<option(?: selected)? value="([^"]*)"', page)
    assert options[:2] == ["other", str(company.id)]
    # Not knowing the company is fine: "not sure" is chosen until the person picks one.
    assert '<option selected value="other">Not sure, or another company</option>' in page


def test_only_what_is_happening_is_needed(client, db):
    page = client.get("/en/concerns/new").text
    form = {"idempotency_key": hidden(page, "idempotency_key"), "started": hidden(page, "started"),
            "body": "The river is brown."}
    response = client.post("/en/concerns/new", data=form)
    assert response.status_code == 200
    concern = only_concern(db)
    assert (concern.body, concern.company_id) == ("The river is brown.", None)


def test_form_shows_every_cap(client):
    page = client.get("/en/concerns/new").text
    for name, cap in CAPS.items():
        assert f'<p class="cap" id="{name}-cap">Up to {cap:,} characters.</p>' in page
    # The browser must not cut a long paste silently: the server explains and keeps it.
    assert "maxlength" not in page


def test_form_page_and_what_it_loads_weigh_under_30000_bytes(client):
    response = client.get("/static/style.css")
    style = response.data
    response.close()
    assert style == STYLE.read_bytes()
    weights = {}
    for lang in ("en", "es", "pt", "id"):
        page = client.get(f"/{lang}/concerns/new").data
        assert f'<html lang="{lang}">'.encode() in page
        assert b"<script" not in page and b"http://" not in page and b"https://" not in page
        assert re.findall(rb'(?:href|src)="([^"#]+)"', page).count(b"/static/style.css") == 1
        weights[lang] = len(page) + len(style)
    assert len(set(weights.values())) == 4  # each language really was rendered
    assert max(weights.values()) <= 30_000, weights


def test_home_links_to_the_form_and_status(client):
    page = client.get("/pt/").text
    assert 'href="/pt/concerns/new"' in page and 'href="/pt/status"' in page


# --- submitting ---------------------------------------------------------------------------

def test_submission_gives_a_receipt_in_the_language(client, db):
    form = fresh_form(client, "pt") | {"body": "Lá a Vale enterrou meu coração",
                                       "topics": ["tailings", "water"], "wanted": "Justiça"}
    response = client.post("/pt/concerns/new", data=form)
    assert response.status_code == 200
    assert "Obrigado. Recebemos o seu relato." in response.text
    assert response.headers["Cache-Control"] == "no-store"
    code = receipt_of(response.text)
    concern = only_concern(db)
    assert (concern.body, concern.language, concern.status, concern.topics) == (
        "Lá a Vale enterrou meu coração", "pt", ConcernStatus.RECEIVED, ["tailings", "water"])
    assert concern.receipt_hash == receipts.receipt_hash(code)


def test_pressed_twice_stores_one_concern_and_shows_the_same_receipt(client, db):
    form = fresh_form(client) | {"body": "¿de dónde vamos a sacar el agua?"}
    first = client.post("/es/concerns/new", data=form)
    second = client.post("/es/concerns/new", data=form)
    assert receipt_of(first.text) == receipt_of(second.text)
    assert db.session.query(Concern).count() == 1


def test_missing_body_re_shows_the_form_with_the_text_and_a_message(client, db):
    form = fresh_form(client, "id") | {"wanted": "Kami bukan mau minta saham"}
    response = client.post("/id/concerns/new", data=form)
    assert response.status_code == 422
    assert "Kami bukan mau minta saham</textarea>" in response.text
    assert 'id="body-error"' in response.text
    assert db.session.query(Concern).count() == 0


def test_text_over_its_cap_is_kept_and_explained(client, db):
    long = "agua " * 1001
    response = client.post("/es/concerns/new", data=fresh_form(client) | {"body": long})
    assert response.status_code == 422
    assert long.strip() in response.text
    (error,) = re.findall(r'id="body-error">([^<]*)</p>', response.text)
    assert error == ("Este texto tiene más de 5.000 caracteres. Acórtelo un poco; no se ha "
                     "perdido nada de lo que escribió.")
    assert db.session.query(Concern).count() == 0


def test_nul_control_and_bidi_characters_are_removed(client, db):
    body = "Wayuu\x00 ‘Jayariyú’\u202e\u2066 río\x07\r\nseco"
    client.post("/es/concerns/new", data=fresh_form(client) | {"body": body})
    assert only_concern(db).body == "Wayuu ‘Jayariyú’ río\nseco"


def test_script_tags_are_stored_as_text_and_shown_escaped(client, db):
    body = '<script>alert("x")</script><b>río</b>'
    response = client.post("/es/concerns/new", data=fresh_form(client) | {"body": body})
    code = receipt_of(response.text)
    assert only_concern(db).body == body
    status = client.post("/es/status", data={"code": code}).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;río&lt;/b&gt;" in status
    assert "<script>" not in status


def test_invalid_utf8_is_refused_with_the_readable_text_kept(client, db):
    form = fresh_form(client)
    raw = "&".join(f"{k}={quote(v)}" for k, v in form.items())
    raw += "&body=" + quote("el agua est") + "%C3%28" + quote(" sucia")
    response = client.post("/es/concerns/new", data=raw.encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Algunos caracteres no se pudieron leer" in response.text
    assert "el agua est\ufffd( sucia</textarea>" in response.text
    assert db.session.query(Concern).count() == 0


def test_a_body_over_the_hard_limit_meets_the_localized_413(client, app, db):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/id/concerns/new", data={"body": "x" * size})
    assert response.status_code == 413
    assert "<h1>" in response.text
    assert db.session.query(Concern).count() == 0


def test_the_hard_limit_sits_well_above_the_caps(app):
    # Every field at its cap in 4-byte characters, percent-encoded: 12 bytes a character.
    assert sum(CAPS.values()) * 12 * 2 < app.config["MAX_CONTENT_LENGTH"]


# --- abuse --------------------------------------------------------------------------------

def test_honeypot_goes_to_quarantine_with_the_same_receipt_page(client, db):
    form = fresh_form(client) | {"body": "buy now", "website": "http://spam.example"}
    response = client.post("/es/concerns/new", data=form)
    assert "Gracias. Recibimos su inquietud." in response.text
    assert receipt_of(response.text)
    concern = only_concern(db)
    assert (concern.status, concern.quarantine_reason) == (ConcernStatus.QUARANTINED, "honeypot")


@pytest.mark.parametrize("app_config", [{"CONCERN_MIN_FILL_SECONDS": 3}])
def test_too_fast_goes_to_quarantine(client, db):
    client.post("/es/concerns/new", data=fresh_form(client) | {"body": "rápido"})
    assert only_concern(db).quarantine_reason == "too_fast"


@pytest.mark.parametrize("app_config", [{"CONCERN_MIN_FILL_SECONDS": 1}])
def test_a_person_who_takes_their_time_is_not_quarantined(client, db):
    form = fresh_form(client) | {"body": "despacio"}
    time.sleep(2.1)
    client.post("/es/concerns/new", data=form)
    assert only_concern(db).status == ConcernStatus.RECEIVED


def stamp(app, key: str, seconds_ago: int) -> str:
    """The form's ``started`` field for ``key`` as if handed out ``seconds_ago``."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    return Earlier(app.config["SECRET_KEY"], salt="concern-form-started").sign(key).decode()


@pytest.mark.parametrize("app_config", [{"CONCERN_MIN_FILL_SECONDS": 3}])
def test_a_stamp_taken_from_another_form_goes_to_quarantine(app, client, db):
    old = fresh_form(client)
    form = fresh_form(client) | {"body": "x",
                                 "started": stamp(app, old["idempotency_key"], 60)}
    client.post("/es/concerns/new", data=form)
    assert only_concern(db).quarantine_reason == "no_timestamp"


@pytest.mark.parametrize("app_config", [{"CONCERN_MIN_FILL_SECONDS": 3}])
def test_its_own_stamp_from_a_minute_ago_is_accepted(app, client, db):
    form = fresh_form(client) | {"body": "x"}
    form["started"] = stamp(app, form["idempotency_key"], 60)
    client.post("/es/concerns/new", data=form)
    assert only_concern(db).status == ConcernStatus.RECEIVED


def test_a_form_older_than_a_day_is_handed_back_with_its_text(app, client, db):
    form = fresh_form(client) | {"body": "Kami bukan mau minta saham"}
    form["started"] = stamp(app, form["idempotency_key"], 25 * 3600)
    response = client.post("/es/concerns/new", data=form)
    assert response.status_code == 400
    assert "Kami bukan mau minta saham</textarea>" in response.text
    assert "Esta página estuvo abierta mucho tiempo" in response.text
    assert hidden(response.text, "idempotency_key") != form["idempotency_key"]
    assert db.session.query(Concern).count() == 0
    again = {**form, "idempotency_key": hidden(response.text, "idempotency_key"),
             "started": hidden(response.text, "started")}
    assert client.post("/es/concerns/new", data=again).status_code == 200
    assert only_concern(db).status == ConcernStatus.RECEIVED


@pytest.mark.parametrize("app_config", [{"CONCERN_MIN_FILL_SECONDS": 1}])
def test_a_forged_timestamp_goes_to_quarantine(client, db):
    client.post("/es/concerns/new", data=fresh_form(client) | {"body": "x", "started": "1"})
    assert only_concern(db).quarantine_reason == "no_timestamp"


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "CONCERN_RATE_LIMIT": "2/minute",
    "CONCERN_MIN_FILL_SECONDS": 0}])
def test_past_the_limit_the_form_says_busy_and_keeps_the_text(client, db):
    for number in range(2):
        client.post("/es/concerns/new", data=fresh_form(client) | {"body": f"n{number}"})
    response = client.post("/es/concerns/new",
                           data=fresh_form(client) | {"body": "Kami bukan mau minta saham"})
    assert response.status_code == 429
    assert "Estamos muy ocupados en este momento" in response.text
    assert "Kami bukan mau minta saham</textarea>" in response.text
    assert db.session.query(Concern).count() == 2


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "CONCERN_GLOBAL_RATE_LIMIT": "3/minute",
    "CONCERN_MIN_FILL_SECONDS": 0}])
def test_the_global_ceiling_holds_across_sessions(app, db):
    codes = []
    for number in range(4):
        client = app.test_client()  # a new browser each time: a new session
        response = client.post("/es/concerns/new",
                               data=fresh_form(client) | {"body": f"n{number}"})
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "CONCERN_RATE_LIMIT": "3/minute",
    "CONCERN_GLOBAL_RATE_LIMIT": "10/minute", "CONCERN_MIN_FILL_SECONDS": 0}])
def test_clients_without_a_cookie_share_one_small_bucket(app, db):
    codes = [app.test_client(use_cookies=False).post(
        "/es/concerns/new", data={"body": f"n{number}", "company": "other"}).status_code
        for number in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "CONCERN_RATE_LIMIT": "3/minute",
    "CONCERN_GLOBAL_RATE_LIMIT": "10/minute", "CONCERN_MIN_FILL_SECONDS": 0}])
def test_cookie_less_junk_does_not_use_up_a_real_browser_s_budget(app, db):
    person = app.test_client()
    forms = [fresh_form(person) | {"body": f"mine {number}"} for number in range(4)]
    junk = [app.test_client(use_cookies=False).post(
        "/es/concerns/new", data={"body": f"junk {number}", "company": "other"}).status_code
        for number in range(20)]
    mine = [person.post("/es/concerns/new", data=form).status_code for form in forms]
    assert (junk.count(200), junk.count(429)) == (3, 17)
    assert mine == [200, 200, 200, 429]


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "STATUS_RATE_LIMIT": "3/minute"}])
def test_status_lookups_are_rate_limited(client):
    responses = [client.post("/es/status", data={"code": "AAAA-BBBB"}) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert ("Se probaron demasiados códigos desde aquí en poco tiempo. Por su seguridad, "
            "espere un minuto antes de volver a intentarlo.") in responses[-1].text


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True,
                                         "CONCERN_MIN_FILL_SECONDS": 0}])
def test_expired_csrf_token_re_shows_the_form_with_the_text(client, db):
    form = fresh_form(client) | {"body": "¿de dónde vamos a sacar el agua?",
                                 "csrf_token": "expired-or-forged"}
    response = client.post("/es/concerns/new", data=form)
    assert response.status_code == 400
    assert "Esta página estuvo abierta mucho tiempo" in response.text
    assert "¿de dónde vamos a sacar el agua?</textarea>" in response.text
    token = hidden(response.text.replace('name="csrf_token" value', 'name="csrf_token" '
                                         'type="hidden" value'), "csrf_token")
    again = client.post("/es/concerns/new", data=form | {"csrf_token": token})
    assert again.status_code == 200
    assert only_concern(db).body == "¿de dónde vamos a sacar el agua?"


def test_no_address_or_user_agent_in_the_database_or_logs(client, db, caplog):
    address, agent = "203.0.113.177", "UniqueAgent/9.87.65-zz"
    environ = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent,
               "HTTP_X_FORWARDED_FOR": "198.51.100.23"}
    caplog.set_level(logging.DEBUG)
    page = client.get("/es/concerns/new", environ_base=environ).text
    form = {"idempotency_key": hidden(page, "idempotency_key"), "company": "other",
            "body": "rastro", "started": hidden(page, "started")}
    client.post("/es/concerns/new", data=form, environ_base=environ)
    dump = []
    for table in _db.metadata.sorted_tables:
        dump += [repr(row) for row in db.session.execute(table.select())]
    dump = "\n".join(dump)
    assert "rastro" in dump
    for trace in (address, agent, "198.51.100.23", "UniqueAgent"):
        assert trace not in dump
        assert trace not in caplog.text


def test_the_server_log_keeps_no_client_address_or_user_agent(live_server, caplog):
    from urllib.request import Request, urlopen

    agent = "UniqueAgent/9.87.65-zz"
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    request = Request(f"{live_server}/es/concerns/new", headers={"User-Agent": agent})
    with urlopen(request, timeout=30) as response:
        assert response.status == 200
    requests = [r.getMessage() for r in caplog.records
                if r.name == "werkzeug" and "GET /es/concerns/new" in r.getMessage()]
    assert len(requests) == 1
    assert requests[0].startswith("- - - [")
    assert "127.0.0.1" not in caplog.text and agent not in caplog.text


# --- the status page ----------------------------------------------------------------------

def submit(client, lang="es", body="¿de dónde vamos a sacar el agua?", **values) -> str:
    response = client.post(f"/{lang}/concerns/new",
                           data=fresh_form(client, lang) | {"body": body} | values)
    return receipt_of(response.text)


def test_status_takes_the_code_by_post_and_shows_the_concern(client):
    code = submit(client, "id", "Kami bukan mau minta saham")
    response = client.post("/id/status", data={"code": code.lower()})
    assert response.status_code == 200
    assert "Kami bukan mau minta saham" in response.text
    assert "Kami telah menerima laporan Anda." in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert code not in client.get("/id/status").text


def test_a_quarantined_concern_reads_as_received(client):
    code = submit(client, "en", "buy now", website="spam")
    page = client.post("/en/status", data={"code": code}).text
    assert "We have received your concern. Our team will read it soon." in page
    assert "uarantin" not in page


def test_a_wrong_code_is_answered_plainly(client):
    response = client.post("/pt/status", data={"code": "ZZZZ-ZZZZ-ZZZZ-ZZ"})
    assert response.status_code == 200
    assert "Não encontramos nenhum relato com este código." in response.text


def test_declined_shows_the_reason(client, db, make_user):
    code = submit(client)
    concern = only_concern(db)
    concerns.decline(concern, make_user(), "No es sobre una empresa que cotiza en Londres.",
                     "es")
    db.session.commit()
    page = client.post("/es/status", data={"code": code}).text
    assert "No es sobre una empresa que cotiza en Londres." in page


def test_withdrawal_needs_the_box_ticked(client, db):
    code = submit(client, contact_details="+57 300 123 4567")
    response = client.post("/es/status/withdraw", data={"code": code})
    assert response.status_code == 422
    assert only_concern(db).status == ConcernStatus.RECEIVED


def test_withdrawal_deletes_the_text_and_contacts(client, db):
    code = submit(client, contact_details="+57 300 123 4567", contact_name="Ana")
    response = client.post("/es/status/withdraw", data={"code": code, "confirm": "y"})
    assert response.status_code == 200
    assert "Usted retiró esta inquietud." in response.text
    concern = only_concern(db)
    assert (concern.status, concern.body, concern.contact_details, concern.contact_name) == (
        ConcernStatus.WITHDRAWN, None, None, None)
    again = client.post("/es/status", data={"code": code}).text
    assert "Usted retiró esta inquietud." in again and "agua" not in again


def test_the_demo_receipts_work(client, db):
    from agmtool import demo

    demo.load()
    db.session.commit()
    page = client.post("/es/status", data={"code": "demo-0001"}).text
    assert "¿de dónde vamos a sacar el agua?" in page


@pytest.mark.parametrize("app_config", [{"CONCERN_MIN_FILL_SECONDS": 0,
                                         "SQLITE_BUSY_TIMEOUT_MS": 50}])
def test_a_locked_database_re_shows_the_form_with_the_text(client, app, db):
    import sqlite3

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("locks the SQLite file")
    form = fresh_form(client) | {"body": "Lá a Vale enterrou meu coração"}
    db.session.remove()
    db.engine.dispose()
    blocker = sqlite3.connect(url.removeprefix("sqlite:///"))
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/es/concerns/new", data=form)
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert "No pudimos guardar su inquietud en este momento." in response.text
    assert "Lá a Vale enterrou meu coração</textarea>" in response.text
    again = client.post("/es/concerns/new", data=form)
    assert again.status_code == 200
    assert db.session.query(Concern).count() == 1


REDIS_PREFIX = f"agmtool-test-{uuid.uuid4().hex}"


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
    "RATELIMIT_KEY_PREFIX": REDIS_PREFIX,
    "STATUS_RATE_LIMIT": "2/minute"}])
def test_limits_can_live_in_redis(client):
    import redis

    # A prefix of this run's own, so that other test runs sharing the Redis don't interfere.
    store = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    try:
        codes = [client.post("/en/status", data={"code": "AAAA"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        assert store.keys(f"*{REDIS_PREFIX}*")
    finally:
        for key in store.scan_iter(f"*{REDIS_PREFIX}*"):
            store.delete(key)
        store.close()


def test_concurrent_resends_store_one_concern(app, live_server, db, client):
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlencode
    from urllib.request import urlopen

    form = fresh_form(client) | {"body": "¿de dónde vamos a sacar el agua?"}
    body = urlencode(form).encode()

    def send(_):
        with urlopen(f"{live_server}/es/concerns/new", data=body, timeout=30) as response:
            return response.status, receipt_of(response.read().decode())

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = set(pool.map(send, range(8)))
    assert len(results) == 1 and next(iter(results))[0] == 200
    assert db.session.query(Concern).count() == 1


def test_the_receipt_page_offers_no_way_away_from_the_code(client, db):
    page = client.get("/pt/concerns/new").text
    assert '<nav class="languages"' in page
    form = {"idempotency_key": hidden(page, "idempotency_key"), "started": hidden(page, "started"),
            "body": "Lá a Vale enterrou meu coração"}
    receipt = client.post("/pt/concerns/new", data=form).text
    assert '<p class="receipt" lang="en">' in receipt
    assert '<nav class="languages"' not in receipt


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_an_expired_status_form_asks_only_to_press_the_button_again(client):
    client.get("/pt/status")  # the page that gave the cookie
    response = client.post("/pt/status", data={"code": "DEMO-0002",
                                               "csrf_token": "expired-or-forged"})
    assert response.status_code == 400
    assert ("Esta página ficou aberta por muito tempo e, para sua segurança, ainda não pudemos "
            "aceitá-la. Toque no botão de novo.") in response.text
    assert "texto" not in response.text.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_browser_without_cookies_is_told_so_and_keeps_the_text(app):
    browser = app.test_client(use_cookies=False)
    response = browser.post("/es/concerns/new", data={"body": "Sin cookies, el río sigue seco.",
                                                      "csrf_token": "none-came-back"})
    assert response.status_code == 400
    assert "Su navegador no devolvió la cookie de este sitio" in response.text
    assert "Sin cookies, el río sigue seco.</textarea>" in response.text


# --- raw UTF-8 bodies (as curl -d and many HTTP libraries send them) ----------------------

def _raw_body(fields: dict) -> bytes:
    """A form body with its values as raw UTF-8 bytes, not percent-encoded."""
    return "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8")


@pytest.mark.parametrize("encode", ["raw", "percent"])
def test_the_form_reads_utf8_raw_or_percent_encoded(client, db, encode):
    fields = fresh_form(client, "pt") | {"body": "Mineração: o córrego secou. 水 🌊",
                                         "contact_name": "João"}
    body = _raw_body(fields) if encode == "raw" else "&".join(
        f"{k}={quote(v)}" for k, v in fields.items()).encode()
    response = client.post("/pt/concerns/new", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert receipt_of(response.text)
    concern = only_concern(db)
    assert (concern.body, concern.contact_name) == ("Mineração: o córrego secou. 水 🌊", "João")


def test_raw_invalid_utf8_is_refused_with_the_readable_text_kept(client, db):
    fields = fresh_form(client) | {"body": "el agua está sucia"}
    body = _raw_body(fields).replace("está".encode(), b"est\xe1")  # Latin-1, not UTF-8
    response = client.post("/es/concerns/new", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Algunos caracteres no se pudieron leer" in response.text
    assert "el agua est\ufffd sucia</textarea>" in response.text
    assert db.session.query(Concern).count() == 0


def _asked(client, db, make_user) -> str:
    code = submit(client, "pt", "A lama chegou")
    concerns.ask_clarification(only_concern(db), make_user(), "Qual córrego?", "pt")
    db.session.commit()
    return code


@pytest.mark.parametrize("encode", ["raw", "percent"])
def test_the_status_page_reads_utf8_raw_or_percent_encoded(client, db, make_user, encode):
    code = _asked(client, db, make_user)
    fields = {"code": code, "answer": "O córrego do Feijão, desde março."}
    body = _raw_body(fields) if encode == "raw" else "&".join(
        f"{k}={quote(v)}" for k, v in fields.items()).encode()
    response = client.post("/pt/status/answer", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Sua resposta chegou à nossa equipe" in response.text
    concern = only_concern(db)
    assert [c.answer for c in concern.clarifications] == ["O córrego do Feijão, desde março."]
    status = client.post("/pt/status", data=_raw_body({"code": code}),
                         content_type="application/x-www-form-urlencoded")
    assert "O córrego do Feijão, desde março." in status.text


@pytest.mark.parametrize("encode", ["raw", "percent"])
def test_an_answer_with_invalid_utf8_is_refused_and_nothing_stored(client, db, make_user,
                                                                   encode):
    code = _asked(client, db, make_user)
    bad = b"c\xf3rrego" if encode == "raw" else b"c%F3rrego"
    body = f"code={code}&answer=O ".encode() + bad
    response = client.post("/pt/status/answer", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Alguns caracteres não puderam ser lidos" in response.text
    assert [c.answer for c in only_concern(db).clarifications] == [None]


def test_the_server_log_keeps_no_query_string(live_server, caplog):
    from urllib.request import urlopen

    caplog.set_level(logging.DEBUG, logger="werkzeug")
    for path in ("/staff/concerns/?q=Ana%20Mar%C3%ADa%20Wayuu&status=received",
                 "/%73taff/concerns/?q=Ana%20Mar%C3%ADa%20Wayuu", "/calendar.ics?lang=es"):
        with urlopen(f"{live_server}{path}", timeout=30) as response:
            assert response.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    requests = [re.sub(r"\x1b\[[0-9;]*m", "", line.split('"')[1]) for line in lines
                if line.startswith("- - - [") and "/login" not in line]
    assert len(requests) == 3
    assert requests[0] == "GET /staff/concerns/ HTTP/1.1"
    assert requests[1] in ("GET /staff/concerns/ HTTP/1.1", "GET /%73taff/concerns/ HTTP/1.1")
    assert requests[2] == "GET /calendar.ics HTTP/1.1"  # no query string is logged at all
    assert "Wayuu" not in caplog.text and "Ana" not in caplog.text
