"""Where a too-long stretch of text may be cut, and cutting it into chunks that fit, losing nothing.

One policy for every place that must shorten text: the segmenter's length guard (no sentence over
``segment.MAX_SENTENCE_CHARS`` characters) and the engine, for a sentence longer than the model's
token limit (Marian models accept 512 positions and translate badly well before that). A *chunk*
is such a clause-sized part of a long sentence.

Where a cut may go, in order of preference (``CUTS``): after ``;``, after ``:``, after a dash
standing between spaces (``–``, ``—``, ``-``, ``--``) or an unspaced ``—``, after ``,``, at a line
break, at any other whitespace. The strongest kind present wins, at its occurrence nearest the
middle of the stretch; each chunk is cut again until it fits. Only a stretch without any
whitespace is cut inside a word, in the middle (never just before a combining mark). A line break
comes after the clause marks: inside a sentence it is usually a soft wrap, an arbitrary place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .document import Span

CUTS: tuple[re.Pattern[str], ...] = (
    re.compile(r";(?=\s)"),
    re.compile(r":(?=\s)"),
    re.compile(r"(?<=\s)(?:--|[–—-])(?=\s)|—"),
    re.compile(r",(?=\s)"),
    re.compile(r"(?=[\r\n])"),
    re.compile(r"(?=\s)"),
)
"""Cut positions, strongest first: each match's end is where the left chunk ends."""


def split_to_fit(
    text: str, count: Callable[[str], int], limit: int, within: Span | None = None
) -> list[Span]:
    """Chunks of ``text`` (or of its ``within`` span) whose ``count`` is at most ``limit`` each.

    ``count`` measures a chunk's text (tokens for the model, ``len`` for characters); a single
    character is never cut, whatever it counts. The chunks are trimmed spans into ``text``, in
    order, and together hold every non-whitespace character.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    start, end = (0, len(text)) if within is None else (within.start, within.end)
    whole = trim(text, start, end)
    if not whole.end > whole.start:
        return []
    chunks: list[Span] = []
    pending = [whole]  # a stack: the left chunk of a cut is finished first
    while pending:
        span = pending.pop()
        if len(span) <= 1 or count(span.of(text)) <= limit:
            chunks.append(span)
            continue
        cut = best_cut(text, span)
        pending.append(trim(text, cut, span.end))
        pending.append(trim(text, span.start, cut))
    return chunks


def best_cut(text: str, span: Span) -> int:
    """Where to cut the trimmed ``span`` in two (see the module doc); both sides keep some text.

    The span starts and ends with non-whitespace, so any position strictly inside it leaves text
    on both sides.
    """
    middle = (span.start + span.end) / 2
    for pattern in CUTS:
        best: int | None = None
        for match in pattern.finditer(text, span.start, span.end):
            cut = match.end()
            if not span.start < cut < span.end:
                continue
            if best is not None and abs(cut - middle) >= abs(best - middle):
                break  # positions only grow: every later one is further from the middle
            best = cut
        if best is not None:
            return best
    cut = (span.start + span.end) // 2  # no whitespace at all: cut inside the word
    while cut > span.start + 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut


def trim(text: str, start: int, end: int) -> Span:
    """``text[start:end]`` without its leading and trailing whitespace (possibly empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)
