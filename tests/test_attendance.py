"""Attendance: friendly shareholders and their shares, a meeting's attendees and their proxies
(one share, one proxy), the deadlines counted in working hours, speakers and what the
running order flags, the attendee's own page, and erasing travel after the meeting."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agmtool import workflow
from agmtool.meetings.agms import Invalid
from agmtool.models import (
    Attendee,
    ConcernStatus,
    Entry,
    EntryState,
    Holding,
    Role,
)
from agmtool.questions import attendees, deadlines
from agmtool.questions import domain as questions


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role=Role.STAFF)


@pytest.fixture
def church(db, staff, make_company):
    """A church investor holding one share of Glencore."""
    company = make_company()
    shareholder = attendees.save_shareholder(None, staff, {
        "name": "St Mary's Church", "holding": "registered",
        "contact": "Registrar: Equiniti, ref 0042, +44 20 7946 0000", "notes": None})
    attendees.set_holding(shareholder, company.id, 1, staff)
    db.session.commit()
    return shareholder


def proxy(agm, staff, shareholder, name="Rosa Díaz", shares=1, **values):
    return attendees.add(agm, staff, {
        "name": name, "language": "es", "entry": "proxy",
        "shareholding_id": shareholder.shareholdings[0].id, "shares": shares, **values})


# --- deadlines ----------------------------------------------------------------------------

def test_a_tuesday_meeting_after_a_bank_holiday_has_its_proxy_deadline_on_thursday(make_agm):
    # Monday 31 May 2027 is the spring bank holiday in England.
    agm = make_agm(local_date=date(2027, 6, 1), local_time=time(15, 0),
                   timezone="Europe/London")
    assert deadlines.proxy_deadline(agm) == deadlines.Deadline(datetime(2027, 5, 27, 15, 0),
                                                               False)


def test_a_meeting_in_zug_counts_swiss_holidays(make_agm, make_company):
    # Thursday 6 May 2027 is Ascension Day in Switzerland, a working day in England.
    zug = make_agm(local_date=date(2027, 5, 7), local_time=time(15, 0),
                   timezone="Europe/Zurich")
    london = make_agm(company=zug.company, local_date=date(2027, 5, 7), local_time=time(15, 0),
                      timezone="Europe/London")
    assert deadlines.place("Europe/Zurich") == ("CH", None)
    assert deadlines.proxy_deadline(zug).at == datetime(2027, 5, 4, 15, 0)
    assert deadlines.proxy_deadline(london).at == datetime(2027, 5, 5, 15, 0)


def test_the_companys_published_deadline_wins(make_agm):
    agm = make_agm(local_date=date(2027, 6, 1), local_time=time(15, 0),
                   timezone="Europe/London", proxy_deadline=datetime(2027, 5, 27, 11, 0))
    assert deadlines.proxy_deadline(agm) == deadlines.Deadline(datetime(2027, 5, 27, 11, 0),
                                                               True)
    assert deadlines.record_deadline(agm) == deadlines.Deadline(datetime(2027, 5, 27, 15, 0),
                                                                False)


def test_no_deadline_is_computed_while_the_time_is_unknown(make_agm):
    agm = make_agm(local_time=None)
    assert deadlines.proxy_deadline(agm) == deadlines.Deadline(None, False)


def test_a_weekend_is_not_counted():
    # Monday 10:00 in Perth: Friday 10:00 (no holiday between).
    assert deadlines.working_hours_before(datetime(2027, 6, 14, 10, 0), 48,
                                          "Australia/Perth") == datetime(2027, 6, 10, 10, 0)


# --- shareholders and proxies -------------------------------------------------------------

def test_a_shareholder_with_one_share_cannot_appoint_two_proxies(app, db, staff, church,
                                                                 make_agm):
    agm = make_agm(company=church.shareholdings[0].company)
    first = proxy(agm, staff, church)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        proxy(agm, staff, church, name="Ana Pérez")
    db.session.rollback()
    with app.test_request_context():
        messages = [str(m) for m in refused.value.errors["shares"]]
    assert messages == [
        "St Mary's Church holds 1 share in this company and its other proxies at this "
        "meeting carry 1: one share carries one proxy."]
    assert [a.name for a in db.session.get(type(agm), agm.id).attendees] == [first.name]


def test_a_refused_proxy_frees_its_share_and_asking_again_needs_it_free(db, staff, church,
                                                                        make_agm):
    agm = make_agm(company=church.shareholdings[0].company)
    first = proxy(agm, staff, church)
    attendees.move(first, EntryState.REFUSED, staff)
    second = proxy(agm, staff, church, name="Ana Pérez")
    db.session.commit()
    with pytest.raises(Invalid):
        attendees.move(first, EntryState.REQUESTED, staff)
    db.session.rollback()
    assert (db.session.get(Attendee, first.id).state, second.state) == (EntryState.REFUSED,
                                                                        EntryState.REQUESTED)


def test_the_same_share_serves_the_next_years_meeting_too(db, staff, church, make_agm):
    company = church.shareholdings[0].company
    this_year = make_agm(company=company, local_date=date(2027, 5, 26))
    next_year = make_agm(company=company, local_date=date(2028, 5, 24))
    proxy(this_year, staff, church)
    assert proxy(next_year, staff, church).shares == 1


def test_shares_of_another_company_carry_no_proxy(app, db, staff, church, make_agm,
                                                 make_company):
    other = make_agm(company=make_company(slug="bhp", name="BHP",
                                          listings=(("BHP Group Limited", "LSE", "BHP"),)))
    with pytest.raises(Invalid) as refused:
        proxy(other, staff, church)
    with app.test_request_context():
        messages = [str(m) for m in refused.value.errors["shareholding_id"]]
    assert messages == [
        "This shareholder holds no shares in the meeting's company."]


def test_shares_cannot_drop_below_what_proxies_carry(db, staff, church, make_agm):
    agm = make_agm(company=church.shareholdings[0].company,
                   local_date=date.today() + timedelta(days=30))
    proxy(agm, staff, church)
    with pytest.raises(Invalid):
        attendees.set_holding(church, agm.company_id, 0, staff)


def test_a_sold_share_leaves_past_proxies_without_a_shareholder(db, staff, church, make_agm):
    held = make_agm(company=church.shareholdings[0].company,
                    local_date=date.today() - timedelta(days=30))
    past = proxy(held, staff, church)
    attendees.set_holding(church, held.company_id, 0, staff)
    db.session.commit()
    db.session.expire_all()
    assert (church.shareholdings, db.session.get(Attendee, past.id).shareholding_id) == ([], None)


def test_the_entry_moves_by_its_table(db, staff, make_agm):
    agm = make_agm()
    guest = attendees.add(agm, staff, {"name": "Lucas", "entry": "guest", "language": "pt"})
    assert attendees.allowed(guest) == [EntryState.APPOINTED, EntryState.LODGED,
                                        EntryState.CONFIRMED, EntryState.REFUSED]
    attendees.move(guest, EntryState.CONFIRMED, staff)
    with pytest.raises(workflow.TransitionNotAllowed):
        attendees.move(guest, EntryState.REQUESTED, staff)
    assert (guest.state, guest.entry, guest.shareholding_id) == (EntryState.CONFIRMED, Entry.GUEST,
                                                                 None)
    assert attendees.next_step(guest) is None


def test_a_shareholder_is_kept_with_its_holding(db, staff, church):
    assert (church.name, church.holding, [(h.company.slug, h.shares)
                                          for h in church.shareholdings]) == (
        "St Mary's Church", Holding.REGISTERED, [("glencore", 1)])


# --- warnings -----------------------------------------------------------------------------

def test_an_unconfirmed_attendee_is_flagged_within_seven_days_of_a_deadline(db, staff,
                                                                           make_agm):
    agm = make_agm(local_date=date(2027, 6, 1), local_time=time(15, 0),
                   timezone="Europe/London")
    waiting = attendees.add(agm, staff, {"name": "Rosa", "entry": "unknown"})
    done = attendees.add(agm, staff, {"name": "Ana", "entry": "guest"})
    attendees.move(done, EntryState.CONFIRMED, staff)
    eight_days_before = datetime(2027, 5, 19, 15, 0)
    six_days_before = datetime(2027, 5, 21, 15, 0)
    assert [s.warn for s in attendees.standings(agm, eight_days_before)] == [False, False]
    assert [(s.attendee.id, s.warn) for s in attendees.standings(agm, six_days_before)] == [
        (waiting.id, True), (done.id, False)]


def test_the_meeting_page_shows_the_deadline_and_the_warning(client, db, staff, make_agm,
                                                           log_in):
    soon = date.today() + timedelta(days=4)
    agm = make_agm(local_date=soon, local_time=time(15, 0), timezone="Europe/London")
    attendees.add(agm, staff, {"name": "Rosa Díaz", "entry": "unknown"})
    db.session.commit()
    log_in(client, staff)
    page = client.get(f"/staff/agms/{agm.id}/attendees").get_data(as_text=True)
    assert "A deadline is less than 7 days away and 1 attendee is not confirmed yet." in page
    assert "computed: 48 working hours before the meeting" in page
    assert "Not confirmed, and a deadline is near" in page


# --- speakers -----------------------------------------------------------------------------

@pytest.fixture
def question(db, staff, make_agm, make_concern):
    agm = make_agm()
    concern = make_concern(language="es", body="El agua", company=agm.company,
                           status=ConcernStatus.ACCEPTED)
    found = questions.draft(agm, [concern], "Will you return the water?", staff)
    db.session.commit()
    return found


def test_a_speaker_is_one_of_the_meetings_attendees(db, staff, question, make_agm):
    rosa = attendees.add(question.agm, staff, {"name": "Rosa", "entry": "proxy"})
    elsewhere = attendees.add(make_agm(company=question.agm.company,
                                       local_date=date(2028, 5, 1)),
                              staff, {"name": "Ana", "entry": "proxy"})
    questions.edit(question, staff, {"speaker_id": rosa.id}, question.version)
    assert question.speaker is rosa
    with pytest.raises(ValueError):
        questions.edit(question, staff, {"speaker_id": elsewhere.id}, question.version)


def test_the_running_order_flags_a_guest_and_a_missing_interpreter(db, staff, question):
    guest = attendees.add(question.agm, staff, {
        "name": "Rosa", "entry": "guest", "language": "es", "needs_interpretation": True})
    questions.edit(question, staff, {"speaker_id": guest.id}, question.version)
    assert attendees.speaker_problems(question) == ["no_right", "no_interpreter"]
    attendees.add(question.agm, staff, {"name": "Marta", "entry": "online_only",
                                        "interprets": ["es", "en"]})
    attendees.edit(guest, staff, {"entry": "proxy"}, guest.version)
    assert attendees.speaker_problems(question) == []


def test_the_running_order_page_shows_the_speaker_and_the_flags(client, db, staff, question,
                                                               log_in):
    guest = attendees.add(question.agm, staff, {"name": "Rosa Díaz", "entry": "guest"})
    questions.edit(question, staff, {"speaker_id": guest.id, "needs_interpretation": True,
                                     "interpret_from": "pt"}, question.version)
    db.session.commit()
    log_in(client, staff)
    page = client.get(f"/staff/agms/{question.agm_id}/questions").get_data(as_text=True)
    assert "Rosa Díaz" in page
    assert "The speaker has no right to speak: a guest cannot ask a question." in page
    assert "It is read in Portuguese and no attending interpreter covers it." in page
    detail = client.get(f"/staff/questions/{question.id}").get_data(as_text=True)
    assert '<p class="error">The speaker has no right to speak: a guest cannot ask a ' \
           'question.</p>' in detail


def test_a_speaker_online_without_a_login_is_flagged(db, staff, question):
    online = attendees.add(question.agm, staff, {"name": "Lucas", "entry": "online_only"})
    questions.edit(question, staff, {"speaker_id": online.id}, question.version)
    assert attendees.speaker_problems(question) == ["no_login"]
    attendees.edit(online, staff, {"online_login": True}, online.version)
    assert attendees.speaker_problems(question) == []


def test_the_speakers_language_is_a_language_the_question_is_translated_into(db, staff,
                                                                            question):
    ana = attendees.add(question.agm, staff, {"name": "Ana", "entry": "proxy",
                                              "language": "pt"})
    questions.edit(question, staff, {"speaker_id": ana.id}, question.version)
    assert questions.target_languages(question) == ["es", "pt"]


def test_taking_an_attendee_off_lets_their_questions_go(db, staff, question):
    rosa = attendees.add(question.agm, staff, {"name": "Rosa", "entry": "proxy"})
    questions.edit(question, staff, {"speaker_id": rosa.id}, question.version)
    attendees.remove(rosa, staff)
    db.session.commit()
    db.session.refresh(question)
    assert (question.speaker_id, question.agm.attendees) == (None, [])


# --- travel -------------------------------------------------------------------------------

def test_travel_is_erased_after_the_retention(db, staff, make_agm):
    agm = make_agm(local_date=date(2027, 5, 26))
    rep = attendees.add(agm, staff, {"name": "Rosa", "entry": "proxy",
                                     "contact_details": "+57 300 555 0199"})
    attendees.edit(rep, staff, {"visa": "UK visitor visa, ref GWF0123", "lodging": "Hotel",
                                "arrives_on": date(2027, 5, 23), "travel_notes": "Vegetarian"},
                   rep.version)
    assert attendees.purge(date(2027, 7, 25), timedelta(days=60)) == 0
    assert attendees.purge(date(2027, 7, 26), timedelta(days=60)) == 1
    assert (rep.contact_details, rep.visa, rep.lodging, rep.arrives_on, rep.travel_notes,
            rep.erased_on) == (None, None, None, None, None, date(2027, 7, 26))


def test_travel_words_stay_out_of_the_history(client, db, staff, make_agm, log_in):
    agm = make_agm()
    rep = attendees.add(agm, staff, {"name": "Rosa", "entry": "proxy",
                                     "contact_details": "+57 300 555 0199"})
    attendees.edit(rep, staff, {"visa": "GWF0123"}, rep.version)
    db.session.commit()
    log_in(client, staff)
    page = client.get(f"/staff/attendees/{rep.id}").get_data(as_text=True)
    history = page[page.index('class="history"'):]
    assert "GWF0123" not in history and "+57 300 555 0199" not in history
    assert "GWF0123" in page  # in the form, for staff


def test_a_departure_before_the_arrival_is_refused(db, staff, make_agm):
    rep = attendees.add(make_agm(), staff, {"name": "Rosa", "entry": "proxy"})
    with pytest.raises(Invalid):
        attendees.edit(rep, staff, {"arrives_on": date(2027, 5, 23),
                                    "leaves_on": date(2027, 5, 20)}, rep.version)


# --- the attendee's own page ------------------------------------------------------------

@pytest.fixture
def attending(db, staff, question, make_user, make_agm):
    """Ana (an attendee account) reads the question at its meeting; Rosa, a community
    representative, attends too with contact details and travel, and Marta, who agreed to
    be named. Another meeting has Ana nowhere."""
    ana = make_user("ana@example.org", role=Role.ATTENDEE, name="Ana Attendee")
    agm = question.agm
    entry = attendees.add(agm, staff, {"user_id": ana.id, "entry": "proxy", "language": "es"})
    attendees.edit(entry, staff, {"travel_notes": "Tren a Zug el 25"}, entry.version)
    rosa = attendees.add(agm, staff, {"name": "Rosa Secreta", "entry": "proxy",
                                      "contact_details": "+57 300 555 0199"})
    attendees.edit(rosa, staff, {"visa": "Visa GWF999"}, rosa.version)
    attendees.add(agm, staff, {"name": "Marta Named", "entry": "guest", "may_be_named": True})
    questions.edit(question, staff, {"speaker_id": entry.id,
                                     "background": "The stream was diverted in 2016."},
                   question.version)
    other = make_agm(company=agm.company, local_date=date(2028, 5, 24))
    db.session.commit()
    return ana, agm, other


def test_an_attendee_sees_their_meeting_in_their_language(client, db, attending, log_in):
    ana, agm, other = attending
    log_in(client, ana)
    client.get("/language/es")
    page = client.get(f"/staff/attending/{agm.id}").get_data(as_text=True)
    assert "Las preguntas que usted hace" in page
    assert "Will you return the water?" in page  # no approved translation yet: in English
    assert "Su traducción aún no está lista: aquí está en inglés." in page
    assert "The stream was diverted in 2016." in page
    assert "Tren a Zug el 25" in page  # their own travel
    assert "Marta Named" in page
    assert [secret for secret in ("Rosa Secreta", "+57 300 555 0199", "Visa GWF999")
            if secret in page] == []


def test_an_attendee_opens_the_pack_and_their_own_cards_from_their_page(client, db, attending,
                                                                       log_in):
    ana, agm, other = attending
    entry = attendees.entry_of(ana, agm)
    log_in(client, ana)
    page = client.get(f"/staff/attending/{agm.id}").get_data(as_text=True)
    found = re.findall(r'<a href="(/staff/agms/[^"]+)">([^<]+)</a>', page)
    assert found == [
        (f"/staff/agms/{agm.id}/pack.pdf", "The meeting's pack (PDF, A4)"),
        (f"/staff/agms/{agm.id}/cards.pdf?speaker={entry.id}",
         "The cards of the questions you ask (PDF, A5)")]
    assert client.get(f"/staff/agms/{other.id}/pack.pdf").status_code == 404


def test_an_attendee_opens_no_other_meeting_no_inbox_no_shareholders(client, db, attending,
                                                                    log_in):
    ana, agm, other = attending
    log_in(client, ana)
    assert [client.get(url).status_code for url in (
        f"/staff/attending/{other.id}", "/staff/concerns/", "/staff/shareholders/",
        f"/staff/agms/{agm.id}/attendees")] == [404, 403, 403, 403]
    listing = client.get("/staff/attending/").get_data(as_text=True)
    assert f"/staff/attending/{agm.id}" in listing
    assert f"/staff/attending/{other.id}" not in listing


def test_a_translator_sees_no_attendee(client, db, attending, make_user, log_in):
    _ana, agm, _other = attending
    log_in(client, make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"]))
    assert [client.get(url).status_code for url in (
        f"/staff/agms/{agm.id}/attendees", f"/staff/attending/{agm.id}",
        f"/staff/attendees/{agm.attendees[0].id}")] == [403, 403, 403]


def test_the_purge_command_erases_details_of_meetings_long_past(runner, db, staff, make_agm):
    old = attendees.add(make_agm(local_date=date.today() - timedelta(days=61)), staff,
                        {"name": "Rosa", "entry": "proxy", "contact_details": "+57 300"})
    later = make_agm(company=old.agm.company, local_date=date.today() + timedelta(days=30))
    soon = attendees.add(later, staff,
                         {"name": "Ana", "entry": "proxy", "contact_details": "+55 31"})
    db.session.commit()
    result = runner.invoke(args=["attendance", "purge-details"])
    assert result.output == "Erased the contact details and travel of 1 attendee(s).\n"
    assert (db.session.get(Attendee, old.id).contact_details,
            db.session.get(Attendee, soon.id).contact_details) == (None, "+55 31")


def test_the_demo_has_shareholders_attendees_in_every_state_and_travel(runner, db):
    from agmtool.models import Question, Shareholder

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    everyone = db.session.scalars(db.select(Attendee).order_by(Attendee.id)).all()
    assert {a.state for a in everyone} == set(EntryState)
    assert [a.name for a in everyone if a.visa and a.travel_notes] == ["Rosa Epieyú (demo)"]
    assert len(db.session.scalars(db.select(Shareholder)).all()) == 3
    agm = everyone[0].agm
    flagged = {q.speaker.name: attendees.speaker_problems(q) for q in db.session.scalars(
        db.select(Question).where(Question.agm_id == agm.id, Question.speaker_id.is_not(None)))}
    assert flagged == {"Rosa Epieyú (demo)": [], "Journalist (demo)": ["no_right"]}


def test_two_appointments_from_one_share_at_once_let_one_through(app, db, staff, church,
                                                                 make_agm):
    """Two staff add a proxy of the same single share at the same moment: the holding's
    row is claimed before counting, so the second counts the first and is refused."""
    import threading

    agm_id, holding_id = make_agm(company=church.shareholdings[0].company).id, \
        church.shareholdings[0].id
    staff_id = staff.id
    first_counted, outcomes = threading.Event(), {}

    def appoint(name: str, wait: threading.Event | None) -> None:
        from agmtool.models import AGM, User

        with app.app_context():
            try:
                if wait is not None:
                    wait.wait(5)
                attendees.add(db.session.get(AGM, agm_id), db.session.get(User, staff_id), {
                    "name": name, "entry": "proxy", "shareholding_id": holding_id,
                    "shares": 1})
                if wait is None:
                    first_counted.set()
                    threading.Event().wait(0.5)  # still in its transaction
                db.session.commit()
                outcomes[name] = "added"
            except Invalid:
                db.session.rollback()
                outcomes[name] = "refused"
            finally:
                first_counted.set()
                db.session.remove()

    threads = [threading.Thread(target=appoint, args=("Rosa", None)),
               threading.Thread(target=appoint, args=("Ana", first_counted))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {"Rosa": "added", "Ana": "refused"}
    db.session.expire_all()
    assert [a.name for a in db.session.scalars(db.select(Attendee))] == ["Rosa"]


def test_the_practical_notes_reach_an_attendee_in_their_language(client, db, staff,
                                                                 attending, log_in,
                                                                 make_user):
    from agmtool.models import Translation
    from agmtool.questions import briefing
    from agmtool.translation import domain as translation

    ana, agm, _other = attending
    briefing.set_briefing(agm, staff, 120, None, "Queue at the side door.", agm.version)
    rows = db.session.scalars(db.select(Translation).where(
        Translation.source_type == briefing.PRACTICAL_NOTES)).all()
    assert [(row.language, row.source_text) for row in rows] == [
        ("es", "Queue at the side door.")]
    row = rows[0]
    translation.save(row, "Hagan fila en la puerta lateral.", staff, row.version, ready=True)
    translation.approve(row, make_user("reviewer@example.org"), row.version)
    db.session.commit()
    log_in(client, ana)
    client.get("/language/es")
    page = client.get(f"/staff/attending/{agm.id}").get_data(as_text=True)
    assert "Hagan fila en la puerta lateral." in page


@settings(max_examples=200, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
       zone=st.sampled_from(["Europe/London", "Europe/Zurich", "Australia/Perth",
                             "Africa/Johannesburg", "America/Toronto", "UTC"]))
def test_the_deadline_leaves_exactly_48_working_hours(start, zone):
    deadline = deadlines.working_hours_before(start, 48, zone)
    counted, day = timedelta(), deadline.date()
    while day <= start.date():
        if deadlines.working_day(day, zone):
            begin = max(deadline, datetime.combine(day, time()))
            end = min(start, datetime.combine(day + timedelta(days=1), time()))
            counted += max(end - begin, timedelta())
        day += timedelta(days=1)
    assert counted == timedelta(hours=48)
    assert deadline <= start - timedelta(hours=48)
    # Not a moment earlier than needed: it falls within a working day.
    assert deadlines.working_day(deadline.date(), zone)


def test_a_proxy_the_shares_cannot_carry_is_refused_on_the_page_with_the_text_kept(
        client, db, staff, church, make_agm, log_in):
    agm = make_agm(company=church.shareholdings[0].company)
    proxy(agm, staff, church)
    db.session.commit()
    log_in(client, staff)
    client.get("/language/es")
    response = client.post(f"/staff/agms/{agm.id}/attendees", data={
        "name": "Ana Pérez", "language": "es", "entry": "proxy",
        "shareholding_id": str(church.shareholdings[0].id), "shares": "1",
        "contact_details": "+57 311 000 0000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("St Mary&#39;s Church tiene 1 acción de esta empresa y sus otros apoderados en "
            "esta junta ya usan 1: cada acción permite un solo apoderado.") in page
    assert 'value="Ana Pérez"' in page and "+57 311 000 0000" in page
    assert len(db.session.get(type(agm), agm.id).attendees) == 1
