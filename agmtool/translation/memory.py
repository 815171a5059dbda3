"""The translation memory: what approved translations (and imported TMX files) said before,
offered for a new text with an honest match percentage.

Every approved translation adds its segments: each paragraph (a line), and each pair of
sentences where the original and the translation split into as many sentences. A segment
belongs to its translation and goes with it: when the source is erased (a withdrawn concern)
or the translation stops being approved (saved again, sent back, its original changed), so
that the memory never keeps words that are gone from everywhere else.

The match measure is the WORD-LEVEL NORMALISED LEVENSHTEIN SIMILARITY (``similarity``):
the two originals' words, case folded and without punctuation, compared as sequences with
rapidfuzz's ``Levenshtein.normalized_similarity``: 1 - (words inserted, deleted or
replaced) / (words in the longer text), as a percentage rounded down. A ten-word sentence
with one word changed scores 90, with three changed 70; suggestions below ``THRESHOLD`` (70)
are not shown.

Candidates: on PostgreSQL the ``CANDIDATES`` nearest by trigram distance (pg_trgm, a GiST
index over the first ``KEY_CHARS`` characters of each original, per language pair and
length, made by the migration), then re-scored with the measure; on SQLite every segment of
the pair whose length can reach the threshold, scored in the process with rapidfuzz. Both
end in the same re-scoring, so they make the same suggestions from the same memory.

Functions change objects and flush; the caller commits.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import sqlalchemy as sa
from flask import current_app
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from translate.lang import factory as languages
from translate.misc.xml_helpers import getXMLlang
from translate.storage import tmx

from agmtool.extensions import db
from agmtool.models import MemorySegment, Translation, TranslationState

THRESHOLD = 70
SUGGESTIONS = 5
CANDIDATES = 50
KEY_CHARS = 2048
# An editor asks for at most this many pieces of a text (its paragraphs, then sentences).
MAX_PIECES = 8
WORD = re.compile(r"\w+")
# Floating point: 1 - 3/10 must count as 0.7.
EPSILON = 1e-9


# --- the measure --------------------------------------------------------------------------

def words(text: str) -> list[str]:
    """The words the measure compares: runs of letters and digits, case folded."""
    return [word.casefold() for word in WORD.findall(text)]


def similarity(a: list[str], b: list[str]) -> int:
    """The word-level normalised Levenshtein similarity of two word lists, in percent
    (rounded down): 100 for the same words, 90 for one word in ten changed."""
    return int(Levenshtein.normalized_similarity(a, b) * 100 + EPSILON)


def length_window(count: int) -> tuple[int, int]:
    """The word counts a segment may have to reach ``THRESHOLD`` against ``count`` words:
    at least as many edits as the lengths differ, so the shorter must be 70% of the
    longer. A lossless filter, the same on both databases."""
    return (THRESHOLD * count + 99) // 100, (100 * count) // THRESHOLD


# --- splitting texts ----------------------------------------------------------------------

def paragraphs(text: str) -> list[str]:
    """The text's paragraphs: its lines, without the empty ones."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def sentences(text: str, language: str) -> list[str]:
    """The sentences of one paragraph, by translate-toolkit's rules for ``language``."""
    return languages.getlanguage(language).sentences(text)


def segments(source: str, target: str, source_language: str,
             language: str) -> list[tuple[str, str]]:
    """The pairs an approved translation adds to the memory: each paragraph (the whole
    text when the two do not have as many paragraphs), and each sentence of a paragraph
    where both sides split into as many sentences. Pairs without words are left out."""
    ours, theirs = paragraphs(source), paragraphs(target)
    if len(ours) != len(theirs):
        ours, theirs = ["\n".join(ours)], ["\n".join(theirs)]
    found: list[tuple[str, str]] = []
    for original, translated in zip(ours, theirs, strict=True):
        found.append((original, translated))
        split = sentences(original, source_language), sentences(translated, language)
        if len(split[0]) == len(split[1]) > 1:
            found.extend(zip(*split, strict=True))
    unique = dict.fromkeys(pair for pair in found if words(pair[0]) and pair[1].strip())
    return list(unique)


