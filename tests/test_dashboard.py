"""The dashboard, the staff start page: the season's coming meetings with their deadlines,
counts and warnings, the work waiting, what is assigned to each person, the season as a
picture; each number a link to a list that has that many rows; a fixed number of queries."""

import re
from datetime import datetime, time, timedelta
from html import unescape

import helpers
import pytest
from sqlalchemy import insert

from agmtool import dashboard
from agmtool.models import (
    AGM,
    AGMStatus,
    Answer,
    Attendee,
    Channel,
    Clarification,
    Concern,
    ConcernStatus,
    EntryState,
    Question,
    QuestionConcern,
    QuestionStatus,
    Role,
    Translation,
    TranslationState,
    User,
    utcnow,
)

TODAY = utcnow().date()


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role=Role.STAFF, name="Ana Staff")


@pytest.fixture
def staff_client(client, staff, log_in):
    log_in(client, staff)
    return client


def at(days: int, hour: int = 17) -> datetime:
    return datetime.combine(TODAY + timedelta(days=days), time(hour))


@pytest.fixture
def season(db, make_company, make_agm, make_concern, staff):
    """A season under way: a meeting in ten days whose written questions are due in three
    with questions not approved (a warning), one in sixty days, one past, one cancelled;
    concerns in every state of the work waiting."""
    glencore = make_company()
    anglo = make_company(slug="anglo-american", name="Anglo American",
                         listings=(("Anglo American plc", "LSE", "AAL"),))
    soon = make_agm(company=glencore, local_date=TODAY + timedelta(days=10),
                    questions_deadline=at(3), registration_deadline=at(6),
                    proxy_deadline=at(8))
    later = make_agm(company=anglo, local_date=TODAY + timedelta(days=60),
                     timezone="Europe/London", questions_deadline=at(50))
    past = make_agm(company=anglo, local_date=TODAY - timedelta(days=20),
                    timezone="Europe/London")
    make_agm(company=glencore, local_date=TODAY + timedelta(days=30),
             status=AGMStatus.CANCELLED)
    accepted = [make_concern(language="es", body=f"río {n}", status=ConcernStatus.ACCEPTED,
                             company=glencore) for n in range(3)]
    linked = make_concern(language="pt", body="a lama", status=ConcernStatus.ACCEPTED)
    questions = {
        "draft": [Question(agm=soon, text="Draft one?", status=QuestionStatus.DRAFT),
                  Question(agm=soon, text="Draft two?", status=QuestionStatus.DRAFT)],
        "awaiting": [Question(agm=soon, text="Sign it off?",
                              status=QuestionStatus.AWAITING_SIGNOFF)],
        "approved": [Question(agm=later, text="Approved?", status=QuestionStatus.APPROVED)],
        "asked": [Question(agm=past, text="Asked?", status=QuestionStatus.ASKED)],
    }
    for found in questions.values():
        db.session.add_all(found)
    questions["draft"][0].links.append(QuestionConcern(concern=linked))
    questions["asked"][0].answer = Answer(text="We will write.", written_promised=True,
                                          written_due=TODAY - timedelta(days=5))
    answered = make_concern(language="id", body="sungai")
    answered.clarifications.append(Clarification(question="Sungai apa?", answer="Ajkwa"))
    db.session.commit()
    return {"soon": soon, "later": later, "past": past, "accepted": accepted,
            "questions": questions, "glencore": glencore}


def counted_links(page: str) -> list[tuple[str, int, str]]:
    """Every counted number on the page: (its link, the number, what it counts)."""
    found = re.findall(r'<a href="([^"]+)" class="counted">(?:([^<]+): )?<strong class="number">'
                       r'([\d,]+)</strong>(?: ([^<]+))?</a>', page)
    return [(unescape(url), int(number.replace(",", "")), (before or after).strip())
            for url, before, number, after in found]


def listed(client, url: str) -> int:
    """How many rows the list at ``url`` shows in all, by its own total and its rows."""
    page = client.get(url).text
    total = re.search(r"<p>([\d,]+) (?:concerns?|questions?|translations?)\b", page)
    rows = re.findall(r'<td><a href="/staff/(?:concerns|questions|translate)/(\d+)', page)
    number = int(total.group(1).replace(",", "")) if total else 0
    if number <= 25:
        assert len(rows) == number, url
    return number


