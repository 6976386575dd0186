"""The CTranslate2 engine fills the same Document as the torch engine, with the same invariants."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ctranslate2")

from tests.fixtures.compare import (
    TRICKY,
    assert_invariants,
    assert_same_document,
    assert_words_and_links_valid,
)
from tests.fixtures.recording import RecordingBackend
from translator import Translator
from translator.errors import InputError


@pytest.fixture(scope="session")
def ct2_float32(model_dir, ct2_cache) -> Translator:
    """float32: the same arithmetic as the torch engine, so greedy outputs must be identical."""
    return Translator(model=str(model_dir), backend="ctranslate2:float32")


@pytest.fixture(scope="session")
def ct2_int8(model_dir, ct2_cache) -> Translator:
    """The CPU default."""
    return Translator(model=str(model_dir), backend="ctranslate2")


@pytest.fixture(params=["float32", "int8"])
def ct2(request, ct2_float32, ct2_int8) -> Translator:
    return {"float32": ct2_float32, "int8": ct2_int8}[request.param]


# -- the same Document invariants as the torch engine ---------------------------------------------


def test_seed_article_keeps_every_character_in_exactly_one_sentence(ct2, seed_text):
    document = ct2.translate_text(seed_text)
    assert_invariants(document, seed_text)
    assert_words_and_links_valid(document)
    assert sum(1 for _ in document.sentences) >= 20


def test_tricky_text_keeps_its_invariants(ct2):
    document = ct2.translate_text(TRICKY)
    assert_invariants(document, TRICKY)
    assert_words_and_links_valid(document)


@pytest.mark.parametrize("beam", [1, 4])
def test_batched_translation_equals_one_by_one(ct2, seed_text, beam):
    batched = RecordingBackend(ct2.backend)
    document = Translator(backend=batched, beam=beam).translate_text(seed_text, alternatives=2)
    assert max(len(b) for b in batched.batches) > 1, "the test needs real batches"
    single = RecordingBackend(ct2.backend)
    alone = Translator(backend=single, beam=beam, max_batch_size=1).translate_text(
        seed_text, alternatives=2
    )
    assert max(len(b) for b in single.batches) == 1
    english = [en for _, en in document.pairs()]
    assert len(set(english)) > len(english) // 2, "outputs must differ to detect mix-ups"
    assert english == [en for _, en in alone.pairs()]
    assert_same_document(document, alone)


def test_output_length_is_bounded_by_the_input_row_by_row(ct2, seed_text):
    recording = RecordingBackend(ct2.backend)
    engine = Translator(backend=recording)
    engine.translate_text("Ja. " + seed_text)
    produced = [len(ids) for ids in recording.outputs]
    assert all(n <= limit for n, limit in zip(produced, recording.limits, strict=True))
    assert any(n == limit for n, limit in zip(produced, recording.limits, strict=True))


def test_every_sentence_gets_words_links_and_scores(ct2, seed_text):
    document = ct2.translate_text(TRICKY + "\n\n" + seed_text)
    translated = [s for s in document.sentences if not s.flags]
    assert translated and all(s.target_words and s.source_words for s in translated)
    assert sum(len(s.links) for s in translated) > len(translated)
    for sentence in translated:
        assert len(sentence.word_scores) == len(sentence.target_words)
        assert all(score <= 0 for score in sentence.word_scores)
        assert sentence.score is not None and sentence.score <= 0


def test_alternatives_come_from_the_beam_and_differ_from_the_choice(ct2, seed_text):
    document = ct2.translate_text(seed_text, alternatives=3)
    assert any(s.alternatives for s in document.sentences)
    for sentence in document.sentences:
        english = sentence.target.of(document.target)
        assert len(sentence.alternatives) <= 3
        assert english not in sentence.alternatives
        assert len(set(sentence.alternatives)) == len(sentence.alternatives)
    greedy = ct2.translate_text(seed_text, beam=1, alternatives=3)
    assert all(not s.alternatives for s in greedy.sentences)
    assert ct2.translate_text(seed_text).target == document.target


def test_choosing_an_alternative_is_force_aligned(ct2, seed_text):
    document = ct2.translate_text(seed_text, alternatives=2)
    index, sentence = next((i, s) for i, s in enumerate(document.sentences) if s.alternatives)
    changed = ct2.replace_translation(document, index, sentence.alternatives[0])
    assert_words_and_links_valid(changed)
    new = list(changed.sentences)[index]
    assert new.target.of(changed.target) == sentence.alternatives[0]
    assert new.target_words and len(new.word_scores) == len(new.target_words)


def test_streaming_ends_with_the_whole_document(ct2, seed_text):
    text = "\n\n".join([seed_text.strip()] * 2)
    partials = list(ct2.stream(text))
    assert len(partials) > 2
    assert partials[0].target == partials[-1].target[: len(partials[0].target)]
    assert_same_document(partials[-1], ct2.translate_text(text))


def test_generation_scores_equal_a_teacher_forced_pass(ct2):
    backend = ct2.backend
    ids = backend.codec.encode("Die Gespräche seien nicht weit genug gediehen.").ids
    for beam in (1, 4):
        (hypothesis,) = backend.generate([ids], beam=beam, max_new_tokens=[20])
        (forced,) = backend.force([ids], [hypothesis.ids])
        assert hypothesis.logprobs == pytest.approx(forced.logprobs, abs=1e-4)
        assert np.allclose(hypothesis.attention, forced.attention, atol=1e-4)
        assert len(hypothesis.logprobs) == len(hypothesis.ids) + 1
        assert hypothesis.attention.shape == (len(hypothesis.ids) + 1, len(ids))
        assert hypothesis.attention.sum(axis=1) == pytest.approx(1.0, abs=1e-4)


def test_batched_beam_attention_equals_alone_including_the_first_row(ct2_float32, seed_text):
    """CTranslate2 4.8.5 returns another sentence's row 0 in a batched beam search (CPU)."""
    backend = ct2_float32.backend
    codec = backend.codec
    sentences = [s for s in seed_text.split(". ") if s.strip()][:8]
    batch = [codec.encode(s).ids for s in sentences]
    assert len({len(ids) for ids in batch}) > 2
    together = backend.generate(batch, beam=4, max_new_tokens=[30] * len(batch))
    for ids, hypothesis in zip(batch, together, strict=True):
        (alone,) = backend.generate([ids], beam=4, max_new_tokens=[30])
        assert alone.ids == hypothesis.ids
        assert np.allclose(alone.attention, hypothesis.attention, atol=1e-5)