def pieces(text: str, language: str) -> list[str]:
    """The parts of a text an editor looks up: its paragraphs, then the sentences of those
    that have several, at most ``MAX_PIECES``."""
    found = paragraphs(text)
    for paragraph in list(found):
        split = sentences(paragraph, language)
        if len(split) > 1:
            found.extend(split)
    return [piece for piece in dict.fromkeys(found) if words(piece)][:MAX_PIECES]


# --- keeping the memory in step with the translations -------------------------------------

def _add(source_text: str, target_text: str, source_language: str, language: str,
         **values) -> MemorySegment:
    found = words(source_text)
    segment = MemorySegment(source_language=source_language, language=language,
                            source_text=source_text, target_text=target_text,
                            words=" ".join(found), word_count=len(found), **values)
    db.session.add(segment)
    return segment


def follow(row: Translation) -> int:
    """Keep ``row``'s segments in the memory exactly while it is readable (approved, and
    made from its original as it is): call after every change of its state or text.

    Side effects: deletes the row's segments, adds them again from its text when it is
    readable, flushes. Returns how many it now has.
    """
    db.session.execute(sa.delete(MemorySegment).where(MemorySegment.translation_id == row.id))
    if not row.readable:
        return 0
    pairs = segments(row.source_text, row.text, row.source_language, row.language)
    for source_text, target_text in pairs:
        _add(source_text, target_text, row.source_language, row.language,
             translation_id=row.id)
    db.session.flush()
    return len(pairs)


def forget(source_type: str, source_ids: Iterable[int]) -> int:
    """Delete the segments of every translation of these sources (an erasure), before the
    translations themselves go. Side effects: deletes rows. Returns how many went."""
    ids = list(source_ids)
    if not ids:
        return 0
    of_sources = sa.select(Translation.id).where(Translation.source_type == source_type,
                                                 Translation.source_id.in_(ids))
    return db.session.execute(sa.delete(MemorySegment).where(
        MemorySegment.translation_id.in_(of_sources))).rowcount


def rebuild() -> int:
    """Segments for every readable translation, from scratch (after an upgrade, or when
    the demo data is loaded). Imported segments stay. Side effects: deletes and adds rows,
    flushes. Returns how many segments the translations now have."""
    db.session.execute(sa.delete(MemorySegment).where(MemorySegment.translation_id.is_not(None)))
    total = 0
    for row in db.session.scalars(sa.select(Translation).where(
            Translation.state == TranslationState.APPROVED, Translation.text != "")):
        total += follow(row)
    return total


# --- suggestions --------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """A segment of the memory offered for a piece of a text, with its match percentage."""

    segment_id: int
    score: int
    piece: str
    source_text: str
    target_text: str
    origin: str | None  # the imported file's name; None: a translation approved here


def _pair(source_language: str, language: str, count: int, exclude: int | None):
    low, high = length_window(count)
    conditions = [MemorySegment.source_language == source_language,
                  MemorySegment.language == language,
                  MemorySegment.word_count.between(low, high)]
    if exclude is not None:
        conditions.append(sa.or_(MemorySegment.translation_id.is_(None),
                                 MemorySegment.translation_id != exclude))
    return conditions


def _trigram_candidates(piece: str, conditions) -> list[int]:
    """PostgreSQL: the nearest segments by trigram distance, through the GiST index (its
    expression, ``left(source_text, 2048)``, written out as the index has it)."""
    key = sa.func.left(MemorySegment.source_text, sa.literal_column(str(KEY_CHARS)))
    distance = key.op("<->", return_type=sa.Float)(sa.cast(piece[:KEY_CHARS], sa.Text))
    return list(db.session.scalars(sa.select(MemorySegment.id).where(*conditions)
                                   .order_by(distance).limit(CANDIDATES)))


