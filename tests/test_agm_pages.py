"""Public AGM pages: the list, one meeting, times in two zones, deadlines in days, status,
subscribe links, in four languages."""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote

import pytest

from agmtool.models import AGMStatus, MeetingKind


@pytest.fixture
def app_config():
    return {"BASE_URL": "https://agm.example.org"}


def soon(days) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


def test_an_empty_list_says_so(client):
    response = client.get("/en/agms/")
    assert response.status_code == 200
    assert "No meetings are planned at the moment." in response.text


@pytest.mark.parametrize(("lang", "heading"), [
    ("en", "Add every meeting to your calendar"),
    ("es", "Agregue todas las juntas a su calendario"),
    ("pt", "Adicione todas as assembleias ao seu calendário"),
    ("id", "Tambahkan semua rapat ke kalender Anda")])
def test_the_list_in_four_languages(client, make_agm, lang, heading):
    agm = make_agm(local_date=soon(40), venue="The Mermaid London")
    response = client.get(f"/{lang}/agms/")
    assert f'<h2 id="subscribe-heading">{heading}</h2>' in response.text
    assert f'href="/{lang}/agms/{agm.id}"' in response.text
    assert "The Mermaid London" in response.text


def test_past_meetings_are_not_listed(client, make_agm, make_company):
    company = make_company()
    make_agm(company=company, local_date=soon(-10), venue="Long ago")
    assert "Long ago" not in client.get("/en/agms/").text


def test_a_meeting_shows_local_and_london_time(client, make_company, make_agm):
    rio = make_company(slug="rio-tinto", name="Rio Tinto",
                       listings=[("Rio Tinto Limited", "ASX", "RIO")])
    agm = make_agm(company=rio, listing_id=rio.listings[0].id, local_date=date(2030, 5, 2),
                   local_time=time(9, 30), timezone="Australia/Perth")
    text = client.get(f"/en/agms/{agm.id}").text
    assert "<h1>Rio Tinto Limited: Annual general meeting</h1>" in text
    assert '<p class="agm-time">Thursday, 2 May 2030, 09:30, Perth time</p>' in text
    assert '<p class="agm-time">02:30, London time</p>' in text
    assert 'data-instant="2030-05-02T01:30:00Z"' in text


def test_a_meeting_without_a_time_says_time_to_be_announced(client, make_agm):
    agm = make_agm(local_date=date(2030, 5, 29), local_time=None, status=AGMStatus.ANNOUNCED)
    text = client.get(f"/en/agms/{agm.id}").text
    assert '<p class="agm-time">Wednesday, 29 May 2030</p>' in text
    assert '<p class="agm-tba">Time to be announced</p>' in text


def test_an_expected_meeting_shows_only_the_month(client, make_agm):
    # A precise day that the company has not announced would be planned around.
    agm = make_agm(local_date=date(2030, 5, 29), local_time=None, status=AGMStatus.EXPECTED)
    text = client.get(f"/es/agms/{agm.id}").text
    assert '<p class="agm-time">Prevista hacia mayo de 2030</p>' in text
    assert "29 de mayo" not in text
    assert "Prevista (fecha aún sin anunciar)" in text


def test_a_cancelled_expected_meeting_still_shows_only_the_month(client, db, make_agm):
    from agmtool.meetings import agms

    agm = make_agm(local_date=date(2030, 5, 29), local_time=None, status=AGMStatus.EXPECTED)
    agms.cancel(agm, None, "The company is being taken over.", agm.version)
    db.session.commit()
    assert agm.date_estimated is True
    text = client.get(f"/pt/agms/{agm.id}").text
    assert '<p class="agm-time">Estava prevista para maio de 2030, aproximadamente</p>' in text
    assert "29 de maio" not in text
    # Nothing will be announced for a cancelled meeting: no "not announced yet" lines.
    assert "ainda não" not in text.split("<main")[1].split("</main>")[0]


def test_a_past_meeting_says_it_took_place(client, make_agm):
    agm = make_agm(local_date=date(2024, 5, 29), local_time=None, status=AGMStatus.CONFIRMED)
    text = client.get(f"/en/agms/{agm.id}").text
    assert "This meeting took place on Wednesday, 29 May 2024." in text
    assert "No deadlines were recorded for this meeting." in text


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "The time was not recorded."), ("es", "No se registró la hora."),
    ("pt", "O horário não foi registrado."), ("id", "Waktu rapat tidak tercatat.")])
def test_a_past_meeting_without_a_time_says_the_time_was_not_recorded(client, make_agm, lang,
                                                                      said):
    agm = make_agm(local_date=date(2024, 5, 29), local_time=None, status=AGMStatus.CONFIRMED)
    text = client.get(f"/{lang}/agms/{agm.id}").text
    assert f'<p class="agm-tba">{said}</p>' in text
    assert text.count('class="agm-tba"') == 1


