"""The calibration grid: the alignment error rate of every setting, best first, and its table.

Every layer × heads (each, and all averaged) × rows (shifted or not) × link rule × threshold is
scored against the gold links; the current defaults are marked in the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..align import RULES, AlignmentConfig, aer_from_counts, links_from_matrix
from .gold import GoldPair
from .tokens import batches, prepare, token_matrix

THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.3)


@dataclass(frozen=True, slots=True)
class Cell:
    """One setting of the grid and its scores (AER, precision, recall in percent)."""

    layer: int  # 0-based
    heads: tuple[int, ...]  # () = all heads averaged
    shifted: bool
    rule: str
    threshold: float
    aer: float
    precision: float
    recall: float
    links: int

    def config(self) -> AlignmentConfig:
        return AlignmentConfig(
            layer=self.layer,
            heads=self.heads,
            shifted=self.shifted,
            rule=self.rule,
            threshold=self.threshold,
        )


@dataclass(frozen=True, slots=True)
class Grid:
    """The scored settings, best first, and the shape of the model they were read from."""

    cells: list[Cell]
    layers: int
    heads: int


def evaluate_grid(
    backend,
    pairs: Sequence[GoldPair],
    *,
    rules: Sequence[str] = RULES,
    thresholds: Sequence[float] = THRESHOLDS,
    batch_size: int = 16,
) -> Grid:
    """AER of every layer × heads (each, and all averaged) × rows × rule × threshold, best first.

    Attention is computed once per batch; a link rule's choice does not depend on the threshold,
    so each rule runs once per matrix and the thresholds only filter its links.
    """
    codec = backend.codec
    prepared = [prepare(codec, p.source, p.target) for p in pairs]
    usable = [k for k, p in enumerate(prepared) if p.target_ids and p.source_owner]
    # counts per (layer, heads, shifted, rule, threshold): [sure hits, possible hits, predicted]
    counts: dict[tuple, list[int]] = {}
    n_sure = sum(len(pairs[k].sure) for k in usable)
    n_layers = n_heads = 0
    for chunk in batches(len(usable), batch_size):
        indices = [usable[k] for k in chunk]
        attentions = backend.all_attention(
            [prepared[k].source_ids for k in indices], [prepared[k].target_ids for k in indices]
        )
        for k, attention in zip(indices, attentions, strict=True):
            gold = pairs[k]
            possible = gold.possible | gold.sure
            n_layers, n_heads = attention.shape[:2]  # the same for every sentence
            choices = [(h,) for h in range(n_heads)] + [()]
            for layer in range(n_layers):
                for heads in choices:
                    selected = attention[layer, list(heads) if heads else slice(None)].mean(0)
                    for shifted in (False, True):
                        matrix = token_matrix(selected, prepared[k], shifted)
                        for rule in rules:
                            weighted = links_from_matrix(
                                matrix,
                                prepared[k].target_punctuation,
                                prepared[k].source_punctuation,
                                rule,
                                0.0,
                            )
                            for threshold in thresholds:
                                chosen = {(s, t) for s, t, w in weighted if w >= threshold}
                                key = (layer, heads, shifted, rule, threshold)
                                tally = counts.setdefault(key, [0, 0, 0])
                                tally[0] += len(chosen & gold.sure)
                                tally[1] += len(chosen & possible)
                                tally[2] += len(chosen)
    cells = []
    for (layer, heads, shifted, rule, threshold), (sure, possible, predicted) in counts.items():
        cells.append(
            Cell(
                layer=layer,
                heads=heads,
                shifted=shifted,
                rule=rule,
                threshold=threshold,
                aer=aer_from_counts(sure, possible, predicted, n_sure),
                precision=100.0 * possible / predicted if predicted else 0.0,
                recall=100.0 * sure / n_sure if n_sure else 0.0,
                links=predicted,
            )
        )
    cells.sort(key=lambda c: (c.aer, -c.recall, c.layer, len(c.heads) or 99, c.rule))
    return Grid(cells, n_layers, n_heads)


def is_default(cell: Cell, defaults: AlignmentConfig, n_layers: int, n_heads: int) -> bool:
    """Whether a grid cell is the setting ``defaults`` describes on a model of this shape."""
    every = tuple(range(n_heads))
    return (
        cell.layer == defaults.layer % n_layers
        and (cell.heads or every) == (tuple(defaults.heads) or every)
        and cell.shifted == defaults.shifted
        and cell.rule == defaults.rule
        and abs(cell.threshold - defaults.threshold) < 1e-9
    )


HEADER = ("rank", "layer", "heads", "rows", "rule", "threshold", "AER", "precision", "recall")


def format_table(
    cells: Sequence[Cell],
    defaults: AlignmentConfig,
    n_layers: int,
    n_heads: int,
    top: int | None = None,
) -> str:
    """A fixed-width table, best first; the defaults' row ends in ``*``, shown even past ``top``."""
    lines = ["  ".join(f"{h:>9}" for h in HEADER)]
    for rank, cell in enumerate(cells, start=1):
        default = is_default(cell, defaults, n_layers, n_heads)
        if top is not None and rank > top and not default:
            continue
        row = (
            rank,
            cell.layer,
            ",".join(map(str, cell.heads)) or "all",
            "shifted" if cell.shifted else "unshifted",
            cell.rule,
            f"{cell.threshold:g}",
            f"{cell.aer:.1f}",
            f"{cell.precision:.1f}",
            f"{cell.recall:.1f}",
        )
        lines.append("  ".join(f"{v:>9}" for v in row) + ("  *" if default else ""))
    return "\n".join(lines)
