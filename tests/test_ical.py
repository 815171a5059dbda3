"""iCalendar output: UTC instants that match each meeting's local time (checked with
icalendar and vobject), all-day events, escaping, folding, private fields."""

from datetime import UTC, date, datetime, time

import icalendar
import pytest
import vobject
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from agmtool.meetings import ical
from agmtool.models import AGM, AGMStatus, Company, Listing, MeetingFormat, MeetingKind


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/calendar.ics"):
        yield


def options(lang="en", deadlines=True):
    return ical.FeedOptions(lang=lang, deadlines=deadlines, base_url="https://agm.example.org",
                            uid_domain="agm.example.org", name="AGMs", description="Meetings",
                            reference_zone="Europe/London")


def feed(meetings, lang="en", deadlines=True) -> bytes:
    with force_locale(lang):
        return ical.calendar_bytes(meetings, options(lang, deadlines))


def events_by_uid(body: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def vobject_starts(body: bytes) -> dict:
    parsed = vobject.readOne(body.decode("utf-8"))
    return {e.uid.value: e.dtstart.value for e in parsed.vevent_list}


CASES = [
    # (zone, local date, local time, expected UTC start)
    ("Australia/Perth", date(2025, 5, 1), time(9, 30), datetime(2025, 5, 1, 1, 30)),
    # Melbourne in daylight time (UTC+11): the UTC date is the day before.
    ("Australia/Melbourne", date(2027, 2, 10), time(9, 0), datetime(2027, 2, 9, 22, 0)),
    ("Europe/Zurich", date(2025, 8, 5), time(16, 0), datetime(2025, 8, 5, 14, 0)),
    # Rio Tinto plc, days after the UK clocks went forward: 11:00 BST is 10:00 UTC.
    ("Europe/London", date(2025, 4, 3), time(11, 0), datetime(2025, 4, 3, 10, 0)),
]


@pytest.mark.parametrize(("zone", "day", "clock", "utc"), CASES)
def test_the_start_is_the_local_time_in_its_zone(make_agm, zone, day, clock, utc):
    agm = make_agm(timezone=zone, local_date=day, local_time=clock)
    body = feed([agm])
    expected = utc.replace(tzinfo=UTC)
    assert events_by_uid(body)[f"agm-{agm.id}@agm.example.org"].start == expected
    assert vobject_starts(body)[f"agm-{agm.id}@agm.example.org"] == expected
    assert f"DTSTART:{utc:%Y%m%dT%H%M%S}Z\r\n".encode() in body


def test_an_adelaide_deadline_in_daylight_time_is_utc_plus_ten_thirty(make_agm):
    agm = make_agm(timezone="Australia/Adelaide", local_date=date(2027, 1, 20),
                   local_time=time(10, 0), questions_deadline=datetime(2027, 1, 15, 10, 0))
    body = feed([agm])
    uid = f"agm-{agm.id}-deadline-questions@agm.example.org"
    expected = datetime(2027, 1, 14, 23, 30, tzinfo=UTC)
    assert events_by_uid(body)[uid].start == expected
    assert vobject_starts(body)[uid] == expected


def test_a_meeting_without_a_time_is_an_all_day_event_saying_so(make_agm):
    agm = make_agm(local_date=date(2030, 5, 29), local_time=None)
    body = feed([agm])
    event = events_by_uid(body)[f"agm-{agm.id}@agm.example.org"]
    assert (event.start, event.end) == (date(2030, 5, 29), date(2030, 5, 30))
    assert b"DTSTART;VALUE=DATE:20300529\r\n" in body
    assert str(event["DESCRIPTION"]).split("\n")[1] == (
        "Wednesday, 29 May 2030. Time to be announced.")


def test_a_past_meeting_without_a_time_says_the_time_was_not_recorded(make_agm):
    agm = make_agm(local_date=date(2024, 5, 29), local_time=None)
    event = events_by_uid(feed([agm], "es"))[f"agm-{agm.id}@agm.example.org"]
    assert str(event["DESCRIPTION"]).split("\n")[1] == (
        "miércoles, 29 de mayo de 2024. No se registró la hora.")


def test_a_kept_event_says_so_once_its_day_has_passed(make_agm):
    from agmtool.meetings import feed_cache

    agm = make_agm(local_date=date(2027, 5, 26), local_time=None)
    before = feed_cache.build(None, "en", True, (0, date(2027, 5, 25)))
    after = feed_cache.build(None, "en", True, (0, date(2027, 5, 27)), before)
    uid = f"agm-{agm.id}@agm.agmtool"
    assert [str(events_by_uid(feed.body)[uid]["DESCRIPTION"]).split("\n")[1]
            for feed in (before, after)] == [
        "Wednesday, 26 May 2027. Time to be announced.",
        "Wednesday, 26 May 2027. The time was not recorded."]


def test_each_event_carries_uid_sequence_stamps_status_location_url(make_agm):
    agm = make_agm(status=AGMStatus.EXPECTED, venue="Theater-Casino Zug",
                   address="Artherstrasse 2-4, Zug", format=MeetingFormat.HYBRID,
                   webcast_url="https://example.org/webcast", sequence=4,
                   updated_at=datetime(2026, 1, 2, 3, 4, 5),
                   proxy_deadline=datetime(2027, 5, 24, 10, 30))
    event = events_by_uid(feed([agm]))[f"agm-{agm.id}@agm.example.org"]
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (event["SEQUENCE"], event["DTSTAMP"].dt, event["LAST-MODIFIED"].dt) == (
        4, stamp, stamp)
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["LOCATION"]) == "Theater-Casino Zug\nArtherstrasse 2-4, Zug"
    assert str(event["URL"]) == f"https://agm.example.org/en/agms/{agm.id}"
    description = str(event["DESCRIPTION"])
    assert "Format: Hybrid (in person and online)" in description
    assert "Webcast: https://example.org/webcast" in description
    assert "- Proxy appointment: Monday, 24 May 2027, 10:30" in description


