"""Unit tests of attention → word links, on hand-made matrices whose right links are known."""

from __future__ import annotations

import numpy as np
import pytest

from translator.align import (
    RULES,
    AlignmentConfig,
    _grow_diag,
    aer,
    corpus_aer,
    links_from_matrix,
    target_rows,
    word_matrix,
)


def matrix_from_links(
    links: set[tuple[int, int]], n_source: int, n_target: int, *, noise: float = 0.05, seed: int = 0
) -> np.ndarray:
    """A word matrix [target, source] whose rows put their mass on the linked source words."""
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(0.0, noise, size=(n_target, n_source))
    for s, t in links:
        matrix[t, s] += 1.0
    return matrix / matrix.sum(axis=1, keepdims=True)


def pairs(links: list[tuple[int, int, float]]) -> set[tuple[int, int]]:
    return {(s, t) for s, t, _ in links}


def no_punctuation(n: int) -> list[bool]:
    return [False] * n


# -- links from a word matrix -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "links", "n_source", "n_target"),
    [
        ("one to one", {(0, 0), (1, 1), (2, 2), (3, 3)}, 4, 4),
        # German "Haustür" ↔ English "house door": one source word, two target words
        ("one German word to two English words", {(0, 0), (1, 1), (1, 2), (2, 3)}, 3, 4),
        # German "ruft … an" ↔ English "calls": two source words, one target word
        ("two German words to one English word", {(0, 0), (1, 1), (2, 2), (3, 1)}, 4, 3),
        # verb-final: "dass er das Buch liest" ↔ "that he reads the book"
        ("reordering", {(0, 0), (1, 1), (2, 3), (3, 4), (4, 2)}, 5, 5),
    ],
)
def test_links_from_noisy_attention_are_the_links_it_was_built_from(
    name: str, links: set[tuple[int, int]], n_source: int, n_target: int
) -> None:
    for seed in range(5):
        matrix = matrix_from_links(links, n_source, n_target, seed=seed)
        # weights split between two German words are ~0.5 each: well above the threshold
        found = links_from_matrix(matrix, no_punctuation(n_target), no_punctuation(n_source))
        assert pairs(found) == links, name


def test_links_carry_their_word_matrix_weight_and_come_sorted() -> None:
    matrix = np.array([[0.1, 0.9], [0.8, 0.2]])
    found = links_from_matrix(matrix, no_punctuation(2), no_punctuation(2))
    assert found == [(0, 1, pytest.approx(0.8)), (1, 0, pytest.approx(0.9))]


# English 0 attends mostly to German 3, which prefers English 3: (3, 0) is a union point far from
# the intersection. German 0 prefers English 0: (0, 0) is a union point next to (1, 1).
FAR = np.array(
    [
        [0.30, 0.00, 0.00, 0.70],
        [0.00, 1.00, 0.00, 0.00],
        [0.00, 0.00, 1.00, 0.00],
        [0.00, 0.00, 0.05, 0.95],
    ]
)


def test_each_rule_combines_the_two_argmax_directions_as_named() -> None:
    by_target = {(3, 0), (1, 1), (2, 2), (3, 3)}  # each English word's best German word
    by_source = {(0, 0), (1, 1), (2, 2), (3, 3)}  # each German word's best English word
    expected = {
        "target": by_target,
        "source": by_source,
        "union": by_target | by_source,
        "intersect": by_target & by_source,
        "grow-diag": {(0, 0), (1, 1), (2, 2), (3, 3)},
    }
    assert set(expected) == set(RULES)
    for rule, links in expected.items():
        found = links_from_matrix(FAR, no_punctuation(4), no_punctuation(4), rule, 0.0)
        assert pairs(found) == links, rule


def test_grow_diag_adds_a_neighbouring_union_point_but_not_a_far_one() -> None:
    grown = pairs(links_from_matrix(FAR, no_punctuation(4), no_punctuation(4), "grow-diag", 0.0))
    assert (0, 0) in grown  # diagonal neighbour of (1, 1); English 0 and German 0 were unaligned
    assert (3, 0) not in grown  # in the union, but next to no aligned point


