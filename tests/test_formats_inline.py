"""Mark transfer: each mark follows its own words wherever they land, nothing dropped or emptied."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator import Translator
from translator.document import Span
from translator.formats.inline import Mark, pieces, render, transfer
from translator.testing import StandInBackend

from .fixtures.documents import make_document, upper

TRANSLATORS: dict[str, Translator] = {}


def translated(plain: str, order: str = "keep"):
    """The unit ``plain`` through the real pipeline with the word-by-word stand-in."""
    if order not in TRANSLATORS:
        engine = StandInBackend(order)
        TRANSLATORS[order] = Translator(backend=engine, cache=False, retry_degenerate=False)
    return TRANSLATORS[order].translate_text(plain, paragraphs=[Span(0, len(plain))])


def moved(plain: str, marks: list[Mark], order: str = "keep", document=None) -> str:
    """The unit's English with the marks written as their literals."""
    document = document or translated(plain, order)
    english, out = transfer(document, Span(0, len(plain)), document.paragraphs[0], marks)
    check_nesting(english, out)
    return render(english, out, lambda chunk, _: chunk)


def check_nesting(english: str, marks: list[Mark]) -> None:
    """Parents come first and hold their children; no piece starts or ends with a space."""
    for i, mark in enumerate(marks):
        if mark.parent is not None:
            parent = marks[mark.parent]
            assert mark.parent < i
            assert parent.start <= mark.start and mark.end <= parent.end
        if not mark.atom and mark.end > mark.start:
            piece = english[mark.start : mark.end]
            assert piece == piece.strip(), piece


def bold(start: int, end: int, parent: int | None = None) -> Mark:
    return Mark(start, end, "<b>", "</b>", key="b", parent=parent)


def link(start: int, end: int, name: str = "a", parent: int | None = None) -> Mark:
    return Mark(start, end, f"<{name}>", f"</{name}>", key=name, essential=True, parent=parent)


GESTERN = "Gestern hat er das Buch gelesen."


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("keep", "<b>GESTERN</b> HAT ER DAS <a>BUCH</a> GELESEN."),
        ("first-to-end", "HAT ER DAS <a>BUCH</a> GELESEN. <b>GESTERN</b>"),
        ("reverse", ". GELESEN <a>BUCH</a> DAS ER HAT <b>GESTERN</b>"),
    ],
)
def test_each_mark_follows_its_own_words_wherever_they_land(order, expected):
    marks = [bold(0, 7), link(19, 23)]
    assert moved(GESTERN, marks, order) == expected


def test_a_mark_whose_words_part_comes_out_in_pieces():
    marks = [bold(0, 11)]  # "Gestern hat": the stand-in moves "Gestern" to the end
    assert moved(GESTERN, marks, "first-to-end") == "<b>HAT</b> ER DAS BUCH GELESEN. <b>GESTERN</b>"


def test_marks_nest_differently_when_their_words_cross():
    marks = [bold(0, 14), link(8, 18)]  # "Gestern hat er" and "hat er das"
    assert moved(GESTERN, marks, "reverse") == (
        ". GELESEN BUCH <a>DAS <b>ER HAT</b></a> <b>GESTERN</b>"
    )


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_a_link_over_a_whole_sentence_leaves_its_full_stop_outside(order):
    plain = "Dieses Projekt steht unter der MIT-Lizenz."
    written = moved(plain, [link(0, len(plain) - 1)], order)
    assert "." not in written[written.index("<a>") : written.index("</a>")]
    assert written.replace("<a>", "").replace("</a>", "").count(".") == 1


def test_a_link_whose_words_were_not_aligned_still_gets_words():
    plain = "Lies das Buch heute."
    english = "Read the book today."
    document = make_document(plain, None, lambda g: (english, [(0, 0), (1, 1), (3, 3)]))
    written = moved(plain, [link(9, 13)], document=document)  # "Buch" aligned to nothing
    assert "<a></a>" not in written and "<a>" in written
    assert written.replace("<a>", "").replace("</a>", "") == english


def test_two_links_aligned_to_one_english_word_both_keep_text():
    plain = "Lies Buch und Heft jetzt."
    english = "Read book and notebook now."
    links = [(0, 0), (1, 1), (3, 1), (2, 2), (4, 4)]  # "Heft" also to "book"
    document = make_document(plain, None, lambda g: (english, links))
    written = moved(plain, [link(5, 9, "a"), link(14, 18, "i")], document=document)
    for name in ("a", "i"):
        inside = written[written.index(f"<{name}>") + 3 : written.index(f"</{name}>")]
        assert inside.strip()


