"""HTML (``.html``, ``.htm``): what people read translated in place; every other byte kept.

The page is decoded as a browser decodes it (``encoding.decode_web``: byte-order mark, then the
``<meta>`` charset, WHATWG labels only) and cut into tokens as a browser's tokenizer cuts it
(``htmltokens``: comments, bogus comments, unfinished tags, the raw text of ``script``,
``style`` and their kin, all exactly where the HTML standard puts them). Translatable units:

* text: a run of text and inline elements (``b``, ``a``, ``span``, …) between block boundaries
  (``p``, ``li``, ``td``, ``h1``, ``div``, ``title``, ``option``, …). Its plain text is the text
  as a browser shows it (character references decoded, whitespace collapsed). Inline elements
  are marks; ``br``, ``img``, comments, elements with nothing to read (an icon ``<i>``, an empty
  ``<span>``), and elements not to translate are atoms (see ``inline``). Elements side by side
  without a space (links in a tag list, a label and its count) keep their words apart for the
  translator, and touch again in the English where their words still do.
* attributes people read: ``title``, ``alt``, ``aria-label`` (and ``aria-description``,
  ``aria-placeholder``, ``aria-roledescription``), ``placeholder``, ``label`` of options and
  tracks, the ``value`` of buttons (``<input type=submit>``), and ``<meta>`` descriptions and
  titles (``description``, ``og:`` and ``twitter:``). Each value is a unit of its own, after the
  text around it.

Not translated: ``code``, ``kbd``, ``samp``, ``var``, ``pre``, ``ruby``, ``svg``, ``math``,
``template``, ``textarea``, the raw text of ``script``, ``style`` and ``iframe``, and any element
marked ``translate="no"``, class ``notranslate``, or ``lang`` of another language (its text and
its attributes); nor attribute values that are addresses or file names.
``noscript`` content (raw text for a browser that runs scripts) is read as the markup a browser
without scripts shows, and written so that it stays raw text for the others.

The English replaces each text unit's range and each attribute value; every other byte stays as
it was, except: ``lang="en"`` on ``<html>`` (added where missing) and on elements marked German,
``content-language``, and declarations of the encoding, which name the encoding the page is
written in. That is the page's own encoding where it is safe and holds every byte (UTF-8,
UTF-16 with its mark, 8-bit and East Asian encodings); else UTF-8. Characters the encoding lacks
become character references.
"""

from __future__ import annotations

import bisect
import html
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from ..document import Document, Paragraph, Span
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import WebText, decode_web
from .htmlpage_attributes import (
    BUTTON_TYPES,
    GERMAN,
    LABELLED,
    META_TEXT,
    READ_ATTRIBUTES,
    declared_label,
    looks_like_a_name,
    readable_attributes,
)
from .htmlpage_elements import (
    HEADINGS,
    INLINE,
    INLINE_VOID,
    OPAQUE_BLOCK,
    OPAQUE_INLINE,
    P_CLOSERS,
    SCOPE,
    VOID,
)
from .htmlpage_reader import Reader
from .htmlpage_run import MAX_NESTING, Unit
from .htmltokens import Token, tokenize
from .inline import Mark, render, transfer

__all__ = [
    "BUTTON_TYPES",
    "GERMAN",
    "HEADINGS",
    "INLINE",
    "INLINE_VOID",
    "LABELLED",
    "MAX_NESTING",
    "META_TEXT",
    "OPAQUE_BLOCK",
    "OPAQUE_INLINE",
    "P_CLOSERS",
    "READ_ATTRIBUTES",
    "SCOPE",
    "VOID",
    "decode_page",
    "looks_like_a_name",
    "read",
    "readable_attributes",
    "write",
]


@dataclass(slots=True)
class _State:
    page: WebText
    units: list[Unit]
    edits: list[tuple[int, int, str]]  # outside the text: lang, encoding declarations


def decode_page(
    data: bytes, name: str, transport: str | None = None
) -> tuple[WebText, list[Token]]:
    """A page's text and tokens, decoded as a browser decodes it: ``decode_web`` (byte-order mark,
    the HTTP charset ``transport``, the ``<meta>`` prescan), then, where nothing was certain, once
    more in the encoding of the first ``<meta>`` the tokenizer finds later in the page. Saved pages
    and pages fetched by URL (``web``) are decoded here alike."""
    page = decode_web(data, name, transport=transport)
    tokens = list(tokenize(page.text))
    if not page.certain:
        declared = _first_declaration(tokens)
        if declared is not None:
            again = decode_web(data, name, declared)
            if again.encoding != page.encoding:
                page = again
                tokens = list(tokenize(page.text))
    return page, tokens


