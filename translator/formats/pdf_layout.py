"""PDF text lines → the units to translate: headings and paragraphs in reading order, footnotes.

pdfminer.six gives every text line with its box and font size (``pdf``); from there the reading is
ours:

* Running headers and footers: the top and bottom lines of each page whose text (digits aside)
  comes back on at least half the pages, and bare page numbers ("7", "Seite 7 von 9", "- 7 -").
* Footnotes: the lines under the body at a page's foot in a smaller font than the body's; they are
  kept apart, after the body, as units of their own.
* Reading order: a page's gutters are the x-ranges in its middle that (almost) no line narrower
  than the text crosses, with lines on each side; between the lines that span them (a title, a
  centred byline) the columns are read left to right, each top to bottom.
* Paragraphs: a new one where the gap above a line is larger than the line pitch, where a line is
  indented, where the line before ended short with a sentence's end, or where the font size
  changes (headings: larger than the body). A paragraph goes on across columns and pages.
* Line-end hyphens: ``Verhand-`` + ``lungen`` → ``Verhandlungen`` (the next line goes on in lower
  case), but ``Süd-`` + ``Ost`` → ``Süd-Ost`` (upper case: a compound's own hyphen) and
  ``Ein-`` + ``und Ausgänge`` → ``Ein- und Ausgänge`` (a conjunction follows: a suspended
  compound). A soft hyphen (U+00AD) at a line end always goes.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

_PAGE_NUMBER = re.compile(
    r"^\W*(?:(?:seite|page|s\.)\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*(?:/|von|of)\s*\d{1,4})?\W*$",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?:;\"“”»«)]\s*$")
_SUSPENDED = frozenset("und oder bis sowie bzw. bzw noch als wie and or to".split())
_NOTE_START = re.compile(r"^\s*(?:\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[*†‡§])\s*\S")


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    page: int


@dataclass(slots=True)
class Block:
    """One unit: ``kind`` is ``heading`` (with ``level`` 1–3), ``paragraph`` or ``footnote``."""

    kind: str
    text: str
    level: int = 0
    page: int = 0


@dataclass(slots=True)
class PdfState:
    blocks: list[Block] = field(default_factory=list)
    pages: int = 0


def blocks_of(pages: list[list[Line]]) -> list[Block]:
    """Headings and paragraphs in reading order, then the footnotes: the units to translate."""
    running = _running_lines(pages)
    body_size = _body_size(pages)
    body: list[Block] = []
    notes: list[Block] = []
    previous: Line | None = None
    current: list[Line] = []

    def flush() -> None:
        if current:
            body.append(_block(current, body_size))
            current.clear()

    for page in pages:
        lines = [line for line in page if id(line) not in running]
        lines, foot = _split_footnotes(lines, body_size)
        notes.extend(_footnotes(foot))
        for group in _reading_order(lines):
            for line in group:
                if (
                    previous is not None
                    and current
                    and _starts_paragraph(previous, line, body_size)
                ):
                    flush()
                current.append(line)
                previous = line
    flush()
    return body + notes


def _running_lines(pages: list[list[Line]]) -> set[int]:
    """The ids of running headers, footers and page numbers."""
    dropped: set[int] = set()
    candidates: list[tuple[Line, str]] = []
    for page in pages:
        if not page:
            continue
        top = max(line.y1 for line in page)
        bottom = min(line.y0 for line in page)
        for line in page:
            at_edge = line.y1 >= top - 2 or line.y0 <= bottom + 2
            if _PAGE_NUMBER.match(line.text) and at_edge:
                dropped.add(id(line))
            elif at_edge:
                candidates.append((line, re.sub(r"\d+", "#", line.text.lower())))
    if len(pages) >= 2:
        seen = Counter(key for _, key in candidates)
        pages_needed = max(2, (len(pages) + 1) // 2)
        for line, key in candidates:
            if seen[key] >= pages_needed:
                dropped.add(id(line))
    return dropped


def _body_size(pages: list[list[Line]]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _split_footnotes(lines: list[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """The lines above the footnotes, and the footnote lines (small print at the foot, below all
    body text, starting with a marker)."""
    if not lines:
        return lines, []
    ordered = sorted(lines, key=lambda line: line.y0)  # bottom first
    foot: list[Line] = []
    for line in ordered:
        if line.size and line.size < body_size * 0.9:
            foot.append(line)
        else:
            break
    if not foot or len(foot) == len(lines) or not _NOTE_START.match(max(foot, key=_top).text):
        return lines, []
    kept = {id(line) for line in foot}
    return [line for line in lines if id(line) not in kept], foot


def _top(line: Line) -> float:
    return line.y1


def _footnotes(foot: list[Line]) -> list[Block]:
    notes: list[Block] = []
    for line in sorted(foot, key=lambda line: (-line.y1, line.x0)):
        if notes and not _NOTE_START.match(line.text):
            notes[-1].text = _join(notes[-1].text, line.text)
        else:
            notes.append(Block("footnote", line.text, page=line.page))
    return notes


def _reading_order(lines: list[Line]) -> list[list[Line]]:
    """Groups of lines in reading order: a page's columns left to right between the lines that
    span them (titles, centred bylines), each column top to bottom."""
    lines = sorted(lines, key=lambda line: (-line.y1, line.x0))
    gutters = _gutters(lines)
    if not gutters:
        return [lines] if lines else []
    groups: list[list[Line]] = []
    region: list[Line] = []

    def flush() -> None:
        columns: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]
        for line in region:
            middle = (line.x0 + line.x1) / 2
            columns[sum(middle > (a + b) / 2 for a, b in gutters)].append(line)
        groups.extend(column for column in columns if column)
        region.clear()

    for line in lines:
        if any(line.x0 <= a + 1 and line.x1 >= b - 1 for a, b in gutters):  # spans a gutter
            flush()
            groups.append([line])
        else:
            region.append(line)
    flush()
    return groups


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """The x-ranges between a page's columns: wide enough, in the page's middle, crossed by
    almost no line that is narrower than the text width, with enough lines on each side."""
    if len(lines) < 6:
        return []
    left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
    width = right - left
    narrow = [line for line in lines if line.x1 - line.x0 < 0.6 * width]
    if len(narrow) < 0.6 * len(lines):
        return []
    cover = [0] * (int(width) + 2)
    for line in narrow:
        for x in range(int(line.x0 - left), int(line.x1 - left) + 1):
            cover[x] += 1
    threshold = max(1, len(narrow) // 20)
    minimum = max(4.0, statistics.median(line.size for line in narrow) * 0.6)
    gutters: list[tuple[float, float]] = []
    x = int(0.2 * width)
    while x < 0.8 * width:
        if cover[x] <= threshold:
            start = x
            while x < len(cover) and cover[x] <= threshold:
                x += 1
            if x - start >= minimum:
                gutters.append((left + start, left + x))
        x += 1
    edges = [left] + [g for pair in gutters for g in pair] + [right]
    for i in range(len(gutters) + 1):  # every column holds lines of its own
        low, high = edges[2 * i], edges[2 * i + 1]
        if sum(low - 1 <= line.x0 and line.x1 <= high + 1 for line in narrow) < 3:
            return []
    return gutters


def _starts_paragraph(previous: Line, line: Line, body_size: float) -> bool:
    if abs(line.size - previous.size) > 0.5 or _heading_level(previous, body_size):
        return True
    if line.page == previous.page and line.y1 <= previous.y0 and abs(line.x0 - previous.x0) < 2:
        gap = previous.y0 - line.y1
        if gap > max(line.size, previous.size) * 0.6:
            return True
    same_column = (
        line.page == previous.page
        and line.y1 < previous.y1
        and (abs(line.x0 - previous.x0) < previous.size * 4)
    )
    if same_column and line.x0 - previous.x0 > line.size * 0.8:
        return True  # a first-line indent
    short = previous.x1 < line.x1 - previous.size * 3 if same_column else False
    return short and bool(_SENTENCE_END.search(previous.text))


def _heading_level(line: Line, body_size: float) -> int:
    if line.size >= body_size * 1.6:
        return 1
    if line.size >= body_size * 1.3:
        return 2
    if line.size >= body_size * 1.12:
        return 3
    return 0


def _block(lines: list[Line], body_size: float) -> Block:
    text = ""
    for line in lines:
        text = _join(text, line.text)
    level = _heading_level(lines[0], body_size)
    if level:
        return Block("heading", text, level, lines[0].page)
    return Block("paragraph", text, 0, lines[0].page)


def _join(text: str, line: str) -> str:
    """Two lines of one paragraph as one text: a line-end hyphen undone where it splits a word."""
    if not text:
        return line
    if text.endswith("\u00ad"):
        return text[:-1] + line
    if text.endswith("-") and len(text) > 1 and text[-2].isalnum():
        following = line.split(" ", 1)[0]
        if text[-2].isalpha() and following[:1].islower() and following.lower() not in _SUSPENDED:
            return text[:-1] + line  # Verhand- lungen
        if following.lower() in _SUSPENDED:
            return text + " " + line  # Ein- und Ausgänge
        return text + line  # Süd- Ost, 2023- 2024: the compound's own hyphen
    return text + " " + line