def test_signature_names_the_engine_and_its_precision(ct2_float32, ct2_int8):
    assert "engine:ctranslate2-float32" in ct2_float32.signature()
    assert "engine:ctranslate2-int8" in ct2_int8.signature()
    assert ct2_int8.backend.device == "cpu" and ct2_int8.beam == 4


# -- agreement with the torch engine ------------------------------------------------------------


def test_greedy_translations_and_alignments_equal_the_torch_engine(
    ct2_float32, translator, seed_text
):
    text = TRICKY + "\n\n" + seed_text
    ours = ct2_float32.translate_text(text, beam=1)
    theirs = translator.translate_text(text, beam=1)
    assert ours.signature.replace("ctranslate2", "torch") == theirs.signature
    assert [en for _, en in ours.pairs()] == [en for _, en in theirs.pairs()]
    for a, b in zip(ours.sentences, theirs.sentences, strict=True):
        assert [(k.source, k.target) for k in a.links] == [(k.source, k.target) for k in b.links]
        assert [k.weight for k in a.links] == pytest.approx([k.weight for k in b.links], abs=1e-3)
        assert a.word_scores == pytest.approx(b.word_scores, abs=1e-3)


def test_forced_scores_and_attention_equal_the_torch_engine(ct2_float32, translator):
    codec = translator.backend.codec
    source = codec.encode("Der Präsident traf sich im Juni in Vietnam.").ids
    target = codec.encode_target("The president met in Vietnam in June.")
    (ours,) = ct2_float32.backend.force([source], [target])
    (theirs,) = translator.backend.force([source], [target])
    assert ours.logprobs == pytest.approx(theirs.logprobs, abs=1e-4)
    assert np.allclose(ours.attention, theirs.attention, atol=1e-4)


def test_int8_weights_are_stored_quantized(ct2_float32, ct2_int8):
    """Random weights say nothing about int8's quality; the stored model must be int8 though."""
    size = lambda t: (t.backend.model_dir / "model.bin").stat().st_size  # noqa: E731
    assert size(ct2_int8) < 0.6 * size(ct2_float32)


# -- choosing the engine ------------------------------------------------------------------------


def test_auto_picks_ctranslate2_on_the_cpu(model_dir, ct2_cache, monkeypatch):
    from translator.backends import load_backend

    monkeypatch.delenv("TRANSLATOR_BACKEND", raising=False)
    assert load_backend(str(model_dir), device="cpu").name == "ctranslate2"
    assert load_backend(str(model_dir), device="cpu", backend="torch").name == "torch"


def test_the_environment_chooses_the_engine_that_auto_means(model_dir, ct2_cache, monkeypatch):
    from translator.backends import load_backend

    monkeypatch.setenv("TRANSLATOR_BACKEND", "torch")
    assert load_backend(str(model_dir), device="cpu").name == "torch"
    monkeypatch.setenv("TRANSLATOR_BACKEND", "ctranslate2:float32")
    chosen = load_backend(str(model_dir), device="cpu")
    assert (chosen.name, chosen.precision) == ("ctranslate2", "float32")
    assert load_backend(str(model_dir), device="cpu", backend="torch").name == "torch"


def test_heads_ctranslate2_cannot_average_are_refused(model_dir, ct2_cache):
    from translator.align import AlignmentConfig

    with pytest.raises(InputError, match="first N heads"):
        Translator(
            model=str(model_dir), backend="ctranslate2", alignment=AlignmentConfig(heads=(1,))
        )


def test_unknown_backends_and_precisions_are_refused(model_dir, ct2_cache):
    with pytest.raises(InputError, match="unknown backend"):
        Translator(model=str(model_dir), backend="torch:int8")
    with pytest.raises(InputError, match="precision"):
        Translator(model=str(model_dir), backend="ctranslate2:int3")


def test_all_attention_needs_the_torch_engine(ct2_int8):
    with pytest.raises(NotImplementedError, match="torch"):
        ct2_int8.backend.all_attention([[5, 0]], [[7]])
