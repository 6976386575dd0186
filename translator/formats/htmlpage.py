"""HTML (``.html``, ``.htm``): text translated in place; every tag, attribute and script kept.

Parsers re-serialise (and change bytes), so this reads the page with a small tokenizer that knows
each tag's offsets: tags, comments, doctype, and the raw text of ``script``/``style``/``textarea``.
A unit is a run of text and inline elements (``b``, ``a``, ``span``, …) between block boundaries
(``p``, ``li``, ``td``, ``h1``, ``div``, ``title``, …). Its plain text is the text with entities
decoded and whitespace collapsed, as a browser shows it. Inline tags are paired marks, ``br``,
``img``, comments and non-translatable elements (``code``, ``kbd``, ``samp``, ``var``, ``svg``,
``math``, anything with ``translate="no"`` or class ``notranslate``) are atoms (see ``inline``).
``pre``, ``script``, ``style``, ``textarea`` and ``template`` are never translated. The English
replaces each unit's raw range; outside the units the only change is ``lang="en"`` on ``<html>``
(and on any element marked ``lang="de"``). The page is written back in its own encoding; characters
that encoding lacks become character references.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, field

from ..document import Document
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import decode
from .inline import Mark, render, transfer

_TAG = re.compile(
    r"""<!--.*?(?:-->|\Z)
      | <!\[CDATA\[.*?(?:\]\]>|\Z)
      | <![^>]*>?
      | <\?[^>]*>?
      | </?([A-Za-z][^\s/>]*)((?:\s*(?:[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?|/))*)\s*>
    """,
    re.S | re.X,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_LANG = re.compile(r"""(\s(?:xml:)?lang\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SPACE = re.compile(r"[ \t\n\r\f]+")

INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite data del dfn em font i ins label mark nobr q s small "
    "span strike strong sub sup time tt u".split()
)
VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr keygen".split()
)
INLINE_ATOMS = frozenset("br img wbr input".split())
OPAQUE_INLINE = frozenset("code kbd samp var svg math ruby".split())
OPAQUE_BLOCK = frozenset(
    "pre script style textarea template iframe object canvas audio video select".split()
)
RAW_TEXT = frozenset("script style textarea xmp iframe noembed noframes plaintext".split())


@dataclass(slots=True)
class _Token:
    kind: str  # text, start, end, other
    start: int
    end: int
    name: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    void: bool = False


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    marks: list[Mark]


@dataclass(slots=True)
class _State:
    text: str
    codec: str
    bom: bool
    units: list[_Unit]
    edits: list[tuple[int, int, str]]  # outside the units: tags whose lang becomes "en"


def read(data: bytes, name: str) -> Source:
    text, codec, bom = _decode(data, name)
    tokens = list(_tokenize(text))
    units, plains, edits = _units(text, tokens)
    joined, spans = join_units(plains)
    state = _State(text=text, codec=codec, bom=bom, units=units, edits=edits)
    return Source(name=name, format="html", text=joined, units=spans, encoding=codec, state=state)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    state: _State = source.state
    replacements = list(state.edits)
    paragraphs = unit_paragraphs(document, source.units or [])
    for unit, span, paragraph in zip(state.units, source.units or [], paragraphs, strict=True):
        if paragraph is None:
            continue
        english, marks = transfer(document, span, paragraph, unit.marks)
        rendered = render(english, marks, lambda chunk, _: html.escape(chunk, quote=False))
        replacements.append((unit.start, unit.end, rendered))
    out: list[str] = []
    position = 0
    for start, end, replacement in sorted(replacements):
        out.append(state.text[position:start])
        out.append(replacement)
        position = end
    out.append(state.text[position:])
    result = "".join(out)
    encoded = result.encode(state.codec, errors="xmlcharrefreplace")
    return codecs.BOM_UTF8 + encoded if state.bom else encoded


def _decode(data: bytes, name: str) -> tuple[str, str, bool]:
    """The page's text, the codec to write it back with, and whether it had a UTF-8 mark."""
    if data.startswith(codecs.BOM_UTF8):
        text, _ = decode(data, name)
        return text, "utf-8", True
    text, codec = decode(data, name)
    if codec.startswith(("utf-16", "utf-32")):  # a byte-order mark (or zero bytes) decided
        return text, codec, False
    declared = _CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        if label in ("iso-8859-1", "latin1", "us-ascii", "ascii"):  # as browsers read them
            label = "cp1252"
        try:
            return data.decode(codecs.lookup(label).name), codecs.lookup(label).name, False
        except (LookupError, UnicodeDecodeError):
            pass
    return text, codec, False


def _tokenize(text: str):
    position = 0
    length = len(text)
    while position < length:
        lt = text.find("<", position)
        if lt < 0:
            yield _Token("text", position, length)
            return
        match = _TAG.match(text, lt)
        if match is None:  # a "<" that starts no tag is text
            yield _Token("text", position, lt + 1)
            position = lt + 1
            continue
        if lt > position:
            yield _Token("text", position, lt)
        position = match.end()
        if match.group(1) is None:
            yield _Token("other", lt, position)
            continue
        name = match.group(1).lower()
        raw = match.group(0)
        if raw.startswith("</"):
            yield _Token("end", lt, position, name)
            continue
        attrs = {
            a.group(1).lower(): html.unescape(a.group(2) or "").strip("\"'")
            for a in _ATTR.finditer(match.group(2) or "")
        }
        void = name in VOID or raw.endswith("/>")
        yield _Token("start", lt, position, name, attrs, void)
        if name in RAW_TEXT and not void:
            close = re.compile(rf"</{re.escape(name)}[\s>/]", re.I).search(text, position)
            end = close.start() if close else length
            if end > position:
                yield _Token("other", position, end)
            position = end


