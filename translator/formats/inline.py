"""Inline markup (bold runs, links, ``code``, tags) moved from German words onto English ones.

A unit's markup is a list of ``Mark``s over its plain text: paired marks (emphasis, a link, a
Word run's formatting) cover a stretch; atoms (an inline code span, an image, ``<br>``) sit at a
point and are never translated. ``transfer`` finds where each lands in the unit's English:

* a mark that covers a whole sentence (give or take punctuation) covers its whole translation;
* otherwise, with word alignment (``Sentence.links``), it covers the English words linked to its
  German words (from the first to the last of them);
* without alignment, *essential* marks (links, atoms: losing them loses content) are placed in
  proportion to their place in the sentence, snapped to word boundaries, and the others (bold,
  italic) are dropped: the sentence keeps the unit's base formatting.

Marks keep their source order and nesting: a mark is clipped to its parent and to the end of its
previous sibling, so what a writer builds from them is always well nested.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..document import Document, Paragraph, Sentence, Span
from .base import unit_english


@dataclass(slots=True)
class Mark:
    """Markup over ``[start, end)`` of a unit's plain text (``start == end`` for an atom).

    ``open``/``close`` are the literal markup a text writer puts around the stretch (an atom has
    only ``open``); ``key`` is a writer's own tag (a Word run's formatting). ``parent`` is the
    index of the enclosing mark in the same list. ``pad_before``/``pad_after``: the atom stood
    apart from the words next to it, so it is written with a space there.
    """

    start: int
    end: int
    open: str = ""
    close: str = ""
    key: Any = None
    atom: bool = False
    essential: bool = False
    parent: int | None = None
    pad_before: bool = False
    pad_after: bool = False


def transfer(
    document: Document, unit: Span, paragraph: Paragraph | None, marks: Sequence[Mark]
) -> tuple[str, list[Mark]]:
    """The unit's English, and the marks that survive on it (English coordinates), well nested.

    The returned marks keep the input order; their ``parent`` indices point into the returned list.
    """
    english = unit_english(document, unit, paragraph)
    plain = unit.of(document.source)
    marks = [_with_padding(m, plain) for m in marks]
    if paragraph is None:  # nothing was translated: everything stays where it was
        return english, list(marks)
    mapper = _Mapper(document, unit, paragraph, english)
    placed: list[Mark | None] = [None] * len(marks)
    parents: list[int | None] = [None] * len(marks)
    last_end: dict[int | None, int] = {}
    for i, mark in enumerate(marks):
        parent = mark.parent
        while parent is not None and placed[parent] is None:
            parent = parents[parent]
        parents[i] = parent
        lo, hi = (0, len(english)) if parent is None else _bounds(placed[parent])
        lo = max(lo, last_end.get(parent, lo))
        if lo > hi:
            lo = hi
        if mark.atom:
            x = min(max(mapper.point(mark.start), lo), hi)
            if mark.pad_before and not mark.pad_after:  # it began a word: after the space
                while x < hi and english[x].isspace():
                    x += 1
            elif mark.pad_after and not mark.pad_before:  # it ended a word: before the space
                while x > lo and english[x - 1].isspace():
                    x -= 1
            placed[i] = replace(mark, start=x, end=x)
        else:
            span = mapper.range(mark.start, mark.end, mark.essential)
            if span is not None:
                start, end = max(span[0], lo), min(span[1], hi)
                while start < end and english[start].isspace():
                    start += 1
                while end > start and english[end - 1].isspace():
                    end -= 1
                if start < end:
                    placed[i] = replace(mark, start=start, end=end)
            if placed[i] is None and mark.essential:
                x = min(max(mapper.point(mark.start), lo), hi)
                placed[i] = replace(mark, start=x, end=x)
        if placed[i] is not None:
            last_end[parent] = placed[i].end
    index = {}
    result: list[Mark] = []
    for i, mark in enumerate(placed):
        if mark is None:
            continue
        parent = parents[i]
        index[i] = len(result)
        result.append(replace(mark, parent=None if parent is None else index[parent]))
    return english, result


def render(text: str, marks: Sequence[Mark], escape: Callable[[str, bool], str]) -> str:
    """``text`` with the marks' literals around (or at) their stretches.

    ``escape(chunk, at_line_start)`` makes a stretch of plain text safe for the format.
    """
    children: dict[int | None, list[int]] = {}
    for i, mark in enumerate(marks):
        children.setdefault(mark.parent, []).append(i)
    for group in children.values():
        group.sort(key=lambda i: (marks[i].start, i))

    def chunk(start: int, end: int) -> str:
        if start >= end:
            return ""
        return escape(text[start:end], start == 0 or text[start - 1] == "\n")

    def emit(parent: int | None, start: int, end: int) -> str:
        out: list[str] = []
        position = start
        for i in children.get(parent, []):
            mark = marks[i]
            out.append(chunk(position, mark.start))
            if mark.atom:
                before = text[mark.start - 1] if mark.start > 0 else " "
                after = text[mark.start] if mark.start < len(text) else " "
                out.append(" " if mark.pad_before and not before.isspace() else "")
                out.append(mark.open)
                pad = mark.pad_after and not after.isspace() and not mark.open.endswith("\n")
                out.append(" " if pad else "")
            else:
                out.append(mark.open + emit(i, mark.start, mark.end) + mark.close)
            position = max(position, mark.end)
        out.append(chunk(position, end))
        return "".join(out)

    return emit(None, 0, len(text))


def pieces(text: str, marks: Sequence[Mark], base: Any) -> list[tuple[str, Any]]:
    """Flat marks (no nesting) as ``(text, key)`` pieces covering ``text``; gaps get ``base``."""
    out: list[tuple[str, Any]] = []
    position = 0
    for mark in sorted(marks, key=lambda m: m.start):
        if mark.start > position:
            out.append((text[position : mark.start], base))
        if mark.end > mark.start:
            out.append((text[mark.start : mark.end], mark.key))
        position = max(position, mark.end)
    if position < len(text):
        out.append((text[position:], base))
    return out


def _bounds(mark: Mark | None) -> tuple[int, int]:
    assert mark is not None
    return mark.start, mark.end


def _with_padding(mark: Mark, plain: str) -> Mark:
    if not mark.atom:
        return mark
    return replace(
        mark,
        pad_before=mark.pad_before or (mark.start > 0 and plain[mark.start - 1].isspace()),
        pad_after=mark.pad_after or (mark.start < len(plain) and plain[mark.start].isspace()),
    )


class _Mapper:
    """Unit positions (German plain text) → positions in the unit's English."""

    def __init__(self, document: Document, unit: Span, paragraph: Paragraph, english: str) -> None:
        self.source = document.source
        self.english = english
        self.offset = unit.start
        self.paragraph = paragraph
        self.lead = paragraph.source.start - unit.start
        self.target_start = paragraph.target.start
        self.tail_shift = len(paragraph.target) - len(paragraph.source)

    def _local(self, x: int) -> int:
        return x - self.target_start + self.lead

    def range(self, a: int, b: int, essential: bool) -> tuple[int, int] | None:
        start, end = a + self.offset, b + self.offset
        hits: list[tuple[int, int]] = []
        for s in self.paragraph.sentences:
            lo, hi = max(start, s.source.start), min(end, s.source.end)
            if lo >= hi or not self.source[lo:hi].strip():
                continue
            outside = self.source[s.source.start : lo] + self.source[hi : s.source.end]
            if not any(c.isalnum() for c in outside):
                hits.append((self._local(s.target.start), self._local(s.target.end)))
            elif s.links and s.source_words:
                words = {i for i, w in enumerate(s.source_words) if w.start < hi and w.end > lo}
                linked = [s.target_words[k.target] for k in s.links if k.source in words]
                if linked:
                    first, last = min(w.start for w in linked), max(w.end for w in linked)
                    hits.append(self._trim(self._local(first), self._local(last), lo, hi))
                elif essential:
                    hits.append(self._proportional(s, lo, hi))
            elif essential:
                hits.append(self._proportional(s, lo, hi))
        if not hits:
            return None
        return min(h[0] for h in hits), max(h[1] for h in hits)

    def _trim(self, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
        """Punctuation at the ends of the English words, where the marked German had none."""
        marked = self.source[lo:hi].strip()
        english = self.english
        if marked and marked[-1].isalnum():
            while end - 1 > start and not english[end - 1].isalnum():
                end -= 1
        if marked and marked[0].isalnum():
            while start + 1 < end and not english[start].isalnum():
                start += 1
        return start, end

    def point(self, a: int) -> int:
        x = a + self.offset
        paragraph = self.paragraph
        if x <= paragraph.source.start:
            return a
        if x >= paragraph.source.end:
            return a + self.tail_shift
        previous: Sentence | None = None
        for s in paragraph.sentences:
            if x <= s.source.start:
                assert previous is not None
                return self._local(previous.target.end) + (x - previous.source.end)
            if x <= s.source.end:
                return self._inside(s, x)
            previous = s
        return self._local(paragraph.target.end)  # unreachable: x < paragraph end

    def _inside(self, s: Sentence, x: int) -> int:
        if x == s.source.end:
            return self._local(s.target.end)
        if s.links and s.source_words:
            before = {i for i, w in enumerate(s.source_words) if w.end <= x}
            ends = [s.target_words[k.target].end for k in s.links if k.source in before]
            target = max(ends) if ends else s.target.start
            return self._local(target)
        share = (x - s.source.start) / max(1, len(s.source))
        target = s.target.start + round(share * len(s.target))
        return _snap(self.english, self._local(target))

    def _proportional(self, s: Sentence, lo: int, hi: int) -> tuple[int, int]:
        scale = len(s.target) / max(1, len(s.source))
        start = self._local(s.target.start + round((lo - s.source.start) * scale))
        end = self._local(s.target.start + round((hi - s.source.start) * scale))
        first, last = self._local(s.target.start), self._local(s.target.end)
        start = _snap(self.english, start, first, last, prefer=-1)
        end = _snap(self.english, end, first, last, prefer=1)
        if end <= start:
            end = start
            while end < last and not self.english[end].isspace():
                end += 1
        return start, end


def _snap(text: str, x: int, lo: int = 0, hi: int | None = None, prefer: int = 0) -> int:
    """The word boundary nearest to ``x`` (``prefer`` -1/1 breaks ties left/right)."""
    hi = len(text) if hi is None else hi
    x = min(max(x, lo), hi)

    def boundary(i: int) -> bool:
        return i <= lo or i >= hi or text[i - 1].isspace() or text[i].isspace()

    if boundary(x):
        return x
    left, right = x, x
    while not boundary(left):
        left -= 1
    while not boundary(right):
        right += 1
    if x - left < right - x or (x - left == right - x and prefer <= 0):
        return left
    return right
