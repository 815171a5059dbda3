"""The staff inbox: list, filters, counts, query counts, staff entry, a concern's page,
triage, translation, export and the contact purge command."""

import csv
import io
import re
from datetime import date, timedelta

import helpers
import pytest
from sqlalchemy import insert

from agmtool import history
from agmtool.concerns import domain as concerns
from agmtool.concerns import receipts
from agmtool.concerns import search as concern_search
from agmtool.models import (
    Attribution,
    Channel,
    Clarification,
    Concern,
    ConcernStatus,
    ConcernTopic,
    Question,
    QuestionConcern,
    QuestionStatus,
    Role,
    Topic,
    Translation,
    TranslationState,
)
from agmtool.translation import domain as translation


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role=Role.STAFF)


@pytest.fixture
def staff_client(client, staff, log_in):
    log_in(client, staff)
    return client


def rows(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/staff/concerns/(\d+)">', page)]


# --- the list -----------------------------------------------------------------------------

def test_inbox_lists_newest_first_with_counts(staff_client, make_concern):
    old = make_concern(received_on=date(2025, 3, 1))
    new = make_concern(received_on=date(2026, 3, 1), status=ConcernStatus.ACCEPTED)
    page = staff_client.get("/staff/concerns/").text
    assert rows(page) == [new.id, old.id]
    assert ">Received: 1</a>" in page and ">Accepted: 1</a>" in page
    assert "2 concerns" in page


@pytest.mark.parametrize("query, expected", [
    ("status=accepted", ["b"]),
    ("language=pt", ["c"]),
    ("topic=water", ["a", "c"]),
    ("season=2024", ["a"]),
    ("season=2025", ["b", "c"]),
    ("q=R%C3%8DO", ["a"]),
    ("company=none", ["b", "c"]),
])
def test_filters(staff_client, make_concern, make_company, query, expected):
    company = make_company()
    made = {
        "a": make_concern(body="el río", language="es", company=company,
                          received_on=date(2025, 5, 1),
                          topic_rows=[ConcernTopic(topic=Topic.WATER)]),
        "b": make_concern(body="b", status=ConcernStatus.ACCEPTED, received_on=date(2026, 1, 2)),
        "c": make_concern(body="c", language="pt", received_on=date(2026, 1, 3),
                          topic_rows=[ConcernTopic(topic=Topic.WATER)]),
    }
    page = staff_client.get(f"/staff/concerns/?{query}").text
    assert sorted(rows(page)) == sorted(made[key].id for key in expected)


def test_a_season_runs_from_july_to_june_and_is_named_by_its_two_years(
        staff_client, make_concern):
    """A concern sent in November 2026 is for the AGMs of spring 2027: one season, 2026–27."""
    november = make_concern(received_on=date(2026, 11, 20))
    march = make_concern(received_on=date(2027, 3, 2))
    june = make_concern(received_on=date(2026, 6, 30))
    page = staff_client.get("/staff/concerns/?season=2026").text
    assert sorted(rows(page)) == [november.id, march.id]
    assert rows(staff_client.get("/staff/concerns/?season=2025").text) == [june.id]
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>',
                         page.split('id="season"')[1].split("</select>")[0])
    assert options == [("2026", " selected", "2026–27"), ("2025", "", "2025–26")]


@pytest.mark.parametrize("app_config", [{"SEASON_START_MONTH": 1}])
def test_seasons_can_be_calendar_years(staff_client, make_concern):
    november = make_concern(received_on=date(2026, 11, 20))
    make_concern(received_on=date(2027, 3, 2))
    page = staff_client.get("/staff/concerns/?season=2026").text
    assert rows(page) == [november.id]
    assert '<option value="2026" selected>2026</option>' in page


def test_company_filter(staff_client, make_concern, make_company):
    company = make_company()
    mine = make_concern(company=company)
    make_concern()
    assert rows(staff_client.get(f"/staff/concerns/?company={company.id}").text) == [mine.id]


def test_search_reaches_the_english_translation(staff_client, staff, make_concern, db):
    concern = make_concern(language="id", body="Kami bukan mau minta saham")
    translation.save(concerns.english(concern), "We are not asking for shares", staff, 1)
    db.session.commit()
    assert rows(staff_client.get("/staff/concerns/?q=shares").text) == [concern.id]


def test_pagination(staff_client, make_concern):
    made = [make_concern() for _ in range(30)]
    first = staff_client.get("/staff/concerns/").text
    second = staff_client.get("/staff/concerns/?page=2").text
    assert len(rows(first)) == 25 and len(rows(second)) == 5
    assert sorted(rows(first) + rows(second)) == sorted(c.id for c in made)
    assert "Page 2 of 2" in second


