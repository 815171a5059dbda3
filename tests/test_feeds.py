"""The feeds over HTTP: content type, strong ETag of the bytes, 304, no cookie, caching that
follows every change, postponing and cancelling as subscribed calendars see them."""

import hashlib
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from agmtool import create_app
from agmtool.meetings import agms, companies, feed_cache
from agmtool.models import AGM, AGMStatus, FeedEvent


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://agm.example.org"}


def events(response) -> dict:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def soon(days=60) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


def test_the_feed_is_text_calendar_with_validators(client, make_agm):
    agm = make_agm(local_date=soon(), updated_at=datetime(2026, 3, 1, 12, 0, 0))
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()[:40]}"'
    assert response.headers["Last-Modified"] == "Sun, 01 Mar 2026 12:00:00 GMT"
    assert response.headers["Cache-Control"] == "public, max-age=900"
    assert "Set-Cookie" not in response.headers
    assert list(events(response)) == [f"agm-{agm.id}@agm.agmtool"]


def test_repeated_gets_return_the_same_bytes_and_a_304_for_the_etag(client, make_agm):
    make_agm(local_date=soon())
    first, second = client.get("/calendar.ics"), client.get("/calendar.ics")
    assert (first.data, first.headers["ETag"]) == (second.data, second.headers["ETag"])
    again = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.data, again.headers["ETag"]) == (
        304, b"", first.headers["ETag"])
    assert "Set-Cookie" not in again.headers


def test_no_cookie_is_set_even_for_a_logged_in_browser(client, make_agm, make_user, log_in):
    make_agm(local_date=soon())
    log_in(client, make_user())
    response = client.get("/calendar.ics")
    assert (response.status_code, response.headers.get("Set-Cookie")) == (200, None)
    assert "Cookie" not in response.headers.get("Vary", "")


def test_postponing_changes_dtstart_and_raises_sequence_keeping_the_uid(client, db, make_agm):
    day = soon()
    agm = make_agm(local_date=day, local_time=time(11, 0), timezone="Europe/London")
    uid = f"agm-{agm.id}@agm.agmtool"
    before = events(client.get("/calendar.ics"))[uid]
    agms.postpone(agm, None, "Moved by the board", agm.version, new_date=day + timedelta(7))
    db.session.commit()
    after = events(client.get("/calendar.ics"))[uid]
    assert after.start - before.start == timedelta(days=7)
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert str(after["SUMMARY"]).startswith("Postponed: ")


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, db, make_agm):
    agm = make_agm(local_date=soon(), proxy_deadline=datetime.combine(soon(-2 + 60),
                                                                      time(10, 0)))
    client.get("/calendar.ics")
    agms.cancel(agm, None, "Replaced by a written vote", agm.version)
    db.session.commit()
    found = events(client.get("/calendar.ics"))
    assert {uid: str(e["STATUS"]) for uid, e in found.items()} == {
        f"agm-{agm.id}@agm.agmtool": "CANCELLED",
        f"agm-{agm.id}-deadline-proxy@agm.agmtool": "CANCELLED",
    }


def test_lang_and_deadlines_parameters(client, make_agm):
    agm = make_agm(local_date=soon(), proxy_deadline=datetime.combine(soon(58), time(10, 0)))
    assert list(events(client.get("/calendar.ics?deadlines=0"))) == [
        f"agm-{agm.id}@agm.agmtool"]
    es = events(client.get("/calendar.ics?lang=es"))[f"agm-{agm.id}@agm.agmtool"]
    assert str(es["URL"]) == f"https://agm.example.org/es/agms/{agm.id}"
    unknown = events(client.get("/calendar.ics?lang=xx"))[f"agm-{agm.id}@agm.agmtool"]
    assert str(unknown["URL"]) == f"https://agm.example.org/en/agms/{agm.id}"


def test_the_feed_carries_upcoming_meetings_and_the_last_twelve_months(client, make_agm,
                                                                        make_company):
    company = make_company()
    recent = make_agm(company=company, local_date=soon(-300))
    old = make_agm(company=company, local_date=soon(-400))
    coming = make_agm(company=company, local_date=soon(30))
    found = events(client.get("/calendar.ics"))
    assert sorted(found) == sorted(f"agm-{a.id}@agm.agmtool" for a in (recent, coming))
    assert f"agm-{old.id}@agm.agmtool" not in found


def test_a_company_feed_has_only_that_company(client, make_agm, make_company):
    rio = make_company(slug="rio-tinto", name="Rio Tinto",
                       listings=[("Rio Tinto plc", "LSE", "RIO")])
    mine = make_agm(company=rio, local_date=soon())
    make_agm(company=make_company(), local_date=soon())
    response = client.get("/calendar/rio-tinto.ics")
    assert list(events(response)) == [f"agm-{mine.id}@agm.agmtool"]
    assert client.get("/calendar/nobody.ics").status_code == 404


