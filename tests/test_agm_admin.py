"""Staff pages for meetings and companies: who may enter, saving, refusing in the user's
language, stale edits, postponing and cancelling."""

from datetime import date, time

import helpers
import pytest

from agmtool.models import AGM, AGMStatus, Company, Role


@pytest.fixture
def staff(client, make_user, log_in):
    user = make_user("staff@example.org", role=Role.STAFF)
    log_in(client, user)
    return user


def form(company, **changes):
    data = {"company_id": str(company.id), "listing_id": "None", "kind": "agm",
            "local_date": "2027-04-29", "local_time": "11:00", "timezone": "Europe/London",
            "fold": "", "format": "hybrid", "status": "announced", "venue": "The Mermaid"}
    return {**data, **changes}


@pytest.mark.parametrize("role", [Role.TRANSLATOR, Role.ATTENDEE])
def test_other_roles_cannot_edit(client, make_user, log_in, role):
    log_in(client, make_user("x@example.org", role=role))
    assert client.get("/staff/agms/").status_code == 403
    assert client.get("/staff/companies/new").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/staff/agms/")
    assert response.headers["Location"] == "/staff/login?next=/staff/agms/"


def test_staff_create_a_meeting(client, db, staff, make_company):
    company = make_company()
    response = client.post("/staff/agms/new", data=form(company))
    agm = db.session.query(AGM).one()
    assert response.headers["Location"] == f"/staff/agms/{agm.id}/edit"
    assert (agm.local_time, agm.venue, agm.status, agm.sequence) == (
        time(11, 0), "The Mermaid", AGMStatus.ANNOUNCED, 0)


def test_a_skipped_time_is_refused_in_indonesian(client, db, staff, make_company):
    company = make_company()
    client.get("/language/id?next=/staff/")
    response = client.post("/staff/agms/new", data=form(
        company, local_date="2027-03-28", local_time="01:30"))
    assert response.status_code == 200
    assert "Waktu ini tidak ada di Europe/London" in response.text
    assert 'value="The Mermaid"' in response.text
    assert db.session.query(AGM).count() == 0


def test_an_edit_bumps_the_sequence(client, db, staff, make_agm):
    agm = make_agm(local_date=date(2027, 4, 29))
    response = client.post(f"/staff/agms/{agm.id}/edit",
                           data=form(agm.company, venue="QEII Centre", version="1"))
    assert response.status_code == 302
    db.session.refresh(agm)
    assert (agm.venue, agm.sequence, agm.version) == ("QEII Centre", 1, 2)


def test_a_stale_edit_keeps_the_users_text(client, db, staff, make_agm):
    agm = make_agm(local_date=date(2027, 4, 29))
    client.post(f"/staff/agms/{agm.id}/edit", data=form(agm.company, venue="First",
                                                         version="1"))
    response = client.post(f"/staff/agms/{agm.id}/edit",
                           data=form(agm.company, venue="Second", version="1"))
    assert response.status_code == 200
    assert "Someone else saved a change after you opened this page" in response.text
    assert 'value="Second"' in response.text
    db.session.refresh(agm)
    assert agm.venue == "First"


def test_postpone_and_cancel_through_the_forms(client, db, staff, make_agm):
    agm = make_agm(local_date=date(2027, 4, 29))
    client.post(f"/staff/agms/{agm.id}/postpone",
                data={"new_date": "2027-05-20", "note": "Moved", "version": "1"})
    db.session.refresh(agm)
    assert (agm.status, agm.local_date, agm.status_note) == (
        AGMStatus.POSTPONED, date(2027, 5, 20), "Moved")
    response = client.post(f"/staff/agms/{agm.id}/cancel", data={"note": "", "version": "2"})
    assert "This field is required." in response.text
    client.post(f"/staff/agms/{agm.id}/cancel", data={"note": "Cancelled", "version": "2",
                                                       "confirm": "y"})
    db.session.refresh(agm)
    assert (agm.status, agm.sequence) == (AGMStatus.CANCELLED, 2)


