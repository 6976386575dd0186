"""A Markdown file's blocks read into units: the inline content of paragraphs, headings, list
items, quotes and table cells found in their source lines, HTML blocks' and reference
definitions' readable texts and in-page links; front matter kept out of the parse."""

from __future__ import annotations

import re

from .markdown_scan import html_extras, scan
from .markdown_units import Anchor, Inner, State, Unit, Unlocatable, Where, parser, visible_text

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?^(?:\1|\.\.\.)[ \t]*$", re.S | re.M)
_ID = re.compile(r"""\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_DEFINITION = re.compile(
    r"""[ \t]*\[(?:[^\[\]\\]|\\.)+\]:[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)
        (?:([ \t]*\n?[ \t]*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?""",
    re.S | re.X,
)
_TASK = re.compile(r"\[[ xX]\](?=[ \t])")  # a task list item's box: "- [ ] Aufgabe"


def read_units(state: State) -> None:
    """The file's units into ``state``, in file order (and its headings, ids and references)."""
    text = state.text
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    parse_text = text
    front = _FRONT_MATTER.match(text)
    if front:  # blank it out line for line, so the parser's line numbers still fit
        parse_text = "\n" * front.group(0).count("\n") + text[front.end() :]
    md = parser()
    env: dict = {}
    tokens = md.parse(parse_text, env)
    state.env = {"references": env.get("references", {})}
    units: list[Unit] = []
    cells: list[tuple[int, int]] = []
    cell = 0
    for i, token in enumerate(tokens):
        if token.type == "tr_open" and token.map:
            row = token.map[0]
            cells = [(a + starts[row], b + starts[row]) for a, b in _row_cells(lines[row])]
            cell = 0
        if token.type in ("html_block", "html_inline"):
            _collect_ids(state, token.content)
        if token.type == "html_block" and token.map:
            units.extend(_block_extras(text, starts, lines, token.map))
        if token.type != "inline" or not token.map:
            continue
        kind = "text"
        before = tokens[i - 1] if i else None
        if before is not None and before.type in ("th_open", "td_open"):
            kind = "table"
        elif before is not None and before.type == "heading_open":
            kind = "setext" if before.markup in ("=", "-") else "atx"
        for child in token.children or []:
            if child.type == "html_inline":
                _collect_ids(state, child.content)
        heading = None
        if kind in ("atx", "setext"):
            heading = len(state.headings)
            state.headings.append(visible_text(token.children or []))
        try:
            if kind == "table":
                if cell >= len(cells):
                    continue
                a, b = cells[cell]
                cell += 1
                content = text[a:b]
                where = Where([(0, a)])
                parsed = md.parseInline(content, env)
                children = parsed[0].children or [] if parsed else []
                prefix = ""
            else:
                content, where, prefix = _locate(token, lines, starts)
                children = token.children or []
            if not content.strip():
                continue
            in_item = i >= 2 and tokens[i - 2].type == "list_item_open"
            unit = scan(content, children, where, task=in_item and bool(_TASK.match(content)))
        except Unlocatable:
            continue
        unit.prefix, unit.kind = prefix, kind
        if not unit.translate and not unit.inner and not unit.anchors:
            continue
        unit.heading = heading
        units.append(unit)
    units.extend(_definitions(text, starts, lines, env))
    units.sort(key=lambda u: u.start)
    state.units = units


def _collect_ids(state: State, html: str) -> None:
    for match in _ID.finditer(html):
        state.ids.add(next(g for g in match.groups() if g is not None))


def _block_extras(text: str, starts: list[int], lines: list[str], span) -> list[Unit]:
    """An HTML block's in-page links (to follow the translated headings) and the attributes
    people read (``alt``, ``title``, ``aria-label``, ``placeholder``: translated)."""
    first, last = span[0], min(span[1], len(lines))
    a = starts[first]
    b = starts[last - 1] + len(lines[last - 1]) if last > first else a
    unit = Unit(a, a, [], "", "definition", False)
    html_extras(text[a:b], -1, "", 0, lambda x: a + x, unit.inner, unit.anchors)
    return [unit] if unit.inner or unit.anchors else []


def _definitions(text: str, starts: list[int], lines: list[str], env: dict) -> list[Unit]:
    """Link reference definitions: their titles (to translate) and in-page destinations."""
    units = []
    for reference in env.get("references", {}).values():
        span = reference.get("map")
        if not span:
            continue
        a = starts[span[0]]
        last = min(span[1], len(lines)) - 1
        b = starts[last] + len(lines[last])
        block = text[a:b]
        # the definition may follow others in the same lines: find the one with this title/href
        offset = _prefix_length(block)
        match = _DEFINITION.match(block, offset) if offset is not None else None
        if match is None:
            continue
        unit = Unit(a, a, [], "", "definition", False)
        destination = match.group(1)
        if destination.startswith("<"):
            d_start, destination = match.start(1) + 1, destination[1:-1]
        else:
            d_start = match.start(1)
        if destination.startswith("#") and len(destination) > 1:
            at = a + d_start + 1
            end = at + len(destination) - 1
            unit.anchors.append(Anchor(destination[1:], -1, "", 0, 0, at, end))
        title = reference.get("title") or ""
        if match.group(3) and any(c.isalpha() for c in title):
            at = a + match.start(3) + 1
            unit.inner.append(
                Inner("title", -1, "", 0, 0, at, a + match.end(3) - 1, title, [], match.group(3)[0])
            )
        if unit.anchors or unit.inner:
            units.append(unit)
    return units


def _prefix_length(block: str) -> int | None:
    """The length of block-quote markers before a definition's ``[``."""
    match = re.match(r"(?:[ \t]*>)*[ \t]*(?=\[)", block)
    return match.end() if match else None


def _locate(token, lines: list[str], starts: list[int]) -> tuple[str, Where, str]:
    """The inline content, where its lines lie in the file, and the continuation prefix."""
    content: str = token.content
    first = token.map[0]
    where: list[tuple[int, int]] = []
    prefix = ""
    offset = 0
    for j, piece in enumerate(content.split("\n")):
        row = first + j
        if row >= len(lines):
            raise Unlocatable
        line = lines[row]
        at = line.rfind(piece) if piece else len(line)
        if at < 0:
            raise Unlocatable
        if j == 1:
            prefix = line[:at]
        where.append((offset, starts[row] + at))
        offset += len(piece) + 1
    # the newline between two content lines stands for the newline and the next line's prefix
    return content, Where(where), prefix


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
