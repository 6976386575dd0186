from __future__ import annotations

import random
from itertools import pairwise

import pytest

from translator.chunk import split_to_fit


def words(text: str) -> int:
    return len(text.split())


def assert_lossless(text, spans):
    assert [s for s in spans if s.start >= s.end] == []
    assert all(a.end <= b.start for a, b in pairwise(spans))
    covered = "".join(s.of(text) for s in spans)
    assert "".join(covered.split()) == "".join(text.split())
    for left, right in pairwise(spans):
        assert text[left.end : right.start].strip() == ""
    for s in spans:
        assert s.of(text) == s.of(text).strip()


def test_a_short_sentence_stays_whole():
    text = "Das ist kurz."
    assert [s.of(text) for s in split_to_fit(text, words, 10)] == [text]


def test_a_long_sentence_is_cut_at_the_strongest_clause_mark():
    text = "Eins zwei drei, vier fünf sechs; sieben acht neun, zehn elf zwölf."
    pieces = [s.of(text) for s in split_to_fit(text, words, 8)]
    assert pieces == ["Eins zwei drei, vier fünf sechs;", "sieben acht neun, zehn elf zwölf."]


def test_commas_are_used_when_there_is_no_stronger_mark():
    text = "a b c d, e f g h, i j k l, m n o p"
    pieces = [s.of(text) for s in split_to_fit(text, words, 8)]
    assert pieces == ["a b c d, e f g h,", "i j k l, m n o p"]


def test_a_spaced_dash_is_a_clause_mark():
    text = "a b c d e – f g h i j"
    pieces = [s.of(text) for s in split_to_fit(text, words, 6)]
    assert pieces == ["a b c d e –", "f g h i j"]


def test_a_hyphenated_word_is_not_a_clause_mark():
    text = "US-Präsident Nord-Korea Süd-Korea Ost-West Nord-Süd"
    spans = split_to_fit(text, words, 3)
    assert all("-" not in text[s.end - 1 : s.end] for s in spans)
    assert_lossless(text, spans)


def test_word_boundaries_are_the_fallback():
    text = " ".join(f"wort{i}" for i in range(50))
    spans = split_to_fit(text, words, 10)
    assert all(words(s.of(text)) <= 10 for s in spans)
    assert all(not s.of(text).startswith(("ort", "rt")) for s in spans)
    assert_lossless(text, spans)


def test_text_without_whitespace_is_cut_inside_the_word_as_last_resort():
    text = "x" * 1000
    spans = split_to_fit(text, len, 300)
    assert all(len(s) <= 300 for s in spans)
    assert sum(len(s) for s in spans) == 1000


def test_every_piece_fits_and_nothing_is_lost_on_random_text():
    rng = random.Random(7)
    tokens = ["Haus", "und", ",", ";", ":", "–", "-", "Satz", "\n", "  ", "Ä", "x" * 30]
    for _ in range(200):
        text = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 120)))
        spans = split_to_fit(text, words, rng.randint(1, 20))
        assert_lossless(text, spans)


def test_whitespace_only_gives_nothing():
    assert split_to_fit(" \n\t ", words, 5) == []


def test_limit_must_be_positive():
    with pytest.raises(ValueError):
        split_to_fit("abc", words, 0)
