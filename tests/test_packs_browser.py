"""Packs in a real browser, JavaScript off: a community member opens the report-back PDF from
the status page after entering the receipt code, on a phone; staff open a meeting's packs
page, wait on the page that prepares the pack, and get the PDF."""

from __future__ import annotations

from datetime import date

import helpers
import pytest

from agmtool.concerns import receipts
from agmtool.models import Attribution, ConcernStatus, QuestionStatus, Role
from agmtool.questions import answers
from agmtool.questions import domain as questions
from agmtool.translation import domain as translation

pytestmark = pytest.mark.browser
QUESTION = {
    "es": "¿Devolverá la junta el arroyo Bruno a su cauce natural?",
    "pt": "A diretoria vai devolver o rio Paraopeba ao seu curso?",
    "id": "Apakah direksi akan memulihkan sungai Ajkwa?",
    "en": "Will the board return the Bruno stream to its natural course?",
}


@pytest.fixture
def app_config():
    return {"PDF_WAIT_SECONDS": 60}


def approve(kind, source_id, language, text, staff, reviewer):
    row = translation.rows(kind, source_id)[language]
    translation.save(row, text, staff, row.version, ready=True)
    translation.approve(row, reviewer, row.version)


@pytest.mark.parametrize("lang", ["es", "pt", "id", "en"])
def test_the_report_back_pdf_from_the_status_page(browser, live_server, app, db, make_user,
                                                   make_agm, make_concern, lang):
    staff = make_user("staff@example.org", role=Role.STAFF)
    reviewer = make_user("reviewer@example.org", role=Role.STAFF)
    agm = make_agm(local_date=date(2027, 5, 26))
    code = receipts.receipt_from_key(f"browser-report-key-{lang}-0123456789")
    concern = make_concern(body="El arroyo", language=lang, company=agm.company,
                           status=ConcernStatus.ACCEPTED, attribution=Attribution.ANONYMOUS,
                           receipt_hash=receipts.receipt_hash(code))
    question = questions.draft(agm, [concern], QUESTION["en"], staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    if lang != "en":
        approve(questions.QUESTION, question.id, lang, QUESTION[lang], staff, reviewer)
    questions.move(question, QuestionStatus.AWAITING_SIGNOFF, staff)
    questions.move(question, QuestionStatus.APPROVED, staff)
    answers.record_outcome(question, staff, True, None, text="We will study it.")
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 800},
                                  java_script_enabled=False, locale="en-GB",
                                  accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/{lang}/status")
        page.fill("#code", code)
        page.click("main button[type=submit]")
        link = page.locator("a.button[href*='/status/report/']")
        helpers.screenshot(page, f"packs-status-{lang}-360")
        href = link.get_attribute("href")
        assert code not in href
        pdf = page.request.get(f"{live_server}{href}")
        assert (pdf.status, pdf.headers["content-type"], pdf.body()[:5]) == (
            200, "application/pdf", b"%PDF-")
    finally:
        context.close()


def test_staff_wait_for_the_pack_on_a_page_that_refreshes_itself(browser, live_server, app, db,
                                                                 make_user, make_agm,
                                                                 make_concern, log_in):
    app.config["PDF_WAIT_SECONDS"] = 0.0
    staff = make_user("staff@example.org", role=Role.STAFF)
    agm = make_agm(local_date=date(2027, 5, 26))
    concern = make_concern(body="El arroyo", language="es", company=agm.company,
                           status=ConcernStatus.ACCEPTED)
    questions.draft(agm, [concern], QUESTION["en"], staff)
    db.session.commit()
    client = app.test_client()
    log_in(client, staff)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    for width in (360, 1200):
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      java_script_enabled=False, locale="en-GB")
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server}])
        page = context.new_page()
        try:
            page.goto(f"{live_server}/staff/agms/{agm.id}/packs")
            assert page.locator("h1").inner_text().startswith("Packs and cards")
            helpers.screenshot(page, f"packs-builds-empty-{width}")
            if width == 360:
                response = page.request.get(f"{live_server}/staff/agms/{agm.id}/pack.pdf")
                assert response.status == 202
                page.set_content(response.text())
                helpers.screenshot(page, "packs-preparing-360")
                for _ in range(300):
                    response = page.request.get(f"{live_server}/staff/agms/{agm.id}/pack.pdf")
                    if response.status == 200:
                        break
                    page.wait_for_timeout(200)
                assert response.body()[:5] == b"%PDF-"
            page.goto(f"{live_server}/staff/agms/{agm.id}/packs")
            assert page.locator("table tbody tr").count() == 1
            helpers.screenshot(page, f"packs-builds-{width}")
            page.goto(f"{live_server}/staff/agms/{agm.id}/questions")
            assert page.locator("table.builds tbody tr").count() == 1
            helpers.screenshot(page, f"packs-running-order-{width}")
        finally:
            context.close()