def _bulk(db, number: int) -> None:
    today = date(2026, 4, 1)
    db.session.execute(insert(Concern), [
        {"status": ConcernStatus.RECEIVED, "channel": Channel.FORM, "language": "es",
         "reply_language": "es", "body": f"concern {n}", "search_text": f"concern {n}",
         "received_on": today}
        for n in range(number)
    ])
    ids = db.session.scalars(db.select(Concern.id).where(~Concern.topic_rows.any())).all()
    db.session.execute(insert(ConcernTopic), [{"concern_id": i, "topic": Topic.WATER}
                                              for i in ids])
    db.session.commit()




def test_a_page_makes_as_many_queries_with_1000_concerns_as_with_10(staff_client, db):
    staff_client.get("/staff/concerns/")  # the day's contact purge runs on the first request
    _bulk(db, 10)
    few = helpers.statements(staff_client, db, "/staff/concerns/?topic=water")[0]
    _bulk(db, 990)
    many = helpers.statements(staff_client, db, "/staff/concerns/?topic=water")[0]
    assert many == few
    assert "1,000 concerns" in staff_client.get("/staff/concerns/").text


def _bulk_searchable(db, number: int) -> None:
    """``number`` concerns in two bulk INSERTs: every 1000th mentions the river, two in
    three are about water."""
    db.session.execute(insert(Concern), [
        {"status": ConcernStatus.RECEIVED, "channel": Channel.FORM, "language": "es",
         "reply_language": "es", "received_on": date(2026, 4, 1) - timedelta(days=n % 300),
         "body": f"el río {n}" if n % 1000 == 0 else f"concern {n}",
         "search_text": f"el rio {n}" if n % 1000 == 0 else f"concern {n}"}
        for n in range(number)
    ])
    ids = db.session.scalars(db.select(Concern.id).where(~Concern.topic_rows.any())
                             .order_by(Concern.id)).all()
    # By position, not by id: ids depend on the database's sequence, and the first concern
    # (which mentions the river) must be about water on every database.
    db.session.execute(insert(ConcernTopic), [{"concern_id": i, "topic": Topic.WATER}
                                              for n, i in enumerate(ids) if n % 3 != 2])
    db.session.commit()


def test_a_searched_page_at_20000_concerns_makes_the_same_queries_and_finds_the_rows(
        staff_client, db):
    staff_client.get("/staff/concerns/")  # the day's contact purge runs on the first request
    url = "/staff/concerns/?topic=water&q=R%C3%8DO"
    _bulk_searchable(db, 10)
    few = helpers.statements(staff_client, db, url)[0]
    db.session.execute(db.delete(ConcernTopic))
    db.session.execute(db.delete(Concern))
    _bulk_searchable(db, 20_000)
    many = helpers.statements(staff_client, db, url)[0]
    page = staff_client.get(url).text
    expected = db.session.scalars(
        db.select(Concern.id).where(Concern.body.like("el r_o %"),
                                    Concern.topic_rows.any())
        .order_by(Concern.received_on.desc(), Concern.id.desc())).all()
    assert many == few
    assert 5 < len(expected) < 20
    assert rows(page) == expected
    assert f"{len(expected)} concerns" in page


# --- staff entry --------------------------------------------------------------------------

def test_a_concern_entered_by_staff_is_answered_in_its_own_language(staff_client, db):
    page = staff_client.get("/staff/concerns/new").text
    # Worded for the staff member writing it down, not as if they were the community.
    assert "Your community" not in page and "You may quote my words" not in page
    assert "They agreed to be quoted word for word." in page
    select = page.split('id="reply_language"')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select)[0] == (
        "The language of the concern")
    staff_client.post("/staff/concerns/new", data={
        "idempotency_key": "k" * 30, "channel": "letter", "received_on": "2026-03-14",
        "language": "pt", "reply_language": "", "company": "other", "body": "A lama chegou.",
        "attribution": "anonymous"})
    concern = db.session.scalars(db.select(Concern)).one()
    assert (concern.language, concern.reply_language) == ("pt", "pt")


def test_staff_enter_a_concern_and_get_a_receipt_to_pass_on(staff_client, staff, db, client):
    page = staff_client.get("/staff/concerns/new").text
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"idempotency_key": key, "channel": "phone", "received_on": "2026-03-14",
            "language": "es", "reply_language": "es", "company": "other",
            "body": "Llamada: el agua llega turbia.", "attribution": "community",
            "contact_name": "Ana", "contact_details": "+57 300 000 0000"}
    response = staff_client.post("/staff/concerns/new", data=form)
    assert response.status_code == 200
    code = re.search(r'<p class="receipt">([^<]+)</p>', response.text).group(1)
    concern = db.session.scalars(db.select(Concern)).one()
    assert (concern.channel, concern.received_on, concern.entered_by_id, concern.contact_details,
            concern.attribution) == (Channel.PHONE, date(2026, 3, 14), staff.id,
                                     "+57 300 000 0000", "community")
    assert receipts.find_by_receipt(code) == concern
    assert staff_client.post("/staff/concerns/new", data=form).status_code == 200
    assert db.session.query(Concern).count() == 1
    (entry,) = history.for_object(concern)
    assert (entry.action, entry.user_id) == ("entered", staff.id)


