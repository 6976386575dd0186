"""The torch engine records log-probabilities and attention during the search itself."""

from __future__ import annotations

import numpy as np
import pytest

from translator.backends import marian_torch, torch_search

SENTENCES = [
    "Die Gespräche seien nicht weit genug gediehen.",
    "Am 3. Oktober feierten viele Menschen in Berlin den Tag der Deutschen Einheit.",
    "Ja.",
    "Der Bundestag hat am Donnerstag über den Haushalt für das kommende Jahr beraten, "
    "der nach Angaben des Finanzministeriums deutlich höhere Ausgaben vorsieht.",
]


@pytest.fixture()
def batch(translator) -> list[list[int]]:
    return [translator.backend.codec.encode(s).ids for s in SENTENCES]


@pytest.fixture()
def no_teacher_forcing(monkeypatch):
    """Fail if ``generate`` falls back to the teacher-forced pass."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("generate ran the teacher-forced pass")

    monkeypatch.setattr(marian_torch.TorchBackend, "_score", refuse)


def limits(batch: list[list[int]]) -> list[int]:
    return [int(1.5 * len(ids)) + 10 for ids in batch]


@pytest.mark.parametrize("beam", [1, 2, 4])
def test_the_search_record_equals_a_teacher_forced_pass(translator, batch, beam, monkeypatch):
    backend = translator.backend
    with monkeypatch.context() as patched:
        patched.setattr(marian_torch.TorchBackend, "_score", None)  # must not be needed
        hypotheses = backend.generate(batch, beam=beam, max_new_tokens=limits(batch))
    forced = backend.force(batch, [h.ids for h in hypotheses])
    for ids, hypothesis, reference in zip(batch, hypotheses, forced, strict=True):
        assert len(hypothesis.logprobs) == len(hypothesis.ids) + 1
        assert hypothesis.logprobs == pytest.approx(reference.logprobs, abs=1e-4)
        assert hypothesis.attention.shape == (len(hypothesis.ids) + 1, len(ids))
        np.testing.assert_allclose(hypothesis.attention, reference.attention, atol=1e-5)


def test_the_record_covers_the_best_output_when_alternatives_are_asked_for(
    translator, batch, no_teacher_forcing
):
    backend = translator.backend
    hypotheses = backend.generate(batch, beam=4, max_new_tokens=limits(batch), alternatives=3)
    assert all(h.alternatives for h in hypotheses)
    plain = backend.generate(batch, beam=4, max_new_tokens=limits(batch), details=False)
    assert [h.ids for h in hypotheses] == [h.ids for h in plain]


def test_an_output_missing_from_the_record_is_scored_by_a_teacher_forced_pass(
    translator, batch, monkeypatch
):
    backend = translator.backend
    recorded = backend.generate(batch, beam=4, max_new_tokens=limits(batch))
    monkeypatch.setattr(torch_search.SearchRecorder, "hypotheses", lambda *_a, **_k: None)
    scored = []
    original = marian_torch.TorchBackend._score

    def counting(self, *args, **kwargs):
        scored.append(len(args[2]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(marian_torch.TorchBackend, "_score", counting)
    fallback = backend.generate(batch, beam=4, max_new_tokens=limits(batch))
    assert scored == [len(batch)]
    for a, b in zip(recorded, fallback, strict=True):
        assert a.ids == b.ids
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4)


def test_the_recorder_not_the_config_bans_pad_and_log_probabilities_stay_below_zero(
    translator, batch
):
    """Whether ``<pad>`` is really masked is the recorder's unit test below (the outputs can't
    show it: stripping removes any ``<pad>``)."""
    backend = translator.backend
    assert backend.model.generation_config.bad_words_ids == [[backend.codec.pad_id]]
    assert backend._bad_words() is None
    for beam in (1, 4):
        hypotheses = backend.generate(batch, beam=beam, max_new_tokens=limits(batch))
        assert all(lp <= 0 for h in hypotheses for lp in h.logprobs)


@pytest.mark.parametrize("width", [1, 3])
def test_the_recorder_masks_pad_and_renormalises_without_it(width):
    import torch

    pad, eos, vocabulary = 9, 0, 10
    logits = torch.randn(2 * width, vocabulary, generator=torch.Generator().manual_seed(width))
    scores = logits.log_softmax(-1) if width > 1 else logits.clone()
    recorder = torch_search.SearchRecorder(width, pad_id=pad, eos_id=eos)
    start = torch.full((2 * width, 1), 5)
    out = recorder(start, scores)
    assert torch.isinf(out[:, pad]).all()
    without_pad = logits.clone()
    without_pad[:, pad] = float("-inf")
    expected = without_pad.log_softmax(-1)
    assert torch.allclose(recorder.end[0], expected[:, eos], atol=1e-5)
    # the next step's rows extend row 0 of each sentence by token 3 and find its log-prob
    chosen = torch.cat([start, torch.full((2 * width, 1), 3)], dim=1)
    chosen[:, 0] = start[0, 0]
    recorder(chosen, (logits.log_softmax(-1) if width > 1 else logits.clone()))
    parents = torch.arange(2).repeat_interleave(width) * width
    assert torch.allclose(recorder.chosen[1], expected[parents, 3], atol=1e-5)


def test_the_length_limit_ends_rows_without_changing_their_recorded_end(translator, batch):
    """A row stopped by its own limit gets the model's real ``</s>`` log-probability, not the
    0 the limit forces."""
    backend = translator.backend
    tight = [3] * len(batch)
    hypotheses = backend.generate(batch, beam=4, max_new_tokens=tight)
    forced = backend.force(batch, [h.ids for h in hypotheses])
    assert all(len(h.ids) <= 3 for h in hypotheses)
    for hypothesis, reference in zip(hypotheses, forced, strict=True):
        assert hypothesis.logprobs[-1] == pytest.approx(reference.logprobs[-1], abs=1e-4)
        assert hypothesis.logprobs[-1] < 0


def test_the_engines_compute_on_omp_num_threads_cores_when_it_is_set(monkeypatch):
    import os

    from translator.backends.base import usable_cores

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert usable_cores() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "nonsense")
    assert usable_cores() == len(os.sched_getaffinity(0))
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert usable_cores() == len(os.sched_getaffinity(0))