def test_grow_diag_adds_neighbours_only_for_words_still_unaligned() -> None:
    # (0, 1) and (1, 0) neighbour the alignment but join two words that are both aligned
    # already; (2, 2) neighbours (1, 1) and covers two unaligned words; (3, 0) is far away.
    alignment = {(0, 0), (1, 1)}
    union = alignment | {(0, 1), (1, 0), (2, 2), (3, 0)}
    assert _grow_diag(alignment, union) == {(0, 0), (1, 1), (2, 2)}
    # one unaligned side is enough: English 2 is aligned to German 2, German 3 is not
    assert _grow_diag({(2, 2)}, {(2, 2), (2, 3)}) == {(2, 2), (2, 3)}
    assert _grow_diag(set(), union) == set()


def test_a_weak_word_stays_unaligned_under_the_threshold() -> None:
    matrix = np.full((3, 10), 0.01)
    matrix[0, 0] = matrix[1, 1] = 0.91
    matrix[2] = 0.1  # English 2 spreads its attention evenly: its best German word gets 0.1
    found = links_from_matrix(matrix, no_punctuation(3), no_punctuation(10), "union", 0.15)
    assert pairs(found) == {(0, 0), (1, 1)}
    every = links_from_matrix(matrix, no_punctuation(3), no_punctuation(10), "union", 0.0)
    assert 2 in {t for _, t, _ in every}  # the threshold, not the rule, left it out


def test_punctuation_never_links_to_a_word_but_final_stops_link() -> None:
    # German "Ja , gut ." ↔ English "Yes , fine ."; the English comma attends to the word "gut"
    # and the word "fine" to the German comma: both links are refused in every rule.
    source_punctuation = [False, True, False, True]
    target_punctuation = [False, True, False, True]
    matrix = np.array(
        [
            [0.90, 0.05, 0.03, 0.02],
            [0.05, 0.10, 0.80, 0.05],  # English comma → mostly the word "gut"
            [0.05, 0.80, 0.10, 0.05],  # "fine" → mostly the German comma
            [0.02, 0.03, 0.05, 0.90],
        ]
    )
    for rule in RULES:
        found = links_from_matrix(matrix, target_punctuation, source_punctuation, rule, 0.0)
        assert pairs(found) == {(0, 0), (1, 1), (2, 2), (3, 3)}, rule
    # what is left for the comma and "fine" is weak: by default they stay unaligned
    default = links_from_matrix(matrix, target_punctuation, source_punctuation)
    assert pairs(default) == {(0, 0), (3, 3)}


def test_a_word_with_only_punctuation_to_look_at_stays_unaligned() -> None:
    matrix = np.array([[0.5, 0.5]])
    assert links_from_matrix(matrix, [False], [True, True], "union", 0.0) == []


def test_empty_inputs_give_no_links() -> None:
    assert links_from_matrix(np.zeros((0, 3)), [], no_punctuation(3)) == []
    assert links_from_matrix(np.zeros((3, 0)), no_punctuation(3), []) == []
    assert links_from_matrix(np.zeros((0, 0)), [], []) == []
    assert links_from_matrix(np.zeros((2, 2)), no_punctuation(2), no_punctuation(2)) == []


# -- rows: which decoder step stands for which target piece ----------------------------------


def decoder_attention(producing: list[int], n_source: int) -> np.ndarray:
    """Attention [len(target) + 1, n_source + 1] whose row t produces target piece t.

    ``producing[t]`` is the source piece target piece t comes from; the last row produces
    ``</s>`` and looks at the source ``</s>`` (the last column).
    """
    attention = np.full((len(producing) + 1, n_source + 1), 0.01)
    for row, source in enumerate(producing):
        attention[row, source] = 1.0
    attention[-1, -1] = 1.0
    return attention / attention.sum(axis=1, keepdims=True)