def test_staff_entry_with_an_unknown_company_is_refused_with_the_text_kept(staff_client, db):
    form = {"idempotency_key": "k" * 32, "channel": "phone", "received_on": "2026-03-14",
            "language": "es", "reply_language": "es", "company": "99999",
            "body": "Llamada: el agua llega turbia.", "attribution": "community"}
    response = staff_client.post("/staff/concerns/new", data=form)
    assert response.status_code == 422
    assert "Choose a company, or “Not sure, or another company”." in response.text
    assert "Llamada: el agua llega turbia.</textarea>" in response.text
    assert db.session.query(Concern).count() == 0


def test_staff_entry_named_without_a_name_asks_for_it_with_the_text_kept(staff_client, db):
    form = {"idempotency_key": "k" * 32, "channel": "phone", "received_on": "2026-03-14",
            "language": "es", "reply_language": "es", "company": "other",
            "body": "Llamada: el agua llega turbia.", "attribution": "named"}
    response = staff_client.post("/staff/concerns/new", data=form)
    assert response.status_code == 422
    assert ("Write the name they agreed to be named by, or choose another answer."
            in response.text)
    assert "Llamada: el agua llega turbia.</textarea>" in response.text
    assert db.session.query(Concern).count() == 0
    response = staff_client.post("/staff/concerns/new", data=form | {"speaker_name": "Ana"})
    assert response.status_code == 200
    assert db.session.scalars(db.select(Concern.speaker_name)).all() == ["Ana"]


