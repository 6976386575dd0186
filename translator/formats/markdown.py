"""Markdown (``.md``): only prose is translated; everything else keeps its bytes.

markdown-it-py (CommonMark, plus GitHub's tables, strikethrough and footnotes) finds the inline
content of each paragraph, heading, list item, block quote line, table cell and footnote. Its
tokens carry no character offsets, so each inline content is found in its source lines, and each
inline token in the raw content with a cursor. A unit's raw text is replaced by the rendered
English; code blocks, HTML blocks, front matter, link reference definitions, table rules, list
and quote markers lie outside every unit and keep their bytes. Inside a unit, code spans, images,
autolinks, inline HTML, footnote references, hard breaks and task list boxes (``[ ]``) are atoms
(kept byte-identical, moved with their words), emphasis and links are paired marks moved onto
the English words they covered (see ``inline``).

What people read outside the running text is translated too, each as a unit of its own: image
alt texts, link and image titles (also in reference definitions), and the ``alt``, ``title``,
``aria-label`` and ``placeholder`` attributes of inline HTML and HTML blocks (the text between
an HTML block's tags stays as it is). A shortcut or collapsed
reference link (``[Anleitung]``) is written as a full reference (``[Instructions][Anleitung]``)
so it still finds its definition; an in-page link (``#über-uns``) is rewritten to the translated
heading's anchor (GitHub's rule, duplicates numbered ``-1``, ``-2``), unless it names an explicit
``id``/``name``.

The English is escaped where it would otherwise read as markup (a line that would start a list,
a heading, a quote or a rule; a ``#`` run that would close a heading; trailing spaces that would
break a line; a ``!`` before a link). A decoded ``&#10;`` or ``&#9;`` is a space to the
translator, so it can't split a paragraph or start a code block. Emphasis that lands next to
punctuation leaves that punctuation outside (``_`` next to a letter becomes ``*``), and each
written unit is parsed again: if its emphasis still didn't come out as the marks say, the unit's
emphasis is written as the equivalent HTML tags (``<em>``), which render the same.

Line endings (CRLF, LF, CR, mixed) and the encoding are the file's own: the bytes outside the
units are the input's, and the English takes the line endings of the lines it replaces. A
character the file's encoding lacks is written as a numeric character reference.
"""

from __future__ import annotations

import bisect
import codecs
import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from urllib.parse import quote, unquote

