"""The one cut policy for over-long text: where chunks end, and that nothing is lost."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from translator.chunk import split_to_fit
from translator.document import Span
from translator.engine import Translator
from translator.testing import StandInBackend


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
    chunks = [s.of(text) for s in split_to_fit(text, words, 8)]
    assert chunks == ["Eins zwei drei, vier fünf sechs;", "sieben acht neun, zehn elf zwölf."]


def test_commas_are_used_when_there_is_no_stronger_mark():
    text = "a b c d, e f g h, i j k l, m n o p"
    chunks = [s.of(text) for s in split_to_fit(text, words, 8)]
    assert chunks == ["a b c d, e f g h,", "i j k l, m n o p"]


def test_a_spaced_dash_is_a_clause_mark():
    text = "a b c d e – f g h i j"
    chunks = [s.of(text) for s in split_to_fit(text, words, 6)]
    assert chunks == ["a b c d e –", "f g h i j"]


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


def test_every_chunk_fits_and_nothing_is_lost_on_random_text():
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


def chunk_texts(text: str, limit: int, count=words) -> list[str]:
    return [s.of(text) for s in split_to_fit(text, count, limit)]


# (stronger cut, weaker cut): the stronger wins even far from the middle
STRONGER_THAN = [
    ("a;", "b:"),
    ("a:", "b –"),
    ("a --", "b,"),
    ("a —", "b,"),
    ("a,", "b\n"),
    ("a\n", "b"),
]


@pytest.mark.parametrize(("strong", "weak"), STRONGER_THAN)
def test_the_stronger_cut_wins_over_one_nearer_the_middle(strong: str, weak: str) -> None:
    text = f"{strong} x x x x {weak} y y y y y y y"
    assert chunk_texts(text, len(text.split()) - 1)[0] == strong.strip()


def test_a_line_break_is_a_weaker_cut_than_a_comma() -> None:
    text = "ein hart umbrochener Satz\nder weitergeht, und dann\nnoch weiter und weiter geht"
    assert chunk_texts(text, 10)[0] == "ein hart umbrochener Satz\nder weitergeht,"


def test_of_several_cuts_of_one_kind_the_one_nearest_the_middle_wins() -> None:
    text = "a, b c d e f, g h i j k, l"
    assert chunk_texts(text, 8) == ["a, b c d e f,", "g h i j k, l"]


def test_an_unspaced_em_dash_is_a_cut_but_a_hyphen_is_not() -> None:
    assert chunk_texts("Nord-Süd-Achse alt—Ost-West-Achse neu", 2) == [
        "Nord-Süd-Achse alt—",
        "Ost-West-Achse neu",
    ]


def test_a_word_is_never_cut_before_a_combining_mark() -> None:
    text = "a\u0301" * 400
    spans = split_to_fit(text, len, 101)
    assert all(len(s) <= 101 for s in spans)
    assert all(text[s.start] == "a" for s in spans)
    assert "".join(s.of(text) for s in spans) == text


def test_a_single_character_is_never_cut_whatever_it_counts() -> None:
    assert split_to_fit("€", lambda _: 5, 1) == [Span(0, 1)]


def test_only_the_given_span_is_cut() -> None:
    text = "Vorher. eins zwei, drei vier; fünf sechs. Nachher."
    within = Span(8, 41)
    spans = split_to_fit(text, words, 2, within=within)
    assert [s.of(text) for s in spans] == ["eins zwei,", "drei vier;", "fünf sechs."]
    assert_lossless(within.of(text), [Span(s.start - 8, s.end - 8) for s in spans])


def test_the_engine_cuts_an_over_long_sentence_where_split_to_fit_does() -> None:
    """The translator's chunks are split_to_fit's: each is translated on its own, so with the
    stand-in engine every chunk's first word moves to that chunk's end."""
    sentence = (
        "Eins zwei drei vier, fünf sechs sieben acht; neun zehn elf zwölf dreizehn vierzehn "
        "fünfzehn sechzehn siebzehn, achtzehn neunzehn zwanzig\nund einundzwanzig."
    )
    engine = StandInBackend(order="first-to-end")
    translator = Translator(
        backend=engine, max_sentence_tokens=8, cache=False, retry_degenerate=False
    )
    chunks = chunk_texts(sentence, 8, engine.codec.count)
    assert len(chunks) >= 4
    moved = [" ".join(w.upper() for w in [*c.split()[1:], c.split()[0]]) for c in chunks]
    assert translator.translate_text(sentence).target == " ".join(moved)
