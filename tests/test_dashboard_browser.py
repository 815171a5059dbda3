"""The dashboard in a real browser, JavaScript off: staff open the start page, follow a
number to its list, and the page reads in four languages at 360 px and at desktop width."""

from __future__ import annotations

import re

import helpers
import pytest
import test_dashboard

from agmtool.models import Attendee, Role

pytestmark = pytest.mark.browser
# The season under way and the staff member of the dashboard's own tests.
season, staff = test_dashboard.season, test_dashboard.staff




def test_staff_follow_a_number_from_the_dashboard_to_its_list(browser, live_server, app,
                                                              log_in, staff, season):
    context, page = helpers.context_for(browser, app, live_server, log_in, staff, width=360)
    try:
        page.goto(f"{live_server}/staff/")
        link = page.locator("#waiting").locator("xpath=..").get_by_role(
            "link", name=re.compile("concerns accepted and in no question yet"))
        assert link.inner_text() == "3 concerns accepted and in no question yet"
        link.click()
        assert page.locator("main p", has_text=re.compile(r"^\d+ concerns?")).first.inner_text(
        ).startswith("3 concerns")
        assert page.locator("table.list tbody tr").count() == 3
        # The picture has a text equivalent that a screen reader reaches.
        page.goto(f"{live_server}/staff/")
        svg = page.locator("svg[role=img]")
        assert svg.get_attribute("aria-labelledby") == "timeline-title timeline-desc"
        assert page.get_by_role("img").first.get_attribute("aria-labelledby") is not None
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
def test_screenshots(browser, live_server, app, log_in, staff, season, lang):
    for width in (360, 1280):
        context, page = helpers.context_for(browser, app, live_server, log_in, staff, lang, width)
        try:
            page.goto(f"{live_server}/staff/")
            page.locator("details.timeline-text summary").click()
            helpers.screenshot(page, f"dashboard-{lang}-{width}")
            overflow = page.evaluate("document.documentElement.scrollWidth > innerWidth")
            assert overflow is False
        finally:
            context.close()


@pytest.mark.parametrize("lang", ["en", "id"])
def test_screenshots_of_a_translators_and_an_attendees_dashboard(
        browser, live_server, app, log_in, make_user, season, db, lang):
    translator = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"],
                           name="Tomás")
    attendee = make_user("at@example.org", role=Role.ATTENDEE, name="Ayu")
    db.session.add(Attendee(agm=season["soon"], user=attendee, name="Ayu"))
    db.session.commit()
    for who, user in (("translator", translator), ("attendee", attendee)):
        for width in (360, 1280):
            context, page = helpers.context_for(browser, app, live_server, log_in, user, lang,
                                                width)
            try:
                page.goto(f"{live_server}/staff/")
                helpers.screenshot(page, f"dashboard-{who}-{lang}-{width}")
                assert page.evaluate("document.documentElement.scrollWidth > innerWidth") is False
            finally:
                context.close()


def test_screenshot_of_the_assignment_on_a_concern(browser, live_server, app, log_in, staff,
                                                   make_user, season):
    make_user("bea@example.org", role=Role.STAFF, name="Bea Colleague")
    concern = season["accepted"][0]
    context, page = helpers.context_for(browser, app, live_server, log_in, staff, "es", 360)
    try:
        page.goto(f"{live_server}/staff/concerns/{concern.id}")
        page.select_option("#assignee", label="Bea Colleague")
        page.get_by_role("button", name="Asignar").click()
        assert page.locator("#assignee option:checked").inner_text() == "Bea Colleague"
        helpers.screenshot(page, "concern-assigned-es-360")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
def test_screenshots_of_an_answer_waiting_in_the_inbox(browser, live_server, app, log_in, staff,
                                                       season, lang):
    """Issue 9, items 21 and 22: the flag and the count of an answer to read, the season
    filter named by its two years; then staff mark the answer read."""
    context, page = helpers.context_for(browser, app, live_server, log_in, staff, lang, 360)
    try:
        page.goto(f"{live_server}/staff/concerns/")
        helpers.screenshot(page, f"inbox-answer-waiting-{lang}-360")
        assert page.evaluate("document.documentElement.scrollWidth > innerWidth") is False
        page.locator("strong.answer-waiting").first.locator("xpath=../..").locator(
            "td a").first.click()
        helpers.screenshot(page, f"concern-answer-waiting-{lang}-360")
        page.locator("form.answer-waiting button").click()
        assert page.locator("form.answer-waiting").count() == 0
    finally:
        context.close()
