"""Markdown (``.md``): only prose is translated; everything else keeps its bytes.

markdown-it-py (CommonMark, plus GitHub tables and strikethrough) finds the inline content of each
paragraph, heading, list item, block quote line and table cell. Its tokens carry no character
offsets, so each inline content is found in its source lines, and each inline token in the raw
content with a cursor. A unit's raw text is replaced by the rendered English; code blocks, HTML
blocks, front matter, link reference definitions, table rules, list and quote markers lie outside
every unit and are never touched. Inside a unit, code spans, images, autolinks, inline HTML and
hard breaks are atoms (kept byte-identical, moved with their words), emphasis and links are
paired marks moved onto the English words they covered (see ``inline``), and the English text is
backslash-escaped where it would otherwise read as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..document import Document
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import decode
from .inline import Mark, render, transfer

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?^(?:\1|\.\.\.)[ \t]*$", re.S | re.M)
_VOID_HTML = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "embed"}
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)>\Z", re.S)
_CLOSE_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>\Z")
_EMPHASIS = {"em", "strong", "s"}


@cache
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.disable("text_join")  # keep escapes and entities as their own tokens, so raw text matches
    return md


@dataclass(slots=True)
class _Unit:
    start: int  # the raw inline content in the (newline-normalised) file text
    end: int
    marks: list[Mark]
    prefix: str  # what starts each continuation line (quote markers, list indentation)
    table: bool


@dataclass(slots=True)
class _State:
    text: str
    crlf: bool
    units: list[_Unit] = field(default_factory=list)


class _Unlocatable(Exception):
    """An inline token's raw text could not be found: the unit is left as it is."""


def read(data: bytes, name: str) -> Source:
    raw, encoding = decode(data, name)
    crlf = "\r\n" in raw and "\n" not in raw.replace("\r\n", "")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    state = _State(text=text, crlf=crlf)
    plains: list[str] = []
    for unit, plain in _units(text):
        state.units.append(unit)
        plains.append(plain)
    joined, spans = join_units(plains)
    return Source(name=name, format="md", text=joined, units=spans, encoding=encoding, state=state)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    state: _State = source.state
    text = state.text
    out: list[str] = []
    position = 0
    paragraphs = unit_paragraphs(document, source.units or [])
    for unit, span, paragraph in zip(state.units, source.units or [], paragraphs, strict=True):
        if paragraph is None:
            continue
        english, marks = transfer(document, span, paragraph, unit.marks)
        table = unit.table

        def escape(chunk: str, line_start: bool, table: bool = table) -> str:
            return _escape(chunk, line_start, table)

        rendered = render(english, marks, escape).replace("\n", "\n" + unit.prefix)
        out.append(text[position : unit.start])
        out.append(rendered)
        position = unit.end
    out.append(text[position:])
    result = "".join(out)
    if state.crlf:
        result = result.replace("\n", "\r\n")
    return result.encode("utf-8-sig" if source.encoding == "utf-8-sig" else "utf-8")


# -- finding the prose ---------------------------------------------------------------------------


def _units(text: str):
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    parse_text = text
    front = _FRONT_MATTER.match(text)
    if front:  # blank it out line for line, so the parser's line numbers still fit
        blank = "\n" * front.group(0).count("\n")
        parse_text = blank + text[front.end() :]
    md = _parser()
    env: dict = {}
    tokens = md.parse(parse_text, env)
    cells: list[tuple[int, int]] = []
    cell = 0
    for i, token in enumerate(tokens):
        if token.type == "tr_open" and token.map:
            row = token.map[0]
            cells = [(a + starts[row], b + starts[row]) for a, b in _row_cells(lines[row])]
            cell = 0
        if token.type != "inline" or not token.map:
            continue
        table = i > 0 and tokens[i - 1].type in ("th_open", "td_open")
        try:
            if table:
                if cell >= len(cells):
                    continue
                a, b = cells[cell]
                cell += 1
                content = text[a:b]
                positions = list(range(a, b))
                parsed = md.parseInline(content, env)
                children = parsed[0].children or [] if parsed else []
                prefix = ""
            else:
                content, positions, prefix = _locate(token, lines, starts)
                children = token.children or []
            if not content.strip():
                continue
            plain, marks = _scan(content, children)
        except _Unlocatable:
            continue
        if not any(c.isalpha() for c in plain):
            continue
        yield _Unit(positions[0], positions[-1] + 1, marks, prefix, table), plain