def test_deadlines_are_shown_in_days(client, make_agm):
    day = soon(30)
    agm = make_agm(local_date=day, local_time=time(12, 0), timezone="Europe/London",
                   proxy_deadline=datetime.combine(day - timedelta(days=4), time(12, 0)))
    text = client.get(f"/en/agms/{agm.id}").text
    assert "(in 26 days)" in text or "(in 25 days)" in text
    assert "<strong>Proxy appointment</strong>" in text


def test_private_notes_never_show(client, make_agm):
    agm = make_agm(local_date=soon(20), notes="Secret contact: +57 300")
    assert "+57" not in client.get(f"/en/agms/{agm.id}").text


def test_subscribe_links(client, make_agm):
    agm = make_agm(local_date=soon(20))
    text = client.get(f"/id/agms/{agm.id}").text
    feed = "https://agm.example.org/calendar/glencore.ics?lang=id"
    webcal = "webcal://agm.example.org/calendar/glencore.ics?lang=id"
    assert f'href="{webcal}"' in text
    assert ('href="https://calendar.google.com/calendar/render?cid='
            f'{quote(webcal, safe="")}"') in text
    assert ('href="https://outlook.live.com/calendar/0/addfromweb?url='
            f'{quote(feed, safe="")}&amp;name=RUPS%3A%20Glencore"') in text
    assert f'href="{feed}" data-kind="download" download' in text


def test_an_unknown_meeting_is_not_found(client):
    assert client.get("/en/agms/999").status_code == 404


def test_the_home_page_links_to_the_meetings(client):
    assert 'href="/es/agms/"' in client.get("/es/").text


def test_a_general_meeting_is_named_as_such(client, make_agm):
    agm = make_agm(local_date=soon(20), kind=MeetingKind.GENERAL)
    text = client.get(f"/en/agms/{agm.id}").text
    assert "<h1>Glencore: General meeting</h1>" in text


def test_a_london_meeting_at_the_repeated_hour_shows_london_time_once(app, client, make_agm):
    # 01:30 the second time (GMT) on the night the clocks go back: 01:30 UTC. Reading that
    # UTC clock as a London wall time gave BST, and the page showed London time twice.
    from agmtool import i18n

    agm = make_agm(local_date=date(2027, 10, 31), local_time=time(1, 30),
                   timezone="Europe/London", fold=1)
    with app.test_request_context("/en/agms/"):
        assert i18n.format_meeting_time(datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
                                        "Europe/London") == [
            "Sunday, 31 October 2027, 01:30 (Greenwich Mean Time, UTC), London time"]
    assert client.get(f"/en/agms/{agm.id}").text.count(", London time") == 1


@pytest.mark.parametrize(("lang", "first", "second"), [
    ("en", "Sunday, 31 October 2027, 01:30 (British Summer Time, UTC+1), London time",
     "Sunday, 31 October 2027, 01:30 (Greenwich Mean Time, UTC), London time"),
    ("es", "domingo, 31 de octubre de 2027, 1:30 (hora de verano británica, UTC+1), "
           "hora de Londres",
     "domingo, 31 de octubre de 2027, 1:30 (hora del meridiano de Greenwich, UTC), "
     "hora de Londres")])
def test_a_time_that_happens_twice_names_its_zone_and_offset(client, make_agm, make_company,
                                                            lang, first, second):
    company = make_company()
    summer, winter = (make_agm(company=company, local_date=date(2027, 10, 31),
                               local_time=time(1, 30), timezone="Europe/London", fold=fold)
                      for fold in (0, 1))
    assert f'<p class="agm-time">{first}</p>' in client.get(f"/{lang}/agms/{summer.id}").text
    assert f'<p class="agm-time">{second}</p>' in client.get(f"/{lang}/agms/{winter.id}").text


def test_a_zurich_time_that_happens_twice_also_marks_london_when_it_repeats_there(app):
    # 00:30 UTC on the last Sunday of October: 02:30 in Zug the first time, 01:30 in London
    # the first time: both clocks read the same an hour later.
    from agmtool import i18n

    with app.test_request_context("/en/agms/"):
        assert i18n.format_meeting_time(datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
                                        "Europe/Zurich") == [
            "Sunday, 31 October 2027, 02:30 (Central European Summer Time, UTC+2), "
            "Zurich time",
            "01:30 (British Summer Time, UTC+1), London time"]


def test_a_zug_meeting_an_hour_before_the_clocks_change(app):
    # 00:30 UTC on the last Sunday of March: London still GMT, Zug still CET.
    from agmtool import i18n

    with app.test_request_context("/en/agms/"):
        assert i18n.format_meeting_time(datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
                                        "Europe/Zurich") == [
            "Sunday, 28 March 2027, 01:30, Zurich time", "00:30, London time"]


@pytest.mark.parametrize(("lang", "note", "marker"), [
    ("en", "These deadlines were set before the meeting was postponed: the company has yet "
           "to confirm them.", "to be confirmed"),
    ("es", "Estos plazos se fijaron antes de que se aplazara la junta: la empresa todavía "
           "no los ha confirmado.", "por confirmar")])
