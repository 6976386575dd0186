"""The small protocol every engine implements: token ids in, token ids out, with the details
(token log-probabilities, the alignment head's cross-attention, n-best) the Document needs.

Kept free of torch so that the engine, the data model and their tests import without it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from .codec import PieceCodec


@dataclass(slots=True)
class Hypothesis:
    """One output for one source.

    - ``ids``: output ids without the decoder start token and ``</s>``.
    - ``logprobs``: raw log-probability of each id and then of ``</s>`` (``len(ids) + 1``).
    - ``attention``: ``[len(ids) + 1, len(source ids)]`` — row t is the decoder step that reads
      token t (the start token for t = 0) and produces token t + 1; columns are the source ids,
      ``</s>`` included; the configured layer, averaged over the configured heads.
    - ``alternatives``: further n-best outputs (ids), best first.
    """

    ids: list[int]
    logprobs: list[float] = field(default_factory=list)
    attention: np.ndarray | None = None
    alternatives: list[list[int]] = field(default_factory=list)


def usable_cores() -> int:
    """Cores to compute on: ``$OMP_NUM_THREADS`` when set (a shared machine), else all usable."""
    setting = os.environ.get("OMP_NUM_THREADS", "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Backend(Protocol):
    name: str  # "torch", …
    precision: str  # "float32", "int8", …
    device: str  # "cpu", "cuda", …
    model_id: str  # what the user asked for (hub id or local path)
    revision: str  # hub commit or a fingerprint of the local files
    codec: PieceCodec
    default_beam: int  # from the model's generation config
    max_source_positions: int  # pieces the encoder accepts, </s> included
    decoder_layers: int

    def generate(
        self,
        batch: Sequence[Sequence[int]],
        *,
        beam: int,
        max_new_tokens: Sequence[int],
        alternatives: int = 0,
        details: bool = True,
        no_repeat_ngram_size: int = 0,
    ) -> list[Hypothesis]:
        """Translate a batch of id sequences (each ending in ``</s>``), in order.

        ``max_new_tokens[i]`` bounds output ``i`` on its own, so a batch decodes exactly as its
        sentences would one at a time. With ``details``, log-probabilities and attention are
        those a teacher-forced pass over the chosen outputs gives (an engine may record them
        during the search instead). ``no_repeat_ngram_size`` > 0 bans
        any n-gram of that size from occurring twice in an output: the safer decoding with which
        the engine retries an output that looped.
        """
        ...

    def force(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[Hypothesis]:
        """Score given outputs (ids without ``</s>``): log-probabilities and attention."""
        ...


@runtime_checkable
class AllAttention(Protocol):
    """An engine that can show every layer and head's attention (calibrating the alignment).

    The torch engine can; CTranslate2 returns only the alignment layer, averaged over heads fixed
    at conversion.
    """

    def all_attention(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[np.ndarray]:
        """All layers and heads for given outputs: ``[layers, heads, targets + 1, sources]``."""
        ...
