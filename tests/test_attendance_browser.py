"""Attendance in a real browser with JavaScript off: staff add a community representative
as the proxy of a friendly shareholder, move the entry to confirmed and make her the speaker
of a question; she logs in with her second factor and reads only her meeting, in Spanish."""

from __future__ import annotations

import re
from datetime import date, time

import helpers
import pyotp
import pytest

from agmtool.models import Attendee, ConcernStatus, EntryState, Role
from agmtool.questions import attendees
from agmtool.questions import domain as questions

pytestmark = pytest.mark.browser


def test_a_representative_is_appointed_named_speaker_and_reads_her_meeting_in_spanish(
        browser, live_server, app, db, make_user, make_company, make_agm, make_concern,
        log_in):
    company = make_company()
    agm = make_agm(company=company, local_date=date(2027, 5, 26), local_time=time(10, 30))
    other = make_agm(company=company, local_date=date(2028, 5, 24))
    staff = make_user("staff@example.org", role=Role.STAFF, name="Marta")
    rosa = make_user("rosa@example.org", role=Role.ATTENDEE, name="Rosa Epieyú", totp=True)
    church = attendees.save_shareholder(None, staff, {"name": "St Anne's Church",
                                                      "holding": "registered"})
    attendees.set_holding(church, company.id, 1, staff)
    concern = make_concern(language="es", body="El arroyo fue desviado.", company=company,
                           status=ConcernStatus.ACCEPTED)
    question = questions.draft(agm, [concern], "When will the stream be returned?", staff,
                               background="Diverted in 2016.")
    db.session.commit()

    office = browser.new_context(viewport={"width": 1200, "height": 900},
                                 java_script_enabled=False, locale="en-GB")
    client = app.test_client()
    log_in(client, staff)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    office.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
    desk = office.new_page()
    phone = browser.new_context(viewport={"width": 360, "height": 780},
                                java_script_enabled=False, locale="es-ES")
    her = phone.new_page()
    try:
        # Staff add her as a proxy of the church's one share.
        desk.goto(f"{live_server}/staff/agms/{agm.id}/attendees")
        desk.select_option("#user_id", str(rosa.id))
        desk.select_option("#language", "es")
        desk.check("#may_be_named")
        desk.select_option("#entry", "proxy")
        desk.select_option("#shareholding_id", str(church.shareholdings[0].id))
        desk.fill("#shares", "1")
        desk.fill("#contact_details", "+57 300 555 0199")
        desk.click("button:has-text('Add the attendee')")
        assert "Rosa Epieyú is added to the meeting." in desk.content()
        entry = db.session.query(Attendee).one()

        # Appointed, lodged with the registrar, confirmed.
        desk.goto(f"{live_server}/staff/attendees/{entry.id}")
        desk.click("button:has-text('Appointed')")
        desk.click("button:has-text('Lodged with the registrar')")
        desk.click("button:has-text('Confirmed')")
        assert "Rosa Epieyú: Confirmed." in desk.content()
        helpers.screenshot(desk, "attendance-1-confirmed")

        # She is the speaker of the question.
        desk.goto(f"{live_server}/staff/questions/{question.id}")
        desk.select_option("#speaker", str(entry.id))
        desk.click("button:has-text('Save the question')")
        desk.goto(f"{live_server}/staff/agms/{agm.id}/questions")
        assert "Rosa Epieyú" in desk.locator("ol.running-order").inner_text()
        helpers.screenshot(desk, "attendance-2-running-order")

        # She logs in with her second factor and reads her meeting in Spanish.
        her.goto(f"{live_server}/language/es?next=/staff/")
        her.get_by_label(re.compile("Correo")).fill("rosa@example.org")
        her.get_by_label(re.compile("Contraseña")).fill(helpers.PASSWORD)
        her.locator("main button[type=submit]").click()
        her.locator("input[name=code]").fill(pyotp.TOTP(rosa.totp_secret).now())
        her.locator("main button[type=submit]").click()
        her.click("text=Mis juntas")
        links = her.locator("main ul a").all_inner_texts()
        assert links == ["Glencore, 26 de mayo de 2027"]
        her.click("text=Glencore, 26 de mayo de 2027")
        page = her.locator("main").inner_text()
        helpers.screenshot(her, "attendance-3-her-meeting-es-360")
        assert "Las preguntas que usted hace" in page
        assert "When will the stream be returned?" in page
        assert "Confirmado" in page
        assert "+57 300 555 0199" not in page
        assert her.goto(f"{live_server}/staff/attending/{other.id}").status == 404
        db.session.expire_all()
        assert db.session.get(Attendee, entry.id).state == EntryState.CONFIRMED
    finally:
        office.close()
        phone.close()
