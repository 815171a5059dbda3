"""The whole chain in a real browser with JavaScript off: an Indonesian concern becomes a
question, its translation is written and approved by two people, the community signs it
off on its status page, it is asked and answered, and the community reads the question,
the answer and the promise in Indonesian."""

from __future__ import annotations

import re
from datetime import date

import helpers
import pytest

from agmtool.models import Concern, Question, Role, Translation

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"CONCERN_MIN_FILL_SECONDS": 1}




def test_an_indonesian_concern_to_the_agm_floor_and_back(browser, live_server, app, db,
                                                        make_user, make_company, make_agm,
                                                        log_in):
    company = make_company()
    agm = make_agm(company=company, local_date=date(2027, 5, 26))
    staff = make_user("staff@example.org", role=Role.STAFF)
    reviewer = make_user("reviewer@example.org", role=Role.STAFF)
    translator = make_user("penerjemah@example.org", role=Role.TRANSLATOR, languages=["id"])
    community, their = helpers.context_for(browser, app, live_server, width=360)
    office, desk = helpers.context_for(browser, app, live_server, log_in, staff)
    checker, check = helpers.context_for(browser, app, live_server, log_in, reviewer)
    translating, pen = helpers.context_for(browser, app, live_server, log_in, translator, lang="id")
    try:
        # The community sends its concern, and keeps the receipt code.
        their.goto(f"{live_server}/id/concerns/new")
        their.select_option("#company", str(company.id))
        their.fill("#body", "Sungai kami keruh sejak tambang dibuka.")
        their.check("input[name=attribution][value=community]")
        their.wait_for_timeout(1100)
        their.click("main button[type=submit]")
        code = their.locator(".receipt").inner_text().strip()
        concern = db.session.query(Concern).one()

        # Staff accept it and draft a question for the meeting.
        desk.goto(f"{live_server}/staff/concerns/{concern.id}")
        desk.click("button:has-text('Accept')")
        desk.click("text=Draft a question from this concern")
        desk.select_option("#agm", str(agm.id))
        desk.fill("#text", "When will the company clean the river it muddied?")
        desk.click("button:has-text('Save the draft')")
        helpers.screenshot(desk, "journey-1-question-drafted")
        desk.click("button:has-text('Send for translation')")
        question = db.session.query(Question).one()

        # The translator writes the Indonesian; a second person approves it.
        row = db.session.query(Translation).filter_by(source_type="question",
                                                      language="id").one()
        pen.goto(f"{live_server}/staff/translate/{row.id}")
        pen.fill("#text", "Kapan perusahaan akan membersihkan sungai yang dikeruhkannya?")
        pen.click("button[value=ready]")
        helpers.screenshot(pen, "journey-2-translated-id")
        check.goto(f"{live_server}/staff/translate/{row.id}")
        check.click("button[value=approve]")
        assert "The translation is approved." in check.content()

        # The community reads it in Indonesian and signs it off.
        their.goto(f"{live_server}/id/status")
        their.fill("#code", code)
        their.click("main button[type=submit]")
        assert ("Kapan perusahaan akan membersihkan sungai yang dikeruhkannya?"
                in their.locator("section.question-status").inner_text())
        helpers.screenshot(their, "journey-3-signoff-asked-id")
        their.click("button:has-text('Ya, tanyakan ini')")
        assert "Terima kasih. Jawaban Anda sudah sampai ke tim kami." in their.content()

        # Staff approve the question, then record it asked, with an answer and a promise.
        desk.goto(f"{live_server}/staff/questions/{question.id}")
        desk.click("button:has-text('Translations done')")
        desk.click("button:has-text('Approve the question')")
        assert "Saved: Approved." in desk.content()
        desk.check("input[name=asked][value=asked]")
        desk.fill("#answer_text", "The company will test the water and report by June.")
        desk.fill("#given_by", "the Chair")
        desk.check("#written_promised")
        desk.fill("#written_due", "2027-06-30")
        desk.click("button:has-text('Save what happened')")
        helpers.screenshot(desk, "journey-4-asked-and-answered")

        # The answer's Indonesian translation, written and approved by two people.
        answer_row = db.session.query(Translation).filter_by(source_type="answer",
                                                             language="id").one()
        pen.goto(f"{live_server}/staff/translate/{answer_row.id}")
        pen.fill("#text", "Perusahaan akan menguji airnya dan melaporkannya paling lambat Juni.")
        pen.click("button[value=ready]")
        check.goto(f"{live_server}/staff/translate/{answer_row.id}")
        check.click("button[value=approve]")

        # The community reads question, answer and promise in Indonesian.
        their.goto(f"{live_server}/id/status")
        their.fill("#code", code)
        their.click("main button[type=submit]")
        section = their.locator("section.question-status").inner_text()
        helpers.screenshot(their, "journey-5-answer-read-id")
        for words in ("Kapan perusahaan akan membersihkan sungai yang dikeruhkannya?",
                      "Pertanyaan ini sudah diajukan di RUPS.",
                      "Perusahaan akan menguji airnya dan melaporkannya paling lambat Juni.",
                      "Perusahaan menjanjikan jawaban tertulis paling lambat 30 Juni 2027."):
            assert words in section
        assert "The company will test" not in their.content()  # never the English
        assert re.search(r"Sudah dijawab", their.content())
    finally:
        for context in (community, office, checker, translating):
            context.close()
