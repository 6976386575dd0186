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
    from translator.backends import load_backend, vmap

    monkeypatch.delenv("TRANSLATOR_BACKEND", raising=False)
    monkeypatch.setattr(vmap, "corpus_sentences", lambda: ["Guten Morgen, Frau Müller."])
    assert load_backend(str(model_dir), device="cpu").name.startswith("ctranslate2")
    assert load_backend(str(model_dir), device="cpu", backend="torch").name == "torch"


@pytest.mark.parametrize("by_default", [True, False])
def test_auto_builds_and_uses_the_map_only_where_it_was_measured_safe(
    model_dir, tmp_path, monkeypatch, by_default
):
    from translator.backends import ct2_loading, load_backend, vmap
    from translator.backends.convert import VMAP_FILE

    monkeypatch.delenv("TRANSLATOR_BACKEND", raising=False)
    monkeypatch.setenv("TRANSLATOR_CT2_CACHE", str(tmp_path))
    monkeypatch.setattr(ct2_loading, "VMAP_BY_DEFAULT", by_default)
    few = vmap.corpus_sentences()[:4]
    monkeypatch.setattr(vmap, "corpus_sentences", lambda: few)
    chosen = load_backend(str(model_dir), device="cpu")
    assert chosen.vmap is by_default
    assert (chosen.model_dir / VMAP_FILE).is_file() is by_default
    assert chosen.name == ("ctranslate2+vmap" if by_default else "ctranslate2")
    if by_default:  # the map is read when the model loads: this engine uses it
        ids = chosen.codec.encode(few[0]).ids
        (hypothesis,) = chosen.generate([ids], beam=2, max_new_tokens=[8])
        allowed = set(
            " ".join(
                line.partition("\t")[2]
                for line in (chosen.model_dir / VMAP_FILE).read_text("utf-8").splitlines()
            ).split()
        )
        assert {chosen.codec.pieces[i] for i in hypothesis.ids} <= allowed | {"</s>"}
    # named explicitly, the engine is the full vocabulary's
    assert not load_backend(str(model_dir), device="cpu", backend="ctranslate2").vmap


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


# -- details from the search itself ---------------------------------------------------------


@pytest.fixture(scope="module")
def ending_ct2(model_dir, ct2_cache, tmp_path_factory):
    """The test model with ``</s>`` made likelier, so that its sentences end by themselves
    (the random model's never do), as a CTranslate2 float32 engine."""
    import shutil

    from transformers import MarianMTModel

    from translator.backends.ctranslate2_backend import CTranslate2Backend
    from translator.backends.hub import resolve_model

    directory = tmp_path_factory.mktemp("ending-marian")
    shutil.copytree(model_dir, directory, dirs_exist_ok=True)
    model = MarianMTModel.from_pretrained(model_dir)
    model.final_logits_bias[0, model.config.eos_token_id] = 1.5
    model.save_pretrained(directory)
    return CTranslate2Backend.load(resolve_model(str(directory)), device="cpu", precision="float32")


