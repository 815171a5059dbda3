"""The translation workbench: the queue (languages, order, counts, filters, a fixed number of
queries), the side-by-side editor (what it names, what changed, a source that changes while
it is open, review by a second person) and the history of translations on their sources'
pages."""

import re
from datetime import date, timedelta

import helpers
import pytest
import sqlalchemy as sa

from agmtool.concerns import domain as concerns
from agmtool.meetings import agms
from agmtool.models import (
    Concern,
    ConcernStatus,
    QuestionStatus,
    Reader,
    Role,
    Translation,
    TranslationState,
    utcnow,
)
from agmtool.translation import benchmark, queue
from agmtool.translation import domain as translation

NOTE = "Postponed: the company has not yet set a new date."


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role=Role.STAFF)


@pytest.fixture
def staff_client(client, staff, log_in):
    log_in(client, staff)
    return client


@pytest.fixture
def spanish(make_user):
    return make_user("traductora@example.org", role=Role.TRANSLATOR, languages=["es"])


@pytest.fixture
def spanish_client(app, spanish, log_in):
    client = app.test_client()
    log_in(client, spanish)
    return client


def listed(page: str) -> list[int]:
    """The translations the queue lists, in order."""
    body = page.split('<table class="list queue">', 1)[-1]
    return [int(n) for n in re.findall(r'<a href="/staff/translate/(\d+)">', body)]


def note_rows(agm) -> dict[str, Translation]:
    return translation.rows(agms.NOTE, agm.id)


@pytest.fixture
def work(db, make_concern, make_agm, staff):
    """A Spanish and a Portuguese concern (into English), a meeting's public note (into
    Spanish, Portuguese and Indonesian) and a decline reason written in English for a
    Spanish speaker, each with its deadline."""
    today = utcnow().date()
    es = make_concern(language="es", body="el agua", received_on=today - timedelta(days=10))
    pt = make_concern(language="pt", body="a lama", received_on=today - timedelta(days=12))
    agm = make_agm(status_note=NOTE)
    declined = make_concern(language="es", body="otra cosa",
                            received_on=today - timedelta(days=20))
    concerns.decline(declined, staff, "Not about a listed company.", "en")
    db.session.commit()
    notes = note_rows(agm)
    return {"es": concerns.english(es), "pt": concerns.english(pt),
            "note_es": notes["es"], "note_pt": notes["pt"], "note_id": notes["id"],
            "reason": translation.rows(concerns.DECLINE_REASON, declined.id)["es"],
            "agm": agm}


# --- the queue ----------------------------------------------------------------------------

def test_a_translator_sees_only_work_in_their_languages(spanish_client, work):
    # Due: the decline reason and the note today, the concerns in 4 and 2 days... the Spanish
    # concern in 4, the declined one's words not at all (declined: not waiting).
    page = spanish_client.get("/staff/translate/").text
    assert listed(page) == sorted([work["note_es"].id, work["reason"].id]) + [work["es"].id]
    assert "Work in your languages: Spanish. The soonest deadline comes first." in page


def test_staff_see_every_language_soonest_deadline_first(staff_client, work):
    page = staff_client.get("/staff/translate/").text
    today_ids = sorted(work[key].id for key in ("note_es", "note_pt", "note_id", "reason"))
    assert listed(page) == [*today_ids, work["pt"].id, work["es"].id]


def test_work_without_a_deadline_comes_last(staff_client, work, db):
    work["note_pt"].due_on = None
    db.session.commit()
    assert listed(staff_client.get("/staff/translate/").text)[-1] == work["note_pt"].id


def test_approved_translations_are_not_waiting(staff_client, staff, make_user, work, db):
    translation.save(work["pt"], "the mud", make_user("other@example.org"), 1)
    translation.approve(work["pt"], staff, 2)
    db.session.commit()
    assert work["pt"].id not in listed(staff_client.get("/staff/translate/").text)


def test_opening_another_languages_work_is_not_found(spanish_client, work):
    url = f"/staff/translate/{work['pt'].id}"
    assert spanish_client.get(url).status_code == 404
    assert spanish_client.post(url, data={"text": "x", "seen_version": "1"}).status_code == 404
    assert spanish_client.get(f"/staff/translate/{work['es'].id}").status_code == 200


