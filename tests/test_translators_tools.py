"""The translators' tools in the editor and on their pages: the memory's suggestions and the
button that puts one in the box, the glossary's terms and the approval they hold back, the
glossary page, and XLIFF files downloaded and brought back."""

import io

import helpers
import pytest
import sqlalchemy as sa
from translate.storage import xliff as toolkit
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from agmtool import history
from agmtool.models import (
    EVERY_LANGUAGE,
    GlossaryTerm,
    Reader,
    Role,
    TermKind,
    Translation,
    TranslationState,
)
from agmtool.translation import domain as translation
from agmtool.translation import glossary

SENTENCE = "The company never answered the letters our community sent twice"
SPANISH = "La empresa nunca respondió las cartas que nuestra comunidad envió dos veces"


@pytest.fixture
def people(make_user):
    return {"translator": make_user("translator@example.org", role=Role.TRANSLATOR,
                                    languages=["es"]),
            "reviewer": make_user("reviewer@example.org", role=Role.STAFF),
            "portuguese": make_user("pt@example.org", role=Role.TRANSLATOR, languages=["pt"])}


def text_row(db, source_id, text, language="es"):
    row = translation.sync("test_text", source_id, text, "en", [language],
                           reader=Reader.COMMUNITY)[language]
    db.session.commit()
    return row


def approved(db, people, source_id, text, target):
    row = text_row(db, source_id, text)
    translation.save(row, target, people["translator"], row.version, ready=True)
    translation.approve(row, people["reviewer"], row.version)
    db.session.commit()
    return row


@pytest.fixture
def terms(db, people):
    glossary.add(people["reviewer"], TermKind.KEEP, EVERY_LANGUAGE, EVERY_LANGUAGE, "Cerrejón")
    glossary.add(people["reviewer"], TermKind.TRANSLATE, "en", "es", "tailings dam",
                 "presa de relaves")
    db.session.commit()


def test_the_editor_shows_the_suggestions_with_their_match(client, db, people, log_in):
    approved(db, people, 1, SENTENCE, SPANISH)
    row = text_row(db, 2, "The company never answered the letters our village sent twice")
    log_in(client, people["translator"])
    page = client.get(f"/staff/translate/{row.id}").text
    assert "90% match" in page
    assert SPANISH in page
    assert page.count('name="use"') == 1


def test_a_suggestion_goes_in_the_box_and_nothing_is_saved(client, db, people, log_in):
    approved(db, people, 1, SENTENCE, SPANISH)
    row = text_row(db, 2, SENTENCE + ".")
    segment = db.session.scalar(sa.text("SELECT id FROM memory_segment"))
    log_in(client, people["translator"])
    response = client.post(f"/staff/translate/{row.id}", data={
        "text": "", "seen_version": row.version, "use": str(segment)})
    assert response.status_code == 200
    assert f"\n{SPANISH}</textarea>" in response.text
    db.session.refresh(row)
    assert (row.text, row.state, row.version) == ("", TranslationState.MISSING, 1)


def test_a_suggestion_for_a_sentence_is_added_after_the_text_in_the_box(client, db, people,
                                                                          log_in):
    approved(db, people, 1, "The water is dirty.", "El agua está sucia.")
    row = text_row(db, 2, "Nobody came. The water is dirty.")
    segment = db.session.scalar(sa.text("SELECT id FROM memory_segment"))
    log_in(client, people["translator"])
    response = client.post(f"/staff/translate/{row.id}", data={
        "text": "Nadie vino.", "seen_version": row.version, "use": str(segment)})
    assert "\nNadie vino.\nEl agua está sucia.</textarea>" in response.text


