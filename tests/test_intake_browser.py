"""A person submits a concern in a real browser, with JavaScript off and on, in each of the
four languages, then follows it with the receipt code; staff find it in the inbox."""

import re
from datetime import date

import helpers
import pytest
from babel.dates import format_date

from agmtool.models import Concern, ConcernStatus, Role

pytestmark = pytest.mark.browser

TEXTS = {
    "es": "Las familias wayuu de Jepira’a y de Ka’ikat preguntan: ¿de dónde vamos a sacar "
          "el agua?",
    "pt": "Lá a Vale enterrou meu coração.",
    "id": "Kami bukan mau minta saham, kami mau sungai kami kembali.",
    "en": "The elders of Ka’ikat and Uriana’a ask who answers for the river.",
}
RECEIVED = {
    "es": "Recibimos su inquietud. Nuestro equipo la leerá pronto.",
    "pt": "Recebemos o seu relato. Nossa equipe vai lê-lo em breve.",
    "id": "Kami telah menerima laporan Anda. Tim kami akan segera membacanya.",
    "en": "We have received your concern. Our team will read it soon.",
}


@pytest.fixture
def app_config():
    # A real minimum fill time: the browser waits past it, as a person would.
    return {"CONCERN_MIN_FILL_SECONDS": 1}


def new_page(browser, javascript: bool, width: int = 360):
    context = browser.new_context(viewport={"width": width, "height": 800},
                                  java_script_enabled=javascript, locale="en-GB")
    return context, context.new_page()


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
@pytest.mark.parametrize("lang", ["es", "pt", "id", "en"])
def test_submit_and_follow_a_concern(browser, live_server, db, make_company, lang, javascript):
    make_company()
    context, page = new_page(browser, javascript)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(f"{live_server}/{lang}/concerns/new")
        assert page.locator("html").get_attribute("lang") == lang
        page.select_option("#company", "other")
        page.check("input[name=topics][value=water]")
        page.fill("#body", TEXTS[lang])
        page.fill("#wanted", "—")
        page.check("input[name=attribution][value=community]")
        # No horizontal scrolling on a 360 px screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if not javascript:
            helpers.screenshot(page, f"intake-form-{lang}-360")
        page.wait_for_timeout(1100)
        page.click("button[type=submit]")
        code = page.locator("p.receipt").inner_text()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", code)
        if not javascript:
            helpers.screenshot(page, f"intake-receipt-{lang}-360")
        assert page.url == f"{live_server}/{lang}/concerns/new"

        concern = db.session.scalars(db.select(Concern)).one()
        assert (concern.body, concern.language, concern.status) == (
            TEXTS[lang], lang, ConcernStatus.RECEIVED)

        page.goto(f"{live_server}/{lang}/status")
        page.fill("#code", code.lower())
        page.click("button[type=submit]")
        assert page.url == f"{live_server}/{lang}/status"  # the code never goes in a URL
        assert page.locator("blockquote.text").first.inner_text() == TEXTS[lang]
        assert page.locator("section.card p").first.inner_text() == RECEIVED[lang]
        if not javascript:
            helpers.screenshot(page, f"intake-status-{lang}-360")
        assert all(url.startswith(live_server) for url in requests)
        assert not any(code in url or code.lower() in url for url in requests)
    finally:
        context.close()


def test_desktop_form_and_busy_inbox(browser, live_server, app, db, make_user, make_company,
                                     make_concern, log_in):
    company = make_company()
    made = [make_concern(language=lang, body=body, company=company, contact_details="+57 300 1")
            for lang, body in TEXTS.items()]
    context, page = new_page(browser, javascript=False, width=1280)
    try:
        page.goto(f"{live_server}/id/concerns/new")
        helpers.screenshot(page, "intake-form-id-desktop")
        client = app.test_client()
        log_in(client, make_user("staff@example.org", role=Role.STAFF))
        client.get("/staff/")
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
        page.goto(f"{live_server}/staff/concerns/")
        assert page.locator("tbody tr").count() == 4
        helpers.screenshot(page, "inbox-desktop")
        # By its address: the database's ids are not 1 wherever tests ran before.
        page.click(f"tbody a[href='/staff/concerns/{made[0].id}']")
        helpers.screenshot(page, "inbox-concern-desktop")
        assert "+57 300 1" in page.content()
    finally:
        context.close()


def test_staff_decline_in_indonesian_and_read_the_history(browser, live_server, app, db,
                                                          make_user, make_company,
                                                          make_concern, log_in):
    concern = make_concern(language="id", body=TEXTS["id"], company=make_company())
    context, page = new_page(browser, javascript=True)
    try:
        client = app.test_client()
        log_in(client, make_user("staff@example.org", role=Role.STAFF))
        client.get("/language/id?next=/staff/")
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
        page.goto(f"{live_server}/staff/concerns/{concern.id}")
        page.fill("#reason", "Perusahaan ini tidak terdaftar di London.")
        page.click("button:has-text('Tolak')")
        page.goto(f"{live_server}/staff/concerns/{concern.id}")
        entry = " ".join(page.locator("ul.history > li").last.inner_text().split())
        today = format_date(date.today(), "medium", locale="id")
        assert entry.split(": ", 1)[1] == (
            f"Ditolak (staff@example.org) Status: Diterima → Ditolak Ditutup pada: {today}"
            " Alasan penolakan: Perusahaan ini tidak terdaftar di London."
            " Ditulis dalam bahasa: Indonesia")
        helpers.screenshot(page, "concern-history-id")
    finally:
        context.close()


