"""Calibrate the alignment settings on a gold word-alignment set.

    python -m translator.calibrate --model DIR --source de.txt --target en.txt --links gold.talp

The files hold one tokenised sentence a line (tokens separated by spaces) and, per line, the gold
links ``i-j`` (sure) and ``ipj`` (possible), source token i to target token j, 0-based
(``--one-based`` for files counted from 1, such as RWTH's ``alignmentDeEn.talp``). Each reference
translation is forced through the model once (all layers and heads from ``all_attention``), and the
alignment error rate of every layer × heads × rows × link rule × threshold is printed, best first,
with the current defaults marked. Pieces are mapped to the *gold* tokens by character offsets, so
the numbers are comparable with published AERs. Speaks only the backend protocol: imports no torch.

The stages, each in a module of its own: ``gold`` reads the three files, ``tokens`` turns the
model's attention into links between gold tokens, ``grid`` scores every setting and writes the
table, ``command`` is the command line.
"""

from __future__ import annotations

from .command import main
from .gold import GoldFormatError, GoldPair, parse_links, read_gold
from .grid import THRESHOLDS, Cell, Grid, evaluate_grid, format_table
from .tokens import Prepared, force_align, link_tokens, prepare, token_spans

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