def test_the_editor_shows_the_glossary_terms_and_which_the_text_breaks(client, db, people,
                                                                      terms, log_in):
    row = text_row(db, 1, "The tailings dam at Cerrejón leaks.")
    translation.save(row, "La represa de Cerrejón tiene fugas.", people["translator"],
                     row.version, ready=True)
    db.session.commit()
    log_in(client, people["reviewer"])
    page = client.get(f"/staff/translate/{row.id}").text
    glossary_section = page.split('id="glossary"')[1].split("</section>")[0]
    assert "✗ not in the translation" in glossary_section
    assert "✓ in the translation" in glossary_section
    assert "presa de relaves" in glossary_section
    assert "This text does not keep 1 glossary term" in page
    assert 'name="override"' in page


def test_approving_a_text_that_breaks_the_glossary_needs_a_reason(client, db, people, terms,
                                                                 log_in):
    row = text_row(db, 1, "The tailings dam at Cerrejón leaks.")
    translation.save(row, "La represa de Cerreyón tiene fugas.", people["translator"],
                     row.version, ready=True)
    db.session.commit()
    log_in(client, people["reviewer"])
    refused = client.post(f"/staff/translate/{row.id}", data={
        "text": row.text, "seen_version": row.version, "step": "approve"})
    assert refused.status_code == 422
    assert "Not approved: this translation does not keep the glossary terms" in refused.text
    db.session.refresh(row)
    assert row.state == TranslationState.NEEDS_REVIEW

    client.post(f"/staff/translate/{row.id}", data={
        "text": row.text, "seen_version": row.version, "step": "approve",
        "override": "The community's letter spells it this way."})
    db.session.refresh(row)
    assert row.state == TranslationState.APPROVED
    lines = helpers.history_lines(client.get(f"/staff/translate/{row.id}").text)
    assert lines[-1] == (
        "Approved despite a glossary warning (reviewer@example.org) | Translation: Needs "
        "review → Approved | Comment: The community's letter spells it this way. | "
        "Glossary terms not kept: tailings dam → presa de relaves; Cerrejón → Cerrejón")


def test_a_translator_adds_a_term_of_their_languages(client, db, people, log_in):
    log_in(client, people["translator"])
    response = client.post("/staff/translate/glossary/", data={
        "kind": "translate", "term": "tailings dam", "rendering": "presa de relaves",
        "source_language": "en", "language": "es", "note": ""})
    assert response.status_code == 302
    term = db.session.scalar(sa.select(GlossaryTerm))
    assert (term.term, term.rendering, term.source_language, term.language) == (
        "tailings dam", "presa de relaves", "en", "es")
    assert [e.action for e in history.for_object(term)] == ["created"]


def test_a_translator_may_not_add_a_term_of_another_pair(client, db, people, log_in):
    log_in(client, people["translator"])
    response = client.post("/staff/translate/glossary/", data={
        "kind": "translate", "term": "tailings dam", "rendering": "barragem de rejeitos",
        "source_language": "en", "language": "pt", "note": ""})
    assert response.status_code == 403
    assert "You translate other languages" in response.text
    assert 'value="barragem de rejeitos"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(GlossaryTerm.id))) == 0


def test_a_term_translated_one_way_without_its_translation_is_refused(client, db, people,
                                                                      log_in):
    log_in(client, people["reviewer"])
    response = client.post("/staff/translate/glossary/", data={
        "kind": "translate", "term": "tailings dam", "rendering": "",
        "source_language": "en", "language": "es", "note": ""})
    assert response.status_code == 422
    assert "Write how the term must be translated." in response.text
    assert 'value="tailings dam"' in response.text


def test_the_glossary_page_lists_the_terms_of_a_language(client, db, people, terms, log_in):
    glossary.add(people["reviewer"], TermKind.TRANSLATE, "en", "pt", "tailings dam",
                 "barragem de rejeitos")
    db.session.commit()
    log_in(client, people["translator"])
    page = client.get("/staff/translate/glossary/?language=es").text
    assert "presa de relaves" in page
    assert "Cerrejón" in page
    assert "barragem de rejeitos" not in page


