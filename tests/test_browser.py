"""Journeys in Chromium: the home page in four languages, the language menu, staff login."""

import re

import helpers
import pyotp
import pytest

from agmtool.models import Role

pytestmark = pytest.mark.browser

@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
def test_home_page_in_each_language(page, live_server, lang):
    page.goto(f"{live_server}/{lang}/")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("nav.languages a[aria-current]").inner_text() == {
        "en": "English", "es": "Español", "pt": "Português", "id": "Bahasa Indonesia"}[lang]
    # Nothing is wider than a 390 px phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    helpers.screenshot(page, f"home-{lang}")


def test_language_menu_switches_the_page(page, live_server):
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Português").click()
    page.wait_for_url(f"{live_server}/pt/")
    heading = page.locator("h1").inner_text()
    assert heading == "Suas perguntas, feitas na assembleia anual da empresa"
    assert page.locator("html").get_attribute("lang") == "pt"


def test_keyboard_focus_is_visible(page, live_server):
    page.goto(f"{live_server}/en/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"


def test_staff_member_logs_in_with_a_code_and_out_again(page, live_server, make_user):
    user = make_user("staff@example.org", role=Role.STAFF, name="Marta")
    page.goto(f"{live_server}/staff/")
    page.get_by_label("Email").fill("staff@example.org")
    page.get_by_label("Password").fill(helpers.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label(re.compile("Six-digit code")).fill(pyotp.TOTP(user.totp_secret).now())
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Welcome, Marta"
    helpers.screenshot(page, "staff-start-en")
    page.get_by_role("button", name="Log out").click()
    assert page.locator("h1").inner_text() == "Log in"
    page.goto(f"{live_server}/staff/")
    assert page.url == f"{live_server}/staff/login?next=/staff/"
