"""The meeting domain: zones, clock changes, deadlines, sequence, history, stale edits,
postponing, cancelling, companies and the CSV import."""

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from agmtool import history
from agmtool.database import StaleEdit
from agmtool.meetings import agms, companies
from agmtool.meetings import csv_import as agm_import
from agmtool.models import AGM, AGMStatus, Company, MeetingKind


@pytest.fixture(autouse=True)
def _request(app):
    # Lazy messages are turned into text in a request's language.
    with app.test_request_context("/en/"):
        yield


def values(company, **changes):
    base = {"company_id": company.id, "local_date": date(2027, 4, 29),
            "local_time": time(11, 0), "timezone": "Europe/London",
            "status": AGMStatus.ANNOUNCED, "kind": MeetingKind.AGM}
    return {**base, **changes}


def test_a_meeting_is_created_with_history(db, make_company, make_user):
    user = make_user()
    company = make_company()
    agm = agms.create_agm(user, values(company, venue="The Mermaid London"))
    db.session.commit()
    entries = history.for_object(agm)
    assert [(e.action, e.user_id) for e in entries] == [("created", user.id)]
    assert entries[0].changes["venue"] == [None, "The Mermaid London"]
    assert (agm.sequence, agm.version, agm.status) == (0, 1, AGMStatus.ANNOUNCED)


def test_an_unknown_zone_is_refused(db, make_company):
    with pytest.raises(agms.Invalid) as refused:
        agms.create_agm(None, values(make_company(), timezone="Europe/Atlantis"))
    assert list(refused.value.errors) == ["timezone"]


def test_a_time_the_clocks_skip_is_refused(db, make_company):
    # London clocks jump from 01:00 to 02:00 on 28 March 2027.
    with pytest.raises(agms.Invalid) as refused:
        agms.create_agm(None, values(make_company(), local_date=date(2027, 3, 28),
                                     local_time=time(1, 30)))
    assert list(refused.value.errors) == ["local_time"]
    assert str(refused.value.errors["local_time"][0]).startswith(
        "This time does not exist in Europe/London")


def test_a_repeated_time_must_be_made_explicit(db, make_company):
    company = make_company()
    repeated = values(company, local_date=date(2027, 10, 31), local_time=time(1, 30))
    with pytest.raises(agms.Invalid) as refused:
        agms.create_agm(None, repeated)
    assert list(refused.value.errors) == ["fold"]
    first = agms.create_agm(None, {**repeated, "fold": 0})
    second = agms.create_agm(None, {**repeated, "fold": 1})
    assert agms.start_instant(first) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert agms.start_instant(second) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_a_deadline_after_the_meeting_is_refused(db, make_company):
    with pytest.raises(agms.Invalid) as refused:
        agms.create_agm(None, values(make_company(),
                                     proxy_deadline=datetime(2027, 4, 29, 11, 0)))
    assert refused.value.errors["proxy_deadline"][0] == \
        "A deadline must fall before the meeting starts."


def test_an_adelaide_deadline_in_daylight_time_is_ten_and_a_half_hours_ahead(
        db, make_company):
    agm = agms.create_agm(None, values(
        make_company(), timezone="Australia/Adelaide", local_date=date(2027, 1, 20),
        local_time=time(10, 0), questions_deadline=datetime(2027, 1, 15, 10, 0)))
    assert agms.deadline_instant(agm, "questions_deadline") == datetime(
        2027, 1, 14, 23, 30, tzinfo=UTC)


def test_a_calendar_change_bumps_sequence_and_records_history(db, make_agm, make_user):
    user = make_user()
    agm = make_agm()
    before = agm.updated_at
    changes = agms.update_agm(agm, user, {"venue": "Theater-Casino Zug"}, agm.version)
    db.session.commit()
    assert changes == {"venue": [None, "Theater-Casino Zug"]}
    assert (agm.sequence, agm.version) == (1, 2)
    assert agm.updated_at > before
    assert [e.action for e in history.for_object(agm)] == ["updated"]


