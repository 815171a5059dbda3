"""The translators' tools in a real browser with JavaScript off: a Spanish translator puts a
suggestion of the memory in the box, sees the glossary term the text breaks, fixes it; the
reviewer approves; the glossary page. Screenshots at 360 px and at desktop width, in each
language, in test-artifacts/."""

from __future__ import annotations

import helpers
import pytest

from agmtool.models import EVERY_LANGUAGE, Reader, Role, TermKind, TranslationState
from agmtool.translation import domain as translation
from agmtool.translation import glossary

pytestmark = pytest.mark.browser

EARLIER = ("The tailings dam above the village is cracked and nobody from Glencore has "
           "come to look at it.")
EARLIER_ES = ("La presa de relaves sobre el pueblo está agrietada y nadie de Glencore ha "
              "venido a revisarla.")
NEW = ("The tailings dam above our village is cracked and nobody from Glencore has come to "
       "look at it. The water tastes of metal.")




@pytest.fixture
def scene(db, make_user):
    translator = make_user("traductora@example.org", role=Role.TRANSLATOR, languages=["es"])
    reviewer = make_user("reviewer@example.org", role=Role.STAFF)
    glossary.add(reviewer, TermKind.KEEP, EVERY_LANGUAGE, EVERY_LANGUAGE, "Glencore",
                 note="The company: never translated.")
    glossary.add(reviewer, TermKind.TRANSLATE, "en", "es", "tailings dam", "presa de relaves")
    earlier = translation.sync("test_text", 1, EARLIER, "en", ["es"],
                               reader=Reader.COMMUNITY)["es"]
    translation.save(earlier, EARLIER_ES, translator, earlier.version, ready=True)
    translation.approve(earlier, reviewer, earlier.version)
    row = translation.sync("test_text", 2, NEW, "en", ["es"], reader=Reader.COMMUNITY)["es"]
    db.session.commit()
    return translator, reviewer, row


def test_a_suggestion_in_the_box_a_term_fixed_and_approved(browser, live_server, app, db,
                                                          scene, log_in):
    translator, reviewer, row = scene
    writing, pen = helpers.context_for(browser, app, live_server, log_in, translator, lang="es",
                               width=360)
    checking, check = helpers.context_for(browser, app, live_server, log_in, reviewer)
    try:
        pen.goto(f"{live_server}/staff/translate/{row.id}")
        suggestion = pen.locator("#memory ol.suggestions > li").first
        assert suggestion.locator(".match strong").inner_text() == "coincide en un 94 %"
        helpers.screenshot(pen, "tm-editor-suggestions-es-360")
        suggestion.locator("button").click()
        assert pen.locator("#text").input_value() == EARLIER_ES
        pen.fill("#text", EARLIER_ES.replace("presa de relaves", "represa")
                 + " El agua sabe a metal.")
        pen.click("button[value=ready]")
        assert pen.locator("#glossary li.term-broken").inner_text().startswith(
            "tailings dam → presa de relaves")
        helpers.screenshot(pen, "tm-editor-glossary-es-360")

        check.goto(f"{live_server}/staff/translate/{row.id}")
        check.click("button[value=approve]")
        assert check.locator(".flash.error").inner_text().startswith(
            "Not approved: this translation does not keep the glossary terms")
        helpers.screenshot(check, "tm-editor-refused-en-desktop")

        pen.fill("#text", pen.locator("#text").input_value().replace(
            "represa", "presa de relaves"))
        pen.click("button[value=ready]")
        assert pen.locator("#glossary li.term-broken").count() == 0
        check.goto(f"{live_server}/staff/translate/{row.id}")
        check.click("button[value=approve]")
        assert check.locator(".flash").first.inner_text() == "The translation is approved."
        db.session.refresh(row)
        assert row.state == TranslationState.APPROVED
    finally:
        writing.close()
        checking.close()


@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
def test_the_editor_and_the_glossary_as_people_see_them(browser, live_server, app, db, scene,
                                                       log_in, lang):
    translator, reviewer, row = scene
    translation.save(row, "La represa de Glencor está agrietada.", translator, row.version,
                     ready=True)
    db.session.commit()
    for width, name in ((360, "360"), (1280, "desktop")):
        context, page = helpers.context_for(browser, app, live_server, log_in, reviewer, lang=lang,
                                    width=width)
        try:
            page.goto(f"{live_server}/staff/translate/{row.id}")
            assert page.locator("#memory ol.suggestions > li").count() == 1
            assert page.locator("#glossary li.term-broken").count() == 2
            helpers.screenshot(page, f"tm-editor-{lang}-{name}")
            page.goto(f"{live_server}/staff/translate/glossary/")
            assert page.locator("ul.glossary > li").count() == 2
            helpers.screenshot(page, f"tm-glossary-{lang}-{name}")
            page.goto(f"{live_server}/staff/translate/xliff/")
            helpers.screenshot(page, f"tm-xliff-{lang}-{name}")
        finally:
            context.close()