def test_every_number_links_to_a_list_with_as_many_rows(staff_client, season, db, staff):
    page = staff_client.get("/staff/").text
    numbers = counted_links(page)
    assert len(numbers) >= 15
    for url, number, label in numbers:
        assert listed(staff_client, url) == number, (url, label)
    by_url = {url: number for url, number, _label in numbers}
    soon, later = season["soon"].id, season["later"].id
    # The counts equal counts made directly.
    assert by_url["/staff/concerns/?status=accepted&question=none"] == 3
    assert by_url["/staff/concerns/?answers=unread"] == 1
    assert by_url["/staff/questions/?status=awaiting_signoff"] == 1
    assert by_url["/staff/questions/?overdue=1"] == 1
    assert by_url[f"/staff/questions/?agm={soon}&status=draft"] == 2
    assert by_url[f"/staff/questions/?agm={soon}&status=awaiting_signoff"] == 1
    assert by_url[f"/staff/questions/?agm={later}&status=approved"] == 1
    waiting = db.session.query(Translation).filter(
        Translation.state != TranslationState.APPROVED).count()
    by_language = sum(by_url[f"/staff/translate/?language={code}"] for code in ("es", "pt", "id"))
    assert by_language == waiting == 5  # each concern's words, into English


def test_the_coming_meetings_soonest_first_with_deadlines_and_a_warning(staff_client, season):
    page = staff_client.get("/staff/").text
    coming = page.split('id="coming"')[1].split("</section>")[0]
    names = re.findall(r'<h3><a href="/staff/agms/(\d+)/questions">([^<]+)</a>', coming)
    assert names == [(str(season["soon"].id), "Glencore"),
                     (str(season["later"].id), "Anglo American")]
    first = coming.split('<li class="meeting')[1]
    assert "in 10 days" in first
    assert ('<li class="warned">Written questions: ' in first
            and '<span class="when soon">in 3 days</span>' in first)
    assert ("<strong>Warning:</strong> Written questions are due and some questions are not "
            "approved yet.") in first
    assert ("<strong>Warning:</strong> Registration closes and nobody is down to attend yet."
            in first)
    assert "Proxies are due" not in first  # in 8 days: not yet
    assert "Attendees confirmed: 0 of 0" in first
    second = coming.split('<li class="meeting')[2]
    assert "Warning" not in second and "in 60 days" in second


def test_attendees_confirmed_of_those_planned_from_the_attendance_records(staff_client, season,
                                                                         db):
    soon = season["soon"]
    db.session.add_all([Attendee(agm=soon, name="Ana", state=EntryState.CONFIRMED),
                        Attendee(agm=soon, name="Beto", state=EntryState.REQUESTED),
                        Attendee(agm=soon, name="Caro", state=EntryState.REFUSED)])
    db.session.commit()
    page = staff_client.get("/staff/").text
    first = page.split('id="coming"')[1].split('<li class="meeting')[1]
    assert (f'<a href="/staff/agms/{soon.id}/attendees">Attendees confirmed: 1 of 2</a>'
            in first)
    assert ("<strong>Warning:</strong> Registration closes and not every attendee is "
            "confirmed yet.") in first


@pytest.mark.parametrize("key, not_ready, confirmed, planned, expected", [
    ("questions", 2, 0, 0, "Written questions are due and some questions are not approved yet."),
    ("questions", 0, 0, 0, None),
    ("proxy", 0, 0, 0, "Proxies are due and nobody is down to attend yet."),
    ("proxy", 0, 1, 2, "Proxies are due and not every attendee is confirmed yet."),
    ("registration", 3, 2, 2, None),
])
def test_what_a_near_deadline_still_needs(app, key, not_ready, confirmed, planned, expected):
    with app.test_request_context():
        assert dashboard._warning(key, not_ready, confirmed, planned) == expected


def test_the_season_as_a_picture_with_a_text_alternative(staff_client, season):
    page = staff_client.get("/staff/").text
    figure = page.split('id="season"')[1].split("</section>")[0]
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in figure
    assert re.search(r'<desc id="timeline-desc">3 meetings between [^<]+; today, [^<]+, is '
                     r'marked\.', figure)
    assert figure.count("<circle ") == 3  # the cancelled meeting is not drawn
    assert figure.count('<line class="today"') == 1
    assert figure.count('<path class="deadline') == 4
    items = re.findall(r"<li>([^<]+)</li>", figure.split("<details")[1])
    assert [item.split(": ", 1)[1].split(";")[0] for item in items] == [
        "Anglo American", "Glencore", "Anglo American"]