def test_deadlines_are_short_events_with_a_reminder_unless_left_out(make_agm):
    agm = make_agm(proxy_deadline=datetime(2027, 5, 24, 10, 30))
    calendar = icalendar.Calendar.from_ical(feed([agm]))
    deadline = [e for e in calendar.walk("VEVENT") if "deadline" in str(e["UID"])]
    assert [str(e["UID"]) for e in deadline] == [
        f"agm-{agm.id}-deadline-proxy@agm.example.org"]
    alarm = deadline[0].walk("VALARM")[0]
    assert (str(alarm["ACTION"]), alarm["TRIGGER"].dt) == ("DISPLAY", -ical.REMINDER_BEFORE)
    without = icalendar.Calendar.from_ical(feed([agm], deadlines=False))
    assert len(without.walk("VEVENT")) == 1


def test_status_values(make_agm, make_company):
    company = make_company()
    meetings = [make_agm(company=company, status=s) for s in AGMStatus]
    statuses = [str(e["STATUS"]) for e in icalendar.Calendar.from_ical(feed(meetings))
                .walk("VEVENT")]
    assert statuses == ["TENTATIVE", "CONFIRMED", "CONFIRMED", "CONFIRMED", "CANCELLED"]


def test_the_calendar_has_a_name_and_refresh_hints(make_agm):
    body = feed([make_agm()])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in body
    assert b"X-PUBLISHED-TTL:PT12H\r\n" in body
    calendar = icalendar.Calendar.from_ical(body)
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["NAME"])) == ("AGMs", "AGMs")


def test_a_venue_with_crlf_and_begin_vevent_stays_text_in_one_event(make_agm):
    agm = make_agm(venue="Hall\r\nBEGIN:VEVENT\r\nUID:evil", local_time=time(10, 0))
    body = feed([agm], deadlines=False)
    assert body.count(b"BEGIN:VEVENT") == 2  # the real one and the escaped text
    assert body.count(b"\r\nBEGIN:VEVENT\r\n") == 1
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["LOCATION"]) == "Hall\nBEGIN:VEVENT\nUID:evil"
    assert len(vobject.readOne(body.decode()).vevent_list) == 1


def test_control_characters_and_private_notes_never_reach_the_feed():
    # Built in memory: PostgreSQL would refuse the NUL that SQLite stores.
    agm = AGM(id=7, company=Company(name="Glencore", slug="glencore"), kind=MeetingKind.AGM,
              local_date=date(2027, 5, 26), local_time=time(10, 30), timezone="Europe/Zurich",
              fold=0, status=AGMStatus.ANNOUNCED, sequence=0,
              updated_at=datetime(2026, 1, 1), venue="Zug\x00\x07 Casino\x1b",
              notes="PRIVATE: call Maria on +57 300", status_note="Moved\x0c online")
    body = feed([agm])
    assert b"PRIVATE" not in body and b"+57" not in body
    assert not any(byte < 0x20 and byte not in (0x0d, 0x0a) for byte in body)
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Zug Casino"