class _CountingScores:
    """Stands in for a ctranslate2.Translator and counts the rows sent to ``score_batch``."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.scored: list[list[str]] = []

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def score_batch(self, source, target, **options):
        self.scored.extend(target)
        return self.inner.score_batch(source, target, **options)


def test_greedy_log_probabilities_come_from_the_search_and_only_cut_rows_are_scored(
    ending_ct2, seed_text, monkeypatch
):
    backend = ending_ct2
    counting = _CountingScores(backend.translator)
    monkeypatch.setattr(backend, "translator", counting)
    codec = backend.codec
    sentences = [s for s in seed_text.replace("\n", " ").split(". ") if s.strip()][:12]
    batch = sorted((codec.encode(s).ids for s in sentences), key=len)
    limits = [20 if i % 2 else 80 for i in range(len(batch))]
    hypotheses = backend.generate(batch, beam=1, max_new_tokens=limits)
    cut = [h for h, limit in zip(hypotheses, limits, strict=True) if len(h.ids) == limit]
    ended = [h for h, limit in zip(hypotheses, limits, strict=True) if len(h.ids) < limit]
    assert cut and ended, "the test needs rows of both kinds"
    # only rows that ran into their bound need </s> scored after the search
    assert len(counting.scored) == len(cut)
    forced = backend.force(batch, [h.ids for h in hypotheses])
    for hypothesis, teacher in zip(hypotheses, forced, strict=True):
        # the search's own numbers equal a teacher-forced pass's (float32: to ~1e-5)
        assert hypothesis.logprobs == pytest.approx(teacher.logprobs, abs=1e-4)
        assert np.allclose(hypothesis.attention, teacher.attention, atol=1e-4)


def test_retried_greedy_rows_are_scored_by_a_teacher_forced_pass(ct2_float32, monkeypatch):
    """A search that bans repeats renormalises over what is left: its numbers aren't used."""
    backend = ct2_float32.backend
    counting = _CountingScores(backend.translator)
    monkeypatch.setattr(backend, "translator", counting)
    ids = backend.codec.encode("Die Gespräche seien nicht weit genug gediehen.").ids
    (hypothesis,) = backend.generate([ids], beam=1, max_new_tokens=[30], no_repeat_ngram_size=3)
    assert len(counting.scored) == 1
    (teacher,) = backend.force([ids], [hypothesis.ids])
    assert hypothesis.logprobs == pytest.approx(teacher.logprobs, abs=1e-4)


# -- cores ------------------------------------------------------------------------------------


@pytest.mark.parametrize("beam", [1, 4])
def test_replicas_searching_parts_of_a_batch_give_what_one_search_gives(
    model_dir, ct2_cache, seed_text, beam
):
    from translator.backends.ctranslate2_backend import CTranslate2Backend
    from translator.backends.hub import resolve_model

    resolved = resolve_model(str(model_dir))
    one = CTranslate2Backend.load(resolved, device="cpu", precision="float32", threads=(1, 1))
    two = CTranslate2Backend.load(resolved, device="cpu", precision="float32", threads=(2, 1))
    assert two.replicas == 2
    codec = one.codec
    sentences = [s for s in seed_text.replace("\n", " ").split(". ") if s.strip()][:10]
    batch = sorted((codec.encode(s).ids for s in sentences), key=len)
    limits = [len(ids) + 5 for ids in batch]
    ours = two.generate(batch, beam=beam, max_new_tokens=limits, alternatives=1)
    theirs = one.generate(batch, beam=beam, max_new_tokens=limits, alternatives=1)
    for a, b in zip(ours, theirs, strict=True):
        assert a.ids == b.ids and a.alternatives == b.alternatives
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-5)
        assert np.allclose(a.attention, b.attention, atol=1e-5)


def test_thread_layouts_use_every_core_once():
    from translator.backends.ct2_loading import MAX_REPLICAS, thread_layout

    assert thread_layout(2, "intra") == (1, 2)
    assert thread_layout(2, "inter") == (2, 1)
    assert thread_layout(1, "inter") == (1, 1)
    assert thread_layout(0, "inter") == (1, 1)
    assert thread_layout(4 * MAX_REPLICAS, "inter") == (MAX_REPLICAS, 4)
    for cores in range(1, 33):  # never more threads than cores, fewer idle ones than replicas
        replicas, threads = thread_layout(cores, "inter")
        assert 1 <= replicas <= MAX_REPLICAS
        assert cores - replicas < replicas * threads <= cores


def test_replicas_are_the_default_layout_on_several_cores(model_dir, ct2_cache, monkeypatch):
    """Measured on two cores: replicas beat one search on both (benchmarks/README.md, Cores)."""
    from translator.backends.ctranslate2_backend import CTranslate2Backend
    from translator.backends.hub import resolve_model

    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    loaded = CTranslate2Backend.load(resolve_model(str(model_dir)), device="cpu")
    assert loaded.replicas == 2 and loaded.translator.num_translators == 2