def test_deadlines_to_be_confirmed_say_so(client, make_agm, lang, note, marker):
    day = soon(30)
    agm = make_agm(local_date=day, local_time=time(12, 0), timezone="Europe/London",
                   status=AGMStatus.POSTPONED, status_note="Moved",
                   proxy_deadline=datetime.combine(day - timedelta(days=4), time(12, 0)),
                   deadlines_to_be_confirmed=True)
    text = client.get(f"/{lang}/agms/{agm.id}").text
    assert f'<p class="agm-note">{note}</p>' in text
    assert text.count(f'<span class="agm-tbc">{marker}</span>') == 1


def test_a_past_meeting_without_a_venue_says_it_was_not_recorded(client, make_agm):
    agm = make_agm(local_date=date(2024, 5, 29), status=AGMStatus.CONFIRMED)
    text = client.get(f"/pt/agms/{agm.id}").text
    assert "<p>O local não foi registrado.</p>" in text
    assert "ainda não" not in text.split("<main")[1].split("</main>")[0]


# --- paging and filters ---------------------------------------------------------------------

@pytest.fixture
def season(db, make_company):
    """45 meetings a day apart: Glencore's from 1 to 30 January 2036, then Rio Tinto's to
    14 February."""
    from agmtool.models import AGM

    glencore = make_company()
    rio = make_company(slug="rio-tinto", name="Rio Tinto", listings=[("Rio Tinto plc", "LSE",
                                                                     "RIO")])
    meetings = [AGM(company=glencore if n < 30 else rio,
                    local_date=date(2036, 1, 1) + timedelta(days=n),
                    local_time=time(10), timezone="Europe/London", status=AGMStatus.ANNOUNCED,
                    venue=f"Hall {n}") for n in range(45)]
    db.session.add_all(meetings)
    db.session.commit()
    return meetings


def venues(html: str) -> list[str]:
    return [part.split("<", 1)[0] for part in html.split('<p class="agm-venue">')[1:]]


def test_the_list_is_paged(client, season):
    first = client.get("/en/agms/").text
    last = client.get("/en/agms/?page=3").text
    assert venues(first) == [f"Hall {n}" for n in range(20)]
    assert venues(last) == [f"Hall {n}" for n in range(40, 45)]
    assert '<li aria-current="page">Page 1 of 3</li>' in first
    assert '<a href="/en/agms/?page=2" rel="next">Next</a>' in first
    assert '<a href="/en/agms/?page=2" rel="prev">Previous</a>' in last
    assert 'rel="next"' not in last


def test_a_page_past_the_last_shows_the_last(client, season):
    assert venues(client.get("/en/agms/?page=99").text) == [f"Hall {n}" for n in range(40, 45)]


def test_the_list_filters_by_company_and_keeps_the_filter_in_its_page_links(client, season):
    page = client.get("/en/agms/?company=glencore").text
    assert venues(page) == [f"Hall {n}" for n in range(20)]
    assert '<a href="/en/agms/?page=2&amp;company=glencore" rel="next">Next</a>' in page
    assert '<option value="glencore" selected>Glencore</option>' in page
    assert "<p class=\"agm-count\">30 meetings</p>" in page


def test_the_list_filters_by_month(client, season):
    page = client.get("/en/agms/?month=2036-02").text
    assert venues(page) == [f"Hall {n}" for n in range(31, 45)]
    assert '<option value="2036-02" selected>February 2036</option>' in page


def test_a_filter_that_matches_nothing_says_so(client, season):
    page = client.get("/es/agms/?company=glencore&month=2036-02").text
    assert venues(page) == []
    assert "Ninguna junta coincide con lo que eligió." in page


def test_an_unknown_filter_value_shows_every_meeting(client, season):
    assert venues(client.get("/en/agms/?company=nobody&month=13-2027&page=x").text) == [
        f"Hall {n}" for n in range(20)]


def test_each_meeting_is_formatted_and_rendered_once_per_language(app, client, db, season):
    client.get("/en/agms/")
    client.get("/es/agms/")
    views, items = dict(app.extensions["agm_views"]), dict(app.extensions["agm_items"])
    again = client.get("/en/agms/").text, client.get("/es/agms/").text
    shown = sorted((agm.id, lang) for agm in season[:20] for lang in ("en", "es"))
    assert (sorted(views), sorted(items)) == (shown, shown)
    assert all(app.extensions["agm_views"][key][1] is views[key][1] for key in views)
    assert all(app.extensions["agm_items"][key][1] is items[key][1] for key in items)
    assert all(str(items[(season[0].id, lang)][1]) in page
               for lang, page in zip(("en", "es"), again, strict=True))


def test_a_changed_meeting_is_shown_anew_in_the_list(client, db, season):
    from agmtool.meetings import agms

    client.get("/en/agms/")
    agms.update_agm(season[0], None, {"venue": "The Mermaid"}, season[0].version)
    db.session.commit()
    assert venues(client.get("/en/agms/").text)[:2] == ["The Mermaid", "Hall 1"]
