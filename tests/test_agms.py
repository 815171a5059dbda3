"""The meeting domain: zones, clock changes, deadlines, sequence, history, stale edits,
postponing, cancelling, companies and the CSV import."""

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from agmtool import history
from agmtool.database import StaleEdit
from agmtool.extensions import db as db_
from agmtool.meetings import agms, companies
from agmtool.meetings import csv_import as agm_import
from agmtool.models import AGM, AGMStatus, Company, History, MeetingFormat, MeetingKind, Question


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
    created = [outcome.agm for outcome in agm_import.import_csv(CSV_GOOD)]
    db.session.commit()
    assert [(a.listing.entity_name, a.timezone, agms.start_instant(a)) for a in created] == [
        ("Rio Tinto plc", "Europe/London", datetime(2025, 4, 3, 10, 0, tzinfo=UTC)),
        ("Rio Tinto Limited", "Australia/Perth", datetime(2025, 5, 1, 1, 30, tzinfo=UTC)),
    ]


def refused(data) -> list[tuple[int, str | None, str]]:
    """The problems the import finds in ``data``, in English, as (line, column, message)."""
    with force_locale("en"), pytest.raises(agm_import.Refused) as caught:
        agm_import.import_csv(data)
    db_.session.rollback()
    return [(p.line, p.column, str(p.message)) for p in caught.value.problems]


def test_csv_with_a_bad_row_imports_nothing_and_names_the_lines(db, make_company):
    rio(make_company)
    bad = CSV_GOOD + (
        "rio-tinto,,agm,2025-13-01,11:00,Europe/London,,,,confirmed\n"
        "nobody,,agm,2025-05-01,09:30,Mars/Olympus,,,,confirmed\n")
    assert refused(bad) == [
        (4, "date", "Enter a date like 2027-04-29."),
        (5, "company", "No company has the short name “nobody”."),
        (5, "timezone", "Choose a timezone from the list, such as Europe/London."),
    ]
    assert db.session.query(AGM).count() == 0


HEADER = "company,date,time,timezone,venue,address,webcast_url,status,status_note\n"


def test_the_import_applies_the_forms_caps_to_every_text(db, make_company):
    rio(make_company)
    row = ",".join(["rio-tinto", "2027-04-29", "11:00", "Europe/London", "v" * 301,
                    "a" * 2001, "https://example.org/" + "w" * 481, "postponed",
                    "n" * 1001])
    assert refused(HEADER + row + "\n") == [
        (2, "venue", "At most 300 characters (this one has 301)."),
        (2, "address", "At most 2,000 characters (this one has 2,001)."),
        (2, "webcast_url", "At most 500 characters (this one has 501)."),
        (2, "status_note", "At most 1,000 characters (this one has 1,001)."),
    ]


def test_the_form_and_the_import_share_one_set_of_caps(app):
    from agmtool.meetings import forms as agm_forms

    form_caps = {}
    with app.test_request_context():
        for name, field in agm_forms.MeetingForm()._fields.items():
            caps = [v.limit for v in field.validators if hasattr(v, "limit")]
            if caps:
                form_caps[name] = caps[0]
    assert form_caps == agms.TEXT_CAPS == {
        "venue": 300, "address": 2000, "webcast_url": 500, "status_note": 1000,
        "notes": 5000}


def test_the_import_applies_the_forms_rules(db, make_company):
    rio(make_company)
    header = "company,listing,kind,date,time,timezone,fold,duration_minutes,format,status\n"
    rows = ("rio-tinto,RIO,annual,2027-04-29,11,Asia/Calcutta,2,two,virtual,held\n"
            "rio-tinto,,agm,2027-10-31,01:30,Europe/London,,90 minutes,,\n")
    assert refused(header + rows) == [
        (2, "listing", "“RIO” names more than one of Rio Tinto's listings: give the "
                       "entity's full name."),
        (2, "kind", "“annual” is not one of: agm, general."),
        (2, "time", "Enter a time like 11:00."),
        (2, "fold", "Enter 0 or 1."),
        (2, "duration_minutes", "Enter a whole number of minutes."),
        (2, "format", "“virtual” is not one of: in_person, hybrid, online."),
        (2, "status", "“held” is not one of: expected, announced, confirmed, postponed, "
                      "cancelled."),
        (2, "timezone", "Choose a timezone from the list, such as Europe/London."),
        (3, "duration_minutes", "Enter a whole number of minutes."),
        (3, "fold", "This time happens twice in Europe/London on that day, because the "
                    "clocks go back. Say which one is meant."),
    ]