def _locate(token, lines: list[str], starts: list[int]) -> tuple[str, list[int], str]:
    """The inline content, the file offset of each of its characters, the continuation prefix."""
    content: str = token.content
    first = token.map[0]
    positions: list[int] = []
    prefix = ""
    for j, piece in enumerate(content.split("\n")):
        row = first + j
        if row >= len(lines):
            raise _Unlocatable
        line = lines[row]
        at = line.rfind(piece) if piece else len(line)
        if at < 0:
            raise _Unlocatable
        if j:
            positions.append(starts[row] - 1)  # the newline before this line
        if j == 1:
            prefix = line[:at]
        positions.extend(range(starts[row] + at, starts[row] + at + len(piece)))
    if not positions:
        raise _Unlocatable
    return content, positions, prefix


def _row_cells(line: str) -> list[tuple[int, int]]:
    """Each table cell's trimmed text as ``(start, end)`` in the row's line."""
    bars = [i for i, c in enumerate(line) if c == "|" and (i == 0 or line[i - 1] != "\\")]
    edges = [-1, *bars, len(line)]
    cells = []
    for k in range(len(edges) - 1):
        a, b = edges[k] + 1, edges[k + 1]
        if (k == 0 and not line[a:b].strip()) or (k == len(edges) - 2 and not line[a:b].strip()):
            continue
        while a < b and line[a] in " \t":
            a += 1
        while b > a and line[b - 1] in " \t":
            b -= 1
        cells.append((a, b))
    return cells


def _scan(content: str, children) -> tuple[str, list[Mark]]:
    """The plain text of an inline content, and its markup as marks (see ``inline``)."""
    plain: list[str] = []
    length = 0
    marks: list[Mark] = []
    stack: list[int] = []
    position = 0

    def find(needle: str, start: int) -> int:
        at = content.find(needle, start)
        if at < 0:
            raise _Unlocatable
        return at

    def add(text: str) -> None:
        nonlocal length
        plain.append(text)
        length += len(text)

    def atom(literal: str, essential: bool = True) -> None:
        parent = stack[-1] if stack else None
        marks.append(Mark(length, length, literal, atom=True, essential=essential, parent=parent))

    def open_mark(literal: str, essential: bool, key: object = None) -> None:
        parent = stack[-1] if stack else None
        marks.append(Mark(length, length, literal, essential=essential, parent=parent, key=key))
        stack.append(len(marks) - 1)

    skip_until_close = False
    for token in children:
        kind = token.type
        if skip_until_close:
            if kind == "link_close":
                skip_until_close = False
            continue
        if kind == "text":
            if token.content:
                at = find(token.content, position)
                add(token.content)
                position = at + len(token.content)
        elif kind == "text_special":
            at = find(token.markup, position)
            add(token.content)
            position = at + len(token.markup)
        elif kind == "softbreak":
            position = find("\n", position) + 1
            add("\n")
        elif kind == "hardbreak":
            end = find("\n", position) + 1
            atom(content[position:end])
            add(" ")
            position = end
        elif kind in ("em_open", "strong_open", "s_open"):
            at = find(token.markup, position)
            open_mark(token.markup, essential=False, key=kind[:-5])
            position = at + len(token.markup)
        elif kind in ("em_close", "strong_close", "s_close"):
            at = find(token.markup, position)
            _close(marks, stack, token.markup, length)
            position = at + len(token.markup)
        elif kind == "code_inline":
            at = find(token.markup, position)
            tick = re.compile(r"(?<!`)" + re.escape(token.markup) + r"(?!`)")
            close = tick.search(content, at + len(token.markup))
            if close is None:
                raise _Unlocatable
            atom(content[at : close.end()])
            position = close.end()
        elif kind == "link_open" and token.markup == "autolink":
            at = find("<", position)
            end = find(">", at) + 1
            atom(content[at:end])
            position = end
            skip_until_close = True
        elif kind == "link_open":
            at = find("[", position)
            open_mark("[", essential=True, key="link")
            position = at + 1
        elif kind == "link_close":
            at = find("]", position)
            end = _link_tail(content, at + 1)
            _close(marks, stack, content[at:end], length)
            position = end
        elif kind == "image":
            at = find("![", position)
            end = _link_tail(content, _matching_bracket(content, at + 1) + 1)
            atom(content[at:end])
            position = end
        elif kind == "html_inline":
            at = find(token.content, position)
            literal = token.content
            position = at + len(literal)
            opening, closing = _OPEN_TAG.match(literal), _CLOSE_TAG.match(literal)
            if opening and not opening.group(2) and opening.group(1).lower() not in _VOID_HTML:
                name = opening.group(1).lower()
                open_mark(literal, essential=name == "a", key=("html", name))
            elif closing and stack and marks[stack[-1]].key == ("html", closing.group(1).lower()):
                _close(marks, stack, literal, length)
            else:
                atom(literal)
        else:  # anything else this parser may produce: keep its text as it is
            if token.content:
                at = find(token.content, position)
                atom(token.content)
                position = at + len(token.content)
    for index in stack:  # inline HTML opened and never closed: a lone tag, kept where it was
        _to_atom(marks, index)
    return "".join(plain), marks


