"""The glossary: terms found in an original, translations that break them, approval with
an override kept in the history, and who edits which terms."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agmtool import history
from agmtool.database import StaleEdit
from agmtool.models import EVERY_LANGUAGE, GlossaryTerm, Reader, Role, TermKind, TranslationState
from agmtool.translation import domain as translation
from agmtool.translation import glossary


@pytest.fixture
def people(make_user):
    return (make_user("translator@example.org", role=Role.TRANSLATOR, languages=["es"]),
            make_user("reviewer@example.org", role=Role.STAFF))


@pytest.fixture
def terms(db, people):
    staff = people[1]
    added = [
        glossary.add(staff, TermKind.KEEP, EVERY_LANGUAGE, EVERY_LANGUAGE, "Cerrejón"),
        glossary.add(staff, TermKind.TRANSLATE, "en", "es", "tailings dam", "presa de relaves"),
        glossary.add(staff, TermKind.TRANSLATE, "en", "es", "tailings", "relaves"),
        glossary.add(staff, TermKind.TRANSLATE, "en", "pt", "tailings dam",
                     "barragem de rejeitos"),
    ]
    db.session.commit()
    return added


def written(db, people, source, text, language="es", source_id=1):
    row = translation.sync("test_text", source_id, source, "en", [language],
                           reader=Reader.COMMUNITY)[language]
    translation.save(row, text, people[0], row.version, ready=True)
    db.session.commit()
    return row


def lines(checks):
    return [(check.term.term, check.term.rendering, check.kept) for check in checks]


def test_the_terms_of_the_original_are_found_longest_first(terms):
    found = glossary.check("The Tailings\n dam near CERREJÓN leaks; tailings reach the river.",
                           "", "en", "es")
    assert lines(found) == [("tailings dam", "presa de relaves", False),
                            ("Cerrejón", "Cerrejón", False),
                            ("tailings", "relaves", False)]


def test_a_term_is_found_only_as_whole_words(terms):
    assert glossary.check("Cerrejónes and detailings dams", "", "en", "es") == []


def test_a_translation_that_keeps_every_term_breaks_none(terms):
    assert glossary.breaches("The tailings dam at Cerrejón leaks.",
                             "La presa de relaves de Cerrejón tiene fugas.", "en", "es") == []


def test_a_pair_has_only_its_own_terms_and_those_of_every_language(terms):
    found = glossary.check("The tailings dam at Cerrejón", "A barragem de rejeitos", "en", "pt")
    assert lines(found) == [("tailings dam", "barragem de rejeitos", True),
                            ("Cerrejón", "Cerrejón", False)]


def test_approval_is_refused_when_a_name_is_translated_and_a_term_rendered_another_way(
        db, people, terms):
    row = written(db, people, "The tailings dam at Cerrejón leaks.",
                  "La represa de colas de Cerreyón tiene fugas.")
    with pytest.raises(translation.GlossaryBroken) as refused:
        translation.approve(row, people[1], row.version)
    assert lines(refused.value.checks) == [("tailings dam", "presa de relaves", False),
                                           ("Cerrejón", "Cerrejón", False)]
    db.session.rollback()
    assert row.state == TranslationState.NEEDS_REVIEW


def test_a_text_in_the_approvers_box_is_checked_before_anything_is_saved(db, people, terms):
    row = written(db, people, "The tailings dam at Cerrejón leaks.",
                  "La presa de relaves de Cerrejón tiene fugas.")
    version = row.version
    with pytest.raises(translation.GlossaryBroken):
        translation.approve(row, people[1], version, "La represa de Cerrejón tiene fugas.")
    assert (row.version, row.text) == (version, "La presa de relaves de Cerrejón tiene fugas.")


def test_an_approver_overrides_with_a_reason_kept_in_the_history(app, db, people, terms):
    row = written(db, people, "The tailings dam at Cerrejón leaks.",
                  "La represa de colas de Cerreyón tiene fugas.")
    translation.approve(row, people[1], row.version,
                        override="The community calls it Cerreyón in this letter.")
    db.session.commit()
    assert row.state == TranslationState.APPROVED
    entry = history.for_object(row)[-1]
    assert (entry.action, entry.user_id) == ("overridden", people[1].id)
    assert entry.changes == {
        "state": ["needs_review", "approved"],
        "review_note": [None, "The community calls it Cerreyón in this letter."],
        "terms": [None, "tailings dam → presa de relaves; Cerrejón → Cerrejón"]}


def test_a_translation_that_keeps_the_glossary_is_approved_plainly(db, people, terms):
    row = written(db, people, "The tailings dam at Cerrejón leaks.",
                  "La presa de relaves de Cerrejón tiene fugas.")
    translation.approve(row, people[1], row.version, override="not needed")
    assert history.for_object(row)[-1].action == "approved"


def test_a_term_translated_one_way_needs_a_pair_and_its_rendering(db, people):
    with pytest.raises(glossary.BadTerm, match="pair"):
        glossary.add(people[1], TermKind.TRANSLATE, EVERY_LANGUAGE, "es", "tailings", "relaves")
    with pytest.raises(glossary.BadTerm, match="rendering"):
        glossary.add(people[1], TermKind.TRANSLATE, "en", "es", "tailings", " ")


def test_a_name_kept_is_rendered_as_itself(db, people):
    term = glossary.add(people[1], TermKind.KEEP, EVERY_LANGUAGE, EVERY_LANGUAGE,
                        "  Fuerza de  Mujeres Wayuu ", "anything")
    assert (term.term, term.rendering, term.term_key) == (
        "Fuerza de Mujeres Wayuu", "Fuerza de Mujeres Wayuu", "fuerza de mujeres wayuu")


def test_a_pair_holds_a_term_once_whatever_its_case(db, people, terms):
    with pytest.raises(glossary.TermExists):
        glossary.add(people[1], TermKind.TRANSLATE, "en", "es", "Tailings Dam", "presa")


def test_a_change_is_refused_when_someone_changed_the_term_meanwhile(db, people, terms):
    term = terms[1]
    glossary.change(term, people[1], term.version, TermKind.TRANSLATE, "en", "es",
                    "tailings dam", "depósito de relaves")
    with pytest.raises(StaleEdit):
        glossary.change(term, people[0], 1, TermKind.TRANSLATE, "en", "es", "tailings dam",
                        "presa de jales")
    assert [e.changes for e in history.for_object(term)][-1] == {
        "rendering": ["presa de relaves", "depósito de relaves"]}


def test_a_deleted_term_is_gone_and_its_deletion_in_the_history(db, people, terms):
    term = terms[2]
    term_id = term.id
    glossary.delete(term, people[1], term.version)
    db.session.commit()
    assert db.session.get(GlossaryTerm, term_id) is None
    assert glossary.check("tailings", "", "en", "es") == []


def test_a_translator_edits_the_terms_of_their_languages_and_of_every_language(people):
    translator = people[0]
    assert glossary.may_edit(translator, "en", "es") is True
    assert glossary.may_edit(translator, EVERY_LANGUAGE, EVERY_LANGUAGE) is True
    assert glossary.may_edit(translator, "en", "pt") is False


WORD = st.text(st.characters(categories=("Ll", "Lu")), min_size=1, max_size=8)


@given(before=st.text(max_size=40), term=st.lists(WORD, min_size=1, max_size=3),
       after=st.text(max_size=40))
def test_a_term_between_spaces_is_always_found(before, term, after):
    entry = GlossaryTerm(id=1, source_language="en", language="es", kind=TermKind.KEEP,
                         term=" ".join(term), term_key=" ".join(term).casefold(),
                         rendering=" ".join(term))
    text = f"{before} {' '.join(term)} {after}"
    assert glossary.found_in(text, [entry]) == [entry]
    assert glossary.renders(text, entry.rendering) is True


@given(text=st.text(max_size=200), term=st.text(max_size=30))
def test_finding_terms_takes_any_text(text, term):
    entry = GlossaryTerm(id=1, source_language="en", language="es", kind=TermKind.KEEP,
                         term=term, term_key=term.casefold(), rendering=term)
    found = glossary.found_in(text, [entry])
    assert found in ([], [entry])
