"""The small protocol every engine implements: token ids in, token ids out.

Kept free of torch so that the engine, the data model and the tests of both import without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..spans import PieceCodec


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """The chosen output of one source: ids without the decoder start token and ``</s>``."""

    ids: list[int]


class Backend(Protocol):
    name: str  # "torch", …
    precision: str  # "float32", "int8", …
    device: str  # "cpu", "cuda", …
    model_id: str  # what the user asked for (hub id or local path)
    revision: str  # hub commit or a fingerprint of the local files
    codec: PieceCodec
    default_beam: int  # from the model's generation config
    max_source_positions: int  # pieces the encoder accepts, </s> included

    def generate(
        self, batch: Sequence[Sequence[int]], *, beam: int, max_new_tokens: Sequence[int]
    ) -> list[Hypothesis]:
        """Translate a batch of id sequences (each ending in ``</s>``), in order.

        ``max_new_tokens[i]`` bounds output ``i`` on its own, so a batch decodes exactly as its
        sentences would one at a time.
        """
        ...
