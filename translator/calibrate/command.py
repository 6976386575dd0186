"""``python -m translator.calibrate``: its arguments, and the run from gold files to the table."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ..align import RULES, AlignmentConfig
from .gold import GoldFormatError, read_gold
from .grid import THRESHOLDS, evaluate_grid, format_table


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

    from ..backends import AllAttention, load_backend
    from ..errors import TranslatorError

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