def test_folded_lines_never_split_a_utf8_character(make_agm):
    agm = make_agm(venue="Centro de Convenções " + "ção ñ 日本語 🏔️ " * 12,
                   address="Jalan Pegunungan Jayawijaya, Kabupaten Mimika, Papua Tengah " * 3)
    body = feed([agm], lang="pt")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # raises if a fold cut a character in two


def test_the_language_sets_every_text(app, make_agm):
    agm = make_agm(local_date=date(2027, 4, 8), local_time=time(11, 0),
                   timezone="Europe/London", proxy_deadline=datetime(2027, 4, 6, 11, 0))
    event = events_by_uid(feed([agm], lang="es"))[f"agm-{agm.id}@agm.example.org"]
    description = str(event["DESCRIPTION"])
    assert "jueves, 8 de abril de 2027" in description
    assert description.startswith("Estado: ")
    assert "Plazos:\n- Entrega de poderes: martes, 6 de abril de 2027, 11:00" in description
    assert description.endswith(f"Detalles: https://agm.example.org/es/agms/{agm.id}")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_survives_as_text(text):
    cleaned = ical.clean(text)
    assert not any(ord(ch) < 0x20 and ch not in "\t\n" for ch in cleaned)
    assert not set(cleaned) & {"\u2028", "\u2029", "\x85"}
    event = icalendar.Event()
    event.add("summary", cleaned)
    event.add("uid", "x@example.org")
    body = event.to_ical()
    parsed = icalendar.Event.from_ical(body)
    assert str(parsed.get("SUMMARY", "")) == cleaned
    assert body.count(b"BEGIN:VEVENT") - body.count(b"\r\nBEGIN:VEVENT\r\n") in (0, 1)
    assert body.startswith(b"BEGIN:VEVENT\r\n") and body.count(b"\r\nEND:VEVENT\r\n") == 1


@pytest.mark.parametrize("lang", ["en", "es", "pt", "id"])
@pytest.mark.parametrize(("zone", "moment"), [
    ("Australia/Perth", datetime(2025, 5, 1, 1, 30, tzinfo=UTC)),
    ("Australia/Melbourne", datetime(2027, 2, 9, 22, 0, tzinfo=UTC)),
    ("Europe/Zurich", datetime(2025, 8, 5, 14, 0, tzinfo=UTC)),
    ("Europe/London", datetime(2025, 4, 3, 10, 0, tzinfo=UTC)),
    ("Europe/London", datetime(2025, 1, 3, 10, 0, tzinfo=UTC)),
])
def test_the_feeds_fast_formatting_matches_the_pages(app, lang, zone, moment):
    from agmtool import i18n

    with force_locale(lang):
        words = ical.Words(lang, "Europe/London")
        assert words.in_zone(moment, zone) == i18n.format_in_zone(moment, zone)
        assert words.meeting_time(moment, zone) == i18n.format_meeting_time(moment, zone)
        assert words.day(moment.date()) == i18n.format_day(moment.date())


@settings(max_examples=150, deadline=None)
@given(venue=st.text(), note=st.text(alphabet=st.characters(codec="utf-8")))
def test_any_venue_or_note_stays_inside_one_event(venue, note):
    agm = AGM(id=3, company=Company(name="Vale", slug="vale"), kind=MeetingKind.AGM,
              local_date=date(2027, 4, 30), local_time=time(10, 0),
              timezone="America/Sao_Paulo", fold=0, status=AGMStatus.ANNOUNCED, sequence=2,
              updated_at=datetime(2026, 1, 1), venue=venue, status_note=note)
    body = feed([agm], deadlines=False)
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0].get("LOCATION", "")) == ical.clean(venue)
    assert ical.clean(note) in str(events[0]["DESCRIPTION"])


def test_bidi_controls_never_reach_a_feed(app):
    assert ical.clean("Rio\u202eTinto\u2066 plc\x00") == "RioTinto plc"


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "Expected around April 2027: the company has not announced the date yet."),
    ("es", "Prevista hacia abril de 2027: la empresa aún no ha anunciado la fecha."),
    ("pt", "Prevista para abril de 2027, aproximadamente: a empresa ainda não anunciou a data."),
    ("id", "Diperkirakan sekitar April 2027: perusahaan belum mengumumkan tanggalnya.")])