def _close(marks: list[Mark], stack: list[int], literal: str, length: int) -> None:
    if not stack:
        raise _Unlocatable
    index = stack.pop()
    marks[index].end = length
    marks[index].close = literal


def _to_atom(marks: list[Mark], index: int) -> None:
    mark = marks[index]
    mark.atom, mark.end = True, mark.start
    for other in marks:
        if other.parent == index:
            other.parent = mark.parent


def _matching_bracket(content: str, start: int) -> int:
    """The index of the ``]`` that closes the ``[`` at ``start``."""
    depth = 0
    i = start
    while i < len(content):
        c = content[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise _Unlocatable


def _link_tail(content: str, start: int) -> int:
    """The end of ``](destination "title")`` or ``][label]`` after a link text's ``]``."""
    if start < len(content) and content[start] == "(":
        depth = 0
        quote = ""
        i = start
        while i < len(content):
            c = content[i]
            if c == "\\":
                i += 2
                continue
            if quote:
                if c == quote:
                    quote = ""
            elif c in "\"'" and depth == 1 and content[i - 1] in " \t\n":
                quote = c
            elif c == "<" and depth == 1:
                close = content.find(">", i)
                i = close if close > 0 else i
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise _Unlocatable
    if start < len(content) and content[start] == "[":
        end = content.find("]", start)
        if end < 0:
            raise _Unlocatable
        return end + 1
    return start


# -- writing English as Markdown -----------------------------------------------------------------

_SPECIAL = re.compile(r"([\\`*_\[\]<~])")
_SPECIAL_TABLE = re.compile(r"([\\`*_\[\]<~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^([ \t]*)(#{1,6}|[>+\-=]|\d{1,9}(?=[.)]))(?=[ \t.)]|$)", re.M)


def _escape(chunk: str, line_start: bool, table: bool) -> str:
    chunk = (_SPECIAL_TABLE if table else _SPECIAL).sub(r"\\\1", chunk)
    chunk = _ENTITY_LIKE.sub("\\&", chunk)

    def block(match: re.Match[str]) -> str:
        if match.start() == 0 and not line_start:
            return match.group(0)
        marker = match.group(2)
        if marker[0].isdigit():  # "1." → "1\." keeps it from starting a list
            return match.group(1) + marker + "\\"
        return match.group(1) + "\\" + marker

    return _LINE_START.sub(block, chunk)
