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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..document import Document, Paragraph, Span
from .base import Source, check_matches, join_units, unit_paragraphs
from .encoding import WebText, decode_web, encoding_name
from .htmltokens import Token, tokenize
from .inline import Mark, render, transfer

INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite data del dfn em font i ins label mark nobr q s small "
    "span strike strong sub sup time tt u".split()
)
VOID = frozenset(
    "area base br col embed frame hr img input keygen link meta param source track wbr".split()
)
INLINE_VOID = frozenset("area br embed img input keygen link meta param source track wbr".split())
OPAQUE_INLINE = frozenset("code kbd samp var svg math ruby".split())
OPAQUE_BLOCK = frozenset("pre template iframe".split())

READ_ATTRIBUTES = (
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
)
LABELLED = frozenset("option optgroup track menuitem".split())
BUTTON_TYPES = frozenset(("submit", "reset", "button"))
META_TEXT = frozenset(
    "description og:title og:description og:image:alt twitter:title twitter:description "
    "twitter:image:alt".split()
)
GERMAN = ("de", "gsw")

# The tree builder's rules that close elements without their end tag, roughly: enough to know
# where an element that isn't translated ends when its end tag is missing.
P_CLOSERS = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr listing main menu nav ol p plaintext "
    "pre search section summary table ul xmp".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
SCOPE = frozenset("applet caption html table td th marquee object template".split())

MAX_NESTING = 64  # inline elements inside one another, as marks; deeper ones stay as tags
_WHITESPACE = " \t\n\r\f"
_SPACE = re.compile(r"[ \t\n\r\f]+")
_LOOKS_LIKE_A_NAME = re.compile(
    r"""(?:[a-z][a-z0-9+.-]*://|www\.|/|\#)\S*$      # a URL or a path
      | [^\s@]+@[^\s@]+\.\w+$                      # an e-mail address
      | [\w.-]+\.(?:jpe?g|png|gif|svg|webp|avif|pdf|html?|php|aspx?|mp[34]|docx?)$  # a file
    """,
    re.I | re.X,
)


@dataclass(slots=True)
class _MarkSpec:
    """A mark before its literals exist: they are the page's markup in ``open``/``close`` with the
    edits inside them (translated attributes) applied when the page is written."""

    start: int
    end: int
    open: tuple[int, int]
    close: tuple[int, int] | None = None
    name: str = ""
    atom: bool = False
    parent: int | None = None
    pad_before: bool = False  # an atom with whitespace before it in the page
    pad_after: bool = False


@dataclass(slots=True)
class _Unit:
    start: int  # the range of the page the English replaces
    end: int
    plain: str
    marks: list[_MarkSpec] = field(default_factory=list)
    joints: list[tuple[int, int]] = field(default_factory=list)  # adjacent links (mark indices)
    quote: str | None = None  # an attribute value: how it is quoted ("" unquoted); text: None


@dataclass(slots=True)
class _State:
    page: WebText
    units: list[_Unit]
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
    units, edits = _Reader(page, tokens).read()
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
    texts: list[tuple[_Unit, Span, Paragraph | None]] = []
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
    document: Document, unit: _Unit, span: Span, paragraph: Paragraph | None, patch: _Patcher
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
            label = _declared_label(token.attrs)
            if label is not None:
                return label
    return None


def _declared_label(attrs: dict[str, str]) -> str | None:
    if "charset" in attrs:
        return attrs["charset"]
    if attrs.get("http-equiv", "").strip().lower() == "content-type" and "content" in attrs:
        found = _CONTENT_CHARSET.search(attrs["content"])
        if found:
            return found.group(2) or found.group(3) or found.group(4)
    return None


_CONTENT_CHARSET = re.compile(
    r"""(charset[\t\n\f\r ]*=[\t\n\f\r ]*)(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r ;"']+))""", re.I
)


def looks_like_a_name(value: str) -> bool:
    """An address, a path or a file name (``IMG_2041.jpg``): a value not to translate."""
    return _LOOKS_LIKE_A_NAME.match(value) is not None