def test_an_estimated_date_is_a_whole_day_that_names_only_the_month(make_agm, lang, line):
    agm = make_agm(status=AGMStatus.EXPECTED, local_date=date(2027, 4, 8),
                   local_time=time(11, 0))
    event = events_by_uid(feed([agm], lang))[f"agm-{agm.id}@agm.example.org"]
    assert (event["DTSTART"].dt, event["DTEND"].dt, str(event["TRANSP"])) == (
        date(2027, 4, 8), date(2027, 4, 9), "TRANSPARENT")
    description = str(event["DESCRIPTION"]).split("\n")
    assert description[1] == line
    assert not any("8" in part for part in description[:-1])


def test_a_cancelled_estimate_says_the_month_it_was_expected(db, make_agm):
    from agmtool.meetings import agms

    agm = make_agm(status=AGMStatus.EXPECTED, local_date=date(2027, 4, 8), local_time=None)
    agms.cancel(agm, None, "No AGM this year.", agm.version)
    db.session.commit()
    event = events_by_uid(feed([agm], "es"))[f"agm-{agm.id}@agm.example.org"]
    assert str(event["DESCRIPTION"]).split("\n")[2] == "Estaba prevista hacia abril de 2027."


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_become_line_breaks_or_spaces(separator):
    # Built in memory, as a CSV import or an old row could have stored them.
    company = Company(name="Vale", slug="vale")
    listing = Listing(entity_name=f"Vale{separator}S.A.", exchange="B3", ticker="VALE3")
    agm = AGM(id=5, company=company, listing=listing, kind=MeetingKind.AGM,
              local_date=date(2027, 4, 30), local_time=time(10, 0),
              timezone="America/Sao_Paulo", fold=0, status=AGMStatus.ANNOUNCED, sequence=0,
              updated_at=datetime(2026, 1, 1), venue=f"Hall 2{separator}Rio",
              address=f"Praia de Botafogo 186{separator}Rio de Janeiro",
              status_note=f"Moved{separator}online",
              proxy_deadline=datetime(2027, 4, 28, 10, 0))
    body = feed([agm])
    assert separator.encode() not in body
    event, deadline = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Vale S.A.: Annual general meeting"
    assert str(event["LOCATION"]) == "Hall 2\nRio\nPraia de Botafogo 186\nRio de Janeiro"
    assert str(event["DESCRIPTION"]).split("\n")[1:3] == ["Moved", "online"]
    assert str(deadline["SUMMARY"]) == (
        "Deadline: Proxy appointment (Vale S.A., Annual general meeting)")


@pytest.mark.parametrize(("fold", "line"), [
    (0, "domingo, 31 de octubre de 2027, 1:30 (hora de verano británica, UTC+1), "
        "hora de Londres"),
    (1, "domingo, 31 de octubre de 2027, 1:30 (hora del meridiano de Greenwich, UTC), "
        "hora de Londres")])
def test_a_time_that_happens_twice_names_its_zone_in_the_description(make_agm, fold, line):
    agm = make_agm(local_date=date(2027, 10, 31), local_time=time(1, 30),
                   timezone="Europe/London", fold=fold)
    event = events_by_uid(feed([agm], "es"))[f"agm-{agm.id}@agm.example.org"]
    assert str(event["DESCRIPTION"]).split("\n")[1] == line


def test_deadlines_to_be_confirmed_say_so_in_the_feed(make_agm):
    agm = make_agm(status=AGMStatus.POSTPONED, status_note="Moved",
                   local_date=date(2027, 6, 9), local_time=time(10, 30),
                   proxy_deadline=datetime(2027, 5, 24, 10, 30), deadlines_to_be_confirmed=True)
    found = events_by_uid(feed([agm]))
    description = str(found[f"agm-{agm.id}@agm.example.org"]["DESCRIPTION"]).split("\n")
    assert description[4:6] == [
        "Deadlines, to be confirmed (set before the meeting was postponed):",
        "- Proxy appointment: Monday, 24 May 2027, 10:30, Zurich time"]
    deadline = found[f"agm-{agm.id}-deadline-proxy@agm.example.org"]
    assert (str(deadline["SUMMARY"]), str(deadline["STATUS"])) == (
        "To be confirmed: Deadline: Proxy appointment (Glencore, Annual general meeting)",
        "TENTATIVE")