from ..document import Document, Paragraph, Span
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import decode
from .inline import Mark, render, transfer

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?^(?:\1|\.\.\.)[ \t]*$", re.S | re.M)
_VOID_HTML = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "embed"}
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)>\Z", re.S)
_CLOSE_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>\Z")
_HREF = re.compile(r"""\bhref\s*=\s*(["']?)#([^"'\s>]*)""", re.I)
_ID = re.compile(r"""\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_TITLE_AT_END = re.compile(
    r"""[ \t\n]+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))[ \t\n]*\)\Z""", re.S
)
_DEFINITION = re.compile(
    r"""[ \t]*\[(?:[^\[\]\\]|\\.)+\]:[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)
        (?:([ \t]*\n?[ \t]*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?""",
    re.S | re.X,
)
_EMPHASIS_HTML = {
    "em": ("<em>", "</em>"),
    "strong": ("<strong>", "</strong>"),
    "s": ("<s>", "</s>"),
}


@cache
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False)
    md.disable("text_join")  # keep escapes and entities as their own tokens, so raw text matches
    return md


@dataclass(slots=True)
class _Inner:
    """Readable text inside a literal: an image's alt text, a link's or image's title."""

    kind: str  # "alt", "title" or "attribute" (of inline HTML or an HTML block)
    mark: int  # the mark whose literal holds it (-1: a reference definition, outside units)
    field: str  # "open" or "close"
    start: int  # its range in that literal
    end: int
    file_start: int  # and in the file
    file_end: int
    plain: str
    marks: list[Mark]
    quote: str = ""  # a title's delimiter
    suffix: tuple[int, str] | None = None  # (file position, text) to add once it is translated


@dataclass(slots=True)
class _Anchor:
    """An in-page link's ``#fragment``: in a literal (``mark >= 0``) or in the file."""

    fragment: str
    mark: int
    field: str
    start: int
    end: int
    file_start: int
    file_end: int


@dataclass(slots=True)
class _Unit:
    start: int  # the raw inline content in the (newline-normalised) file text
    end: int
    marks: list[Mark]
    prefix: str  # what starts each continuation line (quote markers, list indentation)
    kind: str  # "text", "table", "atx", "setext", "definition"
    translate: bool  # the running text has letters (else only its inner texts are translated)
    inner: list[_Inner] = field(default_factory=list)
    anchors: list[_Anchor] = field(default_factory=list)
    heading: int | None = None  # its index in the file's headings
    plain: str = ""  # the running text, as the translator gets it


@dataclass(slots=True)
class _State:
    text: str  # the file text with every line ending as "\n"
    raw: str  # the file text as it was
    crlf: list[int]  # positions in ``text`` of newlines that were "\r\n"
    codec: str
    bom: bytes
    units: list[_Unit] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # every heading's German text, in order
    ids: set[str] = field(default_factory=set)  # explicit id/name attributes in the file
    env: dict = field(default_factory=dict)


class _Unlocatable(Exception):
    """An inline token's raw text could not be found: the unit is left as it is."""


def read(data: bytes, name: str) -> Source:
    raw, encoding = decode(data, name)
    codec, bom = _codec(data, encoding)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    crlf = [m.start() - k for k, m in enumerate(re.finditer("\r\n", raw))]
    state = _State(text=text, raw=raw, crlf=crlf, codec=codec, bom=bom)
    _read_units(state)
    plains: list[str] = []
    for unit in state.units:
        if unit.translate:
            plains.append(unit.plain)
        plains.extend(inner.plain for inner in unit.inner)
    joined, spans = join_units(plains)
    return Source(name=name, format="md", text=joined, units=spans, encoding=encoding, state=state)


def _codec(data: bytes, encoding: str) -> tuple[str, bytes]:
    """The codec that writes the file back as it came, and its byte-order mark."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return codec, bom
    return encoding, b""


# -- writing -------------------------------------------------------------------------------------


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    state: _State = source.state
    spans = source.units or []
    found = iter(zip(spans, unit_paragraphs(document, spans), strict=True))
    jobs: list[tuple[_Unit, tuple[Span, Paragraph | None] | None, list[str | None]]] = []
    for unit in state.units:
        main = next(found) if unit.translate else None
        inner: list[str | None] = []
        for item in unit.inner:
            span, paragraph = next(found)
            inner.append(_inner_english(document, span, paragraph, item))
        jobs.append((unit, main, inner))
    # headings first: their English decides the anchors that in-page links point at
    english_headings: dict[int, str] = {}
    for unit, main, inner in jobs:
        if unit.heading is not None and main is not None and main[1] is not None:
            rendered = _render_unit(document, unit, main, inner, {}, state)
            english_headings[unit.heading] = _heading_text(rendered, state.env)
    slugs = _slug_map(state, english_headings)
    edits: list[tuple[int, int, str]] = []
    for unit, main, inner in jobs:
        if main is not None and main[1] is not None:
            rendered = _render_unit(document, unit, main, inner, slugs, state)
            edits.append((unit.start, unit.end, rendered))
            continue
        for item, english in zip(unit.inner, inner, strict=True):
            if english is not None:
                edits.append((item.file_start, item.file_end, english))
                if item.suffix is not None:
                    edits.append((item.suffix[0], item.suffix[0], item.suffix[1]))
        for anchor in unit.anchors:
            new = slugs.get(anchor.fragment)
            if new is not None:
                edits.append((anchor.file_start, anchor.file_end, new))
    return _assemble(state, sorted(edits))


def _inner_english(
    document: Document, span: Span, paragraph: Paragraph | None, item: _Inner
) -> str | None:
    if paragraph is None:
        return None
    english, marks = transfer(document, span, paragraph, item.marks)
    if item.kind == "title":
        return _escape_title(english, item.quote)
    if item.kind == "attribute":
        value = re.sub(r"\n\s*\n", "\n", html.escape(english, quote=True))
        if "\n" in item.plain and "\n" not in value and " " in value:
            # a tag written over several lines stays so: on one line it could start a block
            middle = len(value) // 2
            cut = min((i for i, c in enumerate(value) if c == " "), key=lambda i: abs(i - middle))
            value = value[:cut] + "\n" + value[cut + 1 :]
        return value
    return _unmark(
        render(english, marks, lambda chunk, line_start: _escape(chunk, line_start, False))
    )


def _render_unit(
    document: Document,
    unit: _Unit,
    main: tuple[Span, Paragraph | None],
    inner: list[str | None],
    slugs: dict[str, str],
    state: _State,
) -> str:
    marks = _substituted(unit, inner, slugs)
    english, moved = transfer(document, main[0], main[1], marks)
    moved = _delimitable(english, moved)
    table = unit.kind == "table"

    def escape(chunk: str, line_start: bool) -> str:
        return _escape(chunk, line_start, table)

    rendered = _finish(render(english, moved, escape), unit)
    as_html = [_emphasis_as_html(m) for m in moved]
    if any(a is not b for a, b in zip(as_html, moved, strict=True)):
        safe = _finish(render(english, as_html, escape), unit)
        if _structure(rendered, state.env) != _structure(safe, state.env):
            rendered = safe  # some emphasis didn't come out as delimiters: HTML tags do
    return rendered.replace("\n", "\n" + unit.prefix)


def _substituted(unit: _Unit, inner: list[str | None], slugs: dict[str, str]) -> list[Mark]:
    """The unit's marks with translated alt texts and titles and rewritten anchors in them."""
    changes: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    for item, english in zip(unit.inner, inner, strict=True):
        if english is not None and item.mark >= 0:
            changes.setdefault((item.mark, item.field), []).append((item.start, item.end, english))
    for anchor in unit.anchors:
        new = slugs.get(anchor.fragment)
        if new is not None and anchor.mark >= 0:
            changes.setdefault((anchor.mark, anchor.field), []).append(
                (anchor.start, anchor.end, new)
            )
    if not changes:
        return unit.marks
    marks = list(unit.marks)
    for (index, name), edits in changes.items():
        literal = getattr(marks[index], name)
        for start, end, new in sorted(edits, reverse=True):
            literal = literal[:start] + new + literal[end:]
        marks[index] = replace(marks[index], **{name: literal})
    return marks


def _finish(rendered: str, unit: _Unit) -> str:
    """Escapes that need the whole unit: a closing ``#`` run of an ATX heading, a ``!`` before
    a link's ``[``."""
    rendered = _unmark(rendered)
    if unit.kind == "atx":
        match = re.search(r"(?:^|(?<=[ \t]))(#+)[ \t]*\Z", rendered)
        if match:
            rendered = rendered[: match.start(1)] + "\\" + rendered[match.start(1) :]
    return rendered


def _delimitable(english: str, marks: list[Mark]) -> list[Mark]:
    """Emphasis pieces that ``*``/``_`` can delimit where they landed: punctuation at a piece's
    edge next to a letter outside is left outside; ``_`` next to a letter becomes ``*``."""
    out = list(marks)
    first_child: dict[int, int] = {}
    last_child: dict[int, int] = {}
    for mark in out:
        if mark.parent is not None:
            p = mark.parent
            first_child[p] = min(first_child.get(p, mark.start), mark.start)
            last_child[p] = max(last_child.get(p, mark.end), mark.end)
    for i, mark in enumerate(out):
        if mark.atom or mark.key not in _EMPHASIS_HTML or mark.end <= mark.start:
            continue
        start, end = mark.start, mark.end
        if start > 0 and english[start - 1].isalnum():
            limit = first_child.get(i, end)
            while start < limit and _is_punctuation(english[start]):
                start += 1
            while start < limit and english[start].isspace():
                start += 1
        if end < len(english) and english[end].isalnum():
            limit = last_child.get(i, start)
            while end > max(start, limit) and _is_punctuation(english[end - 1]):
                end -= 1
            while end > max(start, limit) and english[end - 1].isspace():
                end -= 1
        if end <= start:
            start, end = mark.start, mark.end
        opening, closing = mark.open, mark.close
        touching = (start > 0 and english[start - 1].isalnum()) or (
            end < len(english) and english[end].isalnum()
        )
        if touching and "_" in opening:
            opening, closing = opening.replace("_", "*"), closing.replace("_", "*")
        if (start, end, opening) != (mark.start, mark.end, mark.open):
            out[i] = replace(mark, start=start, end=end, open=opening, close=closing)
    return out


def _is_punctuation(char: str) -> bool:
    return not char.isalnum() and not char.isspace()


def _emphasis_as_html(mark: Mark) -> Mark:
    if mark.key in _EMPHASIS_HTML and not mark.atom:
        opening, closing = _EMPHASIS_HTML[mark.key]
        return replace(mark, open=opening, close=closing)
    return mark


_TAG_AS_TOKEN = {
    tag: f"{name}_{side}"
    for name, pair in _EMPHASIS_HTML.items()
    for tag, side in zip(pair, ("open", "close"), strict=True)
}


def _structure(content: str, env: dict) -> list[str]:
    """The inline tokens of written content, text aside (emphasis tags read as emphasis)."""
    tokens = _parser().parseInline(content, dict(env))
    out = []
    for token in tokens[0].children or [] if tokens else []:
        if token.type in ("text", "text_special", "softbreak"):
            continue
        if token.type == "html_inline":
            out.append(_TAG_AS_TOKEN.get(token.content, "html_inline"))
        else:
            out.append(token.type)
    return out


def _assemble(state: _State, edits: list[tuple[int, int, str]]) -> bytes:
    """The file's own text between the edits, each edit with the line endings it replaces."""
    raw, crlf = state.raw, state.crlf

    def at(x: int) -> int:
        return x + bisect.bisect_left(crlf, x)

    endings = Counter(re.findall(r"\r\n|\r|\n", raw))
    usual = endings.most_common(1)[0][0] if endings else "\n"
    out: list[str] = []
    position = 0
    for start, end, new in edits:
        if start < position:
            continue
        out.append(raw[at(position) : at(start)])
        old = raw[at(start) : at(end)]
        out.append(_with_endings(new, old, usual))
        position = end
    out.append(raw[at(position) :])
    text = "".join(out)
    return state.bom + text.encode(state.codec, errors="xmlcharrefreplace")


def _with_endings(new: str, old: str, usual: str) -> str:
    if "\n" not in new:
        return new
    endings = re.findall(r"\r\n|\r|\n", old)
    lines = new.split("\n")
    if len(endings) != len(lines) - 1:
        common = Counter(endings).most_common(1)
        endings = [common[0][0] if common else usual] * (len(lines) - 1)
    out = [lines[0]]
    for ending, line in zip(endings, lines[1:], strict=True):
        out.append(ending)
        out.append(line)
    return "".join(out)


# -- anchors -------------------------------------------------------------------------------------


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading's text: lower case; letters, digits, ``-``, ``_`` and
    spaces kept; each space a hyphen."""
    import unicodedata

    kept = []
    for char in text.strip().lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LMN":
            kept.append(char)
    return "".join(kept)


def _numbered(texts: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for text in texts:
        base = github_slug(text)
        out.append(base if not seen[base] else f"{base}-{seen[base]}")
        seen[base] += 1
    return out


def _slug_map(state: _State, english: dict[int, str]) -> dict[str, str]:
    """Each in-page fragment that named a German heading → the English heading's fragment."""
    anchors = [a for unit in state.units for a in unit.anchors]
    if not anchors:
        return {}
    german = _numbered(state.headings)
    translated = _numbered([english.get(k, text) for k, text in enumerate(state.headings)])
    slugs = dict(zip(german, translated, strict=True))
    out: dict[str, str] = {}
    for anchor in anchors:
        fragment = anchor.fragment
        name = unquote(fragment)
        if name in state.ids or fragment in state.ids:
            continue
        new = slugs.get(name, slugs.get(name.lower()))
        if new is None or new == name:
            continue
        out[fragment] = quote(new, safe="-_") if "%" in fragment else new
    return out


def _heading_text(rendered: str, env: dict) -> str:
    """A heading's visible text, as GitHub takes it for the anchor."""
    tokens = _parser().parseInline(rendered, dict(env))
    return _visible_text(tokens[0].children or [] if tokens else [])


# -- finding the prose ---------------------------------------------------------------------------


def _read_units(state: _State) -> None:
    text = state.text
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    parse_text = text
    front = _FRONT_MATTER.match(text)
    if front:  # blank it out line for line, so the parser's line numbers still fit
        parse_text = "\n" * front.group(0).count("\n") + text[front.end() :]
    md = _parser()
    env: dict = {}
    tokens = md.parse(parse_text, env)
    state.env = {"references": env.get("references", {})}
    units: list[_Unit] = []
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
            state.headings.append(_visible_text(token.children or []))
        try:
            if kind == "table":
                if cell >= len(cells):
                    continue
                a, b = cells[cell]
                cell += 1
                content = text[a:b]
                where = _Where([(0, a)])
                parsed = md.parseInline(content, env)
                children = parsed[0].children or [] if parsed else []
                prefix = ""
            else:
                content, where, prefix = _locate(token, lines, starts)
                children = token.children or []
            if not content.strip():
                continue
            in_item = i >= 2 and tokens[i - 2].type == "list_item_open"
            unit = _scan(content, children, where, task=in_item and bool(_TASK.match(content)))
        except _Unlocatable:
            continue
        unit.prefix, unit.kind = prefix, kind
        if not unit.translate and not unit.inner and not unit.anchors:
            continue
        unit.heading = heading
        units.append(unit)
    units.extend(_definitions(text, starts, lines, env))
    units.sort(key=lambda u: u.start)
    state.units = units


def _collect_ids(state: _State, html: str) -> None:
    for match in _ID.finditer(html):
        state.ids.add(next(g for g in match.groups() if g is not None))


def _visible_text(children) -> str:
    parts = []
    for token in children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _block_extras(text: str, starts: list[int], lines: list[str], span) -> list[_Unit]:
    """An HTML block's in-page links (to follow the translated headings) and the attributes
    people read (``alt``, ``title``, ``aria-label``, ``placeholder``: translated)."""
    first, last = span[0], min(span[1], len(lines))
    a = starts[first]
    b = starts[last - 1] + len(lines[last - 1]) if last > first else a
    unit = _Unit(a, a, [], "", "definition", False)
    _html_extras(text[a:b], -1, "", 0, lambda x: a + x, unit.inner, unit.anchors)
    return [unit] if unit.inner or unit.anchors else []


def _definitions(text: str, starts: list[int], lines: list[str], env: dict) -> list[_Unit]:
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
        unit = _Unit(a, a, [], "", "definition", False)
        destination = match.group(1)
        if destination.startswith("<"):
            d_start, destination = match.start(1) + 1, destination[1:-1]
        else:
            d_start = match.start(1)
        if destination.startswith("#") and len(destination) > 1:
            at = a + d_start + 1
            end = at + len(destination) - 1
            unit.anchors.append(_Anchor(destination[1:], -1, "", 0, 0, at, end))
        title = reference.get("title") or ""
        if match.group(3) and any(c.isalpha() for c in title):
            at = a + match.start(3) + 1
            unit.inner.append(
                _Inner(
                    "title", -1, "", 0, 0, at, a + match.end(3) - 1, title, [], match.group(3)[0]
                )
            )
        if unit.anchors or unit.inner:
            units.append(unit)
    return units


def _prefix_length(block: str) -> int | None:
    """The length of block-quote markers before a definition's ``[``."""
    match = re.match(r"(?:[ \t]*>)*[ \t]*(?=\[)", block)
    return match.end() if match else None


class _Where:
    """Positions in a unit's content → positions in the file (content lines are file slices)."""

    def __init__(self, lines: list[tuple[int, int]]) -> None:
        self.lines = lines  # (content offset, file offset) of each content line's start
        self.offsets = [c for c, _ in lines]

    def __call__(self, x: int) -> int:
        k = bisect.bisect_right(self.offsets, x) - 1
        content, file = self.lines[max(0, k)]
        return file + x - content


def _locate(token, lines: list[str], starts: list[int]) -> tuple[str, _Where, str]:
    """The inline content, where its lines lie in the file, and the continuation prefix."""
    content: str = token.content
    first = token.map[0]
    where: list[tuple[int, int]] = []
    prefix = ""
    offset = 0
    for j, piece in enumerate(content.split("\n")):
        row = first + j
        if row >= len(lines):
            raise _Unlocatable
        line = lines[row]
        at = line.rfind(piece) if piece else len(line)
        if at < 0:
            raise _Unlocatable
        if j == 1:
            prefix = line[:at]
        where.append((offset, starts[row] + at))
        offset += len(piece) + 1
    # the newline between two content lines stands for the newline and the next line's prefix
    return content, _Where(where), prefix


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


_WHITESPACE_ENTITY = set("\n\r\t\x0b\x0c")


_TASK = re.compile(r"\[[ xX]\](?=[ \t])")  # a task list item's box: "- [ ] Aufgabe"


def _scan(content: str, children, where: _Where | None, task: bool = False) -> _Unit:
    """The plain text of an inline content, its markup as marks (see ``inline``), the texts
    inside its literals (alt texts, titles) and its in-page links. ``task``: it starts with a
    task list item's box, kept as an atom."""
    plain: list[str] = []
    length = 0
    marks: list[Mark] = []
    stack: list[int] = []
    links: list[tuple[int, int, object]] = []  # (mark index, "[" position, link_open token)
    inner: list[_Inner] = []
    anchors: list[_Anchor] = []
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

    def atom(literal: str, essential: bool = True) -> int:
        parent = stack[-1] if stack else None
        marks.append(Mark(length, length, literal, atom=True, essential=essential, parent=parent))
        return len(marks) - 1

    def open_mark(literal: str, essential: bool, key: object = None) -> None:
        parent = stack[-1] if stack else None
        marks.append(Mark(length, length, literal, essential=essential, parent=parent, key=key))
        stack.append(len(marks) - 1)

    def file_at(x: int) -> int:
        return where(x) if where is not None else x

    box = 3 if task else 0  # characters of the box still to pass in the text
    if task:
        atom(content[:3])
    skip_until_close = False
    for token in children:
        kind = token.type
        if skip_until_close:
            if kind == "link_close":
                skip_until_close = False
            continue
        if kind == "text" and box:
            at = find(token.content, position)
            cut = min(box, len(token.content))
            box -= cut
            add(token.content[cut:])
            position = at + len(token.content)
        elif kind == "text":
            if token.content:
                at = find(token.content, position)
                add(token.content)
                position = at + len(token.content)
        elif kind == "text_special":
            at = find(token.markup, position)
            # a decoded newline or tab is written as a space: as a character it would break
            # the paragraph or start a code block
            add(" " if token.content in _WHITESPACE_ENTITY else token.content)
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
            links.append((stack[-1], at, token))
            position = at + 1
        elif kind == "link_close":
            at = find("]", position)
            end = _link_tail(content, at + 1)
            literal = content[at:end]
            if not links:
                raise _Unlocatable
            index, opened, opener = links.pop()
            if literal in ("]", "][]"):  # shortcut or collapsed: name the definition
                label = content[opened + 1 : at]
                if _is_label(label):
                    literal = "][" + label + "]"
            else:
                _literal_extras(opener, literal, index, "close", at, file_at, inner, anchors)
            _close(marks, stack, literal, length)
            position = end
        elif kind == "image":
            at = find("![", position)
            close = _matching_bracket(content, at + 1)
            end = _link_tail(content, close + 1)
            literal = content[at:end]
            label = content[at + 2 : close]
            suffix = None
            if end - close - 1 in (0, 2) and _is_label(label):
                # a shortcut or collapsed reference: once the alt text is English, name the label
                literal = content[at : close + 1] + "[" + label + "]"
                if end == close + 1:
                    suffix = (file_at(close) + 1, "[" + label + "]")
                else:
                    suffix = (file_at(close) + 2, label)
            index = atom(literal)
            try:
                alt: _Unit | None = _scan(content[at + 2 : close], token.children or [], None)
            except _Unlocatable:
                alt = None
            if alt is not None and alt.translate:
                inner.append(
                    _Inner(
                        "alt",
                        index,
                        "open",
                        2,
                        close - at,
                        file_at(at + 2),
                        file_at(close),
                        alt.plain,
                        alt.marks,
                        suffix=suffix,
                    )
                )
            _literal_extras(token, content[close:end], index, "open", close, file_at, inner, [])
            for item in inner[-1:]:
                if item.mark == index and item.kind == "title":
                    item.start += close - at
                    item.end += close - at
            position = end
        elif kind == "footnote_ref":
            at = find("[^", position)
            end = find("]", at) + 1
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
                _html_extras(literal, len(marks) - 1, "open", at, file_at, inner, anchors)
            elif closing and stack and marks[stack[-1]].key == ("html", closing.group(1).lower()):
                _close(marks, stack, literal, length)
            else:
                index = atom(literal)
                _html_extras(literal, index, "open", at, file_at, inner, anchors)
        else:  # anything else this parser may produce: keep its text as it is
            if token.content:
                at = find(token.content, position)
                atom(token.content)
                position = at + len(token.content)
    _unclosed_to_atoms(marks, stack)
    text = "".join(plain)
    unit = _Unit(
        file_at(0),
        file_at(len(content) - 1) + 1 if content else file_at(0),
        marks,
        "",
        "text",
        any(c.isalpha() for c in text),
        inner,
        anchors,
    )
    unit.plain = text
    return unit


def _is_label(label: str) -> bool:
    """Whether a link's raw text can serve as a reference label (no unescaped brackets)."""
    if not label.strip() or len(label) > 999:
        return False
    return re.search(r"(?<!\\)(?:\\\\)*[\[\]]", label) is None


def _literal_extras(
    token,
    literal: str,
    index: int,
    name: str,
    origin: int,
    file_at: Callable[[int], int],
    inner: list[_Inner],
    anchors: list[_Anchor],
) -> None:
    """A link's or image's title (to translate) and in-page destination inside ``literal``, the
    ``name`` literal of mark ``index``, found at ``origin`` in the content."""
    if not literal.startswith("]("):
        return
    title = token.attrs.get("title") if token.attrs else None
    if title and any(c.isalpha() for c in title):
        match = _TITLE_AT_END.search(literal)
        if match:
            a, b = match.start(1) + 1, match.end(1) - 1
            inner.append(
                _Inner(
                    "title",
                    index,
                    name,
                    a,
                    b,
                    file_at(origin + a),
                    file_at(origin + b),
                    str(title),
                    [],
                    match.group(1)[0],
                )
            )
    href = token.attrs.get("href") if token.attrs else None
    if isinstance(href, str) and href.startswith("#") and len(href) > 1:
        match = re.match(r"\]\([ \t\n]*<?#", literal)
        if match:
            a = match.end()
            b = a
            while b < len(literal) and literal[b] not in " \t\n>)":
                b += 1
            if b > a:
                anchors.append(
                    _Anchor(
                        literal[a:b], index, name, a, b, file_at(origin + a), file_at(origin + b)
                    )
                )


_HTML_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<[A-Za-z][^>]*>", re.S)
_READABLE = re.compile(
    r"""\s(?:alt|title|aria-label|placeholder)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)


def _html_extras(
    literal: str,
    index: int,
    name: str,
    origin: int,
    file_at: Callable[[int], int],
    inner: list[_Inner],
    anchors: list[_Anchor],
) -> None:
    """In inline HTML or an HTML block: in-page links, and attribute values people read."""
    for tag in _HTML_TAG.finditer(literal):
        if tag.group(0).startswith("<!--"):
            continue
        for match in _HREF.finditer(literal, tag.start(), tag.end()):
            if match.group(2):
                a, b = match.start(2), match.end(2)
                file_a, file_b = file_at(origin + a), file_at(origin + b)
                anchors.append(_Anchor(match.group(2), index, name, a, b, file_a, file_b))
        for match in _READABLE.finditer(literal, tag.start(), tag.end()):
            group = 1 if match.group(1) is not None else 2
            value = html.unescape(match.group(group))
            if not any(c.isalpha() for c in value):
                continue
            a, b = match.start(group), match.end(group)
            quote = literal[a - 1]
            file_a, file_b = file_at(origin + a), file_at(origin + b)
            inner.append(_Inner("attribute", index, name, a, b, file_a, file_b, value, [], quote))


def _close(marks: list[Mark], stack: list[int], literal: str, length: int) -> None:
    if not stack:
        raise _Unlocatable
    index = stack.pop()
    marks[index].end = length
    marks[index].close = literal


def _unclosed_to_atoms(marks: list[Mark], stack: list[int]) -> None:
    """Inline HTML opened and never closed: a lone tag, kept where it was (its children move up
    to its parent)."""
    if not stack:
        return
    lone = set(stack)
    for index in stack:
        mark = marks[index]
        mark.atom, mark.end = True, mark.start
    for mark in marks:
        parent = mark.parent
        while parent is not None and parent in lone:
            parent = marks[parent].parent
        mark.parent = parent


def _matching_bracket(content: str, start: int) -> int:
    """The index of the ``]`` that closes the ``[`` at ``start``."""
    depth = 0
    i = start
    while i < len(content):
        c = content[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":  # a code span: its brackets don't count
            run = len(content) - len(content[i:].lstrip("`"))
            ticks = run - i
            close = re.compile(r"(?<!`)" + "`" * ticks + r"(?!`)").search(content, run)
            i = close.end() if close else run
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

_BANG = "\x00!"
_SPECIAL = re.compile(r"([\\`*_\[\]<~])")
_SPECIAL_TABLE = re.compile(r"([\\`*_\[\]<~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(
    r"""^([ \t]*)(?:
          (?P<mark>\#{1,6}|[+\-])(?=[ \t]|$)        # a heading or a list item
        | (?P<quote>>)                            # a block quote
        | (?P<number>\d{1,9})(?=[.)](?:[ \t]|$))   # an ordered list item
        | (?P<rule>([-=])[ \t]*(?:\6[ \t]*)*$)     # a setext underline or a rule
        | (?P<pipe>\|)
    )""",
    re.M | re.X,
)


def _escape(chunk: str, line_start: bool, table: bool) -> str:
    chunk = (_SPECIAL_TABLE if table else _SPECIAL).sub(r"\\\1", chunk)
    if chunk.endswith("!"):  # before a link's "[" it would make an image: see _unmark
        chunk = chunk[:-1] + _BANG
    chunk = _ENTITY_LIKE.sub("\\&", chunk)
    chunk = re.sub(r"[ \t]+(?=\n)", "", chunk)  # trailing spaces would break the line
    chunk = re.sub(r"\n(?:[ \t]*\n)+", "\n", chunk)  # a blank line would end the paragraph

    def block(match: re.Match[str]) -> str:
        if match.start() == 0 and not line_start:
            return match.group(0)
        indent = match.group(1)
        if match.group("number") is not None:  # "1." → "1\." keeps it from starting a list
            number = match.group("number")
            return indent + number + "\\"
        return indent + "\\" + match.group(0)[len(indent) :]

    return _LINE_START.sub(block, chunk)


def _unmark(rendered: str) -> str:
    return rendered.replace(_BANG + "[", "\\![").replace(_BANG, "!")


def _escape_title(text: str, quote: str) -> str:
    special = '\\"' if quote == '"' else "\\'" if quote == "'" else "\\()"
    text = re.sub(r"\s*\n\s*", " ", text)
    text = "".join("\\" + c if c in special else c for c in text)
    return _ENTITY_LIKE.sub("\\&", text)
