"""The demo data and the backup and restore commands."""

import re
from datetime import date, time

from agmtool.models import AGM, AGMStatus, Company, Concern, MeetingKind, Question, QuestionStatus
from agmtool.translation import glossary


def test_demo_load_brings_the_real_meetings_and_four_languages(runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Loaded demo data: 7 companies, 4 sites, 14 meetings, "
                             "5 communities, 9 concerns, 7 questions, 78 glossary terms, "
                             "32 memory segments\n")
    rio = db.session.scalar(db.select(Company).where(Company.slug == "rio-tinto"))
    assert [(item.entity_name, item.exchange) for item in rio.listings] == [
        ("Rio Tinto plc", "LSE"), ("Rio Tinto Limited", "ASX")]
    perth = db.session.scalar(db.select(AGM).where(AGM.timezone == "Australia/Perth",
                                                   AGM.local_date == date(2025, 5, 1)))
    assert (perth.local_time, perth.listing.entity_name) == (time(9, 30), "Rio Tinto Limited")
    glencore_2024 = db.session.scalar(db.select(AGM).where(AGM.local_date == date(2024, 5, 29)))
    assert (glencore_2024.local_time, glencore_2024.timezone) == (None, "Europe/Zurich")
    general = db.session.scalar(db.select(AGM).where(AGM.local_date == date(2025, 12, 9)))
    assert general.kind == MeetingKind.GENERAL
    future = db.session.scalars(db.select(AGM).where(AGM.local_date > date(2026, 11, 23))).all()
    assert future and {agm.status for agm in future} == {AGMStatus.EXPECTED}
    languages = db.session.scalars(db.select(Concern.language)).all()
    assert sorted(set(languages)) == ["en", "es", "id", "pt"]


def test_the_demo_season_has_a_question_in_every_state_and_receipts_at_each_stage(
        runner, db, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert {q.status for q in db.session.scalars(db.select(Question))} == set(QuestionStatus)
    client = app.test_client()
    seen = {}
    for number, lang in ((1, "es"), (2, "pt"), (3, "id"), (4, "en"), (5, "es")):
        page = client.post(f"/{lang}/status", data={"code": f"DEMO-{number:04d}"}).text
        seen[number] = re.search(r'<section class="card">\s*<h2>([^<]+)</h2>', page).group(1)
    assert seen == {1: "Aceptada", 2: "Precisa de esclarecimento", 3: "Sudah dijawab",
                    4: "Declined", 5: "Recibida"}
    asked = client.post("/es/status", data={"code": "DEMO-0001"}).text
    assert "¿Es esto lo que quiere que preguntemos en su nombre?" in asked
    answered = client.post("/id/status", data={"code": "DEMO-0003"}).text
    assert "Perusahaan menjanjikan jawaban tertulis paling lambat 30 Juni 2025." in answered


def test_the_demo_glossary_guards_names_and_terms_in_the_four_languages(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    text = "The tailings dam of Samarco, owned by BHP and Vale, collapsed."
    required = {language: [(check.term.term, check.term.rendering)
                           for check in glossary.check(text, "", "en", language)]
                for language in ("es", "pt", "id")}
    assert required == {language: [("tailings dam", rendering), ("Samarco", "Samarco"),
                                   ("BHP", "BHP"), ("Vale", "Vale")]
                        for language, rendering in (("es", "presa de relaves"),
                                                    ("pt", "barragem de rejeitos"),
                                                    ("id", "bendungan tailing"))}
    back = glossary.check("Os atingidos pela barragem de rejeitos do Fundão", "", "pt", "en")
    assert [(c.term.term, c.term.rendering) for c in back] == [
        ("atingidos", "affected people"), ("barragem de rejeitos", "tailings dam"),
        ("Fundão", "Fundão")]


def test_demo_load_if_empty_leaves_existing_data_alone(runner, make_company, db):
    make_company()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.output == "The database already has data; demo data not loaded.\n"
    assert db.session.scalar(db.select(db.func.count(Company.id))) == 1
