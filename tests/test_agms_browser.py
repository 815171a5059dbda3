"""Browser journeys: the AGM list and one meeting in four languages, the reader's own time
added by localtime.js, and the subscribe links."""

from datetime import UTC, datetime, time, timedelta

import helpers
import pytest

from agmtool.models import AGMStatus, MeetingFormat

pytestmark = pytest.mark.browser

LANGS = {"en": "Add every meeting to your calendar",
         "es": "Agregue todas las juntas a su calendario",
         "pt": "Adicione todas as assembleias ao seu calendário",
         "id": "Tambahkan semua rapat ke kalender Anda"}


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://agm.example.org"}


@pytest.fixture
def meetings(make_company, make_agm):
    today = datetime.now(UTC).date()
    rio = make_company(slug="rio-tinto", name="Rio Tinto", listings=[
        ("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")])
    perth = make_agm(company=rio, listing_id=rio.listings[1].id,
                     local_date=today + timedelta(days=40), local_time=time(9, 30),
                     timezone="Australia/Perth", status=AGMStatus.CONFIRMED,
                     venue="Perth Convention and Exhibition Centre",
                     address="21 Mounts Bay Road, Perth", format=MeetingFormat.HYBRID,
                     webcast_url="https://example.org/webcast",
                     proxy_deadline=datetime.combine(today + timedelta(days=38), time(9, 30)),
                     questions_deadline=datetime.combine(today + timedelta(days=33),
                                                         time(17, 0)))
    zug = make_agm(local_date=today + timedelta(days=60), local_time=None,
                   timezone="Europe/Zurich", status=AGMStatus.EXPECTED,
                   venue="Theater-Casino Zug")
    return perth, zug


@pytest.fixture
def london_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB",
                                  timezone_id="Europe/London")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", list(LANGS))
def test_the_list_and_a_meeting_in_four_languages(live_server, london_page, meetings, lang):
    perth, zug = meetings
    page = london_page
    page.goto(f"{live_server}/{lang}/agms/")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("#subscribe-heading").inner_text() == LANGS[lang]
    assert page.locator(".agm-item h2 a").all_inner_texts() == ["Rio Tinto Limited", "Glencore"]
    helpers.screenshot(page, f"agms-list-{lang}-390")
    page.locator(".agm-item h2 a").first.click()
    page.wait_for_url(f"{live_server}/{lang}/agms/{perth.id}")
    times = page.locator(".agm-when .agm-time").all_inner_texts()
    assert len(times) == 2  # Perth, then London; the reader is in London (no third line)
    helpers.screenshot(page, f"agms-detail-{lang}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    helpers.screenshot(page, f"agms-detail-{lang}-1280")
    page.goto(f"{live_server}/{lang}/agms/{zug.id}")
    # Expected, not announced: only the month it is expected in, no day and no time line.
    assert page.locator(".agm-when .agm-time").count() == 1
    assert page.locator(".agm-tba").count() == 0
    helpers.screenshot(page, f"agms-expected-{lang}-1280")


def test_the_readers_own_time_is_added(live_server, browser, meetings):
    perth, _zug = meetings
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="es-CO",
                                  timezone_id="America/Bogota")
    page = context.new_page()
    page.goto(f"{live_server}/es/agms/{perth.id}")
    lines = page.locator(".agm-when .agm-time").all_inner_texts()
    assert len(lines) == 3
    assert lines[2].startswith("Su hora: ")
    # 09:30 in Perth (UTC+8) is 20:30 the evening before in Bogotá (UTC-5).
    assert "20:30" in lines[2] or "8:30" in lines[2]
    assert lines[2].endswith("hora de Colombia")  # the zone in words, not "GMT-5"
    helpers.screenshot(page, "agms-detail-es-bogota-375")
    context.close()


def test_a_reader_in_brazil_reads_horario_de_brasilia(live_server, browser, meetings):
    perth, _zug = meetings
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="pt-BR",
                                  timezone_id="America/Sao_Paulo")
    page = context.new_page()
    page.goto(f"{live_server}/pt/agms/{perth.id}")
    lines = page.locator(".agm-when .agm-time").all_inner_texts()
    assert lines[2].startswith("Seu horário: ") or lines[2].startswith("Sua hora: ")
    assert lines[2].endswith("de Brasília")  # the zone in words, not "BRT"
    assert "BRT" not in lines[2]
    context.close()


def test_the_page_is_complete_without_scripts(live_server, browser, meetings):
    perth, _zug = meetings
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/pt/agms/{perth.id}")
    assert page.locator(".agm-when .agm-time").count() == 2
    assert page.locator(".subscribe-links a").count() == 4
    context.close()