def test_unshifted_rows_are_the_steps_that_produce_each_piece() -> None:
    producing = [2, 0, 1]
    attention = decoder_attention(producing, 3)
    rows = target_rows(attention, n_target=3, n_source=3, shifted=False)
    assert rows.shape == (3, 3)
    assert list(rows.argmax(axis=1)) == producing
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)  # </s> column dropped, renormalised


def test_shifted_rows_are_the_steps_that_read_each_piece() -> None:
    producing = [2, 0, 1]
    # a model whose row t + 1 holds piece t's alignment (what "shifted" assumes)
    attention = np.vstack([np.full((1, 4), 0.25), decoder_attention(producing, 3)[:-1]])
    shifted = target_rows(attention, n_target=3, n_source=3, shifted=True)
    assert list(shifted.argmax(axis=1)) == producing
    unshifted = target_rows(attention, n_target=3, n_source=3, shifted=False)
    assert list(unshifted.argmax(axis=1)) != producing


def test_reading_the_wrong_rows_gives_wrong_links() -> None:
    # a monotone 4-word sentence, one piece per word, correct rows unshifted: the shifted read
    # is off by one and links each English word to the next German word
    producing = [0, 1, 2, 3]
    attention = decoder_attention(producing, 4)
    owners = [0, 1, 2, 3]
    right = word_matrix(target_rows(attention, 4, 4, shifted=False), owners, owners, 4, 4)
    wrong = word_matrix(target_rows(attention, 4, 4, shifted=True), owners, owners, 4, 4)
    expected = {(0, 0), (1, 1), (2, 2), (3, 3)}
    assert pairs(links_from_matrix(right, no_punctuation(4), no_punctuation(4))) == expected
    shifted_links = pairs(links_from_matrix(wrong, no_punctuation(4), no_punctuation(4)))
    assert shifted_links.isdisjoint(expected)
    assert {(1, 0), (2, 1), (3, 2)} <= shifted_links


def test_a_shifted_read_has_no_row_for_the_last_piece_past_the_end() -> None:
    attention = decoder_attention([0, 1], 2)[:2]  # only two rows for two pieces: </s> row missing
    rows = target_rows(attention, n_target=2, n_source=2, shifted=True)
    assert rows.shape == (2, 2)
    np.testing.assert_array_equal(rows[1], 0.0)


def test_rows_of_an_empty_target_are_empty() -> None:
    attention = decoder_attention([], 3)
    assert target_rows(attention, 0, 3, shifted=False).shape == (0, 3)
    assert word_matrix(np.zeros((0, 3)), [], [0, 0, 1], 0, 2).shape == (0, 2)


# -- pieces → words ---------------------------------------------------------------------------


def test_word_matrix_sums_a_german_words_pieces_and_averages_an_english_words() -> None:
    # German "Haus|tür zu" (pieces of words 0, 0, 1) ↔ English "door clo|ses" (words 0, 1, 1)
    pieces = np.array(
        [
            [0.3, 0.6, 0.1],  # "door": 0.9 on the compound, spread over its two pieces
            [0.1, 0.1, 0.8],  # "clo": 0.2 on the compound, 0.8 on "zu"
            [0.3, 0.1, 0.6],  # "ses": 0.4 and 0.6
        ]
    )
    matrix = word_matrix(pieces, [0, 1, 1], [0, 0, 1], n_target_words=2, n_source_words=2)
    # German pieces summed (0.3 + 0.6), English pieces averaged ((0.2 + 0.4) / 2)
    np.testing.assert_allclose(matrix, [[0.9, 0.1], [0.3, 0.7]])


def test_word_matrix_ignores_pieces_that_belong_to_no_word() -> None:
    pieces = np.array([[0.5, 0.5], [0.4, 0.6]])
    # source piece 1 is a bare "▁" (no word); target piece 0 likewise
    matrix = word_matrix(pieces, [None, 0], [0, None], n_target_words=1, n_source_words=1)
    np.testing.assert_allclose(matrix, [[0.4]])


