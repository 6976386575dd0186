"""Calibrate the alignment settings on a gold word-alignment set.

    python -m translator.calibrate --model DIR --source de.txt --target en.txt --links gold.talp

The files hold one tokenised sentence a line (tokens separated by spaces) and, per line, the gold
links ``i-j`` (sure) and ``ipj`` (possible), source token i to target token j, 0-based
(``--one-based`` for files counted from 1, such as RWTH's ``alignmentDeEn.talp``). Each reference
translation is forced through the model once (all layers and heads from ``all_attention``), and the
alignment error rate of every layer × heads × rows × link rule × threshold is printed, best first,
with the current defaults marked. Pieces are mapped to the *gold* tokens by character offsets, so
the numbers are comparable with published AERs. Speaks only the backend protocol: imports no torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from .align import (
    RULES,
    AlignmentConfig,
    Owner,
    aer_from_counts,
    links_from_matrix,
    target_rows,
    word_matrix,
)
from .backends.codec import PieceCodec
from .document import Span
from .errors import InputError
from .files import read_capped
from .words import is_punctuation, pieces_to_words

Link = tuple[int, int]  # (source token, target token)
THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.3)


class GoldFormatError(ValueError):
    """A gold file that can't be read as tokenised sentences with ``i-j``/``ipj`` links."""


@dataclass(frozen=True, slots=True)
class GoldPair:
    """One tokenised sentence pair with its gold links (``possible`` excludes the sure ones)."""

    source: list[str]
    target: list[str]
    sure: frozenset[Link]
    possible: frozenset[Link]


def parse_links(
    line: str, n_source: int, n_target: int, *, one_based: bool = False, where: str = "links"
) -> tuple[set[Link], set[Link]]:
    """(sure, possible) links of one line; a link given both ways counts as sure."""
    sure: set[Link] = set()
    possible: set[Link] = set()
    first = 1 if one_based else 0
    for item in line.split():
        separator = "-" if "-" in item else "p"
        parts = item.split(separator)
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise GoldFormatError(
                f"{where}: bad link {item!r}: expected i-j (sure) or ipj (possible)"
            )
        s, t = int(parts[0]) - first, int(parts[1]) - first
        if s < 0 or t < 0:
            raise GoldFormatError(f"{where}: link {item!r} has index 0, but --one-based was given")
        if s >= n_source or t >= n_target:
            hint = "" if one_based else "; are the links 1-based (--one-based)?"
            raise GoldFormatError(
                f"{where}: link {item!r} points past the sentence "
                f"({n_source} source, {n_target} target tokens){hint}"
            )
        (sure if separator == "-" else possible).add((s, t))
    return sure, possible - sure


MAX_GOLD_BYTES = 64 * 2**20  # per gold file: far more than any alignment test set


def _read_lines(path: str | Path, encoding: str) -> list[str]:
    """A gold file's lines (a device, or a file past ``MAX_GOLD_BYTES``: ``GoldFormatError``)."""
    try:
        return read_capped(path, MAX_GOLD_BYTES, "the gold file").decode(encoding).splitlines()
    except InputError as error:
        raise GoldFormatError(str(error)) from error


def read_gold(
    source: str | Path,
    target: str | Path,
    links: str | Path,
    *,
    one_based: bool = False,
    limit: int | None = None,
    encoding: str = "utf-8",
) -> list[GoldPair]:
    """Sentence pairs and gold links from three line-parallel files."""
    texts = [_read_lines(p, encoding) for p in (source, target, links)]
    counts = [len(lines) for lines in texts]
    if len(set(counts)) != 1:
        raise GoldFormatError(
            f"the files differ in length: {counts[0]} source, {counts[1]} target and "
            f"{counts[2]} link lines"
        )
    pairs = []
    for number, (german, english, line) in enumerate(zip(*texts, strict=True), start=1):
        if limit is not None and len(pairs) >= limit:
            break
        src, tgt = german.split(), english.split()
        sure, possible = parse_links(
            line, len(src), len(tgt), one_based=one_based, where=f"{links}:{number}"
        )
        pairs.append(GoldPair(src, tgt, frozenset(sure), frozenset(possible)))
    return pairs


# -- from model attention to token links ------------------------------------------------------


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


def _matrix(attention: np.ndarray, prepared: Prepared, shifted: bool) -> np.ndarray:
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
    matrix = _matrix(attention, prepared, config.shifted)
    return _links(matrix, prepared, config.rule, config.threshold)