class _Scan:
    """One language pair's segments in this process, for the scan: each original's words
    written as one character a word, so that rapidfuzz compares strings (the same edit
    distance over words, with its fastest algorithms), sorted by word count for the length
    window. Segments are never changed, only added and deleted, and ids only grow (SQLite:
    AUTOINCREMENT), so the count and the highest id of the pair tell whether it is current:
    new segments are read alone; after a deletion the ids are read to drop the gone ones.
    """

    def __init__(self) -> None:
        self.segments: dict[int, tuple[int, str, int | None]] = {}
        self.highest = 0
        self.sorted: tuple[list[int], list[int], list[str], list[int | None]] | None = None

    def current(self, where) -> tuple[list[int], list[int], list[str], list[int | None]]:
        count, highest = db.session.execute(sa.select(
            sa.func.count(MemorySegment.id), sa.func.max(MemorySegment.id)).where(*where)).one()
        with _LOCK:
            if (highest or 0) < self.highest:  # ids went back: a restored backup
                self.segments, self.highest = {}, 0
            if (count, highest or 0) != (len(self.segments), self.highest):
                self._refresh(where, count)
                self.highest, self.sorted = highest or 0, None
            if self.sorted is None:
                ordered = sorted(self.segments.items(), key=lambda item: item[1][0])
                self.sorted = ([i for i, _ in ordered], [v[0] for _, v in ordered],
                               [v[1] for _, v in ordered], [v[2] for _, v in ordered])
            return self.sorted

    def _refresh(self, where, count: int) -> None:
        for row in db.session.execute(sa.select(
                MemorySegment.id, MemorySegment.word_count, MemorySegment.words,
                MemorySegment.translation_id).where(*where, MemorySegment.id > self.highest)):
            self.segments[row.id] = (row.word_count, _encode(row.words.split(" ")),
                                     row.translation_id)
        if len(self.segments) != count:
            kept = set(db.session.scalars(sa.select(MemorySegment.id).where(*where)))
            self.segments = {i: v for i, v in self.segments.items() if i in kept}


_SCANS: dict[tuple[str, str, str], _Scan] = {}
# Held while a scan is brought up to date (and so while words get their characters).
_LOCK = threading.Lock()
_CODES: dict[str, str] = {}
# Words the memory does not know get characters of their own, beyond every known word's.
_UNKNOWN = 0xF0000


def _encode(found: list[str], learn: bool = True) -> str:
    """Words as characters, one a word (a new word gets the next unused character; the
    surrogates, which no str may hold alone, are skipped)."""
    characters = []
    for position, word in enumerate(found):
        code = _CODES.get(word)
        if code is None and learn and len(_CODES) < _UNKNOWN - 0x2000:
            number = 0x100 + len(_CODES)
            code = _CODES.setdefault(word, chr(number + 0x800 * (number >= 0xD800)))
        characters.append(code or chr(_UNKNOWN + position))
    return "".join(characters)


def _scanned_candidates(query: list[str], source_language: str, language: str,
                        exclude: int | None) -> list[int]:
    """Every segment of the pair within the length window, scored in the process; the
    best ``CANDIDATES`` at or above the threshold."""
    key = (db.engine.url.render_as_string(), source_language, language)
    scan = _SCANS.setdefault(key, _Scan())
    ids, counts, encoded, translations = scan.current(
        (MemorySegment.source_language == source_language, MemorySegment.language == language))
    low, high = length_window(len(query))
    start, end = bisect.bisect_left(counts, low), bisect.bisect_right(counts, high)
    best = process.extract(_encode(query, learn=False), encoded[start:end],
                           scorer=Levenshtein.normalized_similarity, processor=None,
                           score_cutoff=THRESHOLD / 100 - EPSILON, limit=None)
    found = [ids[start + index] for _choice, _score, index in best
             if exclude is None or translations[start + index] != exclude]
    return found[:CANDIDATES]


def _candidates(piece: str, query: list[str], source_language: str, language: str,
                exclude: int | None, method: str | None) -> list[int]:
    method = method or ("trigram" if db.session.get_bind().dialect.name == "postgresql"
                        else "scan")
    if method == "trigram":
        return _trigram_candidates(piece, _pair(source_language, language, len(query), exclude))
    return _scanned_candidates(query, source_language, language, exclude)


def _scored(piece: str, query: list[str], ids: list[int]) -> list[Suggestion]:
    if not ids:
        return []
    found = []
    for segment in db.session.scalars(sa.select(MemorySegment).where(
            MemorySegment.id.in_(ids))):
        score = similarity(query, segment.words.split(" ") if segment.words else [])
        if score >= THRESHOLD:
            found.append(Suggestion(segment.id, score, piece, segment.source_text,
                                    segment.target_text, segment.origin))
    return found


