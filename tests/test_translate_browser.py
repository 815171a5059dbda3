"""The translation workbench in Chromium, without JavaScript as on a basic phone: a Spanish
translator's queue, an edited public note going back for review and approved by a second
person, two people saving one translation, and the queue and editor in four languages at
360 px and at desktop width."""

from datetime import UTC, datetime, timedelta

import helpers
import pytest

from agmtool.accounts import domain as accounts
from agmtool.concerns import domain as concerns
from agmtool.meetings import agms
from agmtool.models import AGMStatus, Role
from agmtool.translation import domain as translation

pytestmark = pytest.mark.browser

NOTE = "Postponed: the company has not yet set a new date."
NOTA = "Aplazada: la empresa aún no ha fijado una nueva fecha."


@pytest.fixture
def app_config():
    return {"BASE_URL": None}


@pytest.fixture
def people(make_user):
    return {
        "translator": make_user("traductora@example.org", role=Role.TRANSLATOR,
                                languages=["es"], name="Lucía"),
        "staff": make_user("staff@example.org", role=Role.STAFF, name="Ana"),
        "reviewer": make_user("reviewer@example.org", role=Role.STAFF, name="Tomás"),
    }


@pytest.fixture
def work(db, make_concern, make_agm, people):
    """A Spanish and a Portuguese concern, and a postponed meeting's public note."""
    today = datetime.now(UTC).date()
    es = make_concern(language="es", body="Desde que abrió el nuevo tajo, el agua del arroyo "
                      "Bruno llega turbia y los chivos se enferman.", wanted="Que la empresa "
                      "diga qué hará con el arroyo.", received_on=today - timedelta(days=3))
    pt = make_concern(language="pt", body="A lama da barragem chegou ao rio Paraopeba.",
                      received_on=today - timedelta(days=5))
    agm = make_agm(local_date=today + timedelta(days=30), status=AGMStatus.POSTPONED,
                   status_note=NOTE)
    return {"es": concerns.english(es), "pt": concerns.english(pt), "agm": agm,
            "note_es": translation.rows(agms.NOTE, agm.id)["es"]}


def open_as(browser, app, db, live_server, user, width=360, javascript=False):
    """A browser page logged in as ``user`` (the session cookie a login would set)."""
    token = accounts.start_session(user)
    db.session.commit()
    cookie = app.session_interface.get_signing_serializer(app).dumps({"sid": token})
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB",
                                  java_script_enabled=javascript)
    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                          "url": live_server}])
    return context, context.new_page()


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_spanish_translator_sees_only_spanish_work(browser, app, db, live_server, people,
                                                     work):
    context, page = open_as(browser, app, db, live_server, people["translator"])
    page.goto(f"{live_server}/staff/translate/")
    pairs = page.locator("table.queue tbody tr td:nth-child(2)").all_inner_texts()
    assert pairs == ["English into Spanish", "Spanish into English", "Spanish into English"]
    assert page.locator("ul.tally li").all_inner_texts() == ["Spanish: 3 · Missing: 3"]
    assert page.locator("#language option").all_inner_texts() == ["All", "Spanish"]
    response = page.goto(f"{live_server}/staff/translate/{work['pt'].id}")
    assert response.status == 404
    context.close()