def test_a_term_is_changed_and_deleted_on_its_page(client, db, people, terms, log_in):
    term = db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.term == "tailings dam"))
    log_in(client, people["translator"])
    client.post(f"/staff/translate/glossary/{term.id}", data={
        "kind": "translate", "term": "tailings dam", "rendering": "depósito de relaves",
        "source_language": "en", "language": "es", "note": "", "seen_version": "1"})
    db.session.refresh(term)
    assert (term.rendering, term.version) == ("depósito de relaves", 2)
    client.post(f"/staff/translate/glossary/{term.id}/delete", data={"seen_version": "2"})
    assert db.session.get(GlossaryTerm, term.id) is None


def waiting_rows(db):
    return [text_row(db, n, text) for n, text in enumerate(
        ["The river turned brown.", "Will the company publish its water data?"], start=1)]


def test_a_translator_downloads_the_work_of_their_pair(client, db, people, log_in):
    rows = waiting_rows(db)
    log_in(client, people["translator"])
    response = client.get("/staff/translate/xliff/en-es.xlf")
    assert response.headers["Content-Disposition"] == "attachment; filename=agmtool-en-es.xlf"
    store = toolkit.xlifffile.parsestring(response.data)
    assert [unit.source for unit in store.units] == [row.source_text for row in rows]


def test_a_translator_may_not_download_another_pair(client, db, people, log_in):
    waiting_rows(db)
    log_in(client, people["portuguese"])
    assert client.get("/staff/translate/xliff/en-es.xlf").status_code == 404


def test_a_translated_file_brought_back_is_saved_for_review(client, db, people, log_in):
    rows = waiting_rows(db)
    log_in(client, people["translator"])
    store = toolkit.xlifffile.parsestring(client.get("/staff/translate/xliff/en-es.xlf").data)
    store.units[1].target = "¿Publicará la empresa sus datos sobre el agua?"
    response = client.post("/staff/translate/xliff/", data={
        "file": (io.BytesIO(bytes(store)), "agmtool-en-es.xlf")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "1 translation is saved and waits for review." in response.text
    db.session.refresh(rows[1])
    assert (rows[1].text, rows[1].state) == ("¿Publicará la empresa sus datos sobre el agua?",
                                             TranslationState.NEEDS_REVIEW)


def test_a_file_with_a_doctype_is_refused_on_the_page(client, db, people, log_in):
    rows = waiting_rows(db)
    log_in(client, people["translator"])
    hostile = (b'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">'
               b']><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file '
               b'original="a" source-language="en" datatype="plaintext"><body><trans-unit id="'
               + f"{rows[0].id}-1-0000000000000000".encode()
               + b'"><source>x</source><target>&x;</target></trans-unit></body></file></xliff>')
    response = client.post("/staff/translate/xliff/", data={
        "file": (io.BytesIO(hostile), "hostile.xlf")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This file declares a DOCTYPE, which we refuse" in response.text
    assert db.session.scalar(sa.select(Translation.text).where(Translation.id == rows[0].id)) == ""


def multipart(data: bytes, name: str = "big.xlf") -> dict:
    """A file upload built in memory (the test client spools large bodies to temporary
    files it never closes)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_the_upload_takes_a_few_megabytes_and_the_rest_of_the_app_keeps_its_limit(
        client, db, people, log_in, app):
    log_in(client, people["translator"])
    big = b"<!-- " + b"x" * (1024 * 1024) + b" -->"
    upload = client.post("/staff/translate/xliff/", **multipart(big))
    assert upload.status_code == 422  # read, then refused as not XLIFF: not a 413
    assert "This file is not an XLIFF file we can read" in upload.text
    assert client.post("/staff/translate/glossary/", **multipart(big)).status_code == 413
    too_big = b"x" * (app.config["XLIFF_MAX_BYTES"] + 1)
    assert client.post("/staff/translate/xliff/", **multipart(too_big)).status_code == 413
