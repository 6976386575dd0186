"""Split a sentence too long for the model into clause-sized pieces, losing nothing.

Marian models accept 512 positions and translate badly well before that. A long sentence is cut
at the strongest clause boundary nearest its middle (``;`` before ``:`` before a dash before
``,``), then at a word boundary, and only a text without any whitespace is cut inside a word.
Each piece is cut again until it fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .document import Span

# Cut positions: after the mark, where the following whitespace begins. Strongest first.
_CLAUSE_CUTS = (
    re.compile(r";(?=\s)"),
    re.compile(r":(?=\s)"),
    re.compile(r"(?<=\s)[–—-](?=\s)|—"),
    re.compile(r",(?=\s)"),
)
_WORD_CUT = re.compile(r"\s+")


def split_to_fit(text: str, count: Callable[[str], int], limit: int) -> list[Span]:
    """Spans of ``text`` whose token ``count`` is at most ``limit`` each (when any cut allows).

    The spans are trimmed, in order, and together hold every non-whitespace character.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    whole = _trim(text, 0, len(text))
    if whole is None:
        return []
    return _split(text, whole, count, limit)


def _split(text: str, span: Span, count: Callable[[str], int], limit: int) -> list[Span]:
    if len(span) <= 1 or count(span.of(text)) <= limit:
        return [span]
    cut = _best_cut(text, span)
    pieces = [_trim(text, span.start, cut), _trim(text, cut, span.end)]
    return [
        part for piece in pieces if piece is not None for part in _split(text, piece, count, limit)
    ]


def _best_cut(text: str, span: Span) -> int:
    """The cut nearest the middle of ``span`` (trimmed), of the strongest kind that has one.

    Every cut strictly inside a trimmed span leaves text on both sides. Cuts come in order, so
    the scan stops at the first one past the middle that is farther than the best so far; ties
    go to the earlier cut.
    """
    middle = (span.start + span.end) / 2
    for pattern in (*_CLAUSE_CUTS, _WORD_CUT):
        best: int | None = None
        for match in pattern.finditer(text, span.start, span.end):
            cut = match.start() if pattern is _WORD_CUT else match.end()
            if not span.start < cut < span.end:
                continue
            if best is None or abs(cut - middle) < abs(best - middle):
                best = cut
            elif cut > middle:
                break
        if best is not None:
            return best
    return (span.start + span.end) // 2  # no whitespace at all: cut mid-word


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None