@pytest.mark.parametrize("order", ["keep", "reverse"])
@pytest.mark.parametrize(
    ("plain", "start", "end", "expected"),
    [
        ("Die Fläche ist 20 m2 groß.", 19, 20, "M<b>2</b>"),
        ("Nach Freeman1 ist das so.", 12, 13, "FREEMAN<b>1</b>"),
        ("Text abcdefg hier.", 8, 10, "ABC<b>DE</b>FG"),
    ],
)
def test_sub_word_marks_stay_on_their_own_characters(order, plain, start, end, expected):
    assert expected in moved(plain, [bold(start, end)], order)


def test_a_digit_mark_finds_its_characters_in_a_translated_word():
    plain = "Die Fläche ist 20 m2 groß."
    document = make_document(plain, None, lambda g: ("The area is 20 sqm2.", None))
    assert "sqm<b>2</b>" in moved(plain, [bold(19, 20)], document=document)


def test_two_links_written_together_stay_two_links_with_their_text():
    plain = "GrundeinkommenBerlin"
    assert moved(plain, [link(0, 14, "a"), link(14, 20, "i")]) == (
        "<a>GRUNDEINKOMMEN</a><i>BERLIN</i>"
    )
    document = make_document(
        plain + ".", None, lambda g: ("basic income Berlin.", [(0, 0), (0, 1), (0, 2)])
    )
    written = moved(plain + ".", [link(0, 14, "a"), link(14, 20, "i")], document=document)
    assert written == "<a>basic income</a> <i>Berlin</i>."


def test_a_link_around_only_code_is_kept_whole_with_its_spacing():
    plain = "oder , um"  # "oder [`tmux`](url), um": the link holds only the code span
    marks = [
        Mark(5, 5, "[", "](url)", key="link", essential=True),
        Mark(5, 5, "`tmux`", atom=True, essential=True, parent=0),
    ]
    assert moved(plain, marks) == "ODER [`tmux`](url), UM"
    assert "[`tmux`](url)" in moved(plain, marks, "reverse")


@pytest.mark.parametrize(
    ("order", "expected"),
    [("keep", "SIEHE FREEMAN[1] HIER."), ("reverse", ". HIER FREEMAN[1] SIEHE")],
)
def test_an_atom_follows_the_word_it_touches(order, expected):
    plain = "Siehe Freeman hier."
    assert moved(plain, [Mark(13, 13, "[1]", atom=True)], order) == expected


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_an_atom_apart_from_all_but_its_word_stays_outside_that_words_brackets(order):
    """An image before a word (a space before it) or a note mark after one (a space after it)
    goes before or after the English word with its opening or closing marks, not inside them."""
    plain = "Siehe Bild hier."
    engine = StandInBackend(order, transform=lambda word: f"({word.upper()})")
    translator = Translator(backend=engine, cache=False, retry_degenerate=False)
    document = translator.translate_text(plain, paragraphs=[Span(0, len(plain))])
    written = moved(plain, [Mark(6, 6, "<img>", atom=True)], order, document)
    assert "<img>(BILD)" in written
    written = moved(plain, [Mark(10, 10, "[1]", atom=True)], order, document)
    assert "(BILD)[1]" in written
    apart = "Siehe Bild  hier."  # an atom between two spaces goes beside a word, not into it
    document = translator.translate_text(apart, paragraphs=[Span(0, len(apart))])
    written = moved(apart, [Mark(11, 11, "<img>", atom=True)], order, document)
    assert "(BILD) <img>" in written or "<img> (HIER)" in written, written
    glued = "Siehe (Bild) hier."  # glued to the bracket in German: inside it in English too
    assert moved(glued, [Mark(7, 7, "<img>", atom=True)]) == "SIEHE (<img>BILD) HIER."


def test_an_atom_stays_inside_the_link_that_held_it():
    plain = "Lies die Anleitung hier."
    marks = [link(5, 18), Mark(18, 18, "<img>", atom=True, parent=0)]
    for order in ("keep", "reverse"):
        written = moved(plain, marks, order)
        assert written.count("<a>") == 1
        assert written.index("<a>") < written.index("<img>") < written.index("</a>")


def test_a_line_break_never_ends_up_at_the_start_or_end():
    plain = "foo bar"
    marks = [Mark(3, 3, "\\\n", atom=True)]
    written = moved(plain + ".", marks, "reverse")
    assert written.strip()[0] != "\\" and not written.rstrip(".").rstrip().endswith("\\")


def test_without_alignment_bold_is_dropped_and_links_are_placed():
    plain = "Mehr dazu hier im Text und dort."  # "… im **Text** und [dort](x)."
    document = make_document(plain, None, upper)
    written = moved(plain, [bold(18, 22), link(27, 31)], document=document)
    assert written == "MEHR DAZU HIER IM TEXT UND <a>DORT</a>."


def test_a_sentence_that_came_back_unchanged_keeps_every_mark_in_place():
    plain = "Version 2.0 von ACME GmbH."
    document = make_document(plain, None, lambda g: (g, None))
    assert moved(plain, [bold(8, 11), link(16, 20)], document=document) == (
        "Version <b>2.0</b> von <a>ACME</a> GmbH."
    )