def test_staff_create_a_dual_listed_company(client, db, staff):
    response = client.post("/staff/companies/new", data={
        "name": "Rio Tinto", "slug": "rio-tinto", "website": "https://www.riotinto.com",
        "listings": "Rio Tinto plc; LSE; RIO\nRio Tinto Limited; ASX; RIO",
        "sites": "Oyu Tolgoi; MN; Ömnögovi"})
    company = db.session.query(Company).one()
    assert response.headers["Location"] == f"/staff/companies/{company.id}/edit"
    assert [x.entity_name for x in company.listings] == ["Rio Tinto plc", "Rio Tinto Limited"]


def test_a_bad_listing_line_is_explained_with_every_other_problem(client, db, staff):
    response = client.post("/staff/companies/new", data={
        "name": "Rio Tinto", "slug": "Rio Tinto", "listings": "Rio Tinto plc LSE RIO"})
    assert "Line 1: write &#39;Entity name; exchange; ticker&#39;." in response.text
    assert "Use lower-case letters, digits and hyphens, like rio-tinto." in response.text
    assert db.session.query(Company).count() == 0


def test_the_staff_start_page_links_to_meetings(client, staff):
    text = client.get("/staff/").text
    assert 'href="/staff/agms/"' in text and 'href="/staff/companies/"' in text


def test_empty_optional_fields_raise_no_error(client, db, staff, make_company):
    response = client.post("/staff/agms/new", data=form(
        make_company(), local_time="01:30", local_date="2027-03-28", duration_minutes="",
        proxy_deadline=""))
    assert response.text.count('class="error"') == 1
    assert "Enter a whole number." not in response.text


def test_a_bad_number_or_date_is_explained_in_the_users_language(client, db, staff,
                                                                 make_company):
    client.get("/language/pt?next=/staff/")
    response = client.post("/staff/agms/new", data=form(
        make_company(), duration_minutes="two hours", proxy_deadline="soon"))
    assert "Informe um número inteiro." in response.text
    assert "Informe uma data e um horário." in response.text
    assert db.session.query(AGM).count() == 0


def test_the_edit_form_asks_which_repeated_time_only_when_it_matters(client, db, staff,
                                                                     make_agm):
    agm = make_agm(local_date=date(2027, 10, 31), local_time=time(1, 30),
                   timezone="Europe/London", fold=1)
    text = client.get(f"/staff/agms/{agm.id}/edit").text
    assert '<option selected value="1">' in text
    plain = make_agm(company=agm.company, local_date=date(2027, 4, 29))
    text = client.get(f"/staff/agms/{plain.id}/edit").text
    assert '<option selected value="">' in text


@pytest.mark.parametrize("version", [None, "", "None"])
def test_an_edit_without_the_seen_version_saves_nothing(client, db, staff, make_agm, version):
    agm = make_agm(local_date=date(2027, 4, 29), venue="First")
    data = form(agm.company, venue="Second")
    if version is not None:
        data["version"] = version
    response = client.post(f"/staff/agms/{agm.id}/edit", data=data)
    assert response.status_code == 200
    assert "Someone else saved a change after you opened this page" in response.text
    assert 'value="Second"' in response.text
    assert 'name="version" type="hidden" value="1"' in response.text
    for action, fields in (("postpone", {"new_date": "2027-05-20"}), ("cancel", {})):
        response = client.post(f"/staff/agms/{agm.id}/{action}", data={"note": "x", **fields})
        assert "Someone else saved a change after you opened this page" in response.text
    db.session.refresh(agm)
    assert (agm.venue, agm.status, agm.version) == ("First", AGMStatus.ANNOUNCED, 1)


def test_a_company_edit_without_the_seen_version_saves_nothing(client, db, staff,
                                                               make_company):
    company = make_company()
    response = client.post(f"/staff/companies/{company.id}/edit", data={
        "name": "Glencore International", "slug": "glencore"})
    assert "Someone else saved a change after you opened this page" in response.text
    db.session.refresh(company)
    assert (company.name, company.version) == ("Glencore", 1)