def read(data: bytes, name: str) -> Source:
    page, tokens = decode_page(data, name)
    units, edits = Reader(page, tokens).read()
    units.sort(key=lambda u: u.start)
    joined, spans = join_units([u.plain for u in units])
    state = _State(page=page, units=units, edits=sorted(edits))
    return Source(
        name=name, format="html", text=joined, units=spans, encoding=page.output, state=state
    )


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    state: _State = source.state
    paragraphs = unit_paragraphs(document, source.units or [])
    edits = list(state.edits)
    texts: list[tuple[Unit, Span, Paragraph | None]] = []
    for unit, span, paragraph in zip(state.units, source.units or [], paragraphs, strict=True):
        if unit.quote is None:
            texts.append((unit, span, paragraph))
        elif paragraph is not None:
            english = paragraph.target.of(document.target).strip()
            value = html.escape(english, quote=True)
            edits.append((unit.start, unit.end, value if unit.quote else f'"{value}"'))
    edits.sort()
    patch = _Patcher(state.page.text, edits)
    out: list[str] = []
    position = 0
    for unit, span, paragraph in texts:
        out.append(patch(position, unit.start))
        out.append(_render_unit(document, unit, span, paragraph, patch))
        position = unit.end
    out.append(patch(position, len(state.page.text)))
    return state.page.encode("".join(out))


def _render_unit(
    document: Document, unit: Unit, span: Span, paragraph: Paragraph | None, patch: _Patcher
) -> str:
    if paragraph is None:
        return patch(unit.start, unit.end)
    marks = [
        Mark(
            spec.start,
            spec.end,
            patch(*spec.open),
            "" if spec.close is None else patch(*spec.close),
            key=index,
            atom=spec.atom,
            essential=spec.name == "a",  # a link: exclusive, never without text
            kept=True,  # every element of the page stays in it
            parent=spec.parent,
            pad_before=spec.pad_before,
            pad_after=spec.pad_after,
        )
        for index, spec in enumerate(unit.marks)
    ]
    english, placed = transfer(document, span, paragraph, marks)
    if unit.joints:
        english, placed = _close_joints(english, placed, unit.joints)
    return render(english, placed, lambda chunk, _: html.escape(chunk, quote=False))


def _close_joints(
    english: str, marks: list[Mark], joints: list[tuple[int, int]]
) -> tuple[str, list[Mark]]:
    """Elements that touched in the page touch again where they still stand side by side: the
    space that kept their words apart for the translator goes."""
    ends: dict[object, int] = {}
    starts: dict[object, int] = {}
    for mark in marks:
        ends[mark.key] = max(ends.get(mark.key, mark.end), mark.end)
        starts[mark.key] = min(starts.get(mark.key, mark.start), mark.start)
    cuts = sorted(
        ends[a]
        for a, b in joints
        if a in ends and b in starts and starts[b] == ends[a] + 1 and english[ends[a]] == " "
    )
    if not cuts:
        return english, marks
    bounds = [-1, *cuts, len(english)]
    english = "".join(english[a + 1 : b] for a, b in itertools.pairwise(bounds))

    def shift(x: int) -> int:
        return x - bisect.bisect_left(cuts, x)

    for mark in marks:
        mark.start, mark.end = shift(mark.start), shift(mark.end)
    return english, marks


class _Patcher:
    """The page's text between two offsets with the edits inside applied."""

    def __init__(self, text: str, edits: list[tuple[int, int, str]]) -> None:
        self.text = text
        self.edits = edits
        self.starts = [e[0] for e in edits]

    def __call__(self, start: int, end: int) -> str:
        i = bisect.bisect_left(self.starts, start)
        if i == len(self.edits) or self.edits[i][0] >= end:
            return self.text[start:end]
        out: list[str] = []
        position = start
        while i < len(self.edits) and self.edits[i][0] < end:
            a, b, replacement = self.edits[i]
            out.append(self.text[position:a])
            out.append(replacement)
            position = max(position, b)
            i += 1
        out.append(self.text[position:end])
        return "".join(out)


def _first_declaration(tokens: Iterable[Token]) -> str | None:
    """The encoding label of the first ``<meta>`` that declares one (a browser that finds it after
    its first look at the bytes reads the page again in it)."""
    for token in tokens:
        if token.kind == "start" and token.name == "meta" and not token.foreign:
            label = declared_label(token.attrs)
            if label is not None:
                return label
    return None