def test_the_import_reports_invalid_utf8_with_its_line(db, make_company):
    rio(make_company)
    data = (CSV_GOOD + "rio-tinto,,agm,2027-04-29,11:00,Europe/London,Caf\xe9,,,\n").encode(
        "latin-1")
    assert refused(data) == [
        (4, None, "This line is not UTF-8 text. Save the file as “CSV UTF-8” and try "
                  "again."),
    ]


def test_the_import_reports_a_huge_field_with_its_line(db, make_company):
    rio(make_company)
    data = CSV_GOOD + "rio-tinto,,agm,2027-04-29,11:00,Europe/London," + "x" * 200_000 + "\n"
    assert refused(data) == [
        (4, None, "A value on this line is longer than 131,072 characters, far more than "
                  "any column takes."),
    ]


def test_the_import_reports_extra_values_and_unknown_columns(db, make_company):
    rio(make_company)
    assert refused("company,date,timezone,colour\n") == [
        (1, None, "Unknown columns: colour.")]
    assert refused("company,date,time\n") == [
        (1, None, "Missing columns: timezone.")]
    assert refused("company,date,timezone\nrio-tinto,2027-04-29,Europe/London,extra\n") == [
        (2, None, "This line has more values than the header has columns.")]


def test_the_import_command_reports_lines_and_imports_nothing(runner, db, make_company,
                                                               tmp_path):
    rio(make_company)
    path = tmp_path / "meetings.csv"
    path.write_text(CSV_GOOD + "rio-tinto,,agm,2027-03-28,01:30,Europe/London,,,,announced\n")
    result = runner.invoke(args=["agms", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "line 4, time: This time does not exist in Europe/London on that day: the clocks skip "
        "it. Check the notice of meeting.",
        "Error: nothing imported: 1 problem.",
    ]
    assert db.session.query(AGM).count() == 0
    path.write_text(CSV_GOOD)
    result = runner.invoke(args=["agms", "import", str(path)])
    plc, limited = db.session.scalars(sa.select(AGM).order_by(AGM.id))
    assert (result.exit_code, result.output.splitlines()) == (0, [
        f"line 2: new meeting {plc.ref} (Rio Tinto plc, agm, 2025-04-03)",
        f"line 3: new meeting {limited.ref} (Rio Tinto Limited, agm, 2025-05-01)",
        "Imported: 2 new, 0 changed, 0 unchanged."])
    result = runner.invoke(args=["agms", "import", str(path)])
    assert result.output.splitlines()[-1] == "Imported: 0 new, 0 changed, 2 unchanged."
    assert db.session.query(Company).one().slug == "rio-tinto"


def test_the_import_command_reports_a_file_that_is_not_utf8(runner, db, make_company,
                                                            tmp_path):
    rio(make_company)
    path = tmp_path / "meetings.csv"
    path.write_bytes(CSV_GOOD.encode() + b"rio-tinto,,agm,2027-04-29,11:00,Europe/London,"
                     b"Caf\xe9,,,\n")
    result = runner.invoke(args=["agms", "import", str(path)])
    assert (result.exit_code, result.output.splitlines()) == (1, [
        "line 4: This line is not UTF-8 text. Save the file as “CSV UTF-8” and try again.",
        "Error: nothing imported: 1 problem."])


def test_control_characters_are_stripped_before_storing(db, make_company):
    agm = agms.create_agm(None, values(make_company(), venue="Zug\x00 Casino\r\nHall 2\x1b",
                                       notes="\x00"))
    db.session.commit()
    assert (agm.venue, agm.notes) == ("Zug Casino Hall 2", None)  # a venue is one line


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


def test_the_domain_caps_every_text_it_stores(db, make_company):
    with pytest.raises(agms.Invalid) as caught:
        agms.create_agm(None, values(make_company(), venue="v" * 301, address="a" * 2001))
    assert {field: list(map(str, messages)) for field, messages in caught.value.errors.items()
            } == {"venue": ["At most 300 characters (this one has 301)."],
                  "address": ["At most 2,000 characters (this one has 2,001)."]}


def with_deadlines(make_agm):
    return make_agm(local_date=date(2027, 5, 26), local_time=time(10, 30),
                    questions_deadline=datetime(2027, 5, 19, 17, 0),
                    proxy_deadline=datetime(2027, 5, 24, 10, 30))


def test_postponing_a_meeting_with_deadlines_asks_about_them(db, make_agm):
    agm = with_deadlines(make_agm)
    with pytest.raises(agms.Invalid) as caught:
        agms.postpone(agm, None, "Moved.", agm.version, new_date=date(2027, 6, 9))
    assert {field: list(map(str, messages)) for field, messages in caught.value.errors.items()
            } == {"deadlines": ["Give the new deadlines, or mark the old ones as to be "
                                "confirmed."]}
    assert (agm.status, agm.local_date, agm.version) == (
        AGMStatus.ANNOUNCED, date(2027, 5, 26), 1)


def test_postponing_can_mark_the_old_deadlines_as_to_be_confirmed(db, make_agm):
    agm = with_deadlines(make_agm)
    changes = agms.postpone(agm, None, "Moved.", agm.version, new_date=date(2027, 6, 9),
                            deadlines_to_be_confirmed=True)
    assert (agm.proxy_deadline, agm.deadlines_to_be_confirmed, agm.sequence) == (
        datetime(2027, 5, 24, 10, 30), True, 1)
    assert changes["deadlines_to_be_confirmed"] == [False, True]


def test_postponing_can_set_new_deadlines(db, make_agm):
    agm = with_deadlines(make_agm)
    agms.postpone(agm, None, "Moved.", agm.version, new_date=date(2027, 6, 9), new_deadlines={
        "questions_deadline": datetime(2027, 6, 2, 17, 0),
        "proxy_deadline": datetime(2027, 6, 7, 10, 30), "registration_deadline": None})
    assert (agm.questions_deadline, agm.proxy_deadline, agm.deadlines_to_be_confirmed) == (
        datetime(2027, 6, 2, 17, 0), datetime(2027, 6, 7, 10, 30), False)
    with pytest.raises(agms.Invalid) as caught:
        agms.postpone(agm, None, "Moved.", agm.version, new_deadlines={},
                      deadlines_to_be_confirmed=True)
    assert list(caught.value.errors) == ["deadlines"]


# --- item 9: an idempotent import, references, deleting and reinstating ------------------

def outcomes(report) -> list[tuple[int, str, list[str]]]:
    return [(o.line, o.action, sorted(o.changes)) for o in report]


def test_importing_the_same_file_twice_duplicates_nothing(db, make_company):
    rio(make_company)
    agm_import.import_csv(CSV_GOOD)
    db.session.commit()
    history_rows = db.session.query(History).count()
    report = agm_import.import_csv(CSV_GOOD)
    db.session.commit()
    assert outcomes(report) == [(2, "unchanged", []), (3, "unchanged", [])]
    assert [(a.sequence, a.version) for a in db.session.scalars(
        sa.select(AGM).order_by(AGM.id))] == [(0, 1), (0, 1)]
    assert db.session.query(History).count() == history_rows


def test_a_row_without_a_ref_updates_the_meeting_of_its_company_entity_kind_and_date(
        db, make_company):
    rio(make_company)
    first = agm_import.import_csv(CSV_GOOD)
    db.session.commit()
    perth = first[1].agm
    changed = CSV_GOOD.replace("Perth Convention and Exhibition Centre,online",
                               "Perth Concert Hall,hybrid")
    report = agm_import.import_csv(changed)
    db.session.commit()
    assert outcomes(report) == [(2, "unchanged", []), (3, "updated", ["format", "venue"])]
    assert report[1].agm is perth
    # Only the meeting a calendar shows differently gets a new sequence.
    assert [a.sequence for a in db.session.scalars(sa.select(AGM).order_by(AGM.id))] == [0, 1]
    assert [e.action for e in history.for_object(perth)] == ["imported", "imported"]


def test_every_meeting_has_a_stable_ref(db, make_agm, make_company):
    agm = make_agm()
    other = make_agm(company=agm.company, local_date=date(2028, 5, 24))
    assert len(agm.ref) == 8 and agm.ref != other.ref
    ref = agm.ref
    agms.postpone(agm, None, "Moved.", agm.version, new_date=date(2027, 6, 9))
    assert agm.ref == ref


def meetings_for_export(make_agm, make_company):
    company = rio(make_company)
    plc, limited = company.listings
    return [
        make_agm(company=company, listing_id=plc.id, local_date=date(2027, 10, 31),
                 local_time=time(1, 30), timezone="Europe/London", fold=1,
                 venue="=HYPERLINK(\"https://evil.example\")", format=MeetingFormat.HYBRID,
                 address="2 Eastbourne Terrace,\nLondon W2 6LG", duration_minutes=150,
                 webcast_url="https://example.org/live", status=AGMStatus.POSTPONED,
                 status_note="Moved; \"details\" to follow", deadlines_to_be_confirmed=True,
                 proxy_deadline=datetime(2027, 10, 28, 11, 0)),
        make_agm(company=company, listing_id=limited.id, local_date=date(2028, 5, 4),
                 local_time=None, timezone="Australia/Perth", status=AGMStatus.EXPECTED,
                 venue="Centro de Convenções – São Paulo", kind=MeetingKind.GENERAL),
    ]


def test_export_edit_import_is_a_round_trip(app, db, make_agm, make_company):
    london, perth = meetings_for_export(make_agm, make_company)
    exported = agm_import.export_csv()
    report = agm_import.import_csv(exported)
    db.session.commit()
    assert outcomes(report) == [(2, "unchanged", []), (4, "unchanged", [])]
    assert [a.sequence for a in (london, perth)] == [0, 0]
    # The ref finds the meeting though its date, the rest of its identity, changes.
    edited = exported.decode("utf-8-sig").replace("2028-05-04", "2028-05-11")
    report = agm_import.import_csv(edited)
    db.session.commit()
    assert outcomes(report) == [(2, "unchanged", []), (4, "updated", ["local_date"])]
    assert (db.session.query(AGM).count(), perth.local_date, perth.sequence) == (
        2, date(2028, 5, 11), 1)


def test_the_export_writes_every_column_the_import_reads(app, db, make_agm, make_company):
    london, perth = meetings_for_export(make_agm, make_company)
    exported = agm_import.export_csv().decode("utf-8")
    assert exported.splitlines() == [
        "\ufeffref,company,listing,kind,date,time,timezone,fold,duration_minutes,venue,"
        "address,format,webcast_url,questions_deadline,proxy_deadline,registration_deadline,"
        "deadlines_to_be_confirmed,status,status_note,status_note_language",
        f"{london.ref},rio-tinto,Rio Tinto plc,agm,2027-10-31,01:30,Europe/London,1,150,"
        "\"'=HYPERLINK(\"\"https://evil.example\"\")\",\"2 Eastbourne Terrace,",
        "London W2 6LG\",hybrid,https://example.org/live,,2027-10-28 11:00,,1,postponed,"
        "\"Moved; \"\"details\"\" to follow\",en",
        f"{perth.ref},rio-tinto,Rio Tinto Limited,general,2028-05-04,,Australia/Perth,0,,"
        "Centro de Convenções – São Paulo,,,,,,,0,expected,,en",
    ]


def test_two_rows_naming_one_meeting_are_refused_with_both_lines(db, make_company):
    rio(make_company)
    twice = CSV_GOOD + CSV_GOOD.splitlines()[1] + "\n"
    assert refused(twice) == [
        (4, None, "Lines 2 and 4 name the same meeting: keep one of them.")]


def test_two_rows_with_one_ref_are_refused_with_both_lines(db, make_agm):
    agm = make_agm()
    data = (f"ref,company,date,timezone\n{agm.ref},glencore,2027-05-26,Europe/Zurich\n"
            f"{agm.ref},glencore,2027-06-02,Europe/Zurich\n")
    assert refused(data) == [
        (3, None, "Lines 2 and 3 name the same meeting: keep one of them.")]


def test_an_unknown_ref_is_refused(db, make_agm):
    make_agm()
    assert refused("ref,company,date,timezone\nzzzzzzzz,glencore,2027-05-26,Europe/Zurich\n"
                   ) == [(2, "ref", "No meeting has the reference “zzzzzzzz”. Leave ref empty "
                                    "for a new meeting.")]


def test_a_row_matching_several_meetings_asks_for_its_ref(db, make_agm, make_company):
    company = make_company()
    make_agm(company=company)
    make_agm(company=company)
    assert refused("company,date,timezone\nglencore,2027-05-26,Europe/Zurich\n") == [
        (2, "ref", "Several meetings of this company, entity and kind fall on this date: give "
                   "the ref of the one meant.")]


def test_the_import_follows_the_status_workflow(db, make_agm):
    agm = make_agm(status=AGMStatus.CANCELLED, status_note="Called off")
    assert refused(f"ref,company,date,timezone,status\n{agm.ref},glencore,2027-05-26,"
                   "Europe/Zurich,confirmed\n") == [
        (2, "status", "A meeting that is “Cancelled” cannot become “Confirmed”.")]


def test_a_meeting_made_by_mistake_is_deleted_with_a_history_entry(db, make_agm, make_user):
    user = make_user()
    agm = make_agm()
    agm_id, ref = agm.id, agm.ref
    agms.delete_agm(agm, user, agm.version)
    db.session.commit()
    assert db.session.get(AGM, agm_id) is None
    entry = db.session.scalars(sa.select(History).where(History.object_type == "agm",
                                                        History.object_id == agm_id)).one()
    assert (entry.action, entry.user_id, entry.changes["ref"]) == ("deleted", user.id,
                                                                   [ref, None])


def test_a_meeting_with_questions_cannot_be_deleted(db, make_agm):
    agm = make_agm()
    db.session.add(Question(agm=agm, text="Will you restore the river?"))
    db.session.commit()
    with pytest.raises(agms.Invalid) as caught:
        agms.delete_agm(agm, None, agm.version)
    assert {field: list(map(str, messages)) for field, messages in caught.value.errors.items()
            } == {"delete": ["Questions are planned for this meeting, so it cannot be "
                             "deleted. Cancel it instead."]}


@pytest.mark.parametrize(("status", "reinstated"), [
    (AGMStatus.ANNOUNCED, AGMStatus.ANNOUNCED), (AGMStatus.EXPECTED, AGMStatus.EXPECTED)])
def test_a_cancelled_meeting_is_reinstated(db, make_agm, status, reinstated):
    agm = make_agm(status=status)
    agms.cancel(agm, None, "Called off", agm.version)
    changes = agms.reinstate(agm, None, "The company called it again.", agm.version)
    assert (agm.status, agm.status_note, agm.sequence) == (
        reinstated, "The company called it again.", 2)
    assert changes["status"] == [AGMStatus.CANCELLED, reinstated]
    with pytest.raises(agms.Invalid):
        agms.reinstate(agm, None, "", agm.version)  # only a cancelled meeting


def test_a_meeting_with_pack_sources_cannot_be_deleted(db, make_agm):
    from agmtool.models import Source

    agm = make_agm()
    db.session.add(Source(agm=agm, title="Tailings report 2026"))
    db.session.commit()
    with pytest.raises(agms.Invalid) as caught:
        agms.delete_agm(agm, None, agm.version)
    assert [str(m) for m in caught.value.errors["delete"]] == [
        "Sources are listed for this meeting's pack, so it cannot be deleted. Cancel it "
        "instead."]
