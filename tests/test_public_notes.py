"""A meeting's public note in the reader's language: as written, said so, until its
translation is approved; then translated on the meeting's page, in the list and in the feed
of that language, with the cached feed and the meeting's calendar sequence moving on."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from agmtool.meetings import agms
from agmtool.models import AGMStatus, Role, TranslationState
from agmtool.translation import domain as translation

NOTE = "Postponed: the company has not yet set a new date."
NOTA = "Aplazada: la empresa aún no ha fijado una nueva fecha."
PENDING = {
    "es": "La traducción a su idioma está en camino. Mientras tanto, aquí está tal como la "
          "escribió nuestro equipo.",
    "pt": "A tradução para o seu idioma está a caminho. Enquanto isso, aqui está o texto "
          "como a nossa equipe escreveu.",
}


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://agm.example.org"}


@pytest.fixture
def meeting(make_agm):
    return make_agm(local_date=datetime.now(UTC).date() + timedelta(days=30),
                    status=AGMStatus.POSTPONED, status_note=NOTE)


@pytest.fixture
def people(make_user):
    return (make_user("traductora@example.org", role=Role.TRANSLATOR, languages=["es"]),
            make_user("staff@example.org", role=Role.STAFF))


def translate(meeting, people, db, approve=True):
    translator, staff = people
    row = translation.rows(agms.NOTE, meeting.id)["es"]
    translation.save(row, NOTA, translator, row.version, ready=True)
    if approve:
        translation.approve(row, staff, row.version)
    db.session.commit()
    return row


def note_block(page: str) -> str:
    return page.split('<div class="agm-note">', 1)[1].split("</div>", 1)[0]


def description(client, meeting, lang: str) -> str:
    feed = icalendar.Calendar.from_ical(client.get(f"/calendar.ics?lang={lang}").data)
    event = next(e for e in feed.walk("VEVENT") if str(e["UID"]).startswith(
        f"agm-{meeting.id}@"))
    return str(event["DESCRIPTION"])


def test_a_note_reads_as_written_where_it_was_written(client, meeting):
    block = note_block(client.get(f"/en/agms/{meeting.id}").text)
    assert block.split() == f'<p lang="en">{NOTE}</p>'.split()


def test_until_its_translation_is_approved_a_reader_gets_the_note_as_written_and_told_so(
        client, meeting, people, db):
    translate(meeting, people, db, approve=False)
    page = client.get(f"/es/agms/{meeting.id}").text
    assert f'<p lang="en">{NOTE}</p>' in note_block(page)
    assert f'<p class="help">{PENDING["es"]}</p>' in note_block(page)
    assert description(client, meeting, "es").splitlines()[1:3] == [NOTE, PENDING["es"]]


def test_an_approved_translation_shows_on_the_page_the_list_and_the_feed(client, meeting,
                                                                         people, db):
    assert NOTA not in description(client, meeting, "es")  # cached before the approval
    translate(meeting, people, db)
    assert note_block(client.get(f"/es/agms/{meeting.id}").text).split() == (
        f'<p lang="es">{NOTA}</p>'.split())
    assert note_block(client.get("/es/agms/").text).split() == f'<p lang="es">{NOTA}</p>'.split()
    assert description(client, meeting, "es").splitlines()[:2] == [
        "Estado: Aplazada", NOTA]
    # Other languages still read it as written, and say so.
    assert description(client, meeting, "pt").splitlines()[1:3] == [NOTE, PENDING["pt"]]
    english = description(client, meeting, "en").splitlines()
    assert english[1] == NOTE and PENDING["pt"] not in english


def test_approving_a_translation_moves_the_meetings_calendar_on(client, meeting, people, db):
    sequence, updated, version = meeting.sequence, meeting.updated_at, meeting.version
    before = client.get("/calendar.ics?lang=es").headers["ETag"]
    translate(meeting, people, db)
    db.session.refresh(meeting)
    assert (meeting.sequence, meeting.updated_at > updated, meeting.version) == (
        sequence + 1, True, version)
    assert client.get("/calendar.ics?lang=es").headers["ETag"] != before


def test_writing_a_draft_leaves_the_calendar_alone(client, meeting, people, db):
    sequence = meeting.sequence
    translate(meeting, people, db, approve=False)
    db.session.refresh(meeting)
    assert meeting.sequence == sequence


def test_an_edited_note_takes_its_readers_back_to_the_note_as_written(client, meeting, people,
                                                                      db):
    row = translate(meeting, people, db)
    agms.update_agm(meeting, people[1], {"status_note": "Postponed to 30 June 2027."},
                    meeting.version)
    db.session.commit()
    db.session.refresh(row)
    assert (row.state, row.stale) == (TranslationState.NEEDS_REVIEW, True)
    block = note_block(client.get(f"/es/agms/{meeting.id}").text)
    assert '<p lang="en">Postponed to 30 June 2027.</p>' in block
    assert PENDING["es"] in block


def test_sending_an_approved_translation_back_takes_it_off_the_page(client, meeting, people,
                                                                    db):
    row = translate(meeting, people, db)
    sequence = db.session.get(type(meeting), meeting.id).sequence
    translation.send_back(row, people[1], row.version, "Say “pospuesta”.")
    db.session.commit()
    db.session.refresh(meeting)
    assert meeting.sequence == sequence + 1
    assert NOTE in note_block(client.get(f"/es/agms/{meeting.id}").text)


def test_a_meeting_with_a_translated_note_can_still_be_deleted(meeting, people, db):
    from agmtool.models import AGM, Translation

    translate(meeting, people, db)
    agm_id = meeting.id
    agms.delete_agm(meeting, people[1], meeting.version)
    db.session.commit()
    assert db.session.get(AGM, agm_id) is None
    assert db.session.query(Translation).filter_by(source_type=agms.NOTE).count() == 0
