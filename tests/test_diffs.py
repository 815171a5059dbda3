"""The word-level diff: it rebuilds both texts, keeps a word that only gained a neighbour,
and marks what went and what came."""

from hypothesis import given
from hypothesis import strategies as st

from agmtool import diffs

TEXTS = st.text(alphabet=st.sampled_from("ab c\n.é"), max_size=40)


@given(TEXTS, TEXTS)
def test_the_kept_and_added_pieces_are_the_new_text(old, new):
    pieces = diffs.words(old, new)
    shown = "".join(p.text for p in pieces if p.kind != "removed")
    assert (shown.rstrip(), shown.split()) == (new.rstrip(), new.split())


@given(TEXTS, TEXTS)
def test_the_kept_and_removed_pieces_hold_the_old_words(old, new):
    pieces = diffs.words(old, new)
    assert "".join(p.text for p in pieces if p.kind != "added").split() == old.split()


@given(TEXTS, TEXTS)
def test_no_piece_runs_into_the_next(old, new):
    pieces = [p.text for p in diffs.words(old, new)]
    assert all(text[-1:].isspace() or not text or not following[:1].strip()
               for text, following in zip(pieces, pieces[1:], strict=False))


def test_a_word_followed_by_new_words_is_kept():
    assert diffs.words("el agua", "el agua turbia") == [
        diffs.Piece("kept", "el agua "), diffs.Piece("added", "turbia")]


def test_a_changed_word_is_removed_then_added():
    assert diffs.words("the river is brown", "the river is red") == [
        diffs.Piece("kept", "the river is "), diffs.Piece("removed", "brown "),
        diffs.Piece("added", "red")]
