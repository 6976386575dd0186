"""The CTranslate2 engine fills the same Document as the torch engine, with the same invariants."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ctranslate2")

from tests.fixtures.compare import (
    TRICKY,
)
from translator import Translator
from translator.errors import InputError

# The Document tests every engine passes are in test_backend_contract.py.


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


def test_only_the_torch_engine_shows_every_layer_and_head(ct2_int8, translator):
    from translator.backends import AllAttention

    assert not isinstance(ct2_int8.backend, AllAttention)
    assert isinstance(translator.backend, AllAttention)