def test_a_companys_slug_is_shown_but_cannot_be_changed(client, db, staff, make_company):
    company = make_company()
    text = client.get(f"/staff/companies/{company.id}/edit").text
    assert "<code>glencore</code>" in text
    assert 'name="slug"' not in text
    response = client.post(f"/staff/companies/{company.id}/edit", data={
        "name": "Glencore International", "slug": "glencore-intl", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(company)
    assert (company.name, company.slug) == ("Glencore International", "glencore")
    assert client.get("/calendar/glencore.ics").status_code == 200
    assert client.get("/calendar/glencore-intl.ics").status_code == 404
    assert 'name="slug"' in client.get("/staff/companies/new").text


def test_postponing_to_a_new_date_whose_time_is_not_known_yet(client, db, staff, make_agm):
    agm = make_agm(local_date=date(2027, 4, 29), local_time=time(11, 0))
    assert "The new start time is not known yet" in client.get(
        f"/staff/agms/{agm.id}/postpone").text
    response = client.post(f"/staff/agms/{agm.id}/postpone", data={
        "new_date": "2027-05-20", "new_time": "10:00", "time_to_be_announced": "y",
        "note": "Moved", "version": "1"})
    assert "Give the new start time, or say that it is not known yet, not both." in (
        response.text)
    client.post(f"/staff/agms/{agm.id}/postpone", data={
        "new_date": "2027-05-20", "time_to_be_announced": "y", "note": "Moved",
        "version": "1"})
    db.session.refresh(agm)
    assert (agm.status, agm.local_date, agm.local_time) == (
        AGMStatus.POSTPONED, date(2027, 5, 20), None)


def test_the_history_names_actions_and_fields_in_the_users_language(client, db, staff,
                                                                     make_agm):
    from agmtool.meetings import agms, companies

    agm = make_agm(local_date=date(2027, 4, 29))
    client.post(f"/staff/agms/{agm.id}/postpone",
                data={"new_date": "2027-05-20", "note": "Moved", "version": "1"})
    companies.save_company(agm.company, None, {"name": "Glencore International"},
                      [("Glencore plc", "LSE", "GLEN")], [], agms.UNCHECKED)
    db.session.commit()
    lines = helpers.history_lines(client.get(f"/staff/agms/{agm.id}/edit").text)
    assert lines == [  # in the order written, as on every history
        "Postponed (staff@example.org) | Date (local): 29 Apr 2027 → 20 May 2027"
        " | Status: Announced → Postponed | Public note: Moved",
        "The company's name or listings changed | Company: Glencore International",
    ]
    client.get("/language/es?next=/staff/")
    lines = helpers.history_lines(client.get(f"/staff/agms/{agm.id}/edit").text)
    assert lines[0] == (
        "Aplazada (staff@example.org) | Fecha (local): 29 abr 2027 → 20 may 2027"
        " | Estado: Anunciada → Aplazada | Nota pública: Moved")


def test_the_staff_list_tells_the_two_repeated_times_apart(client, db, staff, make_agm,
                                                          make_company):
    company = make_company()
    for fold in (0, 1):
        make_agm(company=company, local_date=date(2027, 10, 31), local_time=time(1, 30),
                 timezone="Europe/London", fold=fold)
    text = client.get("/staff/agms/").text
    assert {line.strip() for line in text.splitlines() if "31 Oct 2027" in line} == {
        "<tr><td>31 Oct 2027, 01:30 (British Summer Time, UTC+1)<br>"
        "<small>Europe/London</small></td>",
        "<tr><td>31 Oct 2027, 01:30 (Greenwich Mean Time, UTC)<br>"
        "<small>Europe/London</small></td>"}


def test_a_companys_page_shows_its_history(client, db, staff):
    client.post("/staff/companies/new", data={
        "name": "Rio Tinto", "slug": "rio-tinto", "listings": "Rio Tinto plc; LSE; RIO"})
    company = db.session.query(Company).one()
    client.post(f"/staff/companies/{company.id}/edit", data={
        "name": "Rio Tinto Group", "website": "https://www.riotinto.com",
        "listings": "Rio Tinto plc; LSE; RIO\nRio Tinto Limited; ASX; RIO",
        "sites": "Oyu Tolgoi; MN; Ömnögovi", "version": "1"})
    lines = helpers.history_lines(client.get(f"/staff/companies/{company.id}/edit").text)
    assert lines == [
        "Created (staff@example.org) | Name: Rio Tinto | Short name for links: rio-tinto"
        " | Listings: Rio Tinto plc; LSE; RIO",
        "Changed (staff@example.org) | Name: Rio Tinto → Rio Tinto Group"
        " | Website: https://www.riotinto.com"
        " | Listings: Rio Tinto plc; LSE; RIO → Rio Tinto Limited; ASX; RIO ·"
        " Rio Tinto plc; LSE; RIO | Sites (mines and projects): Oyu Tolgoi; MN; Ömnögovi",
    ]


def test_over_long_listing_and_site_parts_are_refused_not_cut(client, db, staff):
    response = client.post("/staff/companies/new", data={
        "name": "Rio Tinto", "slug": "rio-tinto",
        "listings": "Rio Tinto plc; LSE; RIO\n" + "R" * 201 + "; ASX; RIOTINTOLIMITEDSHARES",
        "sites": "S" * 201 + "; MN; Ömnögovi"})
    assert response.status_code == 200
    errors = [line.strip() for line in response.text.splitlines() if 'class="error"' in line]
    assert errors == [
        '<p class="error" id="listings-error">Line 2: an entity name takes at most 200 '
        "characters. Line 2: a ticker takes at most 20 characters.</p>",
        '<p class="error" id="sites-error">Line 1: a site&#39;s name takes at most 200 '
        "characters.</p>"]
    assert "R" * 201 in response.text  # what was typed is still there
    assert db.session.query(Company).count() == 0


def test_the_postpone_form_asks_for_the_new_deadlines(client, db, staff, make_agm):
    from datetime import datetime

    agm = make_agm(local_date=date(2027, 5, 26), proxy_deadline=datetime(2027, 5, 24, 10, 30))
    text = client.get(f"/staff/agms/{agm.id}/postpone").text
    assert 'name="proxy_deadline" type="datetime-local" value="2027-05-24 10:30:00"' in text
    data = {"new_date": "2027-06-09", "note": "Moved", "version": "1",
            "proxy_deadline": "2027-06-07T10:30"}
    response = client.post(f"/staff/agms/{agm.id}/postpone", data=data)
    assert ("Give the new deadlines, or mark the old ones as to be confirmed."
            in response.text)
    db.session.refresh(agm)
    assert agm.status == AGMStatus.ANNOUNCED
    client.post(f"/staff/agms/{agm.id}/postpone", data={**data, "deadlines": "new"})
    db.session.refresh(agm)
    assert (agm.status, agm.proxy_deadline, agm.deadlines_to_be_confirmed) == (
        AGMStatus.POSTPONED, datetime(2027, 6, 7, 10, 30), False)


def test_the_old_deadlines_can_be_marked_then_confirmed(client, db, staff, make_agm):
    from datetime import datetime

    agm = make_agm(local_date=date(2027, 5, 26), proxy_deadline=datetime(2027, 5, 24, 10, 30))
    client.post(f"/staff/agms/{agm.id}/postpone", data={
        "new_date": "2027-06-09", "note": "Moved", "version": "1", "deadlines": "tbc"})
    db.session.refresh(agm)
    assert (agm.proxy_deadline, agm.deadlines_to_be_confirmed) == (
        datetime(2027, 5, 24, 10, 30), True)
    text = client.get(f"/staff/agms/{agm.id}/edit").text
    assert 'checked id="deadlines_to_be_confirmed"' in text
    client.post(f"/staff/agms/{agm.id}/edit", data=form(
        agm.company, local_date="2027-06-09", local_time="10:30", timezone="Europe/Zurich",
        status="postponed", status_note="Moved", proxy_deadline="2027-06-07T10:30",
        version="2"))
    db.session.refresh(agm)
    assert (agm.proxy_deadline, agm.deadlines_to_be_confirmed) == (
        datetime(2027, 6, 7, 10, 30), False)


# --- item 9: references, export and upload, deleting, confirming, reinstating ------------

def test_the_meeting_page_shows_its_reference(client, staff, make_agm):
    agm = make_agm()
    text = client.get(f"/staff/agms/{agm.id}/edit").text
    assert f'<p>Reference: <code>{agm.ref}</code></p>' in text


def test_staff_download_every_meeting_as_csv(client, staff, make_agm):
    agm = make_agm(venue="Theater-Casino Zug")
    response = client.get("/staff/agms/export.csv")
    assert (response.status_code, response.headers["Content-Type"],
            response.headers["Cache-Control"]) == (200, "text/csv; charset=utf-8", "no-store")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="meetings-')
    assert response.data.decode("utf-8-sig").splitlines()[1] == (
        f"{agm.ref},glencore,,agm,2027-05-26,10:30,Europe/Zurich,0,,Theater-Casino Zug,,,,,,,"
        "0,announced,,en")


def upload(client, data: bytes, name="meetings.csv"):
    from io import BytesIO

    return client.post("/staff/agms/import", data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


RIO_CSV = (
    "company,listing,kind,date,time,timezone,venue\n"
    "rio-tinto,Rio Tinto plc,agm,2027-04-08,11:00,Europe/London,QEII Centre\n"
    "rio-tinto,Rio Tinto Limited,agm,2027-05-06,09:30,Australia/Perth,Perth Convention Centre\n")


def rio(make_company):
    return make_company(slug="rio-tinto", name="Rio Tinto", listings=[
        ("Rio Tinto plc", "LSE", "RIO"), ("Rio Tinto Limited", "ASX", "RIO")])


def report_rows(html: str, css: str) -> list[str]:
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.rows = 0, []

        def handle_starttag(self, tag, attrs):
            if tag == "table" and css in (dict(attrs).get("class") or "").split():
                self.inside = 1
            elif self.inside and tag == "tbody":
                self.inside = 2
            elif self.inside == 2 and tag == "tr":
                self.rows.append("")
            elif self.inside == 2 and tag == "td" and self.rows:
                self.rows[-1] += " | "

        def handle_endtag(self, tag):
            if tag == "table":
                self.inside = 0

        def handle_data(self, data):
            if self.inside == 2 and self.rows:
                self.rows[-1] += data

    reader = Rows()
    reader.feed(html)
    return [" ".join(row.split()).strip(" |") for row in reader.rows]


def test_staff_upload_a_csv_and_read_what_it_did(client, db, staff, make_company):
    rio(make_company)
    response = upload(client, RIO_CSV.encode())
    assert response.status_code == 200
    assert report_rows(response.text, "import-report") == [
        "2 | New meeting | Rio Tinto plc: Annual general meeting, 8 Apr 2027",
        "3 | New meeting | Rio Tinto Limited: Annual general meeting, 6 May 2027"]
    again = upload(client, RIO_CSV.replace("QEII Centre", "The Mermaid").encode())
    assert report_rows(again.text, "import-report") == [
        "2 | Changed: Venue | Rio Tinto plc: Annual general meeting, 8 Apr 2027",
        "3 | Unchanged | Rio Tinto Limited: Annual general meeting, 6 May 2027"]
    assert db.session.query(AGM).count() == 2


def test_a_bad_upload_is_reported_by_line_and_column_in_the_users_language(client, db, staff,
                                                                          make_company):
    rio(make_company)
    client.get("/language/es?next=/staff/")
    bad = RIO_CSV + "rio-tinto,Rio Tinto plc,agm,2027-03-28,01:30,Europe/London,\n"
    response = upload(client, bad.encode())
    assert response.status_code == 200
    assert report_rows(response.text, "import-problems") == [
        "4 | time | Esta hora no existe en Europe/London ese día: el reloj se la salta. "
        "Revise la convocatoria."]
    assert db.session.query(AGM).count() == 0


def test_an_upload_that_is_not_utf8_is_reported(client, db, staff, make_company):
    rio(make_company)
    response = upload(client, RIO_CSV.replace("QEII", "Caf\xe9").encode("latin-1"))
    assert report_rows(response.text, "import-problems") == [
        "2 | This line is not UTF-8 text. Save the file as “CSV UTF-8” and try again."]


def test_an_upload_without_a_file_asks_for_one(client, db, staff):
    response = client.post("/staff/agms/import", data={}, content_type="multipart/form-data")
    assert "Choose a CSV file." in response.text


def test_cancelling_asks_for_confirmation(client, db, staff, make_agm):
    agm = make_agm()
    response = client.post(f"/staff/agms/{agm.id}/cancel",
                           data={"note": "Called off", "version": "1"})
    assert "Tick the box to confirm." in response.text
    assert "Called off" in response.text
    db.session.refresh(agm)
    assert agm.status == AGMStatus.ANNOUNCED
    client.post(f"/staff/agms/{agm.id}/cancel",
                data={"note": "Called off", "confirm": "y", "version": "1"})
    db.session.refresh(agm)
    assert agm.status == AGMStatus.CANCELLED


def test_a_cancelled_meeting_is_reinstated_from_its_page(client, db, staff, make_agm):
    agm = make_agm(status=AGMStatus.CANCELLED, status_note="Called off")
    text = client.get(f"/staff/agms/{agm.id}/edit").text
    assert f'href="/staff/agms/{agm.id}/reinstate"' in text
    response = client.post(f"/staff/agms/{agm.id}/reinstate",
                           data={"note": "Called again", "version": "1"})
    assert response.headers["Location"] == f"/staff/agms/{agm.id}/edit"
    db.session.refresh(agm)
    assert (agm.status, agm.status_note, agm.sequence) == (
        AGMStatus.ANNOUNCED, "Called again", 1)


def test_a_meeting_made_by_mistake_is_deleted_after_confirmation(client, db, staff, make_agm):
    agm = make_agm()
    agm_id = agm.id
    response = client.post(f"/staff/agms/{agm_id}/delete", data={"version": "1"})
    assert "Tick the box to confirm." in response.text
    response = client.post(f"/staff/agms/{agm_id}/delete", data={"version": "1",
                                                                 "confirm": "y"})
    assert response.headers["Location"] == "/staff/agms/"
    db.session.expire_all()
    assert db.session.get(AGM, agm_id) is None


def test_a_meeting_with_questions_offers_no_delete(client, db, staff, make_agm):
    from agmtool.models import Question

    agm = make_agm()
    db.session.add(Question(agm=agm, text="Will you restore the river?"))
    db.session.commit()
    text = client.get(f"/staff/agms/{agm.id}/delete").text
    assert ("Questions are planned for this meeting, so it cannot be deleted. Cancel it "
            "instead.") in text
    assert 'type="submit"' not in text.split("<main")[1]
    response = client.post(f"/staff/agms/{agm.id}/delete", data={"version": "1",
                                                                 "confirm": "y"})
    assert response.status_code == 200
    assert db.session.get(AGM, agm.id) is not None


def test_a_public_note_says_which_language_it_is_written_in(client, db, staff, make_company):
    company = make_company()
    client.post("/staff/agms/new", data=form(company, status_note="Sala 2, junto al teatro",
                                              status_note_language="es"))
    agm = db.session.scalars(db.select(AGM)).one()
    assert (agm.status_note, agm.status_note_language) == ("Sala 2, junto al teatro", "es")
    page = client.get(f"/staff/agms/{agm.id}/edit").text
    assert '<option selected value="es">Spanish</option>' in page