def test_a_private_note_does_not_bump_the_sequence(db, make_agm):
    agm = make_agm()
    agms.update_agm(agm, None, {"notes": "Call the registrar"}, agm.version)
    db.session.commit()
    assert (agm.sequence, agm.notes) == (0, "Call the registrar")


def test_a_stale_edit_is_refused_and_changes_nothing(db, make_agm):
    agm = make_agm()
    seen = agm.version
    agms.update_agm(agm, None, {"venue": "First"}, seen)
    db.session.commit()
    with pytest.raises(StaleEdit):
        agms.update_agm(agm, None, {"venue": "Second"}, seen)
    db.session.rollback()
    assert (db.session.get(AGM, agm.id).venue, agm.sequence) == ("First", 1)


def test_postponing_moves_the_meeting_and_keeps_the_record(db, make_agm, make_user):
    agm = make_agm(local_date=date(2027, 5, 26), local_time=time(10, 30))
    agms.postpone(agm, make_user(), "The board moved the meeting.", agm.version,
                  new_date=date(2027, 6, 16))
    db.session.commit()
    assert (agm.status, agm.status_note, agm.local_date, agm.local_time, agm.sequence) == (
        AGMStatus.POSTPONED, "The board moved the meeting.", date(2027, 6, 16), time(10, 30), 1)
    assert [e.action for e in history.for_object(agm)] == ["postponed"]


def test_cancelling_needs_a_note(db, make_agm):
    agm = make_agm()
    with pytest.raises(agms.Invalid) as refused:
        agms.cancel(agm, None, "  ", agm.version)
    assert list(refused.value.errors) == ["note"]
    agms.cancel(agm, None, "Replaced by a written procedure.", agm.version)
    db.session.commit()
    assert (agm.status, agm.sequence) == (AGMStatus.CANCELLED, 1)


def test_a_cancelled_meeting_cannot_become_confirmed_directly(db, make_agm):
    agm = make_agm(status=AGMStatus.CANCELLED)
    with pytest.raises(agms.Invalid) as refused:
        agms.update_agm(agm, None, {"status": AGMStatus.CONFIRMED}, agm.version)
    assert list(refused.value.errors) == ["status"]


def test_the_calendar_generation_follows_the_database(db, make_agm):
    agm = make_agm()
    before = agms.calendar_generation()
    assert agms.calendar_generation() == before
    agms.update_agm(agm, None, {"venue": "Somewhere"}, agm.version)
    db.session.commit()
    changed = agms.calendar_generation()
    assert changed != before
    agms.update_agm(agm, None, {"notes": "private"}, agm.version)
    db.session.commit()
    db.session.delete(agm)
    db.session.commit()
    assert agms.calendar_generation() not in (before, changed)


def test_a_dual_listed_company_is_one_company_with_two_listings(db, make_user):
    company = companies.save_company(None, make_user(), {"name": "Rio Tinto", "slug": "rio-tinto"},
                                [("Rio Tinto plc", "LSE", "RIO"),
                                 ("Rio Tinto Limited", "ASX", "RIO")],
                                [("Oyu Tolgoi", "MN", "Ömnögovi")])
    db.session.commit()
    assert [(x.entity_name, x.exchange) for x in company.listings] == [
        ("Rio Tinto plc", "LSE"), ("Rio Tinto Limited", "ASX")]
    assert [(s.name, s.country, s.region) for s in company.sites] == [
        ("Oyu Tolgoi", "MN", "Ömnögovi")]


def test_a_listing_that_holds_a_meeting_cannot_be_removed(db, make_company, make_agm):
    company = make_company(slug="rio-tinto", name="Rio Tinto", listings=[
        ("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")])
    make_agm(company=company, listing_id=company.listings[1].id)
    with pytest.raises(agms.Invalid) as refused:
        companies.save_company(company, None, {"name": "Rio Tinto", "slug": "rio-tinto"},
                          [("Rio Tinto plc", "LSE", "RIO")], [], company.version)
    assert [str(m) for m in refused.value.errors["listings"]] == [
        "Rio Tinto Limited holds meetings, so it cannot be removed."]