def test_an_edited_note_goes_back_for_review_and_a_second_person_approves_it(
        browser, app, db, live_server, people, work):
    row = work["note_es"]
    translation.save(row, NOTA, people["translator"], 1, ready=True)
    translation.approve(row, people["reviewer"], 2)
    db.session.commit()
    staff_context, staff = open_as(browser, app, db, live_server, people["staff"], 1280)
    staff.goto(f"{live_server}/staff/agms/{work['agm'].id}/edit")
    staff.fill("#status_note", "Postponed: the new date is 30 June 2027.")
    staff.get_by_role("button", name="Save").click()
    assert staff.locator(".flash").first.inner_text() == "The meeting is saved."
    assert staff.locator(".translation-states li").first.inner_text().startswith(
        "Into Spanish: Needs review (out of date).")
    helpers.screenshot(staff, "agm-admin-note-translations-en-1280")

    context, page = open_as(browser, app, db, live_server, people["translator"])
    # Until the new text is approved, Spanish readers get the note as written, and are told.
    page.goto(f"{live_server}/es/agms/{work['agm'].id}")
    assert page.locator(".agm-note p").all_inner_texts() == [
        "Postponed: the new date is 30 June 2027.",
        "La traducción a su idioma está en camino. Mientras tanto, aquí está tal como la "
        "escribió nuestro equipo."]
    helpers.screenshot(page, "agms-detail-note-pending-es-360")
    page.goto(f"{live_server}/staff/translate/")
    first = page.locator("table.queue tbody tr").first
    assert first.locator("td").nth(2).inner_text() == "Needs review · the original changed"
    first.get_by_role("link").click()
    assert page.locator(".diff del").all_text_contents() == [
        "[removed:] company has not yet set a ", "[removed:] date. "]
    assert page.locator(".diff ins").all_text_contents() == ["[added:] date is 30 June 2027."]
    helpers.screenshot(page, "translate-editor-changed-en-360")
    page.fill("#text", "Aplazada: la nueva fecha es el 30 de junio de 2027.")
    page.get_by_role("button", name="Save for review").click()
    assert page.locator(".flash").first.inner_text() == (
        "The translation is saved and waits for review.")
    # The translator cannot approve their own work; the reviewer can.
    assert page.get_by_role("button", name="Approve").count() == 0
    review_context, review = open_as(browser, app, db, live_server, people["reviewer"], 1280)
    review.goto(f"{live_server}/staff/translate/{row.id}")
    review.get_by_role("button", name="Approve").click()
    assert review.locator(".flash").first.inner_text() == "The translation is approved."

    page.goto(f"{live_server}/es/agms/{work['agm'].id}")
    assert page.locator(".agm-note p").all_inner_texts() == [
        "Aplazada: la nueva fecha es el 30 de junio de 2027."]
    helpers.screenshot(page, "agms-detail-note-es-360")
    for each in (context, staff_context, review_context):
        each.close()


def test_two_people_save_one_translation_and_the_second_keeps_their_text(
        browser, app, db, live_server, people, work):
    url = f"{live_server}/staff/translate/{work['es'].id}"
    first_context, first = open_as(browser, app, db, live_server, people["translator"])
    second_context, second = open_as(browser, app, db, live_server, people["staff"], 1280)
    first.goto(url)
    second.goto(url)
    first.fill("#text", "Since the new pit opened, the Bruno stream runs muddy.")
    second.fill("#text", "Since the new mine pit opened, the water of the Bruno creek is "
                         "murky and the goats fall ill.")
    first.get_by_role("button", name="Save draft").click()
    assert first.locator(".flash").first.inner_text() == "The translation is saved as a draft."
    second.get_by_role("button", name="Save draft").click()
    assert second.locator("h1").inner_text() == f"Translation {work['es'].id}"
    assert second.locator("blockquote").all_inner_texts() == [
        "Since the new pit opened, the Bruno stream runs muddy.",
        "Since the new mine pit opened, the water of the Bruno creek is murky and the goats "
        "fall ill."]
    assert second.locator("#merged").input_value() == (
        "Since the new mine pit opened, the water of the Bruno creek is murky and the goats "
        "fall ill.")
    helpers.screenshot(second, "translate-conflict-en-1280")
    second.get_by_role("button", name="Save this text").click()
    assert second.locator(".flash").first.inner_text() == "The translation is saved as a draft."
    db.session.refresh(work["es"])
    assert work["es"].text == ("Since the new mine pit opened, the water of the Bruno creek is "
                               "murky and the goats fall ill.")
    first_context.close()
    second_context.close()


@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
def test_the_queue_and_the_editor_in_four_languages(browser, app, db, live_server, people,
                                                    work, make_user, lang):
    translation.save(work["es"], "Since the new pit opened, the water runs muddy.",
                     people["translator"], 1, ready=True)
    translation.sync(concerns.BODY, work["es"].source_id, "Desde que abrió el nuevo tajo, el "
                     "agua del arroyo Bruno llega turbia y los chivos y las vacas se enferman.",
                     "es", ["en"], reader=work["es"].reader, due_on=work["es"].due_on)
    db.session.commit()
    for width in (360, 1280):
        context, page = open_as(browser, app, db, live_server, people["staff"], width)
        page.goto(f"{live_server}/language/{lang}?next=/staff/translate/")
        assert page.locator("html").get_attribute("lang") == lang
        assert fits(page, width)
        helpers.screenshot(page, f"translate-queue-{lang}-{width}")
        page.goto(f"{live_server}/staff/translate/{work['es'].id}")
        assert page.locator(".diff ins").count() == 1
        assert page.locator("#memory h2, #glossary h2").count() == 2
        assert fits(page, width)
        helpers.screenshot(page, f"translate-editor-{lang}-{width}")
        context.close()
