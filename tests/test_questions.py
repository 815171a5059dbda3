"""Questions: drafted from concerns, translated, signed off by the communities in their own
language, approved, asked, answered, and brought back; the chain kept whole when a concern
is withdrawn or merged, and nothing shown that consent does not allow."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from agmtool import settings, workflow
from agmtool.concerns import domain as concerns
from agmtool.database import StaleEdit
from agmtool.models import (
    Attribution,
    Concern,
    ConcernStatus,
    History,
    Question,
    QuestionStatus,
    Role,
    SignOff,
    SignOffChannel,
    SignOffDecision,
    Translation,
    TranslationState,
)
from agmtool.questions import answers, signoffs
from agmtool.questions import domain as questions
from agmtool.translation import domain as translation

TEXT = ("Will the board commit to returning the Bruno stream to its natural course and to "
        "guaranteeing drinking water to the Wayuu communities meanwhile?")


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role=Role.STAFF)


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer@example.org", role=Role.STAFF)


@pytest.fixture
def accepted(make_concern, make_company):
    company = make_company()

    def make(language="es", attribution=Attribution.COMMUNITY, **values):
        values.setdefault("body", "El arroyo Bruno fue desviado y no tenemos agua.")
        return make_concern(language=language, attribution=attribution, company=company,
                            status=ConcernStatus.ACCEPTED, **values)

    make.company = company
    return make


@pytest.fixture
def meeting(make_agm, accepted):
    return make_agm(company=accepted.company, local_date=date(2027, 5, 26))


def translate(question, language, user, approver, text="¿Se comprometerá la junta...?"):
    """Write and approve the question's translation into ``language`` (two people)."""
    row = translation.rows(questions.QUESTION, question.id)[language]
    translation.save(row, text, user, row.version, ready=True)
    translation.approve(row, approver, row.version)
    return row


def test_a_question_is_drafted_from_accepted_concerns_last_in_the_running_order(
        db, staff, accepted, meeting):
    first = questions.draft(meeting, [accepted()], "First?", staff)
    second = questions.draft(meeting, [accepted(), accepted(language="pt")], TEXT, staff)
    db.session.commit()
    assert [(q.id, q.position, q.status) for q in questions.running_order(meeting)] == [
        (first.id, 1, QuestionStatus.DRAFT), (second.id, 2, QuestionStatus.DRAFT)]
    assert [link.concern.language for link in second.links] == ["es", "pt"]
    assert db.session.scalars(sa.select(Translation).where(
        Translation.source_type == questions.QUESTION)).all() == []  # not while a draft


def test_a_concern_not_accepted_cannot_be_drafted_from(db, staff, make_concern, meeting):
    with pytest.raises(ValueError):
        questions.draft(meeting, [make_concern(language="es")], TEXT, staff)


def test_reading_time_is_counted_at_130_words_a_minute():
    assert questions.reading_seconds(" ".join(["word"] * 130)) == 60
    assert questions.reading_seconds(" ".join(["word"] * 131)) == 61
    assert questions.reading_seconds("") == 0


