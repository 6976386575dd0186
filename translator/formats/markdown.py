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
from dataclasses import replace

from ..document import Document, Paragraph, Span
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import decode
from .inline import Mark, render, transfer
from .markdown_anchors import github_slug, heading_text, slug_map
from .markdown_blocks import read_units
from .markdown_escape import (
    delimitable,
    emphasis_as_html,
    escape_chunk,
    escape_title,
    finish,
    structure,
    unmark,
)
from .markdown_units import Inner, State, Unit

__all__ = ["github_slug", "read", "write"]


def read(data: bytes, name: str) -> Source:
    raw, encoding = decode(data, name)
    codec, bom = _codec(data, encoding)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    crlf = [m.start() - k for k, m in enumerate(re.finditer("\r\n", raw))]
    state = State(text=text, raw=raw, crlf=crlf, codec=codec, bom=bom)
    read_units(state)
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
    state: State = source.state
    spans = source.units or []
    found = iter(zip(spans, unit_paragraphs(document, spans), strict=True))
    jobs: list[tuple[Unit, tuple[Span, Paragraph | None] | None, list[str | None]]] = []
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
            english_headings[unit.heading] = heading_text(rendered, state.env)
    slugs = slug_map(state, english_headings)
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
    document: Document, span: Span, paragraph: Paragraph | None, item: Inner
) -> str | None:
    if paragraph is None:
        return None
    english, marks = transfer(document, span, paragraph, item.marks)
    if item.kind == "title":
        return escape_title(english, item.quote)
    if item.kind == "attribute":
        value = re.sub(r"\n\s*\n", "\n", html.escape(english, quote=True))
        if "\n" in item.plain and "\n" not in value and " " in value:
            # a tag written over several lines stays so: on one line it could start a block
            middle = len(value) // 2
            cut = min((i for i, c in enumerate(value) if c == " "), key=lambda i: abs(i - middle))
            value = value[:cut] + "\n" + value[cut + 1 :]
        return value
    return unmark(
        render(english, marks, lambda chunk, line_start: escape_chunk(chunk, line_start, False))
    )


def _render_unit(
    document: Document,
    unit: Unit,
    main: tuple[Span, Paragraph | None],
    inner: list[str | None],
    slugs: dict[str, str],
    state: State,
) -> str:
    marks = _substituted(unit, inner, slugs)
    english, moved = transfer(document, main[0], main[1], marks)
    moved = delimitable(english, moved)
    table = unit.kind == "table"

    def escape(chunk: str, line_start: bool) -> str:
        return escape_chunk(chunk, line_start, table)

    rendered = finish(render(english, moved, escape), unit)
    as_html = [emphasis_as_html(m) for m in moved]
    if any(a is not b for a, b in zip(as_html, moved, strict=True)):
        safe = finish(render(english, as_html, escape), unit)
        if structure(rendered, state.env) != structure(safe, state.env):
            rendered = safe  # some emphasis didn't come out as delimiters: HTML tags do
    return rendered.replace("\n", "\n" + unit.prefix)


def _substituted(unit: Unit, inner: list[str | None], slugs: dict[str, str]) -> list[Mark]:
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


def _assemble(state: State, edits: list[tuple[int, int, str]]) -> bytes:
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