def test_counts_by_language_and_state(app, staff, spanish, work, make_user, db):
    translation.save(work["note_pt"], "Adiada.", make_user("other@example.org"), 1,
                     ready=True)
    translation.save(work["es"], "the water", make_user("third@example.org"), 1)
    db.session.commit()
    counts = queue.counts(staff, ["es", "pt", "id"])
    assert (counts.total, counts.by_state) == (6, {"missing": 4, "draft": 1, "needs_review": 1})
    assert counts.by_language == {
        "es": {"missing": 2, "draft": 1, "needs_review": 0, "all": 3},
        "pt": {"missing": 1, "draft": 0, "needs_review": 1, "all": 2},
        "id": {"missing": 1, "draft": 0, "needs_review": 0, "all": 1}}
    mine = queue.counts(spanish, ["es"])
    assert (mine.total, mine.by_language) == (
        3, {"es": {"missing": 2, "draft": 1, "needs_review": 0, "all": 3}})


def tally(page: str) -> list[str]:
    """The counts, a line each, with each link's query after its text."""
    block = page.split('<ul class="tally"', 1)[1].split("</ul>", 1)[0]
    lines = []
    for line in re.findall(r"<li>(.*?)</li>", block, flags=re.S):
        line = re.sub(r'<a href="/staff/translate/\??([^"]*)">(.*?)</a>', r"\2 (\1)", line)
        lines.append(" ".join(re.sub(r"<[^>]+>", "", line).split()))
    return lines


def test_the_counts_link_to_their_work(spanish_client, staff_client, work):
    assert tally(spanish_client.get("/staff/translate/").text) == [
        "Spanish: 3 (language=es) · Missing: 3 (language=es&amp;state=missing)"]
    assert tally(staff_client.get("/staff/translate/").text) == [
        "Spanish: 3 (language=es) · Missing: 3 (language=es&amp;state=missing)",
        "Portuguese: 2 (language=pt) · Missing: 2 (language=pt&amp;state=missing)",
        "Indonesian: 1 (language=id) · Missing: 1 (language=id&amp;state=missing)",
        "All: 6 () · Missing: 6 (state=missing)"]


@pytest.mark.parametrize("query, expected", [
    ("language=pt", ["pt", "note_pt"]),
    ("state=needs_review", ["note_pt"]),
    ("language=es&state=draft", ["es"]),
    ("changed=1", ["es"]),
    ("language=xx", ["es", "pt", "note_es", "note_pt", "note_id", "reason"]),
])
def test_filters(staff_client, work, make_user, db, query, expected):
    other = make_user("other@example.org")
    translation.save(work["note_pt"], "Adiada.", other, 1, ready=True)
    translation.save(work["es"], "the water", other, 1)
    translation.sync(concerns.BODY, work["es"].source_id, "el agua turbia", "es", ["en"],
                     reader=Reader.STAFF, due_on=work["es"].due_on)
    db.session.commit()
    page = staff_client.get(f"/staff/translate/?{query}").text
    assert sorted(listed(page)) == sorted(work[key].id for key in expected)


def test_a_translator_cannot_filter_into_another_language(spanish_client, work):
    everything = listed(spanish_client.get("/staff/translate/").text)
    assert listed(spanish_client.get("/staff/translate/?language=pt").text) == everything


def test_the_queue_marks_a_changed_original_and_lateness(staff_client, work, make_user, db):
    translation.save(work["es"], "the water", make_user("other@example.org"), 1)
    translation.sync(concerns.BODY, work["es"].source_id, "el agua turbia", "es", ["en"],
                     reader=Reader.STAFF, due_on=date(2020, 1, 2))
    db.session.commit()
    page = staff_client.get("/staff/translate/?changed=1").text
    row = page.split('<table class="list queue">', 1)[1].split("</tr>", 2)[1]
    assert " ".join(re.sub(r"<[^>]+>", " ", row).split()) == (
        "2 Jan 2020 overdue Spanish into English Draft · the original changed What is "
        "happening (a concern) el agua turbia")


def test_a_meetings_work_names_its_meeting(staff_client, work):
    page = staff_client.get("/staff/translate/?language=id").text
    assert "For the meeting of Glencore on 26 May 2027" in page


def test_pages_keep_the_filters(staff_client, work, db):
    db.session.execute(sa.insert(Translation), [
        {"source_type": "meeting_note", "source_id": 10_000 + n, "source_language": "en",
         "source_text": f"note {n}", "language": "id", "text": "",
         "state": TranslationState.MISSING,
         "reader": Reader.PUBLIC, "version": 1, "updated_at": utcnow()} for n in range(60)])
    db.session.commit()
    page = staff_client.get("/staff/translate/?language=id").text
    assert "61 translations" in page
    assert 'href="/staff/translate/?page=2&amp;language=id">Next</a>' in page


def test_nothing_waiting_is_said_so(spanish_client):
    page = spanish_client.get("/staff/translate/").text
    assert "Nothing is waiting for translation in your languages." in page


