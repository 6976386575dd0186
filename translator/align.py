"""Word alignment and confidence from the translation model's own cross-attention.

opus-mt-de-en was trained with guided alignment on head 0 of its last decoder layer, at the step
that produces each target token; that head is the default. From its piece-level attention we build
a word matrix (sum over a German word's pieces, mean over an English word's pieces), take the
argmax in both directions, grow from their intersection (grow-diag), and drop what is weak: no link
is better than a wrong one in a reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RULES = ("intersect", "grow-diag", "union", "target", "source")


@dataclass(frozen=True, slots=True)
class AlignmentConfig:
    """How attention becomes links. Defaults fit OPUS-MT ``transformer-align`` models.

    - ``layer``: decoder layer whose cross-attention is read (``-1`` = last).
    - ``heads``: heads averaged (``(0,)`` = the guided head; ``()`` = all heads).
    - ``shifted``: read the row where a token is the decoder *input* instead of the row that
      *produces* it (Marian's guided alignment trains the producing row: ``False``).
    - ``rule``: ``grow-diag`` (intersection of both argmaxes grown to neighbours from their
      union), ``intersect``, ``union``, ``target`` (each English word's argmax), ``source``.
    - ``threshold``: links weaker than this word-matrix weight are dropped.
    - ``uncertain_below``: an English word whose mean token log-probability is below this is
      flagged as low confidence (-1.5 ≈ the model gave it under 22 %).
    """

    layer: int = -1
    heads: tuple[int, ...] = (0,)
    shifted: bool = False
    rule: str = "grow-diag"
    threshold: float = 0.15
    uncertain_below: float = -1.5

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown link rule {self.rule!r}; choose one of {', '.join(RULES)}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must lie between 0 and 1")

    def label(self) -> str:
        """This configuration's part of a signature: ``L-1H0-grow-diag-0.15``."""
        heads = ",".join(map(str, self.heads)) or "all"
        shifted = "s" if self.shifted else ""
        return f"L{self.layer}H{heads}{shifted}-{self.rule}-{self.threshold:g}"


def target_rows(attention: np.ndarray, n_target: int, n_source: int, shifted: bool) -> np.ndarray:
    """Rows for target pieces, columns for source pieces (``</s>`` dropped), each row summing to 1.

    ``attention`` has one row per decoder step (step t reads token t, produces token t + 1;
    step 0 reads the start token) and one column per source id including ``</s>``.
    """
    first = 1 if shifted else 0
    rows = np.asarray(attention, dtype=np.float64)[first : first + n_target, :n_source]
    if rows.shape[0] < n_target:  # a shifted read has no row for the last token: pad with zeros
        rows = np.vstack([rows, np.zeros((n_target - rows.shape[0], n_source))])
    totals = rows.sum(axis=1, keepdims=True)
    return np.divide(rows, totals, out=np.zeros_like(rows), where=totals > 0)


Owner = int | Sequence[int] | None
"""The word(s) a piece belongs to: one index, several (a piece spanning words), or none."""


def _owners(owner: Owner) -> Sequence[int]:
    if owner is None:
        return ()
    return (owner,) if isinstance(owner, int) else owner


def word_matrix(
    pieces: np.ndarray,
    target_owner: Sequence[Owner],
    source_owner: Sequence[Owner],
    n_target_words: int,
    n_source_words: int,
) -> np.ndarray:
    """[English word, German word]: sum over a German word's pieces, mean over an English word's."""
    sums = np.zeros((pieces.shape[0], n_source_words))
    for column, owner in enumerate(source_owner):
        for word in _owners(owner):
            sums[:, word] += pieces[:, column]
    matrix = np.zeros((n_target_words, n_source_words))
    counts = np.zeros(n_target_words)
    for row, owner in enumerate(target_owner):
        for word in _owners(owner):
            matrix[word] += sums[row]
            counts[word] += 1
    return np.divide(matrix, counts[:, None], out=matrix, where=counts[:, None] > 0)


def links_from_matrix(
    matrix: np.ndarray,
    target_punctuation: Sequence[bool],
    source_punctuation: Sequence[bool],
    rule: str = "grow-diag",
    threshold: float = 0.15,
) -> list[tuple[int, int, float]]:
    """(German word, English word, weight) links; punctuation only ever links to punctuation."""
    n_target, n_source = matrix.shape
    if n_target == 0 or n_source == 0:
        return []
    compatible = np.equal.outer(np.asarray(target_punctuation), np.asarray(source_punctuation))
    scores = np.where(compatible, matrix, -1.0)
    by_target = {(t, int(scores[t].argmax())) for t in range(n_target) if scores[t].max() > 0}
    by_source = {(int(scores[:, s].argmax()), s) for s in range(n_source) if scores[:, s].max() > 0}
    if rule == "target":
        chosen = by_target
    elif rule == "source":
        chosen = by_source
    elif rule == "union":
        chosen = by_target | by_source
    elif rule == "intersect":
        chosen = by_target & by_source
    else:
        chosen = _grow_diag(by_target & by_source, by_target | by_source)
    return sorted((s, t, float(matrix[t, s])) for t, s in chosen if matrix[t, s] >= threshold)


def _grow_diag(
    alignment: set[tuple[int, int]], union: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Koehn's grow-diag: add union points next to the alignment that cover an unaligned word."""
    alignment = set(alignment)
    neighbours = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]
    grew = True
    while grew:
        grew = False
        aligned_t = {t for t, _ in alignment}
        aligned_s = {s for _, s in alignment}
        for t, s in sorted(alignment):
            for dt, ds in neighbours:
                point = (t + dt, s + ds)
                if (
                    point in union
                    and point not in alignment
                    and (point[0] not in aligned_t or point[1] not in aligned_s)
                ):
                    alignment.add(point)
                    aligned_t.add(point[0])
                    aligned_s.add(point[1])
                    grew = True
    return alignment


def word_scores(
    logprobs: Sequence[float], target_owner: Sequence[Owner], n_words: int
) -> list[float]:
    """Mean token log-probability of each English word's pieces (0.0 for a word with none)."""
    sums = [0.0] * n_words
    counts = [0] * n_words
    for logprob, owner in zip(logprobs, target_owner, strict=False):
        for word in _owners(owner):
            sums[word] += logprob
            counts[word] += 1
    return [s / c if c else 0.0 for s, c in zip(sums, counts, strict=True)]


def sentence_score(logprobs: Sequence[float]) -> float | None:
    """Mean token log-probability, ``</s>`` included (Bergamot's quality score)."""
    return float(np.mean(logprobs)) if len(logprobs) else None


def aer(
    sure: set[tuple[int, int]], possible: set[tuple[int, int]], predicted: set[tuple[int, int]]
) -> float:
    """Alignment error rate (Och & Ney 2003), in percent; sure links count as possible too."""
    possible = possible | sure
    return aer_from_counts(
        len(predicted & sure), len(predicted & possible), len(predicted), len(sure)
    )


def aer_from_counts(sure_hits: int, possible_hits: int, predicted: int, sure: int) -> float:
    """AER in percent from counts: |A ∩ S|, |A ∩ P| (P holding S), |A| and |S|; 0 for nothing."""
    total = predicted + sure
    return 100.0 * (1.0 - (sure_hits + possible_hits) / total) if total else 0.0


def corpus_aer(
    sentences: Sequence[tuple[set[tuple[int, int]], set[tuple[int, int]], set[tuple[int, int]]]],
) -> float:
    """AER over a corpus of (sure, possible, predicted) per sentence: counts summed first."""
    counts = [0, 0, 0, 0]
    for sure, possible, predicted in sentences:
        counts[0] += len(predicted & sure)
        counts[1] += len(predicted & (possible | sure))
        counts[2] += len(predicted)
        counts[3] += len(sure)
    return aer_from_counts(*counts)