def test_a_change_to_a_company_reaches_its_feed(client, db, make_agm, make_company):
    company = make_company()
    agm = make_agm(company=company, local_date=soon(), listing_id=None)
    client.get("/calendar/glencore.ics")
    companies.save_company(company, None, {"name": "Glencore International", "slug": "glencore"},
                      [("Glencore plc", "LSE", "GLEN")], [], company.version)
    db.session.commit()
    event = events(client.get("/calendar/glencore.ics"))[f"agm-{agm.id}@agm.agmtool"]
    assert str(event["SUMMARY"]) == "Glencore International: Annual general meeting"
    assert event["SEQUENCE"] == 1


def test_a_change_committed_by_another_app_instance_reaches_the_feed(app, client, make_agm):
    # Another worker, or `flask agms import`: its own app, its own cache, the same database.
    from agmtool import create_app
    from agmtool.extensions import db as shared_db
    from agmtool.models import AGM

    agm = make_agm(local_date=soon(), venue="Hall A")
    uid = f"agm-{agm.id}@agm.agmtool"
    assert str(events(client.get("/calendar.ics"))[uid]["LOCATION"]) == "Hall A"
    shared_db.session.remove()
    other = create_app({**app.config, "CACHE_TYPE": "SimpleCache"})
    with other.app_context():
        there = shared_db.session.get(AGM, agm.id)
        agms.update_agm(there, None, {"venue": "Hall B"}, there.version)
        shared_db.session.commit()
        shared_db.session.remove()
        shared_db.engine.dispose()
    event = events(client.get("/calendar.ics"))[uid]
    assert (str(event["LOCATION"]), event["SEQUENCE"]) == ("Hall B", 1)


def test_a_postponement_without_a_new_slot_is_tentative_all_day(client, db, make_agm):
    day = soon()
    agm = make_agm(local_date=day, local_time=time(11, 0), timezone="Europe/London")
    agms.postpone(agm, None, "A new date will follow", agm.version)
    db.session.commit()
    event = events(client.get("/calendar.ics"))[f"agm-{agm.id}@agm.agmtool"]
    assert (str(event["STATUS"]), event["DTSTART"].dt, event["SEQUENCE"]) == (
        "TENTATIVE", day, 1)
    assert str(event["SUMMARY"]) == "Postponed: Glencore: Annual general meeting"
    assert "Time to be announced." in str(event["DESCRIPTION"])


def test_the_window_moves_with_the_date(app, make_agm):
    agm = make_agm(local_date=date(2026, 1, 10))
    with app.test_request_context("/calendar.ics"):
        inside = feed_cache.build(None, "en", True, (0, date(2027, 1, 10))).body
        outside = feed_cache.build(None, "en", True, (0, date(2027, 1, 12))).body
    assert f"UID:agm-{agm.id}@agm.agmtool".encode() in inside
    assert b"BEGIN:VEVENT" not in outside


def variants(slug: str) -> list[str]:
    """Every feed a subscriber can ask for: both scopes, each language, with and without
    deadlines."""
    return [f"{path}?lang={lang}&deadlines={deadlines}"
            for path in ("/calendar.ics", f"/calendar/{slug}.ics")
            for lang in ("en", "es", "pt", "id") for deadlines in (0, 1)]


def test_the_caches_stay_bounded_over_forty_edits_polled_in_every_variant(app, client, db,
                                                                          make_agm):
    agm = make_agm(local_date=soon(), proxy_deadline=datetime.combine(soon(58), time(10, 0)))
    make_agm(company=agm.company, local_date=soon(90))
    store = feed_cache.cached()
    for path in variants("glencore"):
        client.get(path)
    assert (len(store.feeds), store.serialized) == (16, 2 * 8)
    for n in range(40):
        agms.update_agm(agm, None, {"venue": f"Hall {n}"}, agm.version)
        db.session.commit()
        for path in variants("glencore"):
            assert client.get(path).status_code == 200
    # One feed kept per variant; the changed meeting serialized once per language and
    # deadline choice, its company's feed sharing the events of the feed of every meeting.
    assert (len(store.feeds), store.serialized) == (16, 2 * 8 + 40 * 8)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedEvent)) == 2 * 8


def test_a_feed_rebuilt_after_a_change_is_the_feed_built_from_nothing(app, client, db,
                                                                       make_agm):
    first = make_agm(local_date=soon(), proxy_deadline=datetime.combine(soon(58), time(10)))
    make_agm(company=first.company, local_date=soon(90), venue="Hall C")
    client.get("/calendar.ics?lang=pt")
    agms.update_agm(first, None, {"venue": "Hall B"}, first.version)
    db.session.commit()
    rebuilt = client.get("/calendar.ics?lang=pt").data
    db.session.execute(sa.delete(FeedEvent))
    db.session.commit()
    with app.test_request_context("/calendar.ics"):
        anew = feed_cache.build(None, "pt", True, (0, feed_cache.today())).body
    assert (rebuilt, feed_cache.cached().serialized) == (anew, 2 + 1 + 2)
    assert b"LOCATION:Hall B" in rebuilt


