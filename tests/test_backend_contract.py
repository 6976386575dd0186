"""What every engine must give the Document: the same tests, run on torch and on CTranslate2
(float32, the same arithmetic as torch, and int8, the CPU default)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures.compare import (
    TRICKY,
    assert_invariants,
    assert_same_document,
    assert_words_and_links_valid,
)
from tests.fixtures.recording import RecordingBackend
from translator import Translator


@pytest.fixture(params=["torch", "ctranslate2:float32", "ctranslate2:int8"])
def engine(request) -> Translator:
    return request.getfixturevalue(
        {
            "torch": "translator",
            "ctranslate2:float32": "ct2_float32",
            "ctranslate2:int8": "ct2_int8",
        }[request.param]
    )


def test_seed_article_keeps_every_character_in_exactly_one_sentence(engine, seed_text):
    document = engine.translate_text(seed_text)
    assert_invariants(document, seed_text)
    assert_words_and_links_valid(document)
    assert len(document.paragraphs) == seed_text.strip().count("\n\n") + 1
    assert sum(1 for _ in document.sentences) >= 20


def test_tricky_text_keeps_its_invariants(engine):
    document = engine.translate_text(TRICKY)
    assert_invariants(document, TRICKY)
    assert_words_and_links_valid(document)


@pytest.mark.parametrize("beam", [1, 4])
def test_batched_translation_equals_one_by_one(engine, seed_text, beam):
    batched = RecordingBackend(engine.backend)
    document = Translator(backend=batched, beam=beam).translate_text(seed_text, alternatives=2)
    assert max(len(b) for b in batched.batches) > 1, "the test needs real batches"
    single = RecordingBackend(engine.backend)
    alone = Translator(backend=single, beam=beam, max_batch_size=1).translate_text(
        seed_text, alternatives=2
    )
    assert max(len(b) for b in single.batches) == 1
    english = [en for _, en in document.pairs()]
    assert len(set(english)) > len(english) // 2, "outputs must differ to detect mix-ups"
    assert english == [en for _, en in alone.pairs()]
    assert_same_document(document, alone)


def test_output_length_is_bounded_by_the_input_row_by_row(engine, seed_text):
    recording = RecordingBackend(engine.backend)
    translator = Translator(backend=recording)
    translator.translate_text("Ja. " + seed_text)
    sources = [len(ids) - 1 for batch in recording.batches for ids in batch]
    assert recording.limits == [translator.output_limit(n) for n in sources]
    assert all(limit < 512 for limit in recording.limits)
    produced = [len(ids) for ids in recording.outputs]
    assert all(n <= limit for n, limit in zip(produced, recording.limits, strict=True))
    assert any(n == limit for n, limit in zip(produced, recording.limits, strict=True))


def test_every_sentence_gets_words_links_and_scores(engine, seed_text):
    document = engine.translate_text(TRICKY + "\n\n" + seed_text)
    assert_words_and_links_valid(document)
    translated = [s for s in document.sentences if not s.flags]
    assert translated and all(s.target_words and s.source_words for s in translated)
    assert sum(len(s.links) for s in translated) > len(translated)
    threshold = engine.alignment.uncertain_below
    for sentence in translated:
        assert len(sentence.word_scores) == len(sentence.target_words)
        assert all(score <= 0 for score in sentence.word_scores)
        assert sentence.score is not None and sentence.score <= 0
        assert sentence.uncertain == [
            i for i, s in enumerate(sentence.word_scores) if s < threshold
        ]


@pytest.mark.parametrize("beam", [1, 4])
def test_generation_scores_equal_a_teacher_forced_pass(engine, beam):
    backend = engine.backend
    ids = backend.codec.encode("Die Gespräche seien nicht weit genug gediehen.").ids
    (hypothesis,) = backend.generate([ids], beam=beam, max_new_tokens=[20])
    (forced,) = backend.force([ids], [hypothesis.ids])
    assert hypothesis.logprobs == pytest.approx(forced.logprobs, abs=1e-4)
    assert np.allclose(hypothesis.attention, forced.attention, atol=1e-4)
    assert len(hypothesis.logprobs) == len(hypothesis.ids) + 1
    assert hypothesis.attention.shape == (len(hypothesis.ids) + 1, len(ids))
    assert hypothesis.attention.sum(axis=1) == pytest.approx(1.0, abs=1e-4)


def test_alternatives_come_from_the_beam_and_differ_from_the_choice(engine, seed_text):
    document = engine.translate_text(seed_text, alternatives=3)
    assert any(s.alternatives for s in document.sentences)
    for sentence in document.sentences:
        english = sentence.target.of(document.target)
        assert len(sentence.alternatives) <= 3
        assert english not in sentence.alternatives
        assert len(set(sentence.alternatives)) == len(sentence.alternatives)
    greedy = engine.translate_text(seed_text, beam=1, alternatives=3)
    assert all(not s.alternatives for s in greedy.sentences)
    assert engine.translate_text(seed_text).target == document.target


def test_choosing_an_alternative_replaces_it_and_keeps_everything_else(engine, seed_text):
    document = engine.translate_text(seed_text, alternatives=2)
    index, sentence = next((i, s) for i, s in enumerate(document.sentences) if s.alternatives)
    previous = sentence.target.of(document.target)
    choice = sentence.alternatives[0]
    changed = engine.replace_translation(document, index, choice)
    assert_words_and_links_valid(changed)
    new = list(changed.sentences)[index]
    assert new.target.of(changed.target) == choice
    assert previous in new.alternatives and choice not in new.alternatives
    before = [en for i, (_, en) in enumerate(document.pairs()) if i != index]
    after = [en for i, (_, en) in enumerate(changed.pairs()) if i != index]
    assert before == after
    assert new.target_words and len(new.word_scores) == len(new.target_words)
    back = engine.replace_translation(changed, index, previous)
    assert back.target == document.target


def test_streaming_yields_the_beginning_first_and_ends_with_the_whole_document(engine, seed_text):
    text = "\n\n".join([seed_text.strip()] * 3)
    partials = list(engine.stream(text))
    assert len(partials) > 2
    counts = [len(p.paragraphs) for p in partials]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    first = partials[0]
    assert first.paragraphs[0].source.start == 0
    assert first.target == partials[-1].target[: len(first.target)]
    assert_same_document(partials[-1], engine.translate_text(text))


# -- what the API may be given ---------------------------------------------------------------


def test_a_lone_surrogate_is_read_as_a_replacement_character(engine):
    """Guards the API edge: a lone surrogate in the text made SentencePiece raise a pybind
    RuntimeError. The Document keeps the input as its source; the English holds U+FFFD."""
    text = "Hallo \ud800 Welt. Gut.\n\n\ud800\udc00"
    document = engine.translate_text(text)
    assert document.source == text
    assert_invariants(document, text)
    assert not any("\ud800" <= c <= "\udfff" for c in document.target)
    assert document.target.endswith("\ufffd\ufffd")  # the copied paragraph, one for one


def test_an_alternative_too_long_for_one_pass_is_shown_unaligned(engine):
    """Guards the API edge: English longer than the decoder's positions raised an IndexError
    or RuntimeError from the model. It is the user's choice: shown as given, without links."""
    document = engine.translate_text("Guten Morgen. Wie geht es?")
    english = "word " * 600 + "end."
    changed = engine.replace_translation(document, 0, english)
    first = next(changed.sentences)
    assert first.target.of(changed.target) == english
    assert first.links == [] and first.score is None
    assert_words_and_links_valid(changed)


def test_replacing_a_sentence_that_is_not_there_is_an_input_error(engine):
    from translator.errors import InputError

    document = engine.translate_text("Guten Morgen.")
    for index in (1, -1, "0", True):
        with pytest.raises(InputError, match="sentence"):
            engine.replace_translation(document, index, "Good morning.")
    with pytest.raises(InputError, match="must be a str"):
        engine.replace_translation(document, 0, None)
    changed = engine.replace_translation(document, 0, "Good \ud800 morning.")
    assert changed.target == "Good \ufffd morning."