def _batches(count: int, size: int) -> Iterable[range]:
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
    for chunk in _batches(len(usable), batch_size):
        indices = [usable[k] for k in chunk]
        hypotheses = translator.backend.force(
            [prepared[k].source_ids for k in indices], [prepared[k].target_ids for k in indices]
        )
        for k, hypothesis in zip(indices, hypotheses, strict=True):
            results[k] = link_tokens(hypothesis.attention, prepared[k], translator.alignment)
    return results


# -- the grid ---------------------------------------------------------------------------------


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
    for chunk in _batches(len(usable), batch_size):
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
                        matrix = _matrix(selected, prepared[k], shifted)
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


def _thresholds(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from error
    if not values or not all(0.0 <= v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError("thresholds must lie between 0 and 1")
    return values


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m translator.calibrate",
        description="AER of the model's attention alignments on a gold set, for every setting.",
    )
    parser.add_argument("--model", required=True, help="model directory or hub id")
    parser.add_argument("--source", required=True, help="tokenised German, one sentence a line")
    parser.add_argument("--target", required=True, help="tokenised English, one sentence a line")
    parser.add_argument(
        "--links", required=True, help="gold links per line: i-j sure, ipj possible"
    )
    parser.add_argument("--one-based", action="store_true", help="link indices start at 1")
    parser.add_argument("--limit", type=int, help="use only the first N sentence pairs")
    parser.add_argument("--encoding", default="utf-8", help="of the three files (default utf-8)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument(
        "--backend",
        default="torch",
        help="an engine that returns every layer's attention (default torch)",
    )
    parser.add_argument("--rules", default=",".join(RULES), help="link rules to try")
    parser.add_argument(
        "--thresholds",
        type=_thresholds,
        default=list(THRESHOLDS),
        help="comma-separated (default %(default)s)",
    )
    parser.add_argument("--top", type=int, help="print only the N best settings (and the default)")
    parser.add_argument("--batch-size", type=int, default=16)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the calibration and print the table; 2 for unreadable gold files."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    unknown = [r for r in rules if r not in RULES]
    if unknown or not rules:
        print(
            f"error: unknown link rule(s) {unknown}; choose from {', '.join(RULES)}",
            file=sys.stderr,
        )
        return 2
    defaults = AlignmentConfig()
    thresholds = sorted({*args.thresholds, defaults.threshold})
    try:
        pairs = read_gold(
            args.source,
            args.target,
            args.links,
            one_based=args.one_based,
            limit=args.limit,
            encoding=args.encoding,
        )
    except (GoldFormatError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    indices = {i for p in pairs for link in p.sure | p.possible for i in link}
    if not args.one_based and len(pairs) >= 10 and indices and 0 not in indices:
        print(
            "warning: no link uses index 0: are the links 1-based (--one-based)?", file=sys.stderr
        )

    from .backends import AllAttention, load_backend
    from .errors import TranslatorError

    try:
        backend = load_backend(args.model, device=args.device, backend=args.backend)
    except TranslatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not isinstance(backend, AllAttention):  # an engine that gives one layer's attention only
        print(
            f"error: the {backend.name} engine gives only the alignment layer's attention, "
            "averaged over heads fixed at conversion; calibrating layers and heads needs "
            "--backend torch",
            file=sys.stderr,
        )
        return 1
    grid = evaluate_grid(
        backend, pairs, rules=rules, thresholds=thresholds, batch_size=args.batch_size
    )
    cells = grid.cells
    n_sure = sum(len(p.sure) for p in pairs)
    n_possible = sum(len(p.possible) for p in pairs)
    print(
        f"{backend.model_id}: AER (%) on {len(pairs)} sentence pairs, {n_sure} sure and "
        f"{n_possible} further possible links; {len(cells)} settings, best first. "
        f"Layers count from 0 ({grid.layers - 1} = last = -1); * marks the current defaults.",
        file=out,
    )
    print(format_table(cells, defaults, grid.layers, grid.heads, args.top), file=out)
    if cells:
        best = cells[0]
        print(
            f"best: AlignmentConfig(layer={best.layer}, heads={best.heads!r}, "
            f"shifted={best.shifted}, rule={best.rule!r}, threshold={best.threshold:g})",
            file=out,
        )
    return 0


__all__ = [
    "THRESHOLDS",
    "Cell",
    "GoldFormatError",
    "GoldPair",
    "Grid",
    "Prepared",
    "evaluate_grid",
    "force_align",
    "format_table",
    "link_tokens",
    "main",
    "parse_links",
    "prepare",
    "read_gold",
    "token_spans",
]

if __name__ == "__main__":
    raise SystemExit(main())