@pytest.mark.parametrize("bad", [b"est\xe1", b"est%E1"], ids=["raw", "percent"])
def test_staff_entry_with_unreadable_bytes_keeps_the_rest_and_says_so(staff_client, db, bad):
    staff_client.get("/language/es?next=/staff/")
    fields = {"idempotency_key": "k" * 32, "channel": "phone", "received_on": "2026-03-14",
              "language": "es", "reply_language": "es", "company": "other",
              "attribution": "community"}
    body = "&".join(f"{k}={v}" for k, v in fields.items()).encode()
    body += b"&body=Llamada: el agua " + bad + " turbia. Río Ranchería".encode()
    response = staff_client.post("/staff/concerns/new", data=body,
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "Algunos caracteres no se pudieron leer" in response.text
    assert "Llamada: el agua est\ufffd turbia. Río Ranchería</textarea>" in response.text
    assert "caducado" not in response.text
    assert db.session.query(Concern).count() == 0


def test_staff_entry_refuses_a_day_still_to_come(staff_client, db):
    to_come = date.today() + timedelta(days=2)
    form = {"idempotency_key": "k" * 32, "channel": "letter", "received_on": str(to_come),
            "language": "pt", "reply_language": "pt", "company": "other",
            "body": "Carta: a lama chegou.", "attribution": "anonymous"}
    staff_client.get("/language/pt?next=/staff/")
    response = staff_client.post("/staff/concerns/new", data=form)
    assert response.status_code == 422
    assert "Este dia ainda não chegou. Informe o dia em que o relato chegou." in response.text
    assert "Carta: a lama chegou.</textarea>" in response.text
    assert db.session.query(Concern).count() == 0
    yesterday = date.today() - timedelta(days=1)
    response = staff_client.post("/staff/concerns/new", data=form | {
        "received_on": str(yesterday)})
    assert response.status_code == 200
    assert db.session.scalars(db.select(Concern.received_on)).all() == [yesterday]


# --- a concern's page ---------------------------------------------------------------------

def test_page_shows_original_consent_and_contacts_to_staff(staff_client, make_concern):
    concern = make_concern(language="es", body="el agua", contact_details="+57 300 1",
                           speaker_name="Doña Ana")
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert '<blockquote class="text" lang="es">el agua</blockquote>' in page
    assert "+57 300 1" in page and "Doña Ana" in page


def test_translator_sees_no_contacts_and_only_their_languages(client, make_user, log_in,
                                                              make_concern):
    translator = make_user("t@example.org", role=Role.TRANSLATOR, languages=["es"])
    log_in(client, translator)
    mine = make_concern(language="es", body="el agua", contact_details="+57 300 1",
                        attribution=Attribution.NAMED, speaker_name="Rosa Díaz")
    other = make_concern(language="pt", body="a água")
    page = client.get(f"/staff/concerns/{mine.id}").text
    assert "el agua" in page and "+57 300 1" not in page and "Rosa Díaz" not in page
    assert client.get(f"/staff/concerns/{other.id}").status_code == 404
    index = client.get("/staff/concerns/").text
    assert rows(index) == [mine.id]
    options = {name: re.findall(r'<option value="([^"]+)"',
                                index.split(f'<select id="{name}"')[1].split("</select>")[0])
               for name in ("status", "language")}
    assert options["language"] == ["es"]
    assert "quarantined" not in options["status"] and "withdrawn" not in options["status"]
    assert client.post(f"/staff/concerns/{mine.id}/accept",
                       data={"seen_status": "received"}).status_code == 403


def test_triage_moves_and_records_history(staff_client, staff, make_concern, db):
    concern = make_concern()
    response = staff_client.post(f"/staff/concerns/{concern.id}/accept",
                                 data={"seen_status": "received"})
    assert response.status_code == 302
    db.session.refresh(concern)
    assert concern.status == ConcernStatus.ACCEPTED
    entry = history.for_object(concern)[-1]
    assert (entry.action, entry.user_id, entry.changes) == (
        "accepted", staff.id, {"status": ["received", "accepted"]})
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert helpers.history_lines(page) == [
        "Accepted (staff@example.org) | Status: Received → Accepted"]


def test_a_stale_triage_click_changes_nothing(staff_client, make_concern, db):
    concern = make_concern(status=ConcernStatus.ACCEPTED)
    response = staff_client.post(f"/staff/concerns/{concern.id}/clarify",
                                 data={"seen_status": "received", "question": "¿Qué río?"})
    db.session.refresh(concern)
    assert (concern.status, concern.clarifications) == (ConcernStatus.ACCEPTED, [])
    # The page as it is now, with the question kept and ready to send again.
    assert response.status_code == 409
    assert "Someone else saved a change after you opened this page" in response.text
    assert "¿Qué río?</textarea>" in response.text
    assert re.search(r'name="seen_status" type="hidden" value="accepted"', response.text)


def test_staff_ask_a_question_the_community_reads_on_its_status_page(staff_client, db, app):
    from agmtool.concerns import domain as concerns

    submission = concerns.Submission(language="es", reply_language="es", body="El río")
    concern, code = concerns.submit(submission, "clarify-test-key")
    db.session.commit()
    url = f"/staff/concerns/{concern.id}/clarify"
    refused = staff_client.post(url, data={"seen_status": "received", "question": ""})
    assert refused.status_code == 422
    assert "Write the question for the community." in refused.text
    staff_client.post(url, data={"seen_status": "received", "language": "es",
                                 "question": "¿Qué arroyo se secó, y desde cuándo?"})
    db.session.refresh(concern)
    assert (concern.status, [c.question for c in concern.clarifications]) == (
        ConcernStatus.NEEDS_CLARIFICATION, ["¿Qué arroyo se secó, y desde cuándo?"])
    community = app.test_client()
    page = community.post("/es/status", data={"code": code}).text
    assert ('<blockquote class="text" lang="es">¿Qué arroyo se secó, y desde cuándo?'
            '</blockquote>') in page
    community.post("/es/status/withdraw", data={"code": code, "confirm": "y"})
    db.session.refresh(concern)
    assert concern.clarifications == []


def test_the_community_answers_from_its_status_page_and_staff_read_it(staff_client, db, app):
    from agmtool.concerns import domain as concerns

    submission = concerns.Submission(language="pt", reply_language="pt", body="A lama chegou")
    concern, code = concerns.submit(submission, "answer-test-key-0001")
    db.session.commit()
    staff_client.post(f"/staff/concerns/{concern.id}/clarify",
                      data={"seen_status": "received", "question": "Qual córrego?"})
    community = app.test_client()
    empty = community.post("/pt/status/answer", data={"code": code, "answer": " "},
                           headers={"Referer": "http://localhost/pt/status"})
    assert empty.status_code == 422
    assert "Escreva sua resposta primeiro." in empty.text
    assert 'href="/es/status"' in empty.text  # the language menu, not /es/status/answer
    sent = community.post("/pt/status/answer",
                          data={"code": code, "answer": "O córrego do Feijão, desde março."})
    assert ("Agradecemos. Sua resposta chegou à nossa equipe, e seu relato voltou para a "
            "lista de trabalho dela.") in sent.text
    assert 'action="/pt/status/answer"' not in sent.text  # nothing more is asked
    assert ('<h3>Sua resposta</h3>\n<blockquote class="text">O córrego do Feijão, desde '
            'março.</blockquote>') in sent.text
    db.session.refresh(concern)
    assert (concern.status, [(c.question, c.answer) for c in concern.clarifications]) == (
        ConcernStatus.RECEIVED, [("Qual córrego?", "O córrego do Feijão, desde março.")])
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert "Question asked of the community: Qual córrego?" in page
    assert ('<blockquote lang="pt" class="text">O córrego do Feijão, desde março.</blockquote>'
            in page)
    assert helpers.history_lines(page)[-1] == (
        "Answered by the community | Status: Needs clarification → Received")
    assert rows(staff_client.get("/staff/concerns/?q=feijao").text) == [concern.id]
    again = community.post("/pt/status/answer", data={"code": code, "answer": "De novo"})
    assert again.status_code == 200
    db.session.refresh(concern)
    assert [c.answer for c in concern.clarifications] == ["O córrego do Feijão, desde março."]

    # A second question keeps the first round, on both sides.
    staff_client.post(f"/staff/concerns/{concern.id}/clarify",
                      data={"seen_status": "received", "question": "Desde que mês?"})
    community.post("/pt/status/answer", data={"code": code, "answer": "Março de 2019."})
    db.session.refresh(concern)
    assert [(c.question, c.answer) for c in concern.clarifications] == [
        ("Qual córrego?", "O córrego do Feijão, desde março."),
        ("Desde que mês?", "Março de 2019.")]
    status = community.post("/pt/status", data={"code": code}).text
    assert status.count("<h3>Sua resposta</h3>") == 2


def test_a_communitys_answer_is_flagged_and_counted_until_staff_mark_it_read(
        staff_client, db, app, make_concern):
    submission = concerns.Submission(language="es", reply_language="es", body="El río")
    concern, code = concerns.submit(submission, "answer-flag-key-0001")
    other = make_concern(body="Nada que responder")
    db.session.commit()
    staff_client.post(f"/staff/concerns/{concern.id}/clarify",
                      data={"seen_status": "received", "question": "¿Qué río?"})
    app.test_client().post("/es/status/answer", data={"code": code, "answer": "El Ranchería"})

    inbox = staff_client.get("/staff/concerns/").text
    assert ">Answers to read: 1</a>" in inbox
    row = inbox.split(f'<td><a href="/staff/concerns/{concern.id}">')[1].split("</tr>")[0]
    assert '<strong class="answer-waiting">Answer to read</strong>' in row
    assert "Answer to read" not in inbox.split(
        f'<td><a href="/staff/concerns/{other.id}">')[1].split("</tr>")[0]
    assert rows(staff_client.get("/staff/concerns/?answers=unread").text) == [concern.id]
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert "<strong>The community has answered.</strong>" in page

    staff_client.post(f"/staff/concerns/{concern.id}/answer-read")
    inbox = staff_client.get("/staff/concerns/").text
    assert "Answers to read" not in inbox and "Answer to read" not in inbox
    assert rows(staff_client.get("/staff/concerns/?answers=unread").text) == []
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert "The community has answered." not in page
    assert helpers.history_lines(page)[-1] == "The community's answer read (staff@example.org)"
    db.session.refresh(concern)
    assert [r.answer_read_by_id is not None for r in concern.clarifications] == [True]


def test_a_translator_cannot_mark_an_answer_read(client, make_user, log_in, make_concern, db):
    concern = make_concern(language="es")
    concern.clarifications.append(Clarification(question="¿Qué río?", answer="El Ranchería"))
    db.session.commit()
    log_in(client, make_user("t@example.org", role=Role.TRANSLATOR, languages=["es"]))
    assert "Mark the answer as read" not in client.get(f"/staff/concerns/{concern.id}").text
    assert client.post(f"/staff/concerns/{concern.id}/answer-read").status_code == 403
    db.session.refresh(concern)
    assert concern.unread_answers == concern.clarifications


def test_release_from_quarantine(staff_client, make_concern, db):
    concern = make_concern(status=ConcernStatus.QUARANTINED, quarantine_reason="too_fast")
    staff_client.post(f"/staff/concerns/{concern.id}/release",
                      data={"seen_status": "quarantined"})
    db.session.refresh(concern)
    assert (concern.status, concern.quarantine_reason) == (ConcernStatus.RECEIVED, "too_fast")


def test_decline_needs_a_reason(staff_client, make_concern, db):
    concern = make_concern()
    url = f"/staff/concerns/{concern.id}/decline"
    assert staff_client.post(url, data={"seen_status": "received"}).status_code == 422
    staff_client.post(url, data={"seen_status": "received", "reason": "Duplicate of a call."})
    db.session.refresh(concern)
    assert (concern.status, concern.decline_reason) == (ConcernStatus.DECLINED,
                                                        "Duplicate of a call.")


def test_merge_points_to_the_other_concern(staff_client, make_concern, db):
    target, duplicate = make_concern(), make_concern()
    staff_client.post(f"/staff/concerns/{duplicate.id}/merge",
                      data={"seen_status": "received", "into": str(target.id)})
    db.session.refresh(duplicate)
    assert (duplicate.status, duplicate.merged_into_id) == (ConcernStatus.MERGED, target.id)
    page = staff_client.get(f"/staff/concerns/{duplicate.id}").text
    assert f'href="/staff/concerns/{target.id}">concern {target.id}</a>' in page


def test_the_merge_target_shows_what_was_merged_into_it(staff_client, make_concern, db):
    target = make_concern(language="es")
    duplicate = make_concern(language="id", reply_language="es", attribution="named",
                             speaker_name="Yosepha", may_quote=True)
    other = make_concern(language="pt")
    for concern in (duplicate, other):
        staff_client.post(f"/staff/concerns/{concern.id}/merge",
                          data={"seen_status": "received", "into": str(target.id)})
    page = staff_client.get(f"/staff/concerns/{target.id}").text
    merged = re.search(r'<ul class="merged-in">(.*?)</ul>', page, re.S).group(1)
    lines = [" ".join(re.sub(r"<[^>]+>", "", line).split())
             for line in merged.strip().splitlines()]
    assert lines == [
        f"concern {duplicate.id}: Indonesian · Replies in Spanish · Name the community and the "
        "speaker: Yosepha · "
        "May be quoted",
        f"concern {other.id}: Portuguese · Anonymous · Not to be quoted"]
    assert helpers.history_lines(page)[-2:] == [
        f"Took in a merged concern (staff@example.org) | Merged into this one: concern "
        f"{duplicate.id}",
        f"Took in a merged concern (staff@example.org) | Merged into this one: concern "
        f"{other.id}"]
    duplicate_page = staff_client.get(f"/staff/concerns/{duplicate.id}").text
    assert any(line.startswith("Merged (staff@example.org)")
               for line in helpers.history_lines(duplicate_page))


def test_merge_into_a_missing_concern_is_explained(staff_client, make_concern):
    concern = make_concern()
    response = staff_client.post(f"/staff/concerns/{concern.id}/merge",
                                 data={"seen_status": "received", "into": "9999"})
    assert response.status_code == 422
    assert "There is no concern with this number." in response.text


def test_wtforms_own_messages_come_in_the_staff_members_language(staff_client, make_concern):
    concern = make_concern()
    staff_client.get("/language/id?next=/staff/")
    response = staff_client.post(f"/staff/concerns/{concern.id}/merge",
                                 data={"seen_status": "received", "into": "dua"})
    assert response.status_code == 422
    (error,) = re.findall(r'<p class="error" id="into-error">([^<]*)</p>', response.text)
    assert error == "Masukkan bilangan bulat. Isi nomor sebuah laporan."
    response = staff_client.post("/staff/concerns/new", data={"channel": "pigeon"})
    (error,) = re.findall(r'<p class="error" id="channel-error">([^<]*)</p>', response.text)
    assert error == "Pilih salah satu pilihan yang ada."


def editor(concern) -> str:
    return f"/staff/translate/{concerns.english(concern).id}"


def test_the_concern_page_links_each_text_to_its_translation(staff_client, make_concern):
    concern = make_concern(language="pt", body="O rio", wanted="Casas")
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    links = re.findall(r'<a href="(/staff/translate/\d+)">Translate</a>', page)
    assert links == [f"/staff/translate/{t.id}" for t in (
        concerns.english(concern), concerns.english(concern, concerns.WANTED))]


def test_translation_written_by_a_translator_is_approved_by_a_second_person(
        client, make_user, log_in, staff, make_concern, db):
    translator = make_user("t@example.org", role=Role.TRANSLATOR, languages=["pt"])
    concern = make_concern(language="pt", body="Lá a Vale enterrou meu coração")
    log_in(client, translator)
    client.post(editor(concern), data={"text": "There, Vale buried my heart", "step": "ready",
                                       "seen_version": "1"})
    refused = client.post(editor(concern), data={"step": "approve", "seen_version": "2",
                                                 "text": "There, Vale buried my heart"},
                          follow_redirects=True)
    assert ("You wrote this translation, so another person approves it. It is saved and waits "
            "for their review.") in refused.text
    log_in(client, staff)
    client.post(editor(concern), data={"step": "approve", "seen_version": "2",
                                       "text": "There, Vale buried my heart"})
    db.session.expire_all()
    translation_row = concerns.english(db.session.get(Concern, concern.id))
    assert (translation_row.text, translation_row.state, translation_row.translator_id,
            translation_row.approved_by_id) == ("There, Vale buried my heart",
                                                TranslationState.APPROVED, translator.id,
                                                staff.id)
    page = client.get(f"/staff/concerns/{concern.id}").text
    assert "What is happening?: Approved" in page
    assert ('<p class="help" id="text-help">Saving a change takes the approval away: the '
            'translation goes back for review.</p>') in client.get(editor(concern)).text


def test_a_stale_translation_save_shows_both_texts_and_keeps_mine(staff_client, staff,
                                                                   make_user, make_concern, db):
    other = make_user("other@example.org")
    concern = make_concern(language="es", body="el agua")
    translation.save(concerns.english(concern), "the water", other, 1)
    translation.save(concerns.english(concern), "the water (edited)", other, 2)
    db.session.commit()
    response = staff_client.post(editor(concern), data={"text": "my older edit",
                                                        "seen_version": "2"})
    assert response.status_code == 409
    assert "Someone else saved this translation after you opened it" in response.text
    assert re.findall(r"<blockquote[^>]*>([^<]*)</blockquote>", response.text) == [
        "the water (edited)", "my older edit"]
    assert 'name="text" rows="10" lang="en">my older edit</textarea>' in response.text
    assert 'name="seen_version" value="3"' in response.text
    db.session.expire_all()
    assert concerns.english(concern).text == "the water (edited)"


def test_approving_a_translation_saved_meanwhile_is_refused(staff_client, staff, make_user,
                                                           make_concern, db):
    other = make_user("other@example.org")
    concern = make_concern(language="es", body="el agua")
    translation.save(concerns.english(concern), "the watr", other, 1, ready=True)
    translation.save(concerns.english(concern), "the water", other, 2, ready=True)
    db.session.commit()
    response = staff_client.post(editor(concern), data={"step": "approve", "seen_version": "2",
                                                        "text": "the watr"})
    assert response.status_code == 409
    assert 'lang="en">the watr</textarea>' in response.text
    db.session.expire_all()
    row = concerns.english(db.session.get(Concern, concern.id))
    assert (row.text, row.state, row.approved_by_id) == (
        "the water", TranslationState.NEEDS_REVIEW, None)


def test_approving_an_edited_translation_saves_it_for_another_reviewer(
        staff_client, staff, make_user, make_concern, db):
    translator = make_user("t@example.org", role=Role.TRANSLATOR, languages=["es"])
    concern = make_concern(language="es", body="el agua")
    translation.save(concerns.english(concern), "the watr", translator, 1, ready=True)
    db.session.commit()
    staff_client.post(editor(concern), data={"step": "approve", "seen_version": "2",
                                             "text": "the water"})
    db.session.expire_all()
    row = concerns.english(db.session.get(Concern, concern.id))
    assert (row.text, row.state, row.approved_by_id, row.translator_id) == (
        "the water", TranslationState.NEEDS_REVIEW, None, staff.id)


def test_a_withdrawn_concern_leaves_no_translation_to_open(staff_client, staff, make_concern,
                                                          db):
    concern = make_concern(language="es", body="palabras secretas")
    url = editor(concern)
    translation.save(concerns.english(concern), "secret words", staff, 1, ready=True)
    db.session.commit()
    concerns.withdraw(db.session.get(Concern, concern.id))
    db.session.commit()
    saved = staff_client.post(url, data={"text": "secret words", "seen_version": "2"})
    assert (staff_client.get(url).status_code, saved.status_code) == (404, 404)
    assert db.session.query(Translation).count() == 0


def test_a_stale_merge_or_decline_changes_nothing(staff_client, make_concern, db):
    concern, other = make_concern(status=ConcernStatus.ACCEPTED), make_concern()
    merge = staff_client.post(f"/staff/concerns/{concern.id}/merge",
                              data={"seen_status": "received", "into": str(other.id)},
                              follow_redirects=True)
    decline = staff_client.post(f"/staff/concerns/{concern.id}/decline",
                                data={"seen_status": "received", "reason": "old"},
                                follow_redirects=True)
    for response in (merge, decline):
        assert "Someone else saved a change after you opened this page" in response.text
    db.session.refresh(concern)
    assert (concern.status, concern.merged_into_id, concern.decline_reason) == (
        ConcernStatus.ACCEPTED, None, None)


def test_asked_before_is_listed(staff_client, make_concern, make_company):
    company = make_company()
    old = make_concern(company=company, topic_rows=[ConcernTopic(topic=Topic.WATER)],
                       received_on=date(2024, 4, 1))
    new = make_concern(company=company, topic_rows=[ConcernTopic(topic=Topic.WATER)])
    page = staff_client.get(f"/staff/concerns/{new.id}").text
    section = page.split("Asked before?")[1]
    assert f'href="/staff/concerns/{old.id}">concern {old.id}</a>' in section
    first = staff_client.get(f"/staff/concerns/{old.id}").text
    assert ("No earlier concern about the same company shares a topic with this one."
            in first.split("Asked before?")[1])


@pytest.mark.parametrize(("status", "said"), [
    (QuestionStatus.DRAFT, "Question for the AGM of 29 Apr 2027 (Draft):"),
    (QuestionStatus.ASKED, "Asked at the AGM of 29 Apr 2027:")])
def test_asked_before_says_whether_the_question_was_asked(staff_client, db, make_concern,
                                                          make_company, make_agm, status, said):
    company = make_company()
    question = Question(agm=make_agm(company=company, local_date=date(2027, 4, 29)),
                        status=status, text="Will you restore the river?")
    db.session.add(question)
    old = make_concern(company=company, topic_rows=[ConcernTopic(topic=Topic.WATER)],
                       received_on=date(2024, 4, 1))
    db.session.add(QuestionConcern(question=question, concern=old))
    db.session.commit()
    new = make_concern(company=company, topic_rows=[ConcernTopic(topic=Topic.WATER)])
    section = staff_client.get(f"/staff/concerns/{new.id}").text.split("Asked before?")[1]
    assert " ".join(section.split("<h2>")[0].split()).count(
        f"{said} Will you restore the river?") == 1


# --- export -------------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_export_follows_the_filter_and_hides_contacts(staff_client, make_concern):
    make_concern(language="es", body="@SUM(A1)", contact_details="+57 300 1")
    make_concern(language="pt", body="a água")
    response = staff_client.get("/staff/concerns/export.csv?language=es&contacts=1")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = read_csv(response)
    assert table[0] == [str(heading) for heading in concern_search.EXPORT_COLUMNS]
    assert [row[13] for row in table[1:]] == ["'@SUM(A1)"]
    assert "+57 300 1" not in response.data.decode()


def test_the_export_streams_its_headings_before_any_concern_is_read(staff_client,
                                                                    make_concern):
    make_concern(body="the river")
    response = staff_client.get("/staff/concerns/export.csv", buffered=False)
    pieces = response.iter_encoded()
    first = next(pieces)
    assert response.is_streamed
    assert first == "\ufeff".encode() + ",".join(
        str(column) for column in concern_search.EXPORT_COLUMNS).encode() + b"\r\n"
    assert b"the river" in b"".join(pieces)
    response.close()


def test_the_export_speaks_the_staff_members_language(staff_client, make_concern):
    concern = make_concern(language="pt", body="a lama", attribution=Attribution.COMMUNITY,
                           topic_rows=[ConcernTopic(topic=Topic.WATER)],
                           received_on=date(2026, 3, 14))
    staff_client.get("/language/es?next=/staff/")
    table = read_csv(staff_client.get("/staff/concerns/export.csv"))
    assert table[0][:5] == ["Número", "Recibida el", "Estado", "Cómo llegó", "Idioma"]
    assert table[1][:5] == [str(concern.id), "2026-03-14", "Recibida", "Formulario público",
                            "portugués"]
    assert table[1][11] == "No"


def test_admin_may_export_contacts(client, make_user, log_in, make_concern):
    log_in(client, make_user("admin@example.org", role=Role.ADMIN))
    make_concern(contact_name="Ana", contact_details="+57 300 1")
    table = read_csv(client.get("/staff/concerns/export.csv?contacts=1"))
    assert table[1][-2:] == ["Ana", "'+57 300 1"]


def test_purge_command(runner, make_concern, db, app):
    closed = date.today() - app.config["CONTACT_RETENTION"] - timedelta(days=1)
    concern = make_concern(status=ConcernStatus.DECLINED, closed_on=closed, contact_details="x")
    result = runner.invoke(args=["concerns", "purge-contacts"])
    assert result.output == "Erased the contact details of 1 concern(s).\n"
    db.session.refresh(concern)
    assert concern.contact_details is None


def test_staff_requests_purge_contacts_once_a_day(app, staff_client, make_concern, db):
    closed_on = date.today() - app.config["CONTACT_RETENTION"] - timedelta(days=1)
    due = make_concern(status=ConcernStatus.DECLINED, closed_on=closed_on,
                       contact_details="+57 300 1")
    page = staff_client.get(f"/staff/concerns/{due.id}").text
    later = make_concern(status=ConcernStatus.DECLINED, closed_on=closed_on,
                         contact_details="+57 300 2")
    staff_client.get("/staff/concerns/")
    db.session.expire_all()
    assert (db.session.get(Concern, due.id).contact_details,
            db.session.get(Concern, later.id).contact_details) == (None, "+57 300 2")
    assert "+57 300 1" not in page
    assert [h.action for h in history.for_object(due)][-1] == "contact_erased"


def test_the_page_says_when_contacts_will_be_deleted(app, staff_client, make_concern):
    concern = make_concern(status=ConcernStatus.DECLINED, closed_on=date.today(),
                           contact_details="+57 300 1")
    day = date.today() + app.config["CONTACT_RETENTION"]
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert (f"Deleted automatically on {day.day} {day:%B} {day.year}, or on the first day "
            "after it that staff open these pages.") in page


def test_quarantine_reason_is_explained_in_words(staff_client, make_concern):
    concern = make_concern(status=ConcernStatus.QUARANTINED, quarantine_reason="too_fast")
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert ("Quarantined as possibly automated (it was sent faster than a person can type)."
            in page)


def test_deleting_contact_details_takes_a_tick_as_well_as_a_click(staff_client, make_concern,
                                                                  db):
    concern = make_concern(contact_name="Ana", contact_details="+57 300 555 0199")
    url = f"/staff/concerns/{concern.id}/erase-contact"
    refused = staff_client.post(url, follow_redirects=True)
    assert "Nothing was deleted: tick the box to confirm." in refused.text
    db.session.refresh(concern)
    assert concern.contact_details == "+57 300 555 0199"
    done = staff_client.post(url, data={"confirm": "y"}, follow_redirects=True)
    assert "The contact details have been deleted." in done.text
    db.session.refresh(concern)
    assert (concern.contact_name, concern.contact_details) == (None, None)


def test_merging_a_concern_into_itself_is_explained(staff_client, make_concern):
    concern = make_concern()
    response = staff_client.post(f"/staff/concerns/{concern.id}/merge",
                                 data={"seen_status": "received", "into": str(concern.id)})
    assert response.status_code == 422
    (error,) = re.findall(r'id="into-error">([^<]*)</p>', response.text)
    assert error == "A concern cannot be merged into itself."