def test_a_translator_sees_only_the_work_in_their_languages(client, make_user, log_in, season):
    translator = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["pt"])
    log_in(client, translator)
    page = client.get("/staff/").text
    numbers = counted_links(page)
    assert [(url, n) for url, n, _label in numbers] == [
        ("/staff/translate/?language=pt", 1), ("/staff/translate/?language=pt&state=missing", 1),
        ("/staff/translate/?changed=1", 0)]
    for url, number, _label in numbers:
        assert listed(client, url) == number
    assert 'id="coming"' not in page and 'id="waiting"' not in page


def test_an_attendee_sees_the_meetings_they_attend(client, make_user, log_in, season, db):
    attendee = make_user("at@example.org", role=Role.ATTENDEE)
    db.session.add(Attendee(agm=season["later"], user=attendee, name="Ana"))
    db.session.commit()
    log_in(client, attendee)
    page = client.get("/staff/").text
    coming = page.split('id="coming"')[1].split("</section>")[0]
    assert re.findall(r'<h3><a href="([^"]+)">([^<]+)</a>', coming) == [
        (f"/staff/attending/{season['later'].id}", "Anglo American")]
    later = season["later"].id
    assert (f'<a href="/staff/agms/{later}/pack.pdf">The pack (PDF)</a> · '
            f'<a href="/staff/agms/{later}/cards.pdf">Question cards (PDF)</a>') in coming
    assert client.get(f"/staff/attending/{later}").status_code == 200
    assert counted_links(page) == [] and "Warning" not in page
    assert 'id="waiting"' not in page and 'id="translations"' not in page


def test_what_is_assigned_to_a_person_opens_their_dashboard(staff_client, staff, season, db):
    season["accepted"][0].assignee_id = staff.id
    season["questions"]["draft"][1].assignee_id = staff.id
    row = db.session.query(Translation).filter_by(language="en", source_language="es").first()
    row.assignee_id = staff.id
    db.session.commit()
    page = staff_client.get("/staff/").text
    mine = page.split('id="mine"')[1].split("</section>")[0]
    numbers = counted_links(mine)
    assert [(url, n) for url, n, _label in numbers] == [
        (f"/staff/concerns/?assignee={staff.id}", 1),
        (f"/staff/questions/?assignee={staff.id}", 1),
        (f"/staff/translate/?assignee={staff.id}", 1)]
    for url, number, _label in numbers:
        assert listed(staff_client, url) == number
    assert f'<a href="/staff/concerns/{season["accepted"][0].id}">' in mine


# --- who does what ----------------------------------------------------------------------------

def test_staff_assign_a_concern_a_question_and_a_translation_on_their_pages(
        staff_client, staff, make_user, season, db):
    colleague = make_user("bea@example.org", role=Role.STAFF, name="Bea Colleague")
    translator = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"],
                           name="Tomás Traductor")
    make_user("pt@example.org", role=Role.TRANSLATOR, languages=["pt"], name="Paula")
    concern = season["accepted"][0]
    question = season["questions"]["draft"][0]
    row = db.session.query(Translation).filter_by(source_id=concern.id,
                                                  source_type="concern_body").one()
    page = staff_client.get(f"/staff/translate/{row.id}").text
    offered = re.findall(r'<option (?:selected )?value="(\d*)">([^<]+)</option>',
                         page.split('id="assignee"')[1].split("</select>")[0])
    # Only translators of the row's language, besides staff.
    assert [name for _id, name in offered] == ["Nobody", "Ana Staff", "Bea Colleague",
                                               "Tomás Traductor"]
    for url, page_url in [
            (f"/staff/concerns/{concern.id}/assign", f"/staff/concerns/{concern.id}"),
            (f"/staff/questions/{question.id}/assign", f"/staff/questions/{question.id}")]:
        staff_client.post(url, data={"assignee": str(colleague.id)})
        page = staff_client.get(page_url).text
        assert f'<option selected value="{colleague.id}">Bea Colleague</option>' in page
        assert helpers.history_lines(page)[-1] == (
            "Assigned (staff@example.org) | Assigned to: Bea Colleague")
    staff_client.post(f"/staff/translate/{row.id}/assign", data={"assignee": str(translator.id)})
    db.session.expire_all()
    assert (db.session.get(Concern, concern.id).assignee_id,
            db.session.get(Question, question.id).assignee_id,
            db.session.get(Translation, row.id).assignee_id) == (
        colleague.id, colleague.id, translator.id)
    # Nobody outside the offer: a translator of another language is refused.
    other = make_user("pt2@example.org", role=Role.TRANSLATOR, languages=["pt"])
    staff_client.post(f"/staff/translate/{row.id}/assign", data={"assignee": str(other.id)})
    db.session.expire_all()
    assert db.session.get(Translation, row.id).assignee_id == translator.id
    # The lists filter by the person.
    assert listed(staff_client, f"/staff/concerns/?assignee={colleague.id}") == 1
    assert listed(staff_client, f"/staff/questions/?assignee={colleague.id}") == 1
    assert listed(staff_client, f"/staff/translate/?assignee={translator.id}") == 1


