"""XLIFF exchange: the waiting work of a pair exported as XLIFF 1.2, edited in a CAT tool
(here translate-toolkit's own reader and writer) and imported back."""

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from translate.storage import xliff as toolkit

from agmtool import history
from agmtool.models import Reader, Role, Translation, TranslationState
from agmtool.translation import domain as translation
from agmtool.translation import xliff

ORIGINALS = ["The river turned brown after the new pit opened.",
             "Will the company publish its water monitoring data?",
             "The company promised new houses in 2016.",
             "Nobody answered our letters."]


@pytest.fixture
def people(make_user):
    return (make_user("translator@example.org", role=Role.TRANSLATOR, languages=["es"]),
            make_user("reviewer@example.org", role=Role.STAFF))


@pytest.fixture
def rows(db, people):
    made = [translation.sync("test_text", n, text, "en", ["es", "pt"],
                             reader=Reader.COMMUNITY)
            for n, text in enumerate(ORIGINALS, start=1)]
    spanish = [by_language["es"] for by_language in made]
    translation.save(spanish[3], "Nadie respondió nuestras cartas.", people[0],
                     spanish[3].version)
    db.session.commit()
    return spanish


def exported(rows):
    return xliff.export(xliff.waiting("en", "es"), "en", "es",
                        notes={row.id: "An AGM question" for row in rows})


def snapshot(db):
    return db.session.execute(sa.select(
        Translation.id, Translation.language, Translation.text, Translation.state,
        Translation.version).order_by(Translation.id)).all()


def test_the_export_is_xliff_1_2_that_translate_toolkit_reads(rows):
    data = exported(rows)
    root = etree.fromstring(data)
    assert (root.get("version"), etree.QName(root).namespace) == (
        "1.2", "urn:oasis:names:tc:xliff:document:1.2")
    store = toolkit.xlifffile.parsestring(data)
    assert (store.getsourcelanguage(), store.gettargetlanguage()) == ("en", "es")
    assert [(unit.source, unit.target or "", unit.getnotes()) for unit in store.units] == [
        (ORIGINALS[0], "", "An AGM question"), (ORIGINALS[1], "", "An AGM question"),
        (ORIGINALS[2], "", "An AGM question"),
        (ORIGINALS[3], "Nadie respondió nuestras cartas.", "An AGM question")]


def test_a_round_trip_saves_the_edited_units_for_review_and_refuses_a_changed_original(
        db, rows, people):
    store = toolkit.xlifffile.parsestring(exported(rows))
    units = store.units
    units[0].target = "El río se volvió marrón cuando abrieron el nuevo tajo."
    units[1].target = "¿Publicará la empresa sus datos de monitoreo del agua?"
    units[2].target = "La empresa prometió casas nuevas en 2016."
    third = xliff.unit_id(rows[2])
    # Meanwhile staff correct the third original.
    translation.sync("test_text", 3, "The company promised new houses by 2016.", "en",
                     ["es", "pt"], reader=Reader.COMMUNITY)
    db.session.commit()
    before = snapshot(db)

    result = xliff.import_file(bytes(store), people[0])
    db.session.commit()

    assert [row.id for row in result.saved] == [rows[0].id, rows[1].id]
    assert result.refused == [xliff.Refused(third, rows[2].id, "source_changed")]
    assert result.unchanged == 1
    assert [(row.text, row.state, row.translator_id) for row in rows[:2]] == [
        ("El río se volvió marrón cuando abrieron el nuevo tajo.",
         TranslationState.NEEDS_REVIEW, people[0].id),
        ("¿Publicará la empresa sus datos de monitoreo del agua?",
         TranslationState.NEEDS_REVIEW, people[0].id)]
    assert history.for_object(rows[0])[-1].action == "imported"
    after = snapshot(db)
    changed = {row.id for row in rows[:2]}
    assert [r for r in after if r.id not in changed] == [r for r in before
                                                           if r.id not in changed]


def test_a_unit_saved_by_someone_since_the_export_is_refused(db, rows, people):
    store = toolkit.xlifffile.parsestring(exported(rows))
    store.units[3].target = "Nadie contestó nuestras cartas."
    translation.save(rows[3], "Nadie respondió a nuestras cartas.", people[1], rows[3].version)
    db.session.commit()
    result = xliff.import_file(bytes(store), people[0])
    assert [refused.reason for refused in result.refused] == ["saved_meanwhile"]
    assert rows[3].text == "Nadie respondió a nuestras cartas."


def test_a_translator_imports_only_units_of_their_languages(db, rows, people):
    portuguese = db.session.scalar(sa.select(Translation).where(
        Translation.source_id == 1, Translation.language == "pt"))
    store = toolkit.xlifffile.parsestring(xliff.export([portuguese], "en", "pt"))
    store.units[0].target = "O rio ficou marrom."
    result = xliff.import_file(bytes(store), people[0])
    assert result.refused == [xliff.Refused(xliff.unit_id(portuguese), None, "unknown")]
    assert portuguese.text == ""


DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="x" source-language="en" target-language="es" datatype="plaintext"><body>
<trans-unit id="%s"><source>x</source><target>&secret;</target></trans-unit>
</body></file></xliff>"""


def test_a_file_with_a_doctype_is_refused_and_nothing_changes(db, rows, people):
    before = snapshot(db)
    with pytest.raises(xliff.NotXliff, match="doctype"):
        xliff.import_file(DOCTYPE % xliff.unit_id(rows[0]).encode(), people[0])
    assert snapshot(db) == before


def test_a_file_that_is_not_xliff_is_refused(db, people):
    with pytest.raises(xliff.NotXliff, match="unreadable"):
        xliff.import_file(b"PK\x03\x04 a word document", people[0])


@settings(max_examples=40)
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_reading_any_bytes_either_reads_or_refuses(data):
    try:
        xliff.read(data)
    except xliff.NotXliff as refused:
        assert refused.args[0] in ("unreadable", "doctype")


@settings(max_examples=30)
@given(text=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                    max_size=200))
def test_any_original_survives_the_export(text):
    row = Translation(id=7, version=1, source_text=text, text="", language="es",
                      source_language="en")
    store = toolkit.xlifffile.parsestring(xliff.export([row], "en", "es"))
    assert store.units[0].source == text