def test_renaming_a_company_bumps_its_meetings_sequence(db, make_company, make_agm):
    company = make_company()
    agm = make_agm(company=company)
    companies.save_company(company, None, {"name": "Glencore International", "slug": "glencore"},
                      [("Glencore plc", "LSE", "GLEN")], [], company.version)
    db.session.commit()
    assert agm.sequence == 1


def test_a_taken_slug_is_refused(db, make_company):
    make_company(slug="glencore")
    with pytest.raises(agms.Invalid) as refused:
        companies.save_company(None, None, {"name": "Other", "slug": "glencore"}, [], [])
    assert list(refused.value.errors) == ["slug"]


CSV_GOOD = (
    "company,listing,kind,date,time,timezone,venue,format,proxy_deadline,status\n"
    "rio-tinto,Rio Tinto plc,agm,2025-04-03,11:00,Europe/London,"
    "Queen Elizabeth II Centre,hybrid,2025-04-01 11:00,confirmed\n"
    "rio-tinto,Rio Tinto Limited,agm,2025-05-01,09:30,Australia/Perth,"
    "Perth Convention and Exhibition Centre,online,,confirmed\n"
)


def rio(make_company):
    return make_company(slug="rio-tinto", name="Rio Tinto", listings=[
        ("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")])


def test_csv_import_creates_every_meeting(db, make_company):
    rio(make_company)
    created = agm_import.import_csv(CSV_GOOD)
    db.session.commit()
    assert [(a.listing.entity_name, a.timezone, agms.start_instant(a)) for a in created] == [
        ("Rio Tinto plc", "Europe/London", datetime(2025, 4, 3, 10, 0, tzinfo=UTC)),
        ("Rio Tinto Limited", "Australia/Perth", datetime(2025, 5, 1, 1, 30, tzinfo=UTC)),
    ]


def test_csv_with_a_bad_row_imports_nothing_and_names_the_lines(db, make_company):
    rio(make_company)
    bad = CSV_GOOD + (
        "rio-tinto,,agm,2025-13-01,11:00,Europe/London,,,,confirmed\n"
        "nobody,,agm,2025-05-01,09:30,Mars/Olympus,,,,confirmed\n")
    with pytest.raises(agms.Invalid) as refused:
        agm_import.import_csv(bad)
    db.session.rollback()
    assert refused.value.errors == {
        "4": ["date '2025-13-01' is not a date like 2026-04-30"],
        "5": ["no company with the slug 'nobody'"],
    }
    assert db.session.query(AGM).count() == 0


def test_the_import_command_reports_lines_and_imports_nothing(runner, db, make_company,
                                                               tmp_path):
    rio(make_company)
    path = tmp_path / "meetings.csv"
    path.write_text(CSV_GOOD + "rio-tinto,,agm,2027-03-28,01:30,Europe/London,,,,announced\n")
    result = runner.invoke(args=["agms", "import", str(path)])
    assert result.exit_code == 1
    assert "line 4: local_time: This time does not exist in Europe/London" in result.output
    assert db.session.query(AGM).count() == 0
    path.write_text(CSV_GOOD)
    result = runner.invoke(args=["agms", "import", str(path)])
    assert (result.exit_code, result.output) == (0, "Imported 2 meeting(s).\n")
    assert db.session.query(Company).one().slug == "rio-tinto"


def test_control_characters_are_stripped_before_storing(db, make_company):
    agm = agms.create_agm(None, values(make_company(), venue="Zug\x00 Casino\r\nHall 2\x1b",
                                       notes="\x00"))
    db.session.commit()
    assert (agm.venue, agm.notes) == ("Zug Casino\nHall 2", None)