def test_the_subscribe_links(live_server, page, meetings):
    perth, _zug = meetings
    page.goto(f"{live_server}/id/agms/{perth.id}")
    links = {a.get_attribute("data-kind"): a.get_attribute("href")
             for a in page.locator(".subscribe-links a").all()}
    assert links == {
        "webcal": "webcal://agm.example.org/calendar/rio-tinto.ics?lang=id",
        "google": "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F"
                  "agm.example.org%2Fcalendar%2Frio-tinto.ics%3Flang%3Did",
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2F"
                   "agm.example.org%2Fcalendar%2Frio-tinto.ics%3Flang%3Did"
                   "&name=RUPS%3A%20Rio%20Tinto",
        "download": "https://agm.example.org/calendar/rio-tinto.ics?lang=id",
    }
    help_texts = page.locator(".subscribe-links .help").all_inner_texts()
    assert help_texts[1].startswith("Google Kalender hanya memeriksa kalender langganan "
                                    "sekitar sekali atau dua kali sehari")
    # The feed itself, fetched the way a calendar application would.
    response = page.request.get(f"{live_server}/calendar/rio-tinto.ics?lang=id")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "set-cookie" not in response.headers
    assert response.body().count(b"BEGIN:VEVENT") == 3


@pytest.fixture
def staff_page(app, browser, live_server, make_user, db):
    """A browser logged in as staff, with the session cookie the login would have set."""
    from agmtool.accounts import domain as accounts
    from agmtool.models import Role

    user = make_user("staff@example.org", role=Role.STAFF)
    token = accounts.start_session(user)
    db.session.commit()
    cookie = app.session_interface.get_signing_serializer(app).dumps({"sid": token})
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                          "url": live_server}])
    yield context.new_page()
    context.close()


def test_staff_create_a_meeting_and_see_it_refused_then_saved(live_server, staff_page,
                                                               make_company):
    make_company(slug="rio-tinto", name="Rio Tinto", listings=[
        ("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")])
    page = staff_page
    page.goto(f"{live_server}/language/id?next=/staff/agms/new")
    page.select_option("#company_id", label="Rio Tinto")
    page.select_option("#listing_id", label="Rio Tinto: Rio Tinto plc (LSE: RIO)")
    page.fill("#local_date", "2027-03-28")
    page.fill("#local_time", "01:30")
    page.select_option("#timezone", "Europe/London")
    page.fill("#venue", "Queen Elizabeth II Centre")
    page.get_by_role("button").last.click()
    assert page.locator("#local_time-error").inner_text().startswith(
        "Waktu ini tidak ada di Europe/London pada hari itu")
    assert page.locator("#venue").input_value() == "Queen Elizabeth II Centre"
    helpers.screenshot(page, "agm-admin-refused-id-390")
    page.fill("#local_time", "11:00")
    page.get_by_role("button").last.click()
    assert page.locator(".flash").first.inner_text() == "Rapat sudah disimpan."
    page.set_viewport_size({"width": 1280, "height": 900})
    helpers.screenshot(page, "agm-admin-saved-id-1280")
    page.goto(f"{live_server}/staff/companies/")
    helpers.screenshot(page, "agm-admin-companies-id-1280")


def test_staff_import_a_file_twice_then_delete_a_copy(live_server, staff_page, make_company,
                                                      make_agm, db):
    from agmtool.models import AGM

    rio = make_company(slug="rio-tinto", name="Rio Tinto", listings=[
        ("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")])
    mistake = make_agm(company=rio, local_date=datetime(2027, 4, 8).date(),
                       timezone="Europe/London")
    csv = (b"company,listing,kind,date,time,timezone,venue\n"
           b"rio-tinto,Rio Tinto plc,agm,2027-04-08,11:00,Europe/London,QEII Centre\n"
           b"rio-tinto,Rio Tinto Limited,agm,2027-05-06,09:30,Australia/Perth,Perth\n")
    page = staff_page
    page.goto(f"{live_server}/language/pt?next=/staff/agms/")
    for _ in range(2):
        page.set_input_files("#file", files=[{"name": "meetings.csv", "mimeType": "text/csv",
                                              "buffer": csv}])
        with page.expect_navigation():
            page.get_by_role("button", name="Importar").click()
    assert page.locator(".import-report tbody tr").all_inner_texts() == [
        "2\nSem alterações\nRio Tinto plc: Assembleia geral anual, 8 de abr. de 2027",
        "3\nSem alterações\nRio Tinto Limited: Assembleia geral anual, 6 de mai. de 2027"]
    helpers.screenshot(page, "agm-admin-import-again-pt-390")
    page.goto(f"{live_server}/staff/agms/{mistake.id}/edit")
    page.get_by_role("link", name="Excluir").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Excluir a assembleia").click()
    assert page.locator("#confirm-error").inner_text() == "Marque a caixa para confirmar."
    page.get_by_label("Sim, excluir esta assembleia").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Excluir a assembleia").click()
    assert page.locator(".flash").first.inner_text() == "A assembleia foi excluída."
    db.session.expire_all()
    assert db.session.query(AGM).count() == 2