def test_a_word_without_pieces_has_an_all_zero_row() -> None:
    pieces = np.array([[1.0, 0.0]])
    matrix = word_matrix(pieces, [0], [0, 1], n_target_words=2, n_source_words=2)
    np.testing.assert_allclose(matrix, [[1.0, 0.0], [0.0, 0.0]])


# -- alignment error rate ---------------------------------------------------------------------


def test_aer_of_a_hand_computed_example() -> None:
    sure = {(0, 0), (1, 1), (2, 2)}
    possible = {(2, 3)}  # possible only; sure links count as possible too
    predicted = {(0, 0), (1, 1), (2, 3), (3, 3)}
    # |A∩S| = 2 ((0,0),(1,1)); |A∩P| with P = S ∪ {(2,3)}: 3; |A| = 4; |S| = 3
    # AER = 1 − (2 + 3) / (4 + 3) = 2/7 = 28.571… %
    assert aer(sure, possible, predicted) == pytest.approx(100 * 2 / 7)


def test_aer_is_zero_for_the_sure_links_and_one_hundred_for_disjoint_ones() -> None:
    sure = {(0, 0), (1, 1)}
    assert aer(sure, set(), sure) == 0.0
    assert aer(sure, {(0, 1)}, sure | {(0, 1)}) == 0.0  # a possible link costs nothing
    assert aer(sure, set(), {(0, 1), (1, 0)}) == 100.0


def test_aer_of_empty_sets() -> None:
    assert aer(set(), set(), set()) == 0.0
    assert aer({(0, 0)}, set(), set()) == 100.0  # nothing predicted: all recall lost
    assert aer(set(), set(), {(0, 0)}) == 100.0


def test_corpus_aer_sums_counts_before_dividing() -> None:
    first = ({(0, 0), (1, 1), (2, 2)}, {(2, 3)}, {(0, 0), (1, 1), (2, 3), (3, 3)})
    second = ({(0, 0)}, set(), {(0, 0)})
    # first: |A∩S| 2, |A∩P| 3, |A| 4, |S| 3; second: 1, 1, 1, 1
    # corpus AER = 1 − (2 + 3 + 1 + 1) / (4 + 3 + 1 + 1) = 1 − 7/9 = 22.2… %
    assert corpus_aer([first, second]) == pytest.approx(100 * 2 / 9)
    # not the mean of the sentence AERs (28.6 and 0 → 14.3)
    assert corpus_aer([first, second]) != pytest.approx((aer(*first) + aer(*second)) / 2)
    assert corpus_aer([first]) == pytest.approx(aer(*first))


def test_corpus_aer_of_no_sentences_is_zero() -> None:
    assert corpus_aer([]) == 0.0
    assert corpus_aer([(set(), set(), set())]) == 0.0


# -- configuration ----------------------------------------------------------------------------


def test_default_configuration_is_the_guided_head() -> None:
    config = AlignmentConfig()
    assert (config.layer, config.heads, config.shifted, config.rule) == (
        -1,
        (0,),
        False,
        "grow-diag",
    )


@pytest.mark.parametrize("rule", ["grow-diag-final", "GROW-DIAG", "", "argmax"])
def test_configuration_rejects_an_unknown_rule(rule: str) -> None:
    with pytest.raises(ValueError, match="unknown link rule"):
        AlignmentConfig(rule=rule)


@pytest.mark.parametrize("threshold", [-0.01, 1.01, float("nan")])
def test_configuration_rejects_a_threshold_outside_zero_to_one(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        AlignmentConfig(threshold=threshold)


@pytest.mark.parametrize("rule", RULES)
def test_configuration_accepts_every_rule_and_the_threshold_bounds(rule: str) -> None:
    assert AlignmentConfig(rule=rule, threshold=0.0).rule == rule
    assert AlignmentConfig(rule=rule, threshold=1.0).threshold == 1.0
