"""The translation memory: what approved translations add, the suggestions and their match
percentages, the same on SQLite and PostgreSQL, erasure, and TMX import."""

import random

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from agmtool.concerns import domain as concerns
from agmtool.models import MemorySegment, Reader, Role, Translation, TranslationState
from agmtool.translation import domain as translation
from agmtool.translation import memory

# Ten words; then one, three and four of them changed.
SENTENCE = "The company never answered the letters our community sent twice"
ONE_CHANGED = "The company never answered the letters our village sent twice"
THREE_CHANGED = "The mine never answered the emails our village sent twice"
FOUR_CHANGED = "The mine never answered the emails our village sent again"
SPANISH = "La empresa nunca respondió las cartas que nuestra comunidad envió dos veces"


@pytest.fixture
def people(make_user):
    return (make_user("translator@example.org", role=Role.TRANSLATOR, languages=["es"]),
            make_user("reviewer@example.org", role=Role.STAFF))


@pytest.fixture
def approved(db, people):
    """Approve a translation of ``text`` (English) into ``target`` (Spanish)."""
    translator, reviewer = people
    counter = iter(range(1, 10_000))

    def approve(text, target, source_type="test_text", source_id=None, language="es"):
        source_id = source_id or next(counter)
        row = translation.sync(source_type, source_id, text, "en", [language],
                               reader=Reader.COMMUNITY)[language]
        translation.save(row, target, translator, row.version, ready=True)
        translation.approve(row, reviewer, row.version)
        db.session.commit()
        return row

    return approve


def scores(text, source_language="en", language="es", **options):
    return [(s.score, s.target_text)
            for s in memory.suggest(text, source_language, language, **options)]


def segments(db):
    return db.session.execute(sa.select(MemorySegment.source_text, MemorySegment.target_text)
                              .order_by(MemorySegment.id)).all()


def test_the_same_sentence_is_offered_at_100(approved):
    approved(SENTENCE, SPANISH)
    assert scores(SENTENCE) == [(100, SPANISH)]


def test_one_word_changed_in_ten_is_offered_at_90(approved):
    approved(SENTENCE, SPANISH)
    assert scores(ONE_CHANGED) == [(90, SPANISH)]


def test_three_words_changed_in_ten_is_offered_at_70(approved):
    approved(SENTENCE, SPANISH)
    assert scores(THREE_CHANGED) == [(70, SPANISH)]


def test_four_words_changed_in_ten_is_not_offered(approved):
    approved(SENTENCE, SPANISH)
    assert scores(FOUR_CHANGED) == []


def test_the_measure_ignores_case_and_punctuation():
    assert memory.similarity(memory.words("The river, brown!"),
                             memory.words("the river brown")) == 100


def test_suggestions_come_best_first_at_most_five(approved):
    approved(SENTENCE, SPANISH)
    approved(ONE_CHANGED, "Traducción uno")
    approved(THREE_CHANGED, "Traducción tres")
    for n in range(6):
        approved(f"The company never answered the letters our community sent {n}",
                 f"Otra {n}")
    found = scores(SENTENCE)
    assert [score for score, _ in found] == [100, 90, 90, 90, 90]
    assert found[0] == (100, SPANISH)
    # Equal scores: the newest first.
    assert [text for _, text in found[1:]] == ["Otra 5", "Otra 4", "Otra 3", "Otra 2"]


def test_a_language_pair_offers_only_its_own(approved):
    approved(SENTENCE, SPANISH)
    assert scores(SENTENCE, "en", "pt") == []
    assert scores(SENTENCE, "es", "en") == []


def test_an_approved_translation_adds_its_paragraphs_and_aligned_sentences(approved, db):
    approved("The river is brown. The fish died.\nWe want clean water.",
             "El río está marrón. Los peces murieron.\nQueremos agua limpia.")
    assert segments(db) == [
        ("The river is brown. The fish died.", "El río está marrón. Los peces murieron."),
        ("The river is brown.", "El río está marrón."),
        ("The fish died.", "Los peces murieron."),
        ("We want clean water.", "Queremos agua limpia."),
    ]


def test_sentences_that_do_not_align_stay_one_paragraph(approved, db):
    approved("The river is brown. The fish died.", "El río está marrón y los peces murieron.")
    assert segments(db) == [
        ("The river is brown. The fish died.", "El río está marrón y los peces murieron.")]