def test_no_mark_over_words_is_lost_when_words_move():
    plain = "Der schnelle braune Fuchs springt über den faulen Hund."
    marks = [bold(4, 12), link(13, 19), bold(20, 25), link(34, 38, "i"), bold(43, 49)]
    for order in ("keep", "first-to-end", "reverse"):
        written = moved(plain, marks, order)
        assert written.count("<b>") >= 3 and written.count("<a>") >= 1 and "<i>" in written
        assert "<a></a>" not in written and "<i></i>" not in written


def test_pieces_give_each_character_the_key_of_its_innermost_mark():
    marks = [Mark(0, 9, key="outer"), Mark(4, 7, key="inner", parent=0)]
    assert pieces("abcdefghijk", marks, "base") == [
        ("abcd", "outer"),
        ("efg", "inner"),
        ("hi", "outer"),
        ("jk", "base"),
    ]


def test_transfer_grows_linearly_with_the_marks_in_a_paragraph():
    def cost(n: int) -> float:
        plain = " ".join(f"Wort{i}" for i in range(n)) + "."
        marks = []
        for i in range(n):
            at = plain.index(f"Wort{i} ") if i < n - 1 else plain.index(f"Wort{i}.")
            marks.append(bold(at, at + len(f"Wort{i}")) if i % 2 else link(at, at + 4))
        document = translated(plain, "reverse")
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            english, out = transfer(document, Span(0, len(plain)), document.paragraphs[0], marks)
            render(english, out, lambda chunk, _: chunk)
            best = min(best, time.process_time() - start)
        return best

    small, large = cost(150), cost(600)
    assert large < 12 * max(small, 1e-3)  # linear: about 4; quadratic: about 16


WORDS = st.sampled_from(["Haus", "Baum", "gelb", "und", "Köln", "2024", "m2", "ist", ","])


@st.composite
def unit_with_marks(draw):
    words = draw(st.lists(WORDS, min_size=2, max_size=9))
    plain = " ".join(words) + "."
    bounds = [0]
    for w in words:
        bounds.append(bounds[-1] + len(w) + 1)
    marks: list[Mark] = []
    k = 0
    while k < len(words):
        span = draw(st.integers(1, 3))
        if draw(st.booleans()) and k + span <= len(words):
            start, end = bounds[k], bounds[k + span] - 1
            essential = draw(st.booleans())
            marks.append(link(start, end) if essential else bold(start, end))
            if span > 1 and draw(st.booleans()):
                marks.append(bold(start, bounds[k + 1] - 1, parent=len(marks) - 1))
            k += span
        else:
            k += 1
    return plain, marks


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_with_marks(), st.sampled_from(["keep", "first-to-end", "reverse"]))
def test_every_mark_survives_reordering_well_nested_and_links_keep_text(case, order):
    plain, marks = case
    document = translated(plain, order)
    english, out = transfer(document, Span(0, len(plain)), document.paragraphs[0], marks)
    check_nesting(english, out)
    for mark in marks:  # every mark is still there, and none is empty
        found = [m for m in out if m.open == mark.open and m.key == mark.key]
        assert found
        if mark.essential:
            assert any(english[m.start : m.end].strip() for m in found)
    text = render(english, out, lambda chunk, _: chunk)
    for tag in ("<a>", "<b>"):
        assert text.count(tag) == text.count(tag.replace("<", "</"))


@pytest.mark.parametrize(
    "order, expected",
    [
        ("keep", "<a>NEUE ABC</a><i>DE</i>FG HIER"),
        ("first-to-end", "<a>ABC</a><i>DE</i>FG HIER <a>NEUE</a>"),
        ("reverse", "HIER <a>ABC</a><i>DE</i>FG <a>NEUE</a>"),
    ],
)
def test_a_link_never_reaches_over_part_of_a_word_placed_for_another_link(order, expected):
    """One link over ``Neue abc``, another over the ``de`` of ``abcdefg``: where the words move
    apart, the first link's pieces are not joined over the second's letters (a link inside a
    link, and a character in two links)."""
    assert moved("Neue abcdefg hier", [link(0, 8, "a"), link(8, 10, "i")], order) == expected


@pytest.mark.parametrize(
    "order, expected",
    [
        ("keep", "ER LAS DAS <b>BUCH UND ZEITUNGS</b>ARTIKEL."),
        ("reverse", ". <b>ZEITUNGS</b>ARTIKEL <b>UND BUCH</b> DAS LAS ER"),
    ],
)
def test_a_mark_over_part_of_a_word_is_not_joined_over_the_rest_of_it(order, expected):
    """Bold over ``Buch und Zeitungs`` (of ``Zeitungsartikel``): where the words turn round, the
    bold pieces are not joined over ``ARTIKEL``, which was never bold."""
    plain = "Er las das Buch und Zeitungsartikel."
    assert moved(plain, [bold(11, 28)], order) == expected