def _bulk(db, number: int, agm_id: int) -> None:
    """``number`` translations waiting: concerns' words and meetings' notes, in every
    state but approved, some made from an earlier text."""
    states = [TranslationState.MISSING, TranslationState.DRAFT, TranslationState.NEEDS_REVIEW]
    start = db.session.scalar(sa.select(sa.func.count(Translation.id)))
    db.session.execute(sa.insert(Translation), [
        {"source_type": "meeting_note" if n % 2 else "concern_body", "source_id": 100_000 + n,
         "source_language": "en" if n % 2 else "es", "source_text": f"text {n}",
         "language": ("es", "pt", "id")[n % 3] if n % 2 else "en",
         "text": f"texto {n}", "made_from": "older" if n % 7 == 0 else f"text {n}",
         "state": states[n % 3], "reader": Reader.PUBLIC, "version": 1,
         "agm_id": agm_id if n % 2 else None, "due_on": date(2027, 1, 1) + timedelta(n % 90),
         "updated_at": utcnow()}
        for n in range(start, start + number)])
    db.session.commit()




@pytest.mark.parametrize("url", ["/staff/translate/", "/staff/translate/?language=es&changed=1"])
def test_the_queue_makes_as_many_queries_at_1000_as_at_10(staff_client, spanish_client, db,
                                                           make_agm, url):
    agm = make_agm()
    _bulk(db, 10, agm.id)
    few = [helpers.statements(client, db, url)[0] for client in (staff_client, spanish_client)]
    _bulk(db, 990, agm.id)
    many = [helpers.statements(client, db, url)[0] for client in (staff_client, spanish_client)]
    assert many == few
    assert "1,000 translations" in staff_client.get("/staff/translate/").text


def test_the_queue_never_shows_contact_details(staff_client, make_concern):
    make_concern(language="es", body="el agua", contact_name="Señora Contacto Secreta",
                 contact_details="+57 300 555 0199", speaker_name="Nombre Secreto")
    page = staff_client.get("/staff/translate/").text
    assert listed(page) != []
    assert not any(secret in page for secret in ("Señora Contacto", "555 0199", "Nombre"))


# --- the editor ---------------------------------------------------------------------------

def meta(page: str) -> dict[str, str]:
    """The facts named above the editor, as text."""
    block = page.split('<dl class="meta">', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, flags=re.S)
    return {dt: " ".join(re.sub(r"<[^>]+>", "", dd).split()) for dt, dd in pairs}


def test_the_editor_names_the_languages_reader_deadline_and_meeting(staff_client, work):
    page = staff_client.get(f"/staff/translate/{work['note_es'].id}").text
    assert meta(page) == {
        "Languages": "English into Spanish", "Read by": "The public",
        "Needed by": helpers_day(work["note_es"].due_on), "Meeting": "Glencore, 26 May 2027",
        "State": "Missing"}
    assert re.findall(r'<h2 id="[\w-]+">([^<]+)</h2>', page) == [
        "Original (English)", "Translation (Spanish)",
        "Suggestions from earlier translations", "Glossary terms in this text"]


