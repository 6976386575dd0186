"""SubRip subtitles (``.srt``): cue numbers and timings untouched, each cue's text translated.

Each cue is its own unit: a sentence that runs over two cues is translated in two halves, because
the English can't be split back over the cues' timings reliably. Formatting tags (``<i>``, ``<b>``,
``<u>``, ``<font …>``) are moved with their words, ``{\\an8}``-style positioning codes stay at
the start. An English line longer than 42 characters is broken in two at the space nearest its
middle when the German cue had more than one line. Written as UTF-8 with the file's line endings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import decode
from .inline import Mark, render, transfer

LINE_LENGTH = 42
_TIMING = re.compile(r"^\s*\d+:\d+:\d+[,.]\d+\s*-->\s*\d+:\d+:\d+[,.]\d+.*$")
_TAG = re.compile(r"</?([A-Za-z]+)\b[^>]*>|\{\\[^}]*\}")


@dataclass(slots=True)
class _Cue:
    start: int  # the cue's text in the (newline-normalised) file
    end: int
    marks: list[Mark]
    lines: int


@dataclass(slots=True)
class _State:
    text: str
    crlf: bool
    cues: list[_Cue]


def read(data: bytes, name: str) -> Source:
    raw, encoding = decode(data, name)
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    cues: list[_Cue] = []
    plains: list[str] = []
    lines = text.split("\n")
    offset = 0
    starts = []
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    i = 0
    while i < len(lines):
        if _TIMING.match(lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].strip():
                j += 1
            if j > i + 1:
                start, end = starts[i + 1], starts[j - 1] + len(lines[j - 1])
                plain, marks = _scan(text[start:end])
                if any(c.isalpha() for c in plain):
                    cues.append(_Cue(start, end, marks, j - i - 1))
                    plains.append(plain)
            i = j
        else:
            i += 1
    joined, spans = join_units(plains)
    state = _State(text=text, crlf=crlf, cues=cues)
    return Source(name=name, format="srt", text=joined, units=spans, encoding=encoding, state=state)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    state: _State = source.state
    out: list[str] = []
    position = 0
    paragraphs = unit_paragraphs(document, source.units or [])
    for cue, span, paragraph in zip(state.cues, source.units or [], paragraphs, strict=True):
        if paragraph is None:
            continue
        english, marks = transfer(document, span, paragraph, cue.marks)
        if cue.lines > 1:
            english = _wrap(english)
        out.append(state.text[position : cue.start])
        out.append(render(english, marks, lambda chunk, _: chunk))
        position = cue.end
    out.append(state.text[position:])
    result = "".join(out)
    if state.crlf:
        result = result.replace("\n", "\r\n")
    return result.encode("utf-8")


def _scan(text: str) -> tuple[str, list[Mark]]:
    plain: list[str] = []
    length = 0
    marks: list[Mark] = []
    stack: list[int] = []
    position = 0
    for match in _TAG.finditer(text):
        chunk = text[position : match.start()]
        plain.append(chunk)
        length += len(chunk)
        position = match.end()
        literal, name = match.group(0), (match.group(1) or "").lower()
        parent = stack[-1] if stack else None
        if literal.startswith("</") and stack and marks[stack[-1]].key == name:
            marks[stack[-1]].end, marks[stack[-1]].close = length, literal
            stack.pop()
        elif name and not literal.startswith("</") and not literal.endswith("/>"):
            marks.append(Mark(length, length, literal, key=name, parent=parent))
            stack.append(len(marks) - 1)
        else:
            marks.append(Mark(length, length, literal, atom=True, essential=True, parent=parent))
    plain.append(text[position:])
    for index in stack:
        mark = marks[index]
        mark.atom, mark.end, mark.essential = True, mark.start, True
        for other in marks:
            if other.parent == index:
                other.parent = mark.parent
    return "".join(plain), marks


def _wrap(english: str) -> str:
    """One over-long line broken at the space nearest its middle (same length: marks still fit)."""
    if "\n" in english.strip() or len(english.strip()) <= LINE_LENGTH:
        return english
    middle = len(english) // 2
    spaces = [i for i, c in enumerate(english) if c == " " and 0 < i < len(english.rstrip())]
    if not spaces:
        return english
    cut = min(spaces, key=lambda i: abs(i - middle))
    return english[:cut] + "\n" + english[cut + 1 :]
