from __future__ import annotations

import pytest

from translator.degenerate import (
    COPY,
    REPETITION,
    TOO_LONG,
    TOO_SHORT,
    Candidate,
    better,
    is_copy,
    longest_runs,
    problems,
)

GERMAN = "Die Gespräche seien nicht weit genug gediehen, sagte Trump im Weißen Haus."
ENGLISH = "The talks had not progressed far enough, Trump said at the White House."


def test_a_faithful_translation_has_no_problems():
    assert problems(GERMAN, ENGLISH) == []


@pytest.mark.parametrize(
    "looping",
    [
        "The talks talks talks talks had not progressed.",  # one word
        "The talks had, had, had, had not progressed far enough.",  # a phrase of two
        "The White House, the White House, the White House said.",  # a phrase of three
        "The talks had not progressed far enough, Trump said at the White House. "
        "The talks had not progressed far enough.",  # the sentence said twice
        "The talksomentomentomentoment had not progressed.",  # pieces looping inside a word
    ],
)
def test_repetition_loops_are_detected(looping):
    assert REPETITION in problems(GERMAN, looping)


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Nein, nein, nein, nein!", "No, no, no, no!"),  # the source repeats itself
        ("Das kostet 1.000.000.000.000 Euro.", "That costs 1.000.000.000.000 euros."),
        ("Sehr, sehr gut.", "Very, very good."),  # a repeat short of a loop
        ("Er kam, sah und siegte.", "He came, he saw, he conquered."),
    ],
)
def test_repetition_the_source_has_or_normal_emphasis_is_no_loop(german, english):
    assert REPETITION not in problems(german, english)


def test_longest_runs_count_back_to_back_repeats_per_phrase_length():
    runs = longest_runs("a b a b a b c c".split())
    assert runs[1] == 2 and runs[2] == 3 and runs[3] == 1


def test_far_too_long_and_far_too_short_outputs_are_flagged():
    assert TOO_LONG in problems(GERMAN, ENGLISH + " " + "And then some more words. " * 4)
    assert TOO_SHORT in problems(GERMAN, "The talks.")


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Ja.", "Yes, of course, indeed."),
        ("Ja.", "Y"),
        ("Nein danke.", "No."),
        ("Bundesverfassungsgerichtsentscheidung", "Federal Constitutional Court decision"),
        ("Guten Morgen!", "Good morning to all of you!"),
    ],
)
def test_short_sentences_are_not_flagged_for_their_length(german, english):
    assert problems(german, english) == []


def test_a_german_sentence_handed_back_is_a_copy():
    assert problems(GERMAN, GERMAN) == [COPY]
    half = "The talks seien nicht weit genug gediehen, sagte Trump im Weißen Haus."
    assert is_copy(GERMAN, half)  # a near-copy


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Donald Trump und Kim Jong Un.", "Donald Trump and Kim Jong Un."),  # similar letters
        ('Er sagte: "I have a dream."', 'He said, "I have a dream."'),
        ("I have a dream and a plan.", "I have a dream and a plan."),  # English: rightly copied
        ("FC Bayern München", "FC Bayern München"),  # a name: too few words
    ],
)
def test_legitimate_copies_and_cognates_are_no_copy(german, english):
    assert not is_copy(german, english)


def test_fewer_problems_win_then_the_higher_score_and_a_tie_keeps_the_first():
    loop = Candidate([REPETITION, TOO_LONG], score=-0.1)
    copy = Candidate([COPY], score=-2.0)
    assert better(loop, copy) is copy and better(copy, loop) is copy
    likely = Candidate([COPY], score=-0.5)
    assert better(copy, likely) is likely and better(likely, copy) is likely
    unscored = Candidate([COPY], score=None)
    assert better(unscored, copy) is copy and better(copy, unscored) is copy
    twin = Candidate([COPY], score=-2.0)
    assert better(copy, twin) is copy