def readable_attributes(name: str, attrs: Mapping[str, str]) -> list[str]:
    """The attributes of an element whose values people read (and so are translated)."""
    found = [a for a in READ_ATTRIBUTES if a in attrs]
    rel = attrs.get("rel", "").lower().split()
    if name in ("style", "meta") or (
        name == "link" and ("alternate" not in rel or "stylesheet" in rel)
    ):  # the title of a style sheet names it for scripts; a feed's is read
        found = [a for a in found if a != "title"]
    if name in LABELLED and "label" in attrs:
        found.append("label")
    if name == "input" and attrs.get("type", "").strip().lower() in BUTTON_TYPES:
        found.append("value")
    if name == "meta":
        key = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        if key in META_TEXT and "content" in attrs:
            found.append("content")
    return found


_XML_ENCODING = re.compile(r"""encoding[\x00-\x20]*=[\x00-\x20]*(["'])([^"'>]*)\1""")


def _german(lang: str) -> bool:
    return lang.strip().lower().replace("_", "-").split("-")[0] in GERMAN


class _Tree:
    """The open elements, as a browser's tree builder keeps them (the common rules only):
    enough to know where an element ends when its end tag is missing."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.positions: dict[str, list[int]] = {}
        self.markers: list[int] = []  # positions of elements that bound a scope
        self.low = 0  # the fewest open elements since the last reset

    def __len__(self) -> int:
        return len(self.names)

    def _pop(self) -> None:
        name = self.names.pop()
        self.positions[name].pop()
        if self.markers and self.markers[-1] == len(self.names):
            self.markers.pop()
        self.low = min(self.low, len(self.names))

    def _pop_to(self, name: str) -> None:
        target = self.positions[name][-1]
        while len(self.names) > target:
            self._pop()

    def _in_scope(self, name: str, extra: frozenset[str] = frozenset()) -> bool:
        found = self.positions.get(name)
        if not found:
            return False
        bound = self.markers[-1] if self.markers else -1
        for other in extra:
            near = self.positions.get(other)
            if near and near[-1] > bound and near[-1] < found[-1]:
                return False
        return found[-1] >= bound

    def feed(self, token: Token) -> None:
        name = token.name
        if token.kind == "end":
            if self.positions.get(name) and self._in_scope(name):
                self._pop_to(name)
            return
        if token.kind != "start":
            return
        if name in P_CLOSERS and self._in_scope("p", frozenset(("button",))):
            self._pop_to("p")
        if name == "li" and self._in_scope("li", frozenset(("ol", "ul"))):
            self._pop_to("li")
        elif name in ("dd", "dt"):
            for other in ("dd", "dt"):
                if self._in_scope(other):
                    self._pop_to(other)
        elif name in HEADINGS and self.names and self.names[-1] in HEADINGS:
            self._pop()
        elif name in ("option", "optgroup"):
            if self.names and self.names[-1] == "option":
                self._pop()
            if name == "optgroup" and self.names and self.names[-1] == "optgroup":
                self._pop()
        elif name == "tr" and self._in_scope("tr"):
            self._pop_to("tr")
        elif name in ("td", "th"):
            for other in ("td", "th"):
                if self._in_scope(other):
                    self._pop_to(other)
        elif name == "a" and self._in_scope("a"):
            self._pop_to("a")
        if name in VOID or (name in ("html", "head", "body") and self.positions.get(name)):
            return
        self.positions.setdefault(name, []).append(len(self.names))
        if name in SCOPE:
            self.markers.append(len(self.names))
        self.names.append(name)


@dataclass(slots=True)
class _Opaque:
    """An element not to translate, open: where it began and how deep it sits."""

    start: int
    depth: int
    inline: bool
    foreign: bool


class _Reader:
    """Turns the tokens into units, in one pass (linear in the page's length)."""

    def __init__(self, page: WebText, tokens: list[Token], nested: bool = False) -> None:
        self.page = page
        self.nested = nested  # reading noscript content: a noscript in it is raw text to all
        self.text = page.text
        self.tokens = tokens
        self.units: list[_Unit] = []
        self.edits: list[tuple[int, int, str]] = []
        self.tree = _Tree()
        self.opaque: _Opaque | None = None
        self._new_run()

    def read(self) -> tuple[list[_Unit], list[tuple[int, int, str]]]:
        for token in self.tokens:
            self._token(token)
        if self.opaque is not None:
            self._end_opaque(len(self.text))
        self._flush()
        return self.units, self.edits

    # -- the run of text and inline markup being gathered ----------------------------------------

    def _new_run(self) -> None:
        self.plain: list[str] = []
        self.length = 0
        self.letters = 0  # characters other than whitespace so far
        self.has_letters = False
        self.marks: list[_MarkSpec] = []
        self.stack: list[int] = []  # open marks
        self.opened_at: list[int] = []  # self.letters when each open mark opened
        self.joints: list[tuple[int, int]] = []
        self.last_closed: tuple[int, int] | None = None  # (mark, plain length) of the last close
        self.boundary: tuple[int, int] | None = None  # (mark, plain length) of the last edge
        self.first = -1  # the run's range in the page
        self.last = -1
        self.text_first = -1  # the range of its text
        self.text_last = -1

    def _extend(self, start: int, end: int) -> None:
        if self.first < 0:
            self.first = start
        self.last = end

    def _add_text(self, token: Token) -> None:
        chunk = _SPACE.sub(" ", self.page.readable(token.data))
        if not chunk:
            return
        if chunk.startswith(" ") and (not self.plain or self.plain[-1].endswith(" ")):
            chunk = chunk[1:]
        if chunk.strip(" "):
            raw = self.text[token.start : token.end]
            start = token.start + len(raw) - len(raw.lstrip(_WHITESPACE))
            end = token.end - (len(raw) - len(raw.rstrip(_WHITESPACE)))
            self._extend(start, end)
            if self.text_first < 0:
                self.text_first = start
            self.text_last = end
            edge = self.boundary
            if (
                edge is not None
                and edge[1] == self.length
                and chunk[0].isupper()
                and self.plain
                and self.plain[-1][-1].islower()
            ):  # "Vermögenscheck<span>Anzeige": an element's edge between two words
                self._add_space()
            self.letters += len(chunk.strip(" "))
            self.has_letters = self.has_letters or any(c.isalpha() for c in chunk)
        elif self.first < 0:
            return  # whitespace before anything: not part of the run
        if chunk:
            self.plain.append(chunk)
            self.length += len(chunk)

    def _add_space(self) -> None:
        if self.plain and not self.plain[-1].endswith(" "):
            self.plain.append(" ")
            self.length += 1

    def _parent(self) -> int | None:
        return self.stack[-1] if self.stack else None

    def _add_atom(self, start: int, end: int, name: str = "") -> None:
        self._extend(start, end)
        mark = _MarkSpec(self.length, self.length, (start, end), name=name, atom=True)
        mark.parent = self._parent()
        self._pad(mark)
        self.marks.append(mark)

    def _pad(self, atom: _MarkSpec) -> None:
        """Whether the atom stands apart from the words beside it, as the page has it."""
        start, end = atom.open
        atom.pad_before = start > 0 and self.text[start - 1] in _WHITESPACE
        atom.pad_after = end < len(self.text) and self.text[end] in _WHITESPACE

    def _open(self, token: Token) -> None:
        if len(self.stack) >= MAX_NESTING:  # deeper than any page means: kept as a lone tag
            self._add_atom(token.start, token.end, token.name)
            return
        closed = self.last_closed
        if closed is not None and closed[1] == self.length and not self.plain[-1].endswith(" "):
            # two elements side by side (links in a list, a label and its count): their words
            # are apart for the translator, and back together where they still touch
            self._add_space()
            self.joints.append((closed[0], len(self.marks)))
        self._extend(token.start, token.end)
        mark = _MarkSpec(self.length, self.length, (token.start, token.end), name=token.name)
        mark.parent = self._parent()
        self.marks.append(mark)
        self.stack.append(len(self.marks) - 1)
        self.opened_at.append(self.letters)
        self.boundary = (len(self.marks) - 1, self.length)

    def _close(self, token: Token) -> None:
        if not self.stack or self.marks[self.stack[-1]].name != token.name:
            self._add_atom(token.start, token.end, token.name)  # closes nothing in this run
            return
        index = self.stack.pop()
        opened_at = self.opened_at.pop()
        mark = self.marks[index]
        self._extend(token.start, token.end)
        if self.letters == opened_at:  # nothing to read inside: the whole element is one atom
            del self.marks[index + 1 :]
            self.joints = [j for j in self.joints if j[1] < index]
            if self.last_closed is not None and self.last_closed[0] >= index:
                self.last_closed = None
            mark.open, mark.atom, mark.end = (mark.open[0], token.end), True, mark.start
            self._pad(mark)
        else:
            mark.end, mark.close = self.length, (token.start, token.end)
            self.last_closed = self.boundary = (index, self.length)

    def _flush(self) -> None:
        if self.has_letters:
            self.units.append(self._unit())
        self._new_run()

    def _unit(self) -> _Unit:
        plain = "".join(self.plain)
        stripped = plain.rstrip(" ")
        for mark in self.marks:
            mark.start, mark.end = min(mark.start, len(stripped)), min(mark.end, len(stripped))
        unclosed = set(self.stack)
        resolved: list[int | None] = []
        for index, mark in enumerate(self.marks):
            parent = mark.parent
            if parent is not None and parent in unclosed:
                parent = resolved[parent]
            resolved.append(parent)
            if index in unclosed:  # opened here, closed after the run: a lone tag
                mark.atom, mark.end = True, mark.start
                self._pad(mark)
        # Atoms before the first text or after the last one stay outside, where they are.
        first, last = self.text_first, self.text_last
        kept: dict[int, int] = {}
        marks: list[_MarkSpec] = []
        for index, (mark, parent) in enumerate(zip(self.marks, resolved, strict=True)):
            if mark.atom and parent is None and (mark.open[1] <= first or mark.open[0] >= last):
                continue
            mark.parent = None if parent is None else kept[parent]
            kept[index] = len(marks)
            marks.append(mark)
            first = min(first, mark.open[0])
            last = max(last, mark.open[1] if mark.close is None else mark.close[1])
        joints = [(kept[a], kept[b]) for a, b in self.joints if a in kept and b in kept]
        return _Unit(first, last, stripped, marks, joints)

    # -- tokens --------------------------------------------------------------------------------

    def _token(self, token: Token) -> None:
        opaque = self.opaque
        if opaque is not None:
            if opaque.foreign:
                if token.foreign:
                    return
                self._end_opaque(token.start)
                self.tree.feed(token)
            else:
                self.tree.low = len(self.tree)
                self.tree.feed(token)
                if self.tree.low > opaque.depth:
                    return
                if token.kind == "end" and self.tree.low == opaque.depth:  # its own end tag
                    self._end_opaque(token.end)
                    return
                self._end_opaque(token.start)  # closed by what comes next, which is read as usual
        elif not token.foreign:
            self.tree.feed(token)
        kind = token.kind
        if kind == "text":
            self._text(token)
        elif kind == "start":
            self._start(token)
        elif kind == "end":
            if token.name in INLINE:
                self._close(token)
            elif token.name == "br":  # a browser reads </br> as <br>
                self._add_atom(token.start, token.end, "br")
                self._add_space()
            else:
                self._flush()
        elif kind in ("comment", "hidden"):
            if self.first >= 0:
                self._add_atom(token.start, token.end, "#" + kind)
            elif token.start == 0 and self.text.startswith("<?xml"):
                self._xml_declaration(token)
        else:
            self._flush()

    def _text(self, token: Token) -> None:
        if token.foreign:
            self._add_atom(token.start, token.end)
        elif token.name in ("", "title"):
            self._add_text(token)
        elif token.name == "noscript" and not self.nested:
            self._flush()
            self._noscript(token)
        else:
            self._flush()

    def _noscript(self, token: Token) -> None:
        """``noscript`` content: markup for a browser without scripts, raw text for the others.
        Its units are read as the first see it; the escaped English keeps it raw for the others."""
        inner = _Reader(self.page, list(tokenize(self.text, token.start, token.end)), True)
        units, edits = inner.read()
        self.units.extend(units)
        self.edits.extend(edits)

    def _start(self, token: Token) -> None:
        name = token.name
        attrs = token.attrs
        if token.foreign:  # svg, math: kept whole
            if token.self_closing:
                self._add_atom(token.start, token.end, name)
            else:
                self.opaque = _Opaque(token.start, len(self.tree), True, True)
            return
        lang = attrs.get("lang", attrs.get("xml:lang"))
        refused = (  # the page says: not to be translated (text and attributes alike)
            attrs.get("translate", "").strip().lower() == "no"
            or "notranslate" in attrs.get("class", "").split()
            or (
                lang is not None
                and lang.strip() != ""
                and not _german(lang)
                and name not in ("html", "head", "body")
            )
        )
        if not refused:
            self._attributes(token)
        if name not in VOID and (refused or name in OPAQUE_INLINE or name in OPAQUE_BLOCK):
            inline = name in OPAQUE_INLINE or name in INLINE
            if not inline:
                self._flush()
            self.opaque = _Opaque(token.start, len(self.tree) - 1, inline, False)
            return
        self._edit_lang(token)
        if name in INLINE_VOID:
            self._add_atom(token.start, token.end, name)
            if name == "br":
                self._add_space()
        elif name in INLINE:
            self._open(token)
        else:
            self._flush()

    def _end_opaque(self, end: int) -> None:
        opaque = self.opaque
        assert opaque is not None
        self.opaque = None
        if opaque.inline:
            self._add_atom(opaque.start, end)

    # -- attributes ----------------------------------------------------------------------------

    def _attributes(self, token: Token) -> None:
        """Units for the attribute values people read; edits for lang and encoding."""
        attrs = token.attrs
        if token.name == "meta":
            self._meta_edits(token)
        for attribute in readable_attributes(token.name, attrs):
            span = token.values.get(attribute)
            if span is None:
                continue
            value = " ".join(_SPACE.split(self.page.readable(attrs[attribute]))).strip(" ")
            if not any(c.isalpha() for c in value) or looks_like_a_name(value):
                continue
            start, end, quote = span
            self.units.append(_Unit(start, end, value, quote=quote))

    def _edit_lang(self, token: Token) -> None:
        for attribute in ("lang", "xml:lang"):
            value = token.attrs.get(attribute)
            span = token.values.get(attribute)
            if value is None:
                continue
            if _german(value) or (token.name == "html" and not value.strip()):
                if span is None:
                    continue
                start, end, _ = span
                self.edits.append((start, end, "en"))
        if token.name == "html" and "lang" not in token.attrs:
            at = token.start + len("<html")
            self.edits.append((at, at, ' lang="en"'))

    def _xml_declaration(self, token: Token) -> None:
        """``<?xml … encoding="…"?>`` names the encoding the page is written in."""
        found = _XML_ENCODING.search(self.text, token.start, token.end)
        if found and encoding_name(found.group(2)) != self.page.output:
            self.edits.append((found.start(2), found.end(2), self.page.output))

    def _meta_edits(self, token: Token) -> None:
        attrs = token.attrs
        output = self.page.output
        if "charset" in attrs and encoding_name(attrs["charset"]) != output:
            span = token.values.get("charset")
            if span is not None:
                start, end, quote = span
                self.edits.append((start, end, output if quote else f'"{output}"'))
        equiv = attrs.get("http-equiv", "").strip().lower()
        content = attrs.get("content")
        span = token.values.get("content")
        if content is None or span is None:
            return
        start, end, quote = span
        new = content
        if equiv == "content-type":
            found = _CONTENT_CHARSET.search(content)
            label = found and (found.group(2) or found.group(3) or found.group(4))
            if found and encoding_name(label or "") != output:
                new = content[: found.start()] + found.group(1) + output + content[found.end() :]
        elif equiv == "content-language" and _german(content) and "," not in content:
            new = "en"
        if new != content:
            value = html.escape(new, quote=True)
            self.edits.append((start, end, value if quote else f'"{value}"'))
