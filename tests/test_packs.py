"""Packs on real content: a meeting's pack and cards, a community's report-back, read back
from the PDFs; only approved words and consented names; builds recorded and superseded;
the page that waits for a render; who may open what."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from io import BytesIO

import pdf_helpers
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from agmtool import generations
from agmtool.models import (
    Attendee,
    Attribution,
    Community,
    ConcernStatus,
    PackBuild,
    QuestionStatus,
    Role,
    SignOffChannel,
    SignOffDecision,
    Source,
    Topic,
)
from agmtool.packs import builds, content
from agmtool.questions import answers, signoffs
from agmtool.questions import domain as questions
from agmtool.translation import domain as translation

WATER = ("Will the board return the Bruno stream to its natural course and guarantee "
         "drinking water to the Wayuu communities meanwhile?")
WATER_ES = ("¿Devolverá la junta el arroyo Bruno a su cauce natural y garantizará agua potable "
            "a las comunidades wayuu mientras tanto?")
WORDS_ES = "Antes el arroyo tenía agua todo el año; ahora los niños caminan dos horas."
PAY = "Will the company pay contract workers the same as its own employees?"
PAY_PT = "A empresa pagará aos terceirizados o mesmo que aos seus empregados?"
SECRET_PERSON = "Yolanda Secreta Epieyú"
SECRET_COMMUNITY = "Comunidade Escondida do Vale"


@pytest.fixture
def app_config():
    # Renders finish within the request: the waiting page has its own test.
    return {"PDF_WAIT_SECONDS": 60, "CONCERN_MIN_FILL_SECONDS": 0}


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.org", role=Role.STAFF, name="Sam Staff")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer@example.org", role=Role.STAFF)


def approve_translation(kind, source_id, language, text, staff, reviewer):
    row = translation.rows(kind, source_id)[language]
    translation.save(row, text, staff, row.version, ready=True)
    translation.approve(row, reviewer, row.version)


@pytest.fixture
def meeting(db, make_agm, make_company, make_concern, staff, reviewer):
    """A Glencore AGM with an approved Spanish question that quotes its community (named),
    and a Portuguese question from an anonymous submitter still in translation."""
    company = make_company()
    agm = make_agm(company=company, local_date=date(2027, 5, 26), venue="Theater Casino Zug",
                   questions_deadline=datetime(2027, 5, 20, 17, 0))
    wayuu = Community(name="Wayuu communities of La Guajira", country="CO", language="es",
                      region="La Guajira", background="Rancherías beside the Cerrejón pit.")
    named = make_concern(
        body=f"{WORDS_ES} Queremos saber qué hará la compañía.", language="es",
        company=company, status=ConcernStatus.ACCEPTED, attribution=Attribution.NAMED,
        speaker_name="Ana Epieyú", community=wayuu, may_quote=True,
        contact_name=SECRET_PERSON)
    named.topic_rows  # noqa: B018 - loaded before the domain adds to it
    anonymous = make_concern(
        body="Os terceirizados ganham a metade.", language="pt", company=company,
        status=ConcernStatus.ACCEPTED, attribution=Attribution.ANONYMOUS,
        speaker_name=SECRET_PERSON, community_name=SECRET_COMMUNITY, may_quote=True)
    water = questions.draft(agm, [named], WATER, staff, background="Diverted in 2016.")
    water.speaker_name = "Ana Epieyú"
    questions.choose_excerpt(water, named, WORDS_ES, staff, 1)
    questions.move(water, QuestionStatus.IN_TRANSLATION, staff)
    approve_translation(questions.QUESTION, water.id, "es", WATER_ES, staff, reviewer)
    questions.move(water, QuestionStatus.AWAITING_SIGNOFF, staff)
    signoffs.respond(water, named, SignOffDecision.GIVEN, None, SignOffChannel.STATUS_PAGE)
    questions.move(water, QuestionStatus.APPROVED, staff)
    pay = questions.draft(agm, [anonymous], PAY, staff)
    pay.speaker_name = SECRET_PERSON
    questions.move(pay, QuestionStatus.IN_TRANSLATION, staff)
    db.session.add(Source(agm=agm, title="Glencore Annual Report 2026",
                          link="https://example.org/ar"))
    db.session.commit()
    agm.named, agm.anonymous, agm.water, agm.pay = named, anonymous, water, pay
    return agm


@pytest.fixture
def staff_client(client, staff, log_in):
    log_in(client, staff)
    return client


def get_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert (response.status_code, response.content_type) == (200, "application/pdf"), \
        response.get_data(as_text=True)[:500]
    return response.data


def text_of(data: bytes, tmp_path) -> str:
    return pdf_helpers.flowing_text(data, tmp_path)


# --- what the pack says -------------------------------------------------------------------

def test_the_pack_holds_the_questions_in_running_order_with_their_sections(
        staff_client, meeting, tmp_path):
    data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    text = text_of(data, tmp_path)
    order = [text.index(part) for part in (
        "AGM BRIEFING PACK", "Contents Key facts", "Key facts LISTINGS", "Logistics WRITTEN",
        "The communities Wayuu", "Rancherías beside the Cerrejón pit.", WATER, WORDS_ES,
        "Diverted in 2016.", PAY, "Glencore Annual Report 2026")]
    assert order == sorted(order)
    assert pdf_helpers.outline_titles(data) == [
        "Contents", "Key facts", "Logistics", "The communities",
        "Wayuu communities of La Guajira", "Questions, in running order",
        "Water (pollution, diversion, scarcity): Wayuu communities of La Guajira"
        if meeting.named.topics else "Wayuu communities of La Guajira",
        " ".join(PAY.split()[:10]) + "…", "Sources"]


def test_every_font_of_the_pack_is_embedded(staff_client, meeting, tmp_path):
    data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    assert {font["emb"] for font in pdf_helpers.fonts(data, tmp_path)} == {"yes"}


def test_a_pack_with_a_question_not_approved_is_a_draft_on_every_page(
        staff_client, meeting, tmp_path):
    data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    pages = pdf_helpers.page_texts(data, tmp_path)
    assert [("DRAFT" in page) for page in pages] == [True] * len(pages)


def test_a_pack_of_approved_questions_only_is_no_draft(db, staff_client, meeting, staff,
                                                       tmp_path):
    questions.withdraw(meeting.pay, staff)
    db.session.commit()
    data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    text = text_of(data, tmp_path)
    assert ("DRAFT" in text, PAY in text, WATER in text) == (False, False, True)


def test_an_anonymous_concern_names_no_one_in_any_pdf(staff_client, meeting, tmp_path):
    for url in (f"/staff/agms/{meeting.id}/pack.pdf", f"/staff/agms/{meeting.id}/cards.pdf",
                f"/staff/concerns/{meeting.anonymous.id}/report.pdf"):
        data = get_pdf(staff_client, url)
        text = text_of(data, tmp_path)
        metadata = " ".join(str(v) for v in PdfReader(BytesIO(data)).metadata.values())
        assert (SECRET_PERSON in text, SECRET_COMMUNITY in text,
                SECRET_PERSON in metadata) == (False, False, False), url


def test_a_named_concern_names_its_speaker_and_its_community(staff_client, meeting, tmp_path):
    text = text_of(get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf"), tmp_path)
    assert ("SPEAKER Ana Epieyú" in text,
            "ON BEHALF OF Wayuu communities of La Guajira" in text) == (True, True)


def test_words_are_quoted_only_where_consent_and_the_sign_off_allow(
        db, meeting, staff):
    assert content.pack(meeting)["questions"][0]["original"] == {
        "lang": "es", "language": "Spanish", "text": WORDS_ES}
    meeting.named.may_quote = False
    db.session.commit()
    assert content.pack(meeting)["questions"][0]["original"] is None


def test_a_changed_excerpt_is_not_quoted_before_the_community_signs_it_off(db, meeting, staff):
    questions.choose_excerpt(meeting.water, meeting.named, "Queremos saber qué hará la compañía.",
                             staff, 2)
    db.session.commit()
    assert content.pack(meeting)["questions"][0]["original"] is None


# --- cards ----------------------------------------------------------------------------------

def test_cards_are_one_a5_landscape_page_a_question_original_beside_english(
        staff_client, meeting, tmp_path):
    data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/cards.pdf")
    reader = PdfReader(BytesIO(data))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in reader.pages}
    pages = pdf_helpers.page_texts(data, tmp_path)
    assert (len(pages), sizes) == (2, {(595, 420)})
    first = " ".join(pages[0].split())
    assert ("SPANISH" in first, WATER_ES in first, WATER in first) == (True, True, True)
    # The Portuguese translation is not approved: its card shows the English alone.
    assert (PAY in " ".join(pages[1].split()), PAY_PT in pages[1]) == (True, False)


def test_one_speakers_cards(db, staff_client, meeting, staff, tmp_path):
    speaker = Attendee(agm=meeting, name="Ana Epieyú", language="es")
    db.session.add(speaker)
    db.session.flush()
    meeting.water.speaker_id = speaker.id
    db.session.commit()
    data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/cards.pdf?speaker={speaker.id}")
    pages = pdf_helpers.page_texts(data, tmp_path)
    assert (len(pages), WATER in " ".join(pages[0].split())) == (1, True)


# --- the report-back ------------------------------------------------------------------------

def test_the_report_back_is_in_the_reply_language_and_says_what_is_still_being_translated(
        db, staff_client, meeting, staff, reviewer, tmp_path):
    answers.record_outcome(meeting.water, staff, True, None, text="We will study it.",
                           given_by="the Chair", written_promised=True,
                           written_due=date(2027, 6, 30))
    db.session.commit()
    data = get_pdf(staff_client, f"/staff/concerns/{meeting.named.id}/report.pdf")
    text = text_of(data, tmp_path)
    assert (WATER_ES in text, "We will study it." in text, "30 de junio de 2027" in text,
            "Wayuu communities of La Guajira" in text) == (True, False, True, True)
    assert "todavía" in text or "traduciendo" in text
    assert PdfReader(BytesIO(data)).trailer["/Root"]["/Lang"] == "es"


def test_the_status_page_links_to_the_report_back_without_the_code_in_the_url(
        app, db, client, meeting, tmp_path):
    from agmtool.concerns import receipts

    code = receipts.receipt_from_key("packs-status-key-0123456789")
    meeting.named.receipt_hash = receipts.receipt_hash(code)
    db.session.commit()
    page = client.post("/es/status", data={"code": code}).get_data(as_text=True)
    link = re.search(r'href="(/es/status/report/[^"]+\.pdf)"', page).group(1)
    assert code.replace("-", "") not in link.replace("-", "")
    data = get_pdf(client, link)
    assert WATER_ES in text_of(data, tmp_path)
    assert client.get("/es/status/report/not-a-token.pdf").status_code == 302


# --- builds, caching, waiting -------------------------------------------------------------

def test_each_build_is_recorded_once_and_an_edit_marks_it_superseded(
        db, staff_client, meeting, staff):
    get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    (build,) = db.session.scalars(sa.select(PackBuild)).all()
    assert (build.kind, build.draft, build.built_by_id) == ("pack", True, staff.id)
    page = staff_client.get(f"/staff/agms/{meeting.id}/packs").get_data(as_text=True)
    assert (build.digest[:10] in page, "Superseded" in page, "Current" in page) == (
        True, False, True)
    questions.edit(meeting.water, staff, {"text": WATER + " Now?"}, meeting.water.version)
    db.session.commit()
    page = staff_client.get(f"/staff/agms/{meeting.id}/packs").get_data(as_text=True)
    assert ("Superseded" in page, "Current" in page) == (True, False)
    order = staff_client.get(f"/staff/agms/{meeting.id}/questions").get_data(as_text=True)
    assert (build.digest[:10] in order, "Superseded" in order) == (True, True)


def test_an_unchanged_pack_is_served_from_the_cache_and_revalidated_by_its_hash(
        staff_client, meeting):
    first = staff_client.get(f"/staff/agms/{meeting.id}/pack.pdf")
    again = staff_client.get(f"/staff/agms/{meeting.id}/pack.pdf",
                             headers={"If-None-Match": first.headers["ETag"]})
    assert (first.status_code, again.status_code, again.data) == (200, 304, b"")


def test_a_submission_from_the_public_form_leaves_the_generation_alone(db, meeting, staff):
    from agmtool.concerns import domain as concerns

    before = generations.current()
    concerns.submit(concerns.Submission(language="es", reply_language="es",
                                        body="Nueva inquietud", topics=["water"]),
                    "packs-generation-key-0123456789")
    db.session.commit()
    assert generations.current() == before
    questions.edit(meeting.water, staff, {"background": "New notes."}, meeting.water.version)
    db.session.commit()
    assert generations.current() > before


def test_a_slow_render_gets_a_page_that_refreshes_until_the_pdf_is_ready(
        app, staff_client, meeting):
    app.config["PDF_WAIT_SECONDS"] = 0.0
    url = f"/staff/agms/{meeting.id}/pack.pdf"
    waiting = staff_client.get(url)
    assert (waiting.status_code, waiting.headers["Refresh"]) == (202, "2")
    assert '<meta http-equiv="refresh" content="2">' in waiting.get_data(as_text=True)
    deadline = time.monotonic() + 60
    while (response := staff_client.get(url)).status_code == 202:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert (response.status_code, response.data[:5]) == (200, b"%PDF-")


# --- who may open what ------------------------------------------------------------------------

def test_attendees_open_only_the_packs_of_their_meetings(db, client, make_user, make_agm,
                                                         meeting, log_in):
    attendee = make_user("attendee@example.org", role=Role.ATTENDEE)
    other = make_agm(company=meeting.company, local_date=date(2028, 5, 24))
    db.session.add(Attendee(agm=meeting, user=attendee, name="Ana"))
    db.session.commit()
    log_in(client, attendee)
    assert client.get(f"/staff/agms/{meeting.id}/pack.pdf").data[:5] == b"%PDF-"
    assert client.get(f"/staff/agms/{other.id}/pack.pdf").status_code == 404
    assert client.get(f"/staff/agms/{meeting.id}/packs").status_code == 403


def test_translators_open_no_pack(client, make_user, meeting, log_in):
    log_in(client, make_user("tr@example.org", role=Role.TRANSLATOR, languages=["es"]))
    assert client.get(f"/staff/agms/{meeting.id}/pack.pdf").status_code == 403


def test_hostile_text_in_a_question_is_printed_as_text_and_fetches_nothing(
        db, staff_client, meeting, staff, tmp_path):
    with pdf_helpers.Canary() as canary:
        hostile = " ".join(pdf_helpers.hostile_texts(canary.url))
        questions.edit(meeting.pay, staff, {"text": hostile, "background": hostile,
                                            "speaker_name": hostile[:200]},
                       meeting.pay.version)
        meeting.venue, meeting.practical_notes = hostile[:300], hostile
        meeting.named.community.background = hostile + " " + "x" * 100_000
        db.session.add(Source(agm=meeting, title=hostile[:300], publisher="<b>p</b>"))
        db.session.commit()
        data = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
        assert (canary.requests, pdf_helpers.attachments(data, tmp_path)) == (
            [], "0 embedded files")
        assert '<img src="file:///etc/passwd">' in text_of(data, tmp_path)


def test_topic_titles(db, meeting):
    from agmtool.models import ConcernTopic

    db.session.add(ConcernTopic(concern_id=meeting.named.id, topic=Topic.WATER))
    db.session.commit()
    db.session.expire_all()
    assert content.pack(meeting)["questions"][0]["title"] == (
        "Water (pollution, diversion, scarcity): Wayuu communities of La Guajira")


def test_builds_module_decides_access_in_one_place(meeting, make_user):
    assert [builds.may_read(make_user(f"{role}-access@example.org", role=role), meeting.id)
            for role in Role] == [True, True, False, False]


def test_the_pack_as_pdf_ua_is_a_build_of_its_own(db, staff_client, meeting, staff):
    plain = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf")
    ua = get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf?ua=1")
    def parts(data):
        metadata = PdfReader(BytesIO(data)).xmp_metadata
        if metadata is None:
            return []
        return [d.getAttribute("pdfuaid:part") for d in metadata.rdf_root.getElementsByTagName(
            "rdf:Description") if d.hasAttribute("pdfuaid:part")]
    assert (parts(ua), parts(plain)) == (["1"], [])
    assert sorted(db.session.scalars(sa.select(PackBuild.variant))) == ["", "ua"]
    assert builds.parse_variant("3:ua") == (3, True)


def test_a_runaway_render_is_stopped_with_a_message_and_pages_keep_answering(
        app, staff_client, meeting):
    app.config["PDF_TIME_LIMIT"] = 0.05
    response = staff_client.get(f"/staff/agms/{meeting.id}/pack.pdf")
    assert response.status_code == 503
    assert ("The PDF took longer than its time limit to render and was stopped."
            in response.get_data(as_text=True))
    assert staff_client.get("/en/agms/").status_code == 200


def test_a_meeting_that_is_not_there_has_no_pack(staff_client, meeting):
    assert staff_client.get(f"/staff/agms/{meeting.id + 1000}/pack.pdf").status_code == 404


def test_the_pdf_is_named_after_the_company_and_the_day(staff_client, meeting):
    response = staff_client.get(f"/staff/agms/{meeting.id}/cards.pdf")
    assert response.headers["Content-Disposition"] == (
        'inline; filename="cards-glencore-2027-05-26.pdf"')


def test_a_typed_speaker_is_not_named_once_the_last_concern_is_withdrawn(db, meeting):
    from agmtool.concerns import domain as concerns

    assert content.speaker_of(meeting.water) == "Ana Epieyú"
    concerns.withdraw(meeting.named)
    db.session.commit()
    assert content.speaker_of(meeting.water) is None


def test_an_attendees_change_of_consent_reaches_a_built_pack(db, meeting, staff):
    from agmtool.questions import attendees

    speaker = attendees.add(meeting, staff, {"name": "Rosa Epieyú", "entry": "guest",
                                             "may_be_named": True})
    db.session.commit()
    before = generations.current()
    attendees.edit(speaker, staff, {"may_be_named": False}, speaker.version)
    db.session.commit()
    assert generations.current() == before + 1


def test_a_pack_built_after_the_meeting_records_the_answer_instead_of_ruled_lines(
        db, meeting, staff):
    answers.record_outcome(meeting.water, staff, True, None, text="We will study it.",
                           written_promised=True, written_due=date(2027, 6, 30))
    db.session.commit()
    water = content.pack(meeting)["questions"][0]
    assert water["outcome"] == {"label": "Answer given", "answer": "We will study it.",
                                "promise": "Written answer promised by 30 June 2027: "
                                           "not received."}
    assert content.pack(meeting)["questions"][1]["outcome"] is None


def test_a_speakers_consent_to_be_named_reaches_a_pack_already_cached(
        db, staff_client, meeting, tmp_path):
    speaker = Attendee(agm=meeting, name="Rosa Uriana", language="es")
    db.session.add(speaker)
    db.session.flush()
    meeting.water.speaker_id = speaker.id
    db.session.commit()
    before = text_of(get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf"), tmp_path)
    speaker.may_be_named = True
    db.session.commit()
    after = text_of(get_pdf(staff_client, f"/staff/agms/{meeting.id}/pack.pdf"), tmp_path)
    assert ("Rosa Uriana" in before, "Rosa Uriana" in after) == (False, True)
    assert (f"Attendee {speaker.id} (not named): Not yet known (Requested)" in before,
            "Rosa Uriana: Not yet known (Requested)" in after) == (True, True)