def test_the_domain_refuses_an_edit_without_a_seen_version(db, make_agm):
    agm = make_agm()
    with pytest.raises(TypeError):
        agms.update_agm(agm, None, {"venue": "Somewhere"}, None)
    with pytest.raises(TypeError):
        companies.save_company(agm.company, None, {"name": "X", "slug": "glencore"}, [], [], None)
    # A script says explicitly that it edits whatever is current.
    agms.update_agm(agm, None, {"venue": "Somewhere"}, agms.UNCHECKED)
    assert (agm.venue, agm.version) == ("Somewhere", 2)


def test_save_company_keeps_the_slug_of_an_existing_company(db, make_company):
    company = make_company()
    companies.save_company(company, None, {"name": "Glencore", "slug": "other"}, [], [],
                      company.version)
    assert company.slug == "glencore"


def test_postponing_without_a_new_slot_drops_the_old_time(db, make_agm):
    agm = make_agm(local_date=date(2027, 5, 26), local_time=time(10, 30))
    agms.postpone(agm, None, "The board will set a new date.", agm.version)
    assert (agm.status, agm.local_date, agm.local_time) == (
        AGMStatus.POSTPONED, date(2027, 5, 26), None)


def test_postponing_within_the_day_or_to_a_new_date_keeping_the_time(db, make_agm):
    agm = make_agm(local_date=date(2027, 5, 26), local_time=time(10, 30))
    agms.postpone(agm, None, "Later that day.", agm.version, new_time=time(14, 0))
    assert (agm.local_date, agm.local_time) == (date(2027, 5, 26), time(14, 0))
    agms.postpone(agm, None, "A week later.", agm.version, new_date=date(2027, 6, 2))
    assert (agm.local_date, agm.local_time) == (date(2027, 6, 2), time(14, 0))


def test_meetings_are_listed_by_the_instant_they_start(app, db, make_agm, make_company):
    from datetime import UTC, datetime, timedelta

    from agmtool.meetings import public as agm_pages

    day = datetime.now(UTC).date() + timedelta(days=30)
    company = make_company()
    london = make_agm(company=company, local_date=day, local_time=time(8, 0),
                      timezone="Europe/London")
    perth = make_agm(company=company, local_date=day, local_time=time(9, 0),
                     timezone="Australia/Perth")  # 01:00 UTC, before London's 08:00
    unknown = make_agm(company=company, local_date=day, local_time=None,
                       timezone="Europe/London")  # from London midnight: first
    bogota = make_agm(company=company, local_date=day - timedelta(days=1),
                      local_time=time(22, 0), timezone="America/Bogota")  # 03:00 UTC on day
    expected = [unknown.id, perth.id, bogota.id, london.id]
    today = datetime.now(UTC).date()
    with app.test_request_context("/en/agms/"):
        assert [row.id for row in agm_pages.upcoming().meetings] == expected
    assert [agm.id for agm in agms.for_feed(today)] == expected


def test_the_zone_menu_offers_the_usual_zones_first_and_no_legacy_aliases():
    zones = agms.zone_names()
    assert zones[:3] == ("Europe/London", "Europe/Zurich", "Australia/Perth")
    assert "Asia/Kolkata" in zones
    assert "Asia/Calcutta" not in zones and "Australia/ACT" not in zones
    assert len(zones) == len(set(zones))


def test_a_sequence_bump_made_meanwhile_is_not_lost(db, make_agm):
    agm = make_agm(sequence=3)
    assert agm.sequence == 3  # loaded: what this editor's session holds
    with db.engine.begin() as other:  # a company rename lands while staff edit the meeting
        other.execute(sa.update(AGM).where(AGM.id == agm.id)
                      .values(sequence=AGM.sequence + 1))
    agms.update_agm(agm, None, {"venue": "Theater-Casino Zug"}, agm.version)
    db.session.commit()
    assert agm.sequence == 5
    db.session.expire_all()
    assert db.session.get(AGM, agm.id).sequence == 5


def test_a_company_name_is_kept_on_one_line(db):
    company = companies.save_company(None, None, {"name": "Mina\r\nDel  Norte", "slug": "norte"},
                                     [], [])
    assert company.name == "Mina Del Norte"