def _opaque(token: _Token) -> bool:
    classes = token.attrs.get("class", "").split()
    return (
        token.name in OPAQUE_INLINE
        or token.name in OPAQUE_BLOCK
        or token.attrs.get("translate", "").lower() == "no"
        or "notranslate" in classes
    )


def _matching_end(tokens: list[_Token], index: int) -> int:
    """The index of the end tag that closes the start tag at ``index`` (or the last token)."""
    name = tokens[index].name
    depth = 0
    for j in range(index, len(tokens)):
        token = tokens[j]
        if token.kind == "start" and token.name == name and not token.void:
            depth += 1
        elif token.kind == "end" and token.name == name:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _english_lang(raw: str) -> str:
    return _LANG.sub(lambda m: m.group(1) + '"en"', raw)


def _units(text: str, tokens: list[_Token]):
    units: list[_Unit] = []
    plains: list[str] = []
    edits: list[tuple[int, int, str]] = []
    pending: list[tuple[str, int, int, str]] = []  # (kind, start, end, name) of the open run

    def flush() -> None:
        built = _build(text, pending)
        pending.clear()
        if built is not None:
            units.append(built[0])
            plains.append(built[1])

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "start":
            raw = text[token.start : token.end]
            lang = token.attrs.get("lang", token.attrs.get("xml:lang"))
            if token.name == "html":
                new = _english_lang(raw) if lang is not None else raw[:5] + ' lang="en"' + raw[5:]
                if new != raw:
                    edits.append((token.start, token.end, new))
            elif lang is not None and lang.lower().startswith("de"):
                edits.append((token.start, token.end, _english_lang(raw)))
        if token.kind == "start" and not token.void and _opaque(token):
            j = _matching_end(tokens, i)
            inline = token.name in OPAQUE_INLINE or token.name in INLINE
            if inline and pending:
                pending.append(("atom", token.start, tokens[j].end, token.name))
            else:
                flush()
            # lang edits inside an untouched element don't matter; drop those just added there
            edits = [e for e in edits if not (token.start < e[0] < tokens[j].end)]
            i = j + 1
            continue
        if token.kind == "text":
            pending.append(("text", token.start, token.end, ""))
        elif token.kind == "start" and token.name in INLINE_ATOMS:
            pending.append(("atom", token.start, token.end, token.name))
        elif token.kind == "start" and token.name in INLINE and not token.void:
            pending.append(("open", token.start, token.end, token.name))
        elif token.kind == "end" and token.name in INLINE:
            pending.append(("close", token.start, token.end, token.name))
        elif token.kind == "other" and text.startswith("<!--", token.start) and pending:
            pending.append(("atom", token.start, token.end, "#comment"))
        else:
            flush()
        i += 1
    flush()
    inside = [(u.start, u.end) for u in units]
    edits = [e for e in edits if not any(a <= e[0] < b for a, b in inside)]
    return units, plains, edits


def _build(text: str, pieces: list[tuple[str, int, int, str]]) -> tuple[_Unit, str] | None:
    """A unit from a run of pieces: its raw range trimmed of whitespace, plain text and marks."""
    if not any(k == "text" and any(c.isalpha() for c in text[a:b]) for k, a, b, _ in pieces):
        return None
    first = next(n for n, p in enumerate(pieces) if p[0] != "text" or text[p[1] : p[2]].strip())
    last = max(n for n, p in enumerate(pieces) if p[0] != "text" or text[p[1] : p[2]].strip())
    pieces = pieces[first : last + 1]
    start, end = pieces[0][1], pieces[-1][2]
    if pieces[0][0] == "text":
        raw = text[start:end]
        start += len(raw) - len(raw.lstrip())
    if pieces[-1][0] == "text":
        raw = text[start:end]
        end -= len(raw) - len(raw.rstrip())
    plain: list[str] = []
    length = 0
    marks: list[Mark] = []
    stack: list[int] = []
    for kind, a, b, name in pieces:
        a, b = max(a, start), min(b, end)
        parent = stack[-1] if stack else None
        if kind == "text":
            chunk = _SPACE.sub(" ", html.unescape(text[a:b]))
            if chunk.startswith(" ") and plain and plain[-1].endswith(" "):
                chunk = chunk[1:]
            plain.append(chunk)
            length += len(chunk)
        elif kind == "atom":
            marks.append(Mark(length, length, _english_lang(text[a:b]), atom=True, parent=parent))
            marks[-1].essential = True
        elif kind == "open":
            marks.append(Mark(length, length, _english_lang(text[a:b]), key=name, parent=parent))
            marks[-1].essential = name == "a"
            stack.append(len(marks) - 1)
        elif kind == "close":
            if stack and marks[stack[-1]].key == name:
                index = stack.pop()
                marks[index].end = length
                marks[index].close = text[a:b]
            else:
                marks.append(Mark(length, length, text[a:b], atom=True, essential=True))
                marks[-1].parent = parent
    for index in stack:  # opened here, closed after the unit: a lone tag
        mark = marks[index]
        mark.atom, mark.end = True, mark.start
        for other in marks:
            if other.parent == index:
                other.parent = mark.parent
    return _Unit(start, end, marks), "".join(plain)