def test_paragraphs_that_do_not_align_stay_one_segment(approved, db):
    approved("The river is brown.\nThe fish died.", "El río está marrón y los peces murieron.")
    assert segments(db) == [
        ("The river is brown.\nThe fish died.", "El río está marrón y los peces murieron.")]


def test_a_translation_that_is_no_longer_approved_leaves_the_memory(approved, db, people):
    row = approved(SENTENCE, SPANISH)
    translation.save(row, "Otra traducción", people[0], row.version)
    db.session.commit()
    assert segments(db) == []


def test_a_translation_whose_original_changed_leaves_the_memory(approved, db):
    row = approved(SENTENCE, SPANISH)
    translation.sync(row.source_type, row.source_id, ONE_CHANGED, "en", ["es"],
                     reader=Reader.COMMUNITY)
    db.session.commit()
    assert row.state == TranslationState.NEEDS_REVIEW
    assert segments(db) == []


def test_a_translation_sent_back_leaves_the_memory(approved, db, people):
    row = approved(SENTENCE, SPANISH)
    translation.send_back(row, people[1], row.version, "Revisa la segunda frase.")
    db.session.commit()
    assert segments(db) == []


def test_a_withdrawn_concern_leaves_nothing_in_the_memory(db, make_concern, people):
    canary = "Canario 7f3a: los guardias de la puerta de Grasberg se llevaron la lancha."
    concern = make_concern(body=canary, language="es")
    row = concerns.english(concern)
    translation.save(row, "Canary 7f3a: the guards at the Grasberg gate took the boat.",
                     people[0], row.version, ready=True)
    translation.approve(row, people[1], row.version)
    db.session.commit()
    assert len(segments(db)) == 1

    concerns.withdraw(concern)
    db.session.commit()
    assert segments(db) == []
    assert scores(canary, "es", "en") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemorySegment).where(
        sa.or_(MemorySegment.source_text.contains("7f3a"),
               MemorySegment.target_text.contains("7f3a")))) == 0


def test_erasing_a_source_erases_its_segments(approved, db):
    row_id = approved(SENTENCE, SPANISH, source_type="decline_reason", source_id=41).id
    translation.erase("decline_reason", [41])
    db.session.commit()
    assert db.session.get(Translation, row_id) is None
    assert segments(db) == []


def test_the_editor_lookup_never_offers_a_translation_its_own_text(approved, db):
    row = approved(SENTENCE, SPANISH)
    assert memory.suggest_for(row) == []


def test_the_editor_looks_up_each_sentence(approved, db):
    approved("The water is dirty.", "El agua está sucia.")
    row = translation.sync("test_text", 900, "Nobody came to the meeting. The water is dirty.",
                           "en", ["es"], reader=Reader.COMMUNITY)["es"]
    found = memory.suggest_for(row)
    assert [(s.score, s.piece, s.target_text) for s in found] == [
        (100, "The water is dirty.", "El agua está sucia.")]


VOCABULARY = ("water river dust mine company community dam tailings village road children "
              "school fish land families health letters meeting answer compensation promise "
              "pit trucks night noise cattle wells")


def _fill(db, count=400, seed=7):
    """A memory of many similar sentences, in one pair."""
    rng = random.Random(seed)
    vocabulary = VOCABULARY.split()
    for n in range(count):
        length = rng.randint(6, 16)
        source = " ".join(rng.choice(vocabulary) for _ in range(length))
        found = memory.words(source)
        db.session.add(MemorySegment(source_language="en", language="es", source_text=source,
                                     target_text=f"traducción {n}", words=" ".join(found),
                                     word_count=len(found), origin="test.tmx"))
    db.session.commit()
    return rng, vocabulary


def test_both_ways_of_finding_candidates_offer_the_same(db):
    rng, vocabulary = _fill(db)
    rows = db.session.scalars(sa.select(MemorySegment).order_by(MemorySegment.id)).all()
    methods = ["scan", "trigram"] if db.engine.dialect.name == "postgresql" else ["scan"]
    for segment in rows[::40]:
        changed = segment.source_text.split()
        changed[rng.randrange(len(changed))] = rng.choice(vocabulary)
        text = " ".join(changed)
        results = {method: scores(text, method=method) for method in methods}
        assert results["scan"][0][0] >= 80  # one word changed in six or more
        assert all(found == results["scan"] for found in results.values()), text