def test_a_translator_sees_what_is_theirs_and_cannot_assign(client, make_user, log_in, season,
                                                            db):
    translator = make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"])
    row = db.session.query(Translation).filter_by(source_language="es").first()
    row.assignee_id = translator.id
    db.session.commit()
    log_in(client, translator)
    page = client.get(f"/staff/translate/{row.id}").text
    assert "<p><strong>Assigned to you.</strong></p>" in page and 'id="assignee"' not in page
    assert client.post(f"/staff/translate/{row.id}/assign",
                       data={"assignee": ""}).status_code == 403
    mine = client.get("/staff/").text.split('id="mine"')[1].split("</section>")[0]
    assert counted_links(mine) == [(f"/staff/translate/?assignee={translator.id}", 1,
                                    "translation waiting")]


# --- a fixed number of queries ---------------------------------------------------------------



def _bulk(db, concerns: int, meetings: int, company_id: int, user: User) -> None:
    """``concerns`` accepted Spanish concerns with their translation rows, ``meetings``
    meetings in the season with deadlines and a question in each state, a few of each
    assigned to ``user``, and answers for the communities."""
    db.session.execute(insert(Concern), [
        {"status": ConcernStatus.ACCEPTED, "channel": Channel.FORM, "language": "es",
         "reply_language": "es", "body": f"concern {n}", "received_on": TODAY,
         "assignee_id": user.id if n % 50 == 0 else None}
        for n in range(concerns)])
    ids = db.session.scalars(db.select(Concern.id).where(
        ~db.exists().where(Translation.source_id == Concern.id))).all()
    db.session.execute(insert(Translation), [
        {"source_type": "concern_body", "source_id": i, "source_language": "es",
         "source_text": "x", "language": "en", "state": TranslationState.DRAFT,
         "assignee_id": user.id if i % 40 == 0 else None} for i in ids])
    db.session.execute(insert(Clarification), [
        {"concern_id": i, "question": "?", "answer": "!"} for i in ids[::10]])
    first = TODAY + timedelta(days=1)
    db.session.execute(insert(AGM), [
        {"company_id": company_id, "local_date": first + timedelta(days=n % 150),
         "timezone": "Europe/London", "status": AGMStatus.ANNOUNCED,
         "questions_deadline": at(n % 150 - 5), "registration_deadline": at(n % 150 - 2),
         "ref": f"bulk{n:04d}{len(ids)}", "date_estimated": False}
        for n in range(meetings)])
    agm_ids = db.session.scalars(db.select(AGM.id).where(AGM.ref.like("bulk%"))).all()
    db.session.execute(insert(Question), [
        {"agm_id": a, "text": "?", "status": status, "assignee_id": user.id}
        for a in agm_ids for status in (QuestionStatus.DRAFT, QuestionStatus.IN_TRANSLATION,
                                        QuestionStatus.AWAITING_SIGNOFF)])
    db.session.execute(insert(Attendee), [
        {"agm_id": a, "name": f"Attendee {n}", "state": state}
        for a in agm_ids for n, state in enumerate((EntryState.CONFIRMED,
                                                    EntryState.REQUESTED))])
    db.session.commit()


def test_a_fixed_number_of_queries_at_10_and_at_1000_concerns(staff_client, staff, db,
                                                              make_company):
    company = make_company()
    staff_client.get("/staff/concerns/")  # the day's contact purge runs on a first request
    _bulk(db, 10, 3, company.id, staff)
    few, _small = helpers.statements(staff_client, db, "/staff/")
    _bulk(db, 990, 97, company.id, staff)
    many, response = helpers.statements(staff_client, db, "/staff/")
    large = response.text
    assert many == few
    by_url = {url: n for url, n, _label in counted_links(large)}
    assert by_url["/staff/concerns/?status=accepted&question=none"] == 1000
    assert by_url[f"/staff/concerns/?assignee={staff.id}"] == 1 + 20  # n % 50 == 0 in each
    assert large.count('<li class="meeting') >= 90


def test_a_season_in_a_url_is_ascii_digits_only():
    from agmtool import seasons

    assert [seasons.parse(v) for v in ("2026", "²⁰²⁶", "٢٠٢٦", "")] == [2026, None, None, None]