def helpers_day(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def test_the_editor_keeps_places_for_the_memory_and_the_glossary(staff_client, work):
    page = staff_client.get(f"/staff/translate/{work['es'].id}").text
    assert ('<p class="help">No suggestions for this text yet. Approved translations will be '
            'suggested here when a new text resembles them.</p>') in page
    assert ('<p class="help">No glossary terms found in this text. Names and terms that must '
            'be kept or translated one way will be listed here.</p>') in page


def test_staff_can_follow_a_translation_to_its_source(staff_client, spanish_client, work):
    page = staff_client.get(f"/staff/translate/{work['reason'].id}").text
    concern_id = work["reason"].source_id
    assert f'<a href="/staff/concerns/{concern_id}">Where this text comes from</a>' in page
    note = staff_client.get(f"/staff/translate/{work['note_es'].id}").text
    assert f'<a href="/staff/agms/{work["agm"].id}/edit">Where this text comes from</a>' in note
    # A translator has no staff pages to follow it to.
    assert "Where this text comes from" not in spanish_client.get(
        f"/staff/translate/{work['note_es'].id}").text


def test_an_approved_translation_whose_original_changed_needs_review_and_shows_the_diff(
        staff_client, staff, make_user, work, db):
    row = work["note_es"]
    translation.save(row, "Aplazada: la empresa aún no ha fijado una nueva fecha.",
                     make_user("other@example.org"), 1, ready=True)
    translation.approve(row, staff, 2)
    db.session.commit()
    agm = work["agm"]
    agms.update_agm(agm, staff, {"status_note": "Postponed: the new date is 30 June 2027."},
                    agm.version)
    db.session.commit()
    db.session.refresh(row)
    assert (row.state, row.stale) == (TranslationState.NEEDS_REVIEW, True)
    page = staff_client.get(f"/staff/translate/{row.id}").text
    assert meta(page)["State"] == (
        "Needs review · the original changed since this translation was written")
    assert ('<p class="diff text" lang="en">Postponed: the '
            '<del><span class="sr-only">[removed:] </span>company has not yet set a </del>new '
            '<del><span class="sr-only">[removed:] </span>date. </del>'
            '<ins><span class="sr-only">[added:] </span>date is 30 June 2027.</ins></p>') in page


def test_a_source_that_changes_while_the_editor_is_open_keeps_the_text_and_shows_the_change(
        staff_client, work, db):
    row = work["es"]
    opened = staff_client.get(f"/staff/translate/{row.id}").text
    seen_source = re.search(r'name="seen_source" type="hidden" value="([^"]*)"', opened)[1]
    assert seen_source == "el agua"
    translation.sync(concerns.BODY, row.source_id, "el agua turbia", "es", ["en"],
                     reader=Reader.STAFF, due_on=row.due_on)
    db.session.commit()
    response = staff_client.post(f"/staff/translate/{row.id}", data={
        "text": "the water", "seen_version": "1", "seen_source": seen_source, "step": "ready"})
    assert response.status_code == 409
    assert ("The original changed while you had this page open, so nothing was saved.") in (
        response.text)
    assert 'rows="12">\r\nthe water</textarea>' in response.text
    assert ('<h3 id="what-changed">What changed in the original while you had this page '
            'open</h3>') in response.text
    assert 'el agua <ins><span class="sr-only">[added:] </span>turbia</ins>' in response.text
    assert 'name="seen_version" type="hidden" value="2"' in response.text
    db.session.refresh(row)
    assert (row.text, row.state) == ("", TranslationState.MISSING)
    staff_client.post(f"/staff/translate/{row.id}", data={
        "text": "the muddy water", "seen_version": "2", "seen_source": "el agua turbia",
        "step": "ready"})
    db.session.refresh(row)
    assert (row.text, row.state, row.made_from) == (
        "the muddy water", TranslationState.NEEDS_REVIEW, "el agua turbia")


def test_two_people_saving_one_translation_the_second_sees_both(staff_client, make_user,
                                                                  work, db):
    row = work["es"]
    translation.save(row, "the water", make_user("other@example.org"), 1)
    db.session.commit()
    response = staff_client.post(f"/staff/translate/{row.id}", data={
        "text": "my water", "seen_version": "1", "seen_source": "el agua"})
    assert response.status_code == 409
    assert re.findall(r"<blockquote[^>]*>([^<]*)</blockquote>", response.text) == [
        "the water", "my water"]
    assert '<input type="hidden" name="seen_source" value="el agua">' in response.text


def test_a_reviewer_sends_a_translation_back_with_a_comment(staff_client, staff, spanish_client,
                                                            spanish, work, db):
    row = work["es"]
    spanish_client.post(f"/staff/translate/{row.id}", data={
        "text": "the watter", "seen_version": "1", "seen_source": "el agua", "step": "ready"})
    own = spanish_client.get(f"/staff/translate/{row.id}").text
    assert ("You wrote this translation: another person reviews and approves it.") in own
    assert "Send back to the translator" not in own
    staff_client.post(f"/staff/translate/{row.id}/send-back", data={
        "comment": "“Watter”: a typo.", "seen_version": "2", "seen_source": "el agua"})
    db.session.refresh(row)
    assert (row.state, row.review_note) == (TranslationState.DRAFT, "“Watter”: a typo.")
    page = spanish_client.get(f"/staff/translate/{row.id}").text
    assert '<blockquote class="text">“Watter”: a typo.</blockquote>' in page
    assert helpers.history_lines(page) == [
        "Translation saved (traductora@example.org) | Translation: Missing → Needs review "
        "| Text",
        "Translation sent back (staff@example.org) | Translation: Needs review → Draft "
        "| Comment: “Watter”: a typo."]


# --- the history of translations on their sources' pages ------------------------------------

def test_the_concern_page_shows_what_waits_for_translation(staff_client, work):
    concern_id = work["reason"].source_id
    page = staff_client.get(f"/staff/concerns/{concern_id}").text
    assert ('<li>Into Spanish: Missing. Shown as written until a translation is approved.\n'
            f'    <a href="/staff/translate/{work["reason"].id}">Translate</a></li>') in page


def test_the_concern_page_history_names_each_translation_in_the_readers_language(
        staff_client, staff, make_user, work, db):
    row = work["reason"]
    translation.save(row, "No trata de una empresa cotizada.", make_user("other@example.org"),
                     1, ready=True)
    translation.approve(row, staff, 2)
    db.session.commit()
    url = f"/staff/concerns/{row.source_id}"
    assert helpers.history_lines(staff_client.get(url).text)[-2:] == [
        "Translation saved · Why a concern was declined, into Spanish (other@example.org) "
        "| Translation: Missing → Needs review | Text",
        "Translation approved · Why a concern was declined, into Spanish (staff@example.org) "
        "| Translation: Needs review → Approved"]
    staff_client.get("/language/es")
    assert helpers.history_lines(staff_client.get(url).text)[-1] == (
        "Traducción aprobada · Por qué se rechazó una inquietud, al español "
        "(staff@example.org) | Traducción: Necesita revisión → Aprobada")


def test_the_meeting_page_lists_its_notes_translations_and_their_history(
        staff_client, staff, make_user, work, db):
    row = work["note_pt"]
    translation.save(row, "Adiada: a empresa ainda não marcou nova data.",
                     make_user("other@example.org"), 1, ready=True)
    db.session.commit()
    page = staff_client.get(f"/staff/agms/{work['agm'].id}/edit").text
    states = re.findall(r"<li>Into (\w+): ([^.]+)\.", page)
    assert states == [("Spanish", "Missing"), ("Indonesian", "Missing"),
                      ("Portuguese", "Needs review")]
    assert helpers.history_lines(page)[-1] == (
        "Translation saved · Public note, into Portuguese (other@example.org) "
        "| Translation: Missing → Needs review | Text")


# --- the benchmark ----------------------------------------------------------------------

def test_the_benchmark_seeds_concerns_with_their_translations_and_opens_the_queue(app, db):
    seeded = benchmark.seed(app, 30)
    assert (seeded.concerns, seeded.translations) == (30, 60)
    assert db.session.scalar(sa.select(sa.func.count(Concern.id)).where(
        Concern.status.in_([ConcernStatus.RECEIVED, ConcernStatus.ACCEPTED]))) == 30
    assert benchmark.measure(app, seeded, requests=1, warm_up=0) > 0


# --- a question, the kind the questions feature registers ----------------------------------

def test_an_edited_questions_translation_needs_review_with_its_diff_and_history(
        staff_client, staff, spanish, make_user, make_concern, make_company, make_agm, db):
    from agmtool.models import ConcernStatus
    from agmtool.questions import domain as questions

    reviewer = make_user("reviewer@example.org", role=Role.STAFF)
    company = make_company()
    concern = make_concern(language="es", body="El arroyo Bruno fue desviado.",
                           company=company, status=ConcernStatus.ACCEPTED)
    question = questions.draft(make_agm(company=company), [concern],
                               "Will the board return the Bruno stream to its course?", staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    row = translation.rows(questions.QUESTION, question.id)["es"]
    translation.save(row, "¿Devolverá la junta el arroyo Bruno a su cauce?", spanish, 1,
                     ready=True)
    translation.approve(row, reviewer, 2)
    questions.edit(question, staff, {"text": "Will the board return the Bruno stream to its "
                                              "natural course, and when?"}, question.version)
    db.session.commit()
    page = staff_client.get("/staff/translate/?language=es&changed=1").text
    assert listed(page) == [row.id]
    assert "Needs review · <strong class=\"changed\">the original changed</strong>" in page
    editor = staff_client.get(f"/staff/translate/{row.id}").text
    assert ('to its <del><span class="sr-only">[removed:] </span>course? </del>'
            '<ins><span class="sr-only">[added:] </span>natural course, and when?</ins>'
            ) in editor
    assert (f'<a href="/staff/questions/{question.id}">Where this text comes from</a>'
            in editor)
    lines = helpers.history_lines(staff_client.get(f"/staff/questions/{question.id}").text)
    assert [line for line in lines if "into Spanish" in line] == [
        "Translation saved · An AGM question, into Spanish (traductora@example.org) "
        "| Translation: Missing → Needs review | Text",
        "Translation approved · An AGM question, into Spanish (reviewer@example.org) "
        "| Translation: Needs review → Approved",
        "The original changed: the translation needs review · An AGM question, into Spanish "
        "(staff@example.org) | Translation: Approved → Needs review"]