def test_the_same_data_gives_the_same_suggestions_on_every_database(db):
    _fill(db)
    # Segment 100 of the filled memory, with two of its sixteen words changed.
    query = ("river compensation answer fish river school water compensation company land "
             "river trucks river community fish families")
    words = query.split()
    variants = {"variante A": words, "variante C": words[:-1],
                "variante B": ["noise"] * 4 + words[4:], "variante D": ["noise"] * 5 + words[5:]}
    for target, source in variants.items():
        db.session.add(MemorySegment(source_language="en", language="es",
                                     source_text=" ".join(source), target_text=target,
                                     words=" ".join(source), word_count=len(source)))
    db.session.commit()
    assert scores(query) == [(100, "variante A"), (93, "variante C"), (87, "traducción 100"),
                             (75, "variante B")]


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT"
          adminlang="EN-US" srclang="EN-GB" datatype="plaintext"/>
  <body>
    <tu>
      <tuv xml:lang="EN-GB"><seg>The tailings dam collapsed.</seg></tuv>
      <tuv xml:lang="ES-ES"><seg>La presa de relaves colapsó.</seg></tuv>
      <tuv xml:lang="pt-BR"><seg>A barragem de rejeitos rompeu.</seg></tuv>
    </tu>
    <tu srclang="es">
      <tuv xml:lang="es"><seg>El agua está sucia.</seg></tuv>
      <tuv xml:lang="en"><seg>The water is dirty.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="en"><seg>Only one language.</seg></tuv>
      <tuv xml:lang="fr"><seg>Une seule langue.</seg></tuv>
    </tu>
  </body>
</tmx>
""".encode()


def test_import_tmx_loads_an_existing_memory(db, runner, tmp_path):
    path = tmp_path / "omegat-project.tmx"
    path.write_bytes(TMX)
    result = runner.invoke(args=["translations", "import-tmx", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == ("Imported 3 segments from omegat-project.tmx "
                             "(1 unit skipped: no language pair of ours).\n")
    assert scores("The tailings dam collapsed.") == [(100, "La presa de relaves colapsó.")]
    assert scores("The tailings dam collapsed.", "en", "pt") == [
        (100, "A barragem de rejeitos rompeu.")]
    assert scores("El agua está sucia", "es", "en") == [(100, "The water is dirty.")]
    assert memory.suggest("The tailings dam collapsed.", "en", "es")[0].origin == (
        "omegat-project.tmx")


def test_import_tmx_refuses_a_file_that_is_not_tmx(db, runner, tmp_path):
    path = tmp_path / "notes.tmx"
    path.write_bytes(b"<html><body>not a memory</body></html>")
    result = runner.invoke(args=["translations", "import-tmx", str(path)])
    assert result.exit_code == 1
    assert "is not a TMX file" in result.output
    assert segments(db) == []


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@given(source=TEXT, target=TEXT)
def test_segments_are_pieces_of_the_two_texts(source, target):
    for original, translated in memory.segments(source, target, "en", "es"):
        assert memory.words(original)
        assert translated.strip()
        assert all(line.strip() in source for line in original.splitlines())
        assert all(line.strip() in target for line in translated.splitlines())


@given(text=TEXT)
def test_pieces_are_parts_of_the_text(text):
    found = memory.pieces(text, "es")
    assert len(found) <= memory.MAX_PIECES
    assert all(piece in text and memory.words(piece) for piece in found)


@given(a=st.lists(st.sampled_from("abcdef"), max_size=12),
       b=st.lists(st.sampled_from("abcdef"), max_size=12))
def test_the_length_window_never_drops_a_match(a, b):
    low, high = memory.length_window(len(a))
    if memory.similarity(a, b) >= memory.THRESHOLD and a:
        assert low <= len(b) <= high


def test_a_meeting_note_that_changes_takes_its_translation_out_of_the_memory(
        db, make_agm, people):
    agm = make_agm(status_note="The meeting is in person only.")
    row = translation.rows("meeting_note", agm.id)["es"]
    translation.save(row, "La junta es solo presencial.", people[0], row.version, ready=True)
    translation.approve(row, people[1], row.version)
    db.session.commit()
    assert segments(db) == [("The meeting is in person only.", "La junta es solo presencial.")]
    agm.status_note = "The meeting is online only."
    db.session.commit()
    assert segments(db) == []
