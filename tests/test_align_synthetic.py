"""Integration: a tiny Marian trained with guided alignment on a language with known alignments.

The model is built, trained and saved in this session, loaded through the real ``Translator``,
and the reference translations of held-out sentences are forced through it. The links the
project extracts must match the gold links — at the unshifted rows, where the guided head was
trained; reading the shifted rows must be far worse (this catches an off-by-one in row indexing).
"""

from __future__ import annotations

import pytest

from tests.fixtures import synthetic_alignment as synthetic
from translator.align import AlignmentConfig, corpus_aer
from translator.calibrate import force_align

DEFAULT_AER_BELOW = 15.0
SHIFTED_AER_ABOVE = 30.0


@pytest.fixture(scope="session")
def aligned(trained: synthetic.Synthetic):
    from translator import Translator

    return Translator(model=str(trained.directory), backend="torch", beam=1)


def held_out_aer(translator, examples: list[synthetic.Example]) -> float:
    gold = [e.gold() for e in examples]
    with synthetic.single_thread():
        predicted = force_align(translator, gold)
    return corpus_aer([(g.sure, g.possible, p) for g, p in zip(gold, predicted, strict=True)])


def test_the_synthetic_language_has_what_makes_alignment_hard(
    trained: synthetic.Synthetic,
) -> None:
    """Guards the test's own premise: split words, reordering, 1:n, n:1 and unaligned words."""
    examples = trained.held_out
    assert len(examples) >= 150
    assert trained.source_pieces_per_word > 1.5
    assert trained.target_pieces_per_word > 1.2
    crossing = one_to_many = many_to_one = unaligned = 0
    for e in examples:
        links = sorted(e.links)
        crossing += any(s1 < s2 and t1 > t2 for s1, t1 in links for s2, t2 in links)
        sources = [s for s, _ in links]
        targets = [t for _, t in links]
        one_to_many += len(sources) != len(set(sources))
        many_to_one += len(targets) != len(set(targets))
        unaligned += len(set(sources)) < len(e.source)
    assert min(crossing, one_to_many, many_to_one, unaligned) >= len(examples) // 10


def test_guided_head_at_unshifted_rows_recovers_the_gold_links(
    trained: synthetic.Synthetic, aligned
) -> None:
    assert aligned.alignment == AlignmentConfig()
    assert held_out_aer(aligned, trained.held_out) < DEFAULT_AER_BELOW


def test_reading_the_shifted_rows_is_far_worse(trained: synthetic.Synthetic, aligned) -> None:
    from translator import Translator

    shifted = Translator(backend=aligned.backend, alignment=AlignmentConfig(shifted=True))
    default = held_out_aer(aligned, trained.held_out)
    off_by_one = held_out_aer(shifted, trained.held_out)
    assert off_by_one > max(SHIFTED_AER_ABOVE, 2 * default)


def test_forced_links_are_the_links_the_reader_shows(trained: synthetic.Synthetic, aligned) -> None:
    """``force_align`` and a replaced translation in the reader go through the same code."""
    examples = trained.held_out[:6]
    with synthetic.single_thread():
        expected = force_align(aligned, [e.gold() for e in examples])
    for example, links in zip(examples, expected, strict=True):
        german, english = " ".join(example.source), " ".join(example.target)
        with synthetic.single_thread():
            document = aligned.translate_text(german)
            assert len(list(document.sentences)) == 1
            document = aligned.replace_translation(document, 0, english)
        (sentence,) = document.sentences
        assert [w.of(document.target) for w in sentence.target_words] == example.target
        assert [w.of(document.source) for w in sentence.source_words] == example.source
        assert {(link.source, link.target) for link in sentence.links} == links
        assert links  # a trained model links something in every sentence