def test_a_long_link_never_widens_the_page_on_a_phone(browser, live_server, app, db,
                                                      make_user, make_company, log_in):
    from agmtool.concerns import domain as concerns

    link = "https://drive.google.com/drive/folders/" + "1AbCdEfGhIjKlMnOpQrStUvWxYz" * 6
    concern, code = concerns.submit(concerns.Submission(
        language="es", reply_language="es", company_id=make_company().id,
        body=f"Las fotos del río están aquí: {link}", community_name="Comunidad" * 12),
        "key-" + "l" * 20)
    db.session.commit()
    context, page = new_page(browser, javascript=False)
    try:
        page.goto(f"{live_server}/es/status")
        page.fill("#code", code)
        page.click("button[type=submit]")
        assert link in page.locator("blockquote.text").first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        client = app.test_client()
        log_in(client, make_user("staff@example.org", role=Role.STAFF))
        client.get("/staff/")
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
        for path in (f"/staff/concerns/{concern.id}", "/staff/concerns/"):
            page.goto(live_server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        helpers.screenshot(page, "inbox-long-link-360")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["es", "pt", "id", "en"])
def test_the_community_answers_a_question_on_a_phone(browser, live_server, db, make_user,
                                                    lang):
    from agmtool.concerns import domain as concerns

    concern, code = concerns.submit(concerns.Submission(
        language=lang, reply_language=lang, body=TEXTS[lang]), f"key-answer-{lang}-0000000")
    concerns.ask_clarification(concern, make_user(), "¿Dónde? / Onde? / Di mana? / Where?",
                               concern.reply_language)
    db.session.commit()
    context, page = new_page(browser, javascript=False)
    try:
        page.goto(f"{live_server}/{lang}/status")
        page.fill("#code", code)
        page.click("button[type=submit]")
        page.fill("#answer", "Río abajo / Rio abaixo / Di hilir / Downstream")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        helpers.screenshot(page, f"status-answer-{lang}-360")
        page.click("form[action$='/status/answer'] button")
        assert page.locator("p.flash[role=status]").count() == 1
        assert page.locator("form[action$='/status/answer']").count() == 0
        db.session.refresh(concern)
        assert (concern.status, concern.clarifications[-1].answer) == (
            ConcernStatus.RECEIVED, "Río abajo / Rio abaixo / Di hilir / Downstream")
    finally:
        context.close()


def test_back_then_send_again_shows_the_first_receipt(browser, live_server, db, make_company):
    make_company()
    context, page = new_page(browser, javascript=False)
    try:
        page.goto(f"{live_server}/pt/concerns/new")
        page.select_option("#company", "other")
        page.fill("#body", TEXTS["pt"])
        page.wait_for_timeout(1100)
        page.click("button[type=submit]")
        code = page.locator("p.receipt").inner_text()
        page.go_back()
        if page.locator("#body").input_value() != TEXTS["pt"]:
            page.fill("#body", TEXTS["pt"])  # a browser that forgot what was typed
        page.select_option("#company", "other")
        page.wait_for_timeout(1100)
        page.click("button[type=submit]")
        assert page.locator("p.receipt").inner_text() == code
        assert db.session.query(Concern).count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_switching_language_keeps_what_was_typed(browser, live_server, db, make_company,
                                                 javascript):
    make_company()
    context, page = new_page(browser, javascript)
    try:
        page.goto(f"{live_server}/es/concerns/new")
        page.fill("#body", TEXTS["es"])
        page.fill("#place", "Albania, La Guajira")
        page.check("input[name=topics][value=water]")
        page.get_by_role("button", name="Bahasa Indonesia").click()
        assert page.url == f"{live_server}/id/concerns/new"
        assert page.locator("html").get_attribute("lang") == "id"
        assert page.locator("#body").input_value() == TEXTS["es"]
        assert page.locator("#place").input_value() == "Albania, La Guajira"
        assert page.is_checked("input[name=topics][value=water]")
        if not javascript:
            helpers.screenshot(page, "intake-switched-to-id-360")
        assert db.session.query(Concern).count() == 0
        page.select_option("#company", "other")
        page.wait_for_timeout(1100)
        page.click("form#concern-form button[type=submit]:not([name])")
        assert re.fullmatch(r"[0-9A-Z-]{17}", page.locator("p.receipt").inner_text())
        assert db.session.scalars(db.select(Concern.body)).all() == [TEXTS["es"]]
    finally:
        context.close()