def test_sent_for_translation_it_waits_in_the_reply_language_of_every_concern_it_speaks_for(
        db, staff, accepted, meeting):
    es, pt, en = accepted(), accepted(language="pt"), accepted(language="en")
    merged_in = accepted(language="id", reply_language="id")
    concerns.merge(merged_in, es, staff)
    question = questions.draft(meeting, [es, pt, en], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    db.session.commit()
    rows = translation.rows(questions.QUESTION, question.id)
    assert {code: (row.state, row.source_text, row.agm_id, row.due_on)
            for code, row in rows.items()} == {
        code: (TranslationState.MISSING, TEXT, meeting.id, date(2027, 5, 26))
        for code in ("es", "id", "pt")}


def test_the_communities_are_asked_only_once_every_translation_is_approved(
        db, staff, reviewer, accepted, meeting):
    question = questions.draft(meeting, [accepted(), accepted(language="pt")], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    translate(question, "es", staff, reviewer)
    with pytest.raises(questions.NotReady) as refused:
        questions.move(question, QuestionStatus.AWAITING_SIGNOFF, staff)
    assert (refused.value.reason, refused.value.details) == ("translations", {"languages": ["pt"]})
    translate(question, "pt", staff, reviewer, "A diretoria vai se comprometer...?")
    questions.move(question, QuestionStatus.AWAITING_SIGNOFF, staff)
    assert question.status == QuestionStatus.AWAITING_SIGNOFF


def test_a_question_naming_a_community_is_not_approved_before_its_sign_off(
        db, staff, reviewer, accepted, meeting):
    named = accepted(attribution=Attribution.COMMUNITY)
    question = questions.draft(meeting, [named], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    translate(question, "es", staff, reviewer)
    questions.move(question, QuestionStatus.AWAITING_SIGNOFF, staff)
    with pytest.raises(questions.NotReady) as refused:
        questions.move(question, QuestionStatus.APPROVED, staff)
    assert refused.value.details == {"concerns": [named.id]}
    signoffs.respond(question, named, SignOffDecision.GIVEN, None, SignOffChannel.STATUS_PAGE)
    questions.move(question, QuestionStatus.APPROVED, staff)
    assert question.status == QuestionStatus.APPROVED


def test_anonymous_concerns_need_a_sign_off_only_when_the_admins_say_so(
        db, staff, reviewer, make_user, accepted, meeting):
    anonymous = accepted(attribution=Attribution.ANONYMOUS)
    question = questions.draft(meeting, [anonymous], TEXT, staff)
    assert signoffs.missing(question) == []
    admin = make_user("admin@example.org", role=Role.ADMIN)
    settings.change("anonymous_signoff_required", True, admin, None)
    assert signoffs.missing(question) == [anonymous]


def test_editing_an_approved_question_supersedes_its_sign_offs_and_asks_again(
        db, staff, reviewer, accepted, meeting):
    concern = accepted()
    question = questions.draft(meeting, [concern], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    row = translate(question, "es", staff, reviewer)
    questions.move(question, QuestionStatus.AWAITING_SIGNOFF, staff)
    signoffs.respond(question, concern, SignOffDecision.GIVEN, None,
                     SignOffChannel.STATUS_PAGE)
    questions.move(question, QuestionStatus.APPROVED, staff)
    assert signoffs.state(question, concern).key == "given"
    questions.edit(question, staff, {"text": TEXT + " And when?"}, question.version)
    db.session.commit()
    assert (question.status, row.state, row.stale) == (
        QuestionStatus.IN_TRANSLATION, TranslationState.NEEDS_REVIEW, True)
    assert signoffs.state(question, concern).key == "superseded"
    translation.save(row, "¿Se comprometerá...? ¿Y cuándo?", staff, row.version, ready=True)
    translation.approve(row, reviewer, row.version)
    state = signoffs.state(question, concern)
    assert (state.key, state.readable) == ("requested", "¿Se comprometerá...? ¿Y cuándo?")


def test_a_sign_off_of_a_version_nobody_read_is_refused(db, staff, reviewer, accepted,
                                                        meeting):
    concern = accepted(language="en", attribution=Attribution.NAMED)
    question = questions.draft(meeting, [concern], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    seen = signoffs.versions(question, concern)
    questions.edit(question, staff, {"text": "Another question?"}, question.version)
    with pytest.raises(ValueError):
        signoffs.respond(question, concern, SignOffDecision.GIVEN, None,
                         SignOffChannel.STATUS_PAGE, seen=seen)


def test_changes_asked_come_back_to_staff_with_the_comment(db, staff, accepted, meeting):
    concern = accepted(language="en")
    question = questions.draft(meeting, [concern], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    signoffs.respond(question, concern, SignOffDecision.CHANGES_ASKED,
                     "Please name the stream", SignOffChannel.STATUS_PAGE)
    db.session.commit()
    assert question.attention == f"changes-asked:{concern.id}"
    assert signoffs.state(question, concern).key == "changes_asked"
    entry = db.session.scalars(sa.select(History).where(
        History.object_type == "question", History.action == "signoff")).one()
    assert entry.changes == {"concern": [None, concern.id], "signoff": [None, "changes_asked"],
                             "comment": ["…", "…"]}


def test_two_people_saving_one_question_one_wins(db, staff, reviewer, accepted, meeting):
    question = questions.draft(meeting, [accepted()], TEXT, staff)
    db.session.commit()
    seen = question.version
    questions.edit(question, staff, {"text": "Mine first?"}, seen)
    db.session.commit()
    with pytest.raises(StaleEdit):
        questions.edit(question, reviewer, {"text": "Theirs?"}, seen)
    db.session.rollback()
    assert db.session.get(Question, question.id).text == "Mine first?"


def test_an_excerpt_is_only_the_communitys_own_words_and_only_where_quoting_is_allowed(
        db, staff, accepted, meeting):
    quotable = accepted(may_quote=True, body="Nos preguntamos: ¿de dónde vamos a sacar el agua?")
    silent = accepted(may_quote=False)
    question = questions.draft(meeting, [quotable, silent], TEXT, staff)
    link = question.links[0]
    with pytest.raises(ValueError):
        questions.choose_excerpt(question, quotable, "Words they never wrote", staff, 1)
    questions.choose_excerpt(question, quotable, "¿de dónde vamos a  sacar el agua?", staff, 1)
    assert (link.excerpt, link.excerpt_version) == ("¿de dónde vamos a  sacar el agua?", 2)
    assert questions.quotable(link) == "¿de dónde vamos a  sacar el agua?"
    with pytest.raises(ValueError):
        questions.choose_excerpt(question, silent, "El arroyo Bruno", staff, 1)


def test_consent_decides_who_is_named(accepted, db):
    named = accepted(attribution=Attribution.NAMED, speaker_name="Ana", community_name="Wayuu")
    community = accepted(attribution=Attribution.COMMUNITY, speaker_name=None,
                         community_name="Wayuu")
    anonymous = accepted(attribution=Attribution.ANONYMOUS, community_name="Wayuu")
    assert [(questions.community_name(c), questions.person_name(c))
            for c in (named, community, anonymous)] == [
        ("Wayuu", "Ana"), ("Wayuu", None), (None, None)]


def test_a_withdrawn_concern_leaves_the_question_and_no_trace_of_its_words(
        db, staff, reviewer, accepted, meeting):
    concern = accepted(may_quote=True, body="Palabras secretas del arroyo")
    other = accepted()
    question = questions.draft(meeting, [concern, other], TEXT, staff)
    questions.choose_excerpt(question, concern, "Palabras secretas", staff, 1)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    translate(question, "es", staff, reviewer)
    signoffs.respond(question, concern, SignOffDecision.CHANGES_ASKED, "secretas también",
                     SignOffChannel.STATUS_PAGE)
    db.session.commit()
    concerns.withdraw(db.session.get(Concern, concern.id))
    db.session.commit()
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert [link.concern_id for link in question.links] == [other.id]
    assert question.status == QuestionStatus.DRAFT
    assert f"concern-withdrawn:{concern.id}" in question.attention.splitlines()
    assert db.session.scalars(sa.select(SignOff)).all() == []
    stored = repr([(h.action, h.changes) for h in db.session.scalars(sa.select(History))])
    assert "secret" not in stored
    assert db.session.scalars(sa.select(Translation).where(
        Translation.source_type == signoffs.COMMENT)).all() == []


def test_asked_and_answered_the_concerns_follow(db, staff, reviewer, accepted, meeting):
    concern = accepted(language="en", attribution=Attribution.ANONYMOUS)
    question = questions.draft(meeting, [concern], TEXT, staff)
    for to in (QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
               QuestionStatus.APPROVED):
        questions.move(question, to, staff)
    answers.record_outcome(question, staff, True, None, text="We will study it.",
                           given_by="the Chair", written_promised=True,
                           written_due=date(2027, 6, 30))
    db.session.commit()
    assert (question.status, concern.status, question.answer.given_by,
            question.answer.written_due) == (QuestionStatus.ASKED, ConcernStatus.ANSWERED,
                                             "the Chair",
                                             date(2027, 6, 30))
    assert answers.overdue(date(2027, 7, 1)) == [question.answer]
    answers.record_written_answer(question.answer, staff, "Our written answer.",
                                  date(2027, 6, 20), question.answer.version)
    assert answers.overdue(date(2027, 7, 1)) == []


def test_a_question_not_reached_is_carried_to_the_next_meeting(db, staff, accepted, meeting,
                                                               make_agm):
    question = questions.draft(
        meeting, [accepted(language="en", attribution=Attribution.ANONYMOUS)], TEXT, staff)
    for to in (QuestionStatus.IN_TRANSLATION, QuestionStatus.AWAITING_SIGNOFF,
               QuestionStatus.APPROVED):
        questions.move(question, to, staff)
    answers.record_outcome(question, staff, False, None)
    later = make_agm(company=meeting.company, local_date=date(2028, 5, 24))
    carried = questions.carry(question, later, staff)
    db.session.commit()
    assert (carried.status, carried.text, carried.carried_from_id, carried.agm_id,
            [link.concern_id for link in carried.links]) == (
        QuestionStatus.DRAFT, TEXT, question.id, later.id,
        [link.concern_id for link in question.links])


def test_moves_outside_the_table_are_refused(db, staff, accepted, meeting):
    question = questions.draft(meeting, [accepted()], TEXT, staff)
    with pytest.raises(workflow.TransitionNotAllowed):
        questions.move(question, QuestionStatus.ASKED, staff)


def test_the_report_back_shows_only_what_the_community_can_read(db, staff, reviewer, accepted,
                                                                meeting):
    concern = accepted(language="id", reply_language="id", attribution=Attribution.ANONYMOUS)
    question = questions.draft(meeting, [concern], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    (item,) = answers.report(concern)
    assert (item.text.text, item.text.pending) == (None, True)
    translate(question, "id", staff, reviewer, "Apakah direksi akan berkomitmen...?")
    for to in (QuestionStatus.AWAITING_SIGNOFF, QuestionStatus.APPROVED):
        questions.move(question, to, staff)
    answers.record_outcome(question, staff, True, None, text="We will look into it.")
    (item,) = answers.report(concern)
    assert (item.text.text, item.answer.text, item.answer.pending) == (
        "Apakah direksi akan berkomitmen...?", None, True)


def test_running_order_moves_up_and_down(db, staff, accepted, meeting):
    made = [questions.draft(meeting, [accepted()], f"Question {n}?", staff) for n in range(3)]
    questions.shift(made[2], -1, staff)
    assert [q.text for q in questions.running_order(meeting)] == [
        "Question 0?", "Question 2?", "Question 1?"]
    questions.reorder(meeting, [made[1].id], staff)
    assert [q.text for q in questions.running_order(meeting)] == [
        "Question 1?", "Question 0?", "Question 2?"]


# --- through the pages ------------------------------------------------------------------------

@pytest.fixture
def staff_client(client, staff, log_in):
    log_in(client, staff)
    return client


def test_staff_draft_a_question_from_the_concern_page(staff_client, db, accepted, meeting):
    concern = accepted()
    page = staff_client.get(f"/staff/concerns/{concern.id}").text
    assert f'href="/staff/questions/new?concern={concern.id}"' in page
    form = staff_client.get(f"/staff/questions/new?concern={concern.id}").text
    assert f'value="{concern.id}" checked' in form
    response = staff_client.post("/staff/questions/new", data={
        "agm": str(meeting.id), "concerns": [str(concern.id)], "text": TEXT,
        "background": "Cerrejón diverted the stream in 2016."})
    question = db.session.scalars(sa.select(Question)).one()
    assert response.headers["Location"] == f"/staff/questions/{question.id}"
    assert ([link.concern_id for link in question.links], question.background) == (
        [concern.id], "Cerrejón diverted the stream in 2016.")
    assert f"/staff/questions/{question.id}" in staff_client.get(
        f"/staff/concerns/{concern.id}").text


def test_a_stale_save_of_a_question_shows_both_texts(staff_client, db, staff, reviewer,
                                                     accepted, meeting):
    question = questions.draft(meeting, [accepted()], TEXT, staff)
    db.session.commit()
    seen = question.version
    questions.edit(question, reviewer, {"text": "Their version?"}, seen)
    db.session.commit()
    response = staff_client.post(f"/staff/questions/{question.id}/edit",
                                 data={"version": str(seen), "text": "My version?"})
    assert response.status_code == 409
    assert re.findall(r"<blockquote[^>]*>([^<]*)</blockquote>", response.text) == [
        "Their version?", "My version?"]
    assert 'lang="en">My version?</textarea>' in response.text


def test_the_community_signs_off_on_its_status_page(app, db, staff, reviewer, accepted,
                                                    meeting):
    submission = concerns.Submission(language="es", reply_language="es", body="El río",
                                     attribution=Attribution.COMMUNITY)
    concern, code = concerns.submit(submission, "signoff-key-0123456789")
    concerns.accept(concern, staff)
    question = questions.draft(meeting, [concern], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    db.session.commit()
    community = app.test_client()
    waiting = community.post("/es/status", data={"code": code}).text
    assert "Nuestro equipo está preparando esta pregunta en su idioma." in waiting
    translate(question, "es", staff, reviewer, "¿Se comprometerá la junta a devolver el arroyo?")
    db.session.commit()
    page = community.post("/es/status", data={"code": code}).text
    assert ('<blockquote class="text" lang="es">¿Se comprometerá la junta a devolver el '
            'arroyo?</blockquote>') in page
    seen = re.search(r'name="seen" value="([^"]*)"', page).group(1)
    empty = community.post("/es/status/questions/sign-off", data={
        "code": code, "question": str(question.id), "seen": seen,
        "decision": "changes_asked", "comment": ""})
    assert empty.status_code == 422
    assert "Díganos qué cambiar, para que nuestro equipo pueda hacerlo." in empty.text
    done = community.post("/es/status/questions/sign-off", data={
        "code": code, "question": str(question.id), "seen": seen, "decision": "given"})
    assert "Gracias. Nuestro equipo ya tiene su respuesta." in done.text
    db.session.expire_all()
    assert signoffs.state(db.session.get(Question, question.id),
                          db.session.get(Concern, concern.id)).key == "given"


def test_every_page_of_a_question_renders(staff_client, db, staff, accepted, meeting):
    question = questions.draft(meeting, [accepted(may_quote=True)], TEXT, staff)
    db.session.commit()
    for url in (f"/staff/questions/{question.id}", "/staff/questions/",
                f"/staff/questions/?agm={meeting.id}&status=draft",
                f"/staff/agms/{meeting.id}/questions", f"/staff/agms/{meeting.id}/briefing",
                "/staff/communities/", f"/staff/questions/new?agm={meeting.id}"):
        response = staff_client.get(url)
        assert (url, response.status_code) == (url, 200)


def test_a_merged_concerns_submitter_follows_the_question_in_their_own_language(
        app, db, staff, reviewer, accepted, meeting):
    target = accepted(language="es")
    merged, code = concerns.submit(concerns.Submission(
        language="pt", reply_language="pt", body="O rio secou.",
        attribution=Attribution.COMMUNITY), "merged-key-0123456789")
    concerns.merge(merged, target, staff)
    question = questions.draft(meeting, [target], TEXT, staff)
    questions.move(question, QuestionStatus.IN_TRANSLATION, staff)
    assert sorted(translation.rows(questions.QUESTION, question.id)) == ["es", "pt"]
    translate(question, "pt", staff, reviewer, "A diretoria vai devolver o córrego ao leito?")
    db.session.commit()
    page = app.test_client().post("/pt/status", data={"code": code}).text
    assert ('<blockquote class="text" lang="pt">A diretoria vai devolver o córrego ao leito?'
            '</blockquote>') in page
    assert "É isto que você quer que a gente pergunte em seu nome?" in page
    assert signoffs.missing(question) == [target, merged]  # both name their community
