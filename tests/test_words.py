"""Words for alignment: what a word is, and which words each model piece covers."""

from __future__ import annotations

import pytest

from tests.fixtures.texts import NORMALISED
from translator.words import is_punctuation, pieces_to_words, word_spans


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("US-Präsident trifft 3.000 Fans.", ["US-Präsident", "trifft", "3.000", "Fans", "."]),
        ("„Geht's?“, fragte er.", ["„", "Geht's", "?", "“", ",", "fragte", "er", "."]),
        ("Cafe\u0301 🙂", ["Cafe\u0301", "🙂"]),
        ("Ein </s> hier", ["Ein", "<", "/", "s", ">", "hier"]),
        ("  ", []),
    ],
)
def test_word_spans_separate_words_and_marks(text, words):
    assert [w.of(text) for w in word_spans(text)] == words


def test_punctuation_is_only_punctuation():
    assert is_punctuation("„") and is_punctuation(".") and is_punctuation("–")
    assert not is_punctuation("Fans") and not is_punctuation("🙂") and not is_punctuation("")


@pytest.mark.parametrize("text", NORMALISED)
def test_every_piece_lands_on_the_word_at_its_characters(translator, text):
    encoded = translator.backend.codec.encode(text)
    words = word_spans(text)
    owners = pieces_to_words(encoded.offsets, words)
    assert len(owners) == encoded.n_pieces
    covered = set()
    for (start, end), owned in zip(encoded.offsets, owners, strict=True):
        if not owned:
            assert text[start:end].strip() == "", "only whitespace pieces may have no word"
        for owner in owned:
            word = words[owner]
            overlaps = max(start, word.start) < min(end, word.end)
            assert overlaps or (start == end and word.start <= start < word.end)
            covered.add(owner)
    assert covered == set(range(len(words))), "every word gets at least one piece"