def _best(found: Iterable[Suggestion], limit: int) -> list[Suggestion]:
    """Best first (then the newest segment), each translation offered once."""
    best: dict[str, Suggestion] = {}
    for suggestion in sorted(found, key=lambda s: (-s.score, -s.segment_id)):
        best.setdefault(suggestion.target_text, suggestion)
    return list(best.values())[:limit]


def suggest(text: str, source_language: str, language: str, *, limit: int = SUGGESTIONS,
            exclude: int | None = None, method: str | None = None) -> list[Suggestion]:
    """The top ``limit`` suggestions for ``text`` as one segment, best first. ``exclude``:
    a translation whose own segments are not offered; ``method``: "trigram" (PostgreSQL
    only) or "scan" to choose how candidates are found (default: the database's own)."""
    query = words(text)
    if not query:
        return []
    ids = _candidates(text, query, source_language, language, exclude, method)
    return _best(_scored(text, query, ids), limit)


def suggest_for(row: Translation, text: str | None = None,
                limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The top suggestions for a translation's original (or ``text``), looked up piece by
    piece (its paragraphs and sentences), best first, never its own segments."""
    text = row.source_text if text is None else text
    found = []
    for piece in pieces(text, row.source_language):
        found.extend(suggest(piece, row.source_language, row.language, limit=limit,
                             exclude=row.id))
    return _best(found, limit)


def segment(segment_id: int | None, source_language: str,
            language: str) -> MemorySegment | None:
    """A segment of the memory in this language pair, if it is still there."""
    found = db.session.get(MemorySegment, segment_id) if segment_id else None
    if found is None or (found.source_language, found.language) != (source_language, language):
        return None
    return found


def with_suggestion(text: str, suggestion: MemorySegment, original: str) -> str:
    """The translator's ``text`` with a suggestion put in: in place of an empty text, or of
    the whole text when the suggestion translates the whole original; else added on a line
    of its own at the end, for the translator to move into place."""
    if not text.strip() or words(suggestion.source_text) == words(original):
        return suggestion.target_text
    return f"{text.rstrip()}\n{suggestion.target_text}"


# --- importing an existing memory ---------------------------------------------------------

class NotAMemory(ValueError):
    """The file is not a TMX file we accept; the message says why."""


@dataclass(frozen=True)
class Imported:
    segments: int
    skipped: int


def _language(code: str | None) -> str | None:
    """A TMX language (``ES-ES``, ``pt-BR``, ``en_GB``) as one of ours, else None."""
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip())[0].lower()
    return primary if primary in current_app.config["LANGUAGES"] else None


def import_tmx(data: bytes, origin: str) -> Imported:
    """Add the units of a TMX file (read by translate-toolkit) to the memory: for each
    unit, a segment from its source language (the unit's, else the file's; "*all*": every
    language) into each other language of ours it has. Units in languages we do not speak,
    or without words, are skipped.

    The file is an administrator's own, given on the command line; its DOCTYPE, if any
    (OmegaT writes one), is neither loaded nor used: translate-toolkit's parser loads no
    DTD, resolves no entity and reaches no network.
    Side effects: adds rows, flushes. Raises NotAMemory.
    """
    try:
        store = tmx.tmxfile.parsestring(data)
    except Exception as error:  # lxml and the toolkit raise many kinds; all mean "not TMX"
        raise NotAMemory(f"not a TMX file: {error}") from error
    name = PurePath(origin).name[:200]
    added = skipped = 0
    for unit in store.units:
        texts: dict[str, str] = {}
        for node in unit.getlanguageNodes():
            code = _language(getXMLlang(node))
            if code and code not in texts:
                texts[code] = (unit.getNodeText(node) or "").strip()
        declared = unit.xmlelement.get("srclang") or store.sourcelanguage
        sources = list(texts) if (declared or "").lower() == "*all*" else [_language(declared)]
        pairs = [(source, target) for source in sources if source in texts
                 for target in texts if target != source]
        pairs = [(s, t) for s, t in pairs if words(texts[s]) and texts[t]]
        for source, target in pairs:
            _add(texts[source], texts[target], source, target, origin=name)
        added += len(pairs)
        skipped += not pairs
    db.session.flush()
    return Imported(added, skipped)