def test_a_company_feed_reuses_the_events_of_the_feed_of_every_meeting(client, make_agm):
    make_agm(local_date=soon())
    client.get("/calendar.ics?lang=es")
    client.get("/calendar/glencore.ics?lang=es")
    assert feed_cache.cached().serialized == 1


def test_an_unchanged_feed_is_known_from_one_query(app, client, db, make_agm):
    make_agm(local_date=soon())
    etag = client.get("/calendar.ics").headers["ETag"]
    statements = []

    def note(_connection, _cursor, statement, *_rest):
        statements.append(" ".join(statement.split()).split(" WHERE ")[0])

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        whole = client.get("/calendar.ics")
        unchanged = client.get("/calendar.ics", headers={"If-None-Match": etag})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert (whole.status_code, unchanged.status_code) == (200, 304)
    assert statements == ["SELECT calendar_state.generation FROM calendar_state"] * 2


def test_a_fresh_worker_builds_no_feed_from_scratch(app, client, db, make_company):
    company = make_company()
    start = soon(-300)
    db.session.add_all([
        AGM(company=company, local_date=start + timedelta(days=n % 600), local_time=time(10),
            timezone="Europe/London", status=AGMStatus.CONFIRMED,
            proxy_deadline=datetime.combine(start + timedelta(days=n % 600 - 2), time(12)))
        for n in range(1000)])
    db.session.commit()
    first = client.get("/calendar.ics")
    assert feed_cache.cached().serialized == 1000
    db.session.remove()
    fresh = create_app(dict(app.config))  # a new worker: nothing in its memory
    with fresh.app_context():
        again = fresh.test_client().get("/calendar.ics")
        assert fresh.extensions["agm_feeds"].serialized == 0
        db.session.remove()
        db.engine.dispose()
    assert (again.status_code, again.data, again.headers["ETag"]) == (
        200, first.data, first.headers["ETag"])
    assert first.data.count(b"BEGIN:VEVENT") == 2000


def test_the_uid_domain_can_be_fixed_in_configuration(app, client, make_agm):
    app.config["CALENDAR_UID_DOMAIN"] = "calendar.example.net"
    agm = make_agm(local_date=soon())
    assert list(events(client.get("/calendar.ics"))) == [f"agm-{agm.id}@calendar.example.net"]


def test_uids_do_not_depend_on_base_url_or_host_but_links_do(app, client, make_agm):
    agm = make_agm(local_date=soon())
    with_base = events(client.get("/calendar.ics"))
    app.config.update(BASE_URL=None, TRUSTED_HOSTS=None)  # as in local development
    by_host = events(client.get("/calendar.ics", base_url="http://other.example.net"))
    assert list(with_base) == list(by_host) == [f"agm-{agm.id}@agm.agmtool"]
    assert str(with_base[f"agm-{agm.id}@agm.agmtool"]["URL"]) == (
        f"https://agm.example.org/en/agms/{agm.id}")
    assert str(by_host[f"agm-{agm.id}@agm.agmtool"]["URL"]) == (
        f"http://other.example.net/en/agms/{agm.id}")


def test_a_company_name_with_a_line_break_cannot_add_lines_to_its_feed(client, db, make_agm):
    agm = make_agm(local_date=soon())
    agm.company.name = "Mina, S.A.; Ltda\nBEGIN:VEVENT"  # as if saved past the form
    db.session.commit()
    response = client.get(f"/calendar/{agm.company.slug}.ics")
    assert response.status_code == 200
    assert response.data.count(b"\r\nBEGIN:VEVENT\r\n") == 1  # one real event line
    # A name is a title: its line break becomes a space.
    assert b"\r\nX-WR-CALNAME:AGMs: Mina\\, S.A.\\; Ltda BEGIN:VEVENT\r\n" in response.data
    assert len(icalendar.Calendar.from_ical(response.data).walk("VEVENT")) == 1


def test_a_deleted_meeting_leaves_the_feed(client, db, make_agm, make_company):
    company = make_company()
    kept, mistake = make_agm(company=company, local_date=soon()), make_agm(
        company=company, local_date=soon(61))
    assert len(events(client.get("/calendar.ics"))) == 2
    agms.delete_agm(mistake, None, mistake.version)
    db.session.commit()
    assert list(events(client.get("/calendar.ics"))) == [f"agm-{kept.id}@agm.agmtool"]
    assert list(events(client.get("/calendar/glencore.ics"))) == [f"agm-{kept.id}@agm.agmtool"]


def test_a_reinstated_meeting_is_confirmed_again_with_a_higher_sequence(client, db, make_agm):
    agm = make_agm(local_date=soon())
    uid = f"agm-{agm.id}@agm.agmtool"
    agms.cancel(agm, None, "Called off", agm.version)
    db.session.commit()
    assert str(events(client.get("/calendar.ics"))[uid]["STATUS"]) == "CANCELLED"
    agms.reinstate(agm, None, "", agm.version)
    db.session.commit()
    event = events(client.get("/calendar.ics"))[uid]
    assert (str(event["STATUS"]), event["SEQUENCE"], str(event["SUMMARY"])) == (
        "CONFIRMED", 2, "Glencore: Annual general meeting")
