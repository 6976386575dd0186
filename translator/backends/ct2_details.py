"""What a CTranslate2 search leaves out, filled in after it: the attention row a batched beam
search gets wrong, the log-probabilities it does not give, and attention normalised to the
source ids (see ``ctranslate2_backend`` for when each is needed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Hypothesis

SCORE_TOKENS = 64  # tokens per teacher-forced scoring call: bounds its memory


def repair_first_rows(
    translator: Any, sources: list[list[str]], hypotheses: list[Hypothesis], options: dict
) -> None:
    """Row 0 of a batched beam search's attention belongs to another sentence (4.8.5, CPU).

    Row 0 reads the start token, so it depends on the source only: one greedy step gives it.
    """
    first = translator.translate_batch(
        sources, **{**options, "beam_size": 1, "max_decoding_length": 1, "return_attention": True}
    )
    for hypothesis, result in zip(hypotheses, first, strict=True):
        hypothesis.attention[0] = np.asarray(result.attention[0][0], dtype=np.float32)


def add_logprobs(
    translator: Any,
    sources: list[list[str]],
    targets: list[list[str]],
    hypotheses: list[Hypothesis],
    replicas: int = 1,
) -> None:
    """Raw log-probabilities of each token and of </s>: one teacher-forced pass (its calls
    shared among ``replicas``, the tokens in flight bounded as for one)."""
    scored = translator.score_batch(
        sources,
        targets,
        max_input_length=0,
        # the pass holds a few [tokens, vocabulary] float arrays: ~50 MB for 64 tokens
        max_batch_size=max(1, SCORE_TOKENS // replicas),
        batch_type="tokens",
    )
    for hypothesis, score in zip(hypotheses, scored, strict=True):
        logprobs = list(score.log_probs)
        if len(logprobs) != len(hypothesis.ids) + 1:
            raise RuntimeError(
                f"expected {len(hypothesis.ids) + 1} log-probabilities, got {len(logprobs)}"
            )
        hypothesis.logprobs = logprobs
        if hypothesis.attention is not None and len(hypothesis.attention) != len(logprobs):
            raise RuntimeError(
                f"expected {len(logprobs)} attention rows, got {len(hypothesis.attention)}"
            )


def normalised(matrix: np.ndarray, width: int) -> np.ndarray:
    """Columns for the source ids only, each row summing to 1."""
    matrix = np.ascontiguousarray(matrix[:, :width], dtype=np.float32)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
