"""SubRip subtitles (``.srt``): cue numbers and timings untouched, each cue's text translated.

Each cue is its own unit: a sentence that runs over two cues is translated in two halves, because
the English can't be split back over the cues' timings reliably. A cue's text runs to the next
blank line, or to the next cue's number and timing line where a file leaves out the blank line
(players accept that). Tags (``<i>``, ``<b>``, ``<font …>``, any ``<name>`` or ``</name>``,
``_`` and ``.`` in names included) are markup, moved with their words; ``{\\an8}``-style
positioning codes stay at the start. An English line longer than 42 characters is broken in two
at the space nearest its middle when the German cue had more than one line. Written as UTF-8
(with a byte-order mark if the file had one) with the file's own line endings, line by line.
"""

from __future__ import annotations

import bisect
import codecs
import html
import re
from dataclasses import dataclass

from ..document import Document
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import decode
from .inline import Mark, render, transfer

LINE_LENGTH = 42
_TIMING = re.compile(r"^\s*\d+:\d+:\d+(?:[,.]\d+)?\s*-->\s*\d+:\d+:\d+(?:[,.]\d+)?.*$")
_TAG = re.compile(
    r"</?([A-Za-z][^\s/>]*)[^>]*>"  # <i>, </font>, <invalid_tag par=5>
    r"|\{(/?)([bisuBISU])\}"  # {b} … {/b}
    r"|\{\\[^}]*\}"  # {\an8}
    r"|&(?:[A-Za-z]+|#\d+|#[xX][0-9A-Fa-f]+);"  # &amp; &nbsp; (read as the character)
)
_NUMBER = re.compile(r"^\s*\d+\s*$")


@dataclass(slots=True)
class _Cue:
    start: int  # the cue's text in the (newline-normalised) file
    end: int
    marks: list[Mark]
    lines: int


@dataclass(slots=True)
class _State:
    text: str  # the file text with every line ending as "\n"
    raw: str  # the file text as it was
    crlf: list[int]  # positions in ``text`` of newlines that were "\r\n"
    bom: bool
    cues: list[_Cue]
    entities: bool  # the cues write "&", "<" as character references: the English does too


def read(data: bytes, name: str) -> Source:
    raw, encoding = decode(data, name)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    crlf = [m.start() - k for k, m in enumerate(re.finditer("\r\n", raw))]
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
            while j < len(lines) and lines[j].strip() and not _next_cue(lines, j):
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
    entities = any(
        m.group(0).startswith("&") for c in cues for m in _TAG.finditer(text, c.start, c.end)
    )
    state = _State(text, raw, crlf, encoding == "utf-8-sig", cues, entities)
    return Source(name=name, format="srt", text=joined, units=spans, encoding=encoding, state=state)


def _next_cue(lines: list[str], j: int) -> bool:
    """Whether line ``j`` starts the next cue: a timing line, or a number before one."""
    if _TIMING.match(lines[j]):
        return True
    return (
        bool(_NUMBER.match(lines[j])) and j + 1 < len(lines) and bool(_TIMING.match(lines[j + 1]))
    )


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    state: _State = source.state
    raw, crlf = state.raw, state.crlf

    def at(x: int) -> int:
        return x + bisect.bisect_left(crlf, x)

    out: list[str] = []
    position = 0
    paragraphs = unit_paragraphs(document, source.units or [])
    for cue, span, paragraph in zip(state.cues, source.units or [], paragraphs, strict=True):
        if paragraph is None:
            continue
        english, marks = transfer(document, span, paragraph, cue.marks)
        if cue.lines > 1:
            english = _wrap(english)
        out.append(raw[at(position) : at(cue.start)])
        rendered = render(english, marks, _escape if state.entities else lambda chunk, _: chunk)
        out.append(_with_endings(rendered, raw[at(cue.start) : at(cue.end)], raw))
        position = cue.end
    out.append(raw[at(position) :])
    return (codecs.BOM_UTF8 if state.bom else b"") + "".join(out).encode("utf-8")


def _with_endings(new: str, old: str, raw: str) -> str:
    """``new``'s line breaks written as the ones of the lines it replaces (else the file's)."""
    if "\n" not in new:
        return new
    endings = re.findall(r"\r\n|\r|\n", old) or re.findall(r"\r\n|\r|\n", raw[:4096]) or ["\n"]
    lines = new.split("\n")
    return lines[0] + "".join(
        endings[min(k, len(endings) - 1)] + line for k, line in enumerate(lines[1:])
    )


def _scan(text: str) -> tuple[str, list[Mark]]:
    plain: list[str] = []
    length = 0
    marks: list[Mark] = []
    stack: list[int] = []
    position = 0
    for match in _TAG.finditer(text):
        literal = match.group(0)
        if literal.startswith("&"):
            decoded = html.unescape(literal)
            if decoded != literal:
                chunk = text[position : match.start()] + decoded
                plain.append(chunk)
                length += len(chunk)
                position = match.end()
            continue
        chunk = text[position : match.start()]
        plain.append(chunk)
        length += len(chunk)
        position = match.end()
        if match.group(3):
            name, closing = "{" + match.group(3).lower(), match.group(2) == "/"
        else:
            name, closing = (match.group(1) or "").lower(), literal.startswith("</")
        parent = stack[-1] if stack else None
        if closing and stack and marks[stack[-1]].key == name:
            marks[stack[-1]].end, marks[stack[-1]].close = length, literal
            stack.pop()
        elif name and not closing and not literal.endswith("/>"):
            marks.append(Mark(length, length, literal, key=name, parent=parent))
            stack.append(len(marks) - 1)
        else:
            marks.append(Mark(length, length, literal, atom=True, essential=True, parent=parent))
    plain.append(text[position:])
    lone = set(stack)  # opened and never closed: a lone tag, kept where it was
    for index in stack:
        mark = marks[index]
        mark.atom, mark.end, mark.essential = True, mark.start, True
    for mark in marks:
        while mark.parent is not None and mark.parent in lone:
            mark.parent = marks[mark.parent].parent
    return "".join(plain), marks


def _escape(chunk: str, _: bool) -> str:
    return html.escape(chunk, quote=False).replace("\xa0", "&nbsp;")


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
