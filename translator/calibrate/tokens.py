"""From the model's attention to links between gold tokens, exactly as the reader links words.

Each sentence pair is encoded as the model reads it, and each piece is mapped to the *gold* token
it overlaps most by character offsets (not to ``word_spans``' words), so the numbers are
comparable with published AERs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..align import AlignmentConfig, Owner, links_from_matrix, target_rows, word_matrix
from ..backends.codec import PieceCodec
from ..document import Span
from ..words import is_punctuation, pieces_to_words
from .gold import GoldPair, Link


@dataclass(frozen=True, slots=True)
class Prepared:
    """A sentence pair as the model sees it; each piece's gold token(s) (none: a bare ``▁``)."""

    source_ids: list[int]  # ends with </s>
    target_ids: list[int]  # no </s>
    source_owner: list[Owner]  # one per source piece, </s> excluded
    target_owner: list[Owner]  # one per target id
    source_punctuation: list[bool]
    target_punctuation: list[bool]


def token_spans(tokens: Sequence[str]) -> tuple[str, list[Span]]:
    """The tokens joined by spaces (the text the model reads) and each token's span in it."""
    spans, position = [], 0
    for token in tokens:
        spans.append(Span(position, position + len(token)))
        position += len(token) + 1
    return " ".join(tokens), spans


def prepare(codec: PieceCodec, source: Sequence[str], target: Sequence[str]) -> Prepared:
    """Encode both sides and map each piece to the gold token it overlaps most."""
    source_text, source_spans = token_spans(source)
    target_text, target_spans = token_spans(target)
    encoded = codec.encode(source_text)
    forced = codec.target.encode(target_text, return_type="offset_mapping")
    return Prepared(
        source_ids=encoded.ids,
        target_ids=[codec.vocab.get(p, codec.unk_id) for p in forced["pieces"]],
        source_owner=pieces_to_words(encoded.offsets, source_spans),
        target_owner=pieces_to_words(list(forced["offsets"]), target_spans),
        source_punctuation=[is_punctuation(t) for t in source],
        target_punctuation=[is_punctuation(t) for t in target],
    )


def token_matrix(attention: np.ndarray, prepared: Prepared, shifted: bool) -> np.ndarray:
    rows = target_rows(
        attention, len(prepared.target_ids), len(prepared.source_owner), shifted=shifted
    )
    return word_matrix(
        rows,
        prepared.target_owner,
        prepared.source_owner,
        len(prepared.target_punctuation),
        len(prepared.source_punctuation),
    )


def _links(matrix: np.ndarray, prepared: Prepared, rule: str, threshold: float) -> set[Link]:
    links = links_from_matrix(
        matrix, prepared.target_punctuation, prepared.source_punctuation, rule, threshold
    )
    return {(s, t) for s, t, _ in links}


def link_tokens(attention: np.ndarray, prepared: Prepared, config: AlignmentConfig) -> set[Link]:
    """Token links from one layer's (head-averaged) attention, exactly as the reader links words.

    ``attention``: ``[len(target ids) + 1, len(source ids)]``, as in ``Hypothesis.attention``.
    """
    matrix = token_matrix(attention, prepared, config.shifted)
    return _links(matrix, prepared, config.rule, config.threshold)


def batches(count: int, size: int) -> Iterable[range]:
    return (range(start, min(start + size, count)) for start in range(0, count, size))


def force_align(translator, pairs: Sequence[GoldPair], *, batch_size: int = 32) -> list[set[Link]]:
    """Links of each pair's reference as a ``Translator`` shows them: ``backend.force``, its config.

    The attention comes from the same call that scores a replaced translation in the reader, with
    the layer and heads the translator was loaded with.
    """
    codec = translator.backend.codec
    prepared = [prepare(codec, p.source, p.target) for p in pairs]
    results: list[set[Link]] = [set() for _ in pairs]
    usable = [k for k, p in enumerate(prepared) if p.target_ids and p.source_owner]
    for chunk in batches(len(usable), batch_size):
        indices = [usable[k] for k in chunk]
        hypotheses = translator.backend.force(
            [prepared[k].source_ids for k in indices], [prepared[k].target_ids for k in indices]
        )
        for k, hypothesis in zip(indices, hypotheses, strict=True):
            results[k] = link_tokens(hypothesis.attention, prepared[k], translator.alignment)
    return results
