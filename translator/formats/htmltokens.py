"""HTML cut into tokens exactly as a browser's tokenizer cuts it, each with its offsets in the page.

A writer that promises to keep every byte outside the text needs to know where each tag, comment
and run of text starts and ends; parsers build trees and re-serialise, so they can't say. This
drives html5lib's tokenizer (the HTML standard's state machine, state by state: bogus comments,
the script data escape states, character references in attributes) over the whole page and records
where every token begins and ends, and where each attribute value lies inside its tag. The few
tokenizer states that the standard lets the tree builder choose are chosen here as a browser
chooses them: ``script`` switches to script data, ``style``, ``xmp``, ``iframe``, ``noembed``,
``noframes`` and ``noscript`` (scripting is on in browsers) to raw text, ``title`` and
``textarea`` to RCDATA, ``plaintext`` to plain text, except inside ``svg`` and ``math`` (foreign
content, where CDATA sections are allowed and those names are ordinary elements) outside their
HTML integration points.

The tokens tile the text: ``hidden`` tokens are markup the tokenizer drops (an unfinished tag at
the end of the file, ``</>``, an empty CDATA section), so a browser shows none of it. html5lib's
tokenizer is a private module of html5lib 1.x (``html5lib._tokenizer``); the tests hold it to the
html5lib-tests tokenizer suite.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from html5lib._inputstream import HTMLUnicodeInputStream
from html5lib._tokenizer import HTMLTokenizer
from html5lib.constants import tokenTypes

_CHARACTERS = (tokenTypes["Characters"], tokenTypes["SpaceCharacters"])
_START, _END = tokenTypes["StartTag"], tokenTypes["EndTag"]
_COMMENT, _DOCTYPE = tokenTypes["Comment"], tokenTypes["Doctype"]
_ERROR = tokenTypes["ParseError"]

RAW_TEXT = {
    "script": "scriptDataState",
    "style": "rawtextState",
    "xmp": "rawtextState",
    "iframe": "rawtextState",
    "noembed": "rawtextState",
    "noframes": "rawtextState",
    "noscript": "rawtextState",
    "title": "rcdataState",
    "textarea": "rcdataState",
    "plaintext": "plaintextState",
}
# Start tags that end foreign content (the standard's "breakout" list; font only with these
# attributes).
_BREAKOUT = frozenset(
    (
        "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i "
        "img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt "
        "u ul var"
    ).split()
)
_FONT_BREAKOUT = frozenset(("color", "face", "size"))
_TEXT_INTEGRATION = frozenset(("mi", "mo", "mn", "ms", "mtext"))
_SVG_HTML_INTEGRATION = frozenset(("foreignobject", "desc", "title"))
# End tags that, in foreign content, pop back to HTML when no foreign element of that name is open.
_HTML_CONTAINERS = frozenset(
    "a address article aside blockquote body button dd details dialog div dl dt fieldset "
    "figcaption figure footer form header html li main nav ol p section summary table tbody td "
    "tfoot th thead tr ul".split()
)


@dataclass(slots=True)
class Token:
    """One token: ``kind`` is ``text``, ``start``, ``end``, ``comment``, ``doctype`` or ``hidden``.

    ``name``: a tag's lower-case name; for text, the raw-text element it is the content of
    (``script``, ``title``, …) or ``""`` for ordinary character data. ``attrs``: a start tag's
    attributes as the browser keeps them (the first of duplicates, character references decoded);
    ``values``: where each attribute's value lies in the text, as ``(start, end, quote)``
    (quote is ``"``, ``'`` or ``""``; attributes written without a value have none).
    ``foreign``: inside ``svg`` or ``math``. ``data``: a text's characters as the browser reads
    them (character references decoded, CR LF as LF), a comment's text.
    """

    kind: str
    start: int
    end: int
    name: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    values: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    self_closing: bool = False
    foreign: bool = False
    data: str = ""


class _Stream(HTMLUnicodeInputStream):
    """The whole text as one chunk, so the tokenizer's offset is the offset in the text."""

    def __init__(self, text: str) -> None:  # no super(): it would open a file-like stream
        self.reportCharacterErrors = None
        self.newLines = [0]
        self._whole: str | None = text
        self.reset()

    def readChunk(self, chunkSize: int | None = None) -> bool:
        if not self._whole:  # the end: everything has been read
            self.chunkOffset = self.chunkSize
            return False
        self.chunk, self.chunkSize, self.chunkOffset = self._whole, len(self._whole), 0
        self._whole = None
        return True


class _Node:
    __slots__ = ("namespace",)

    def __init__(self) -> None:
        self.namespace = "html"


class _Tree:
    """What html5lib's tokenizer asks its parser: the namespace of the current node (CDATA)."""

    defaultNamespace = "html"

    def __init__(self) -> None:
        self.current = _Node()
        self.openElements = [self.current]


class _Parser:
    def __init__(self) -> None:
        self.tree = _Tree()


class _Tokenizer(HTMLTokenizer):
    def __init__(self, text: str) -> None:  # no super(): it would build its own stream
        self.stream = _Stream(text)
        self.parser = _Parser()
        self.escapeFlag = False
        self.lastFourChars: list[str] = []
        self.state = self.dataState
        self.escape = False
        self.currentToken = None
        self.raw_attributes: list[list[str]] = []

    def emitCurrentToken(self) -> None:
        token = self.currentToken
        if token is not None and token["type"] == _START:
            self.raw_attributes = list(token["data"])
        super().emitCurrentToken()


def tokenize(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """The tokens of ``text[start:end]`` (offsets into ``text``), tiling it without gaps."""
    end = len(text) if end is None else end
    # The standard turns CR LF and CR into LF before tokenizing; one LF per CR keeps offsets.
    return _Run(text[start:end].replace("\r", "\n"), start).tokens()


@dataclass(slots=True)
class _Foreign:
    name: str
    namespace: str  # svg or math
    integration: str  # "html", "text" (MathML text integration point) or ""


class _Run:
    """One pass of the tokenizer over a text, with the offsets of what it emits."""

    def __init__(self, text: str, offset: int) -> None:
        self.length = len(text)
        self.offset = offset
        self.tokenizer = tokenizer = _Tokenizer(text)
        self.foreign: list[_Foreign] = []
        self.raw_name = ""  # the raw-text element whose content comes next
        self.text_states = {
            tokenizer.dataState,
            tokenizer.rcdataState,
            tokenizer.rawtextState,
            tokenizer.scriptDataState,
            tokenizer.plaintextState,
            tokenizer.scriptDataEscapedState,
            tokenizer.scriptDataDoubleEscapedState,
        }
        self.less_than_states = {
            tokenizer.tagOpenState,
            tokenizer.rcdataLessThanSignState,
            tokenizer.rawtextLessThanSignState,
            tokenizer.scriptDataLessThanSignState,
            tokenizer.scriptDataEscapedLessThanSignState,
        }
        self.value_states = {
            tokenizer.attributeValueDoubleQuotedState: '"',
            tokenizer.attributeValueSingleQuotedState: "'",
            tokenizer.attributeValueUnQuotedState: "",
        }

    def tokens(self) -> Iterator[Token]:
        tokenizer = self.tokenizer
        stream = tokenizer.stream
        queue = tokenizer.tokenQueue = deque()
        text_states, less_than_states = self.text_states, self.less_than_states
        value_states = self.value_states
        before_value = tokenizer.beforeAttributeValueState
        offset = self.offset
        cursor = 0  # everything before it is in a token (or in the text run being gathered)
        markup = -1  # where the markup being read began; -1: none is open
        values: list[tuple[int, int, int, str]] = []  # (attribute index, start, end, quote)
        value_start = value_index = -1
        run = -1  # start of the text run being gathered
        run_name = ""
        chars: list[str] = []
        while True:
            state = tokenizer.state
            more = state()
            position = stream.chunkOffset
            new = tokenizer.state
            if new != state:
                if new in less_than_states and state in text_states:
                    markup = position - 1
                    values = []
                elif new in value_states and state == before_value:
                    pairs = tokenizer.currentToken["data"]
                    value_index = len(pairs) - 1
                    so_far = len(pairs[-1][1])
                    value_start = position if value_states[new] else position - so_far
                if state in value_states and value_start >= 0:
                    values.append((value_index, value_start, position - 1, value_states[state]))
                    value_start = -1
            while queue:
                raw = queue.popleft()
                kind = raw["type"]
                if kind == _ERROR:
                    continue
                if kind in _CHARACTERS:
                    if run < 0:
                        run, run_name, chars = cursor, self.raw_name, []
                    chars.append(raw["data"])
                    cursor = position
                    markup = -1
                    continue
                begin = markup if markup >= 0 else cursor
                if run >= 0:
                    yield self._text(run, cursor, run_name, chars)
                    run = -1
                if begin > cursor:
                    yield Token("hidden", cursor + offset, begin + offset, foreign=self.inside)
                yield self._markup(raw, begin + offset, position + offset, values)
                cursor = position
                markup = -1
            if markup >= 0 and new in text_states and state not in text_states:
                # markup that ended without a token: a browser drops it
                if run >= 0:
                    yield self._text(run, cursor, run_name, chars)
                    run = -1
                yield Token("hidden", markup + offset, position + offset, foreign=self.inside)
                cursor = position
                markup = -1
            if not more:
                break
        if run >= 0:
            yield self._text(run, cursor, run_name, chars)
        if cursor < self.length:
            yield Token("hidden", cursor + offset, self.length + offset, foreign=self.inside)

    def _text(self, start: int, end: int, name: str, chars: list[str]) -> Token:
        token = Token("text", start + self.offset, end + self.offset, name, foreign=self.inside)
        token.data = "".join(chars)
        return token

    @property
    def inside(self) -> bool:
        return bool(self.foreign)

    def _markup(
        self, raw: dict, start: int, end: int, values: list[tuple[int, int, int, str]]
    ) -> Token:
        kind = raw["type"]
        self.raw_name = ""
        if kind == _START:
            token = Token("start", start, end, raw["name"], dict(raw["data"]))
            token.self_closing = bool(raw.get("selfClosing"))
            names = [pair[0] for pair in self.tokenizer.raw_attributes]
            for index, a, b, quote in values:
                name = names[index]
                if name not in token.values and names.index(name) == index:
                    token.values[name] = (a + self.offset, b + self.offset, quote)
            token.foreign = self._start_tag(token)
        elif kind == _END:
            token = Token("end", start, end, raw["name"])
            token.foreign = self._end_tag(token.name)
        elif kind == _COMMENT:
            token = Token("comment", start, end, data=raw["data"], foreign=self.inside)
        else:
            assert kind == _DOCTYPE
            token = Token("doctype", start, end, raw.get("name") or "")
        top = self.foreign[-1].namespace if self.foreign else "html"
        self.tokenizer.parser.tree.current.namespace = top
        return token

    def _html_rules(self, name: str) -> bool:
        """Whether a start tag is processed as HTML (else as foreign content)."""
        if not self.foreign:
            return True
        top = self.foreign[-1]
        if top.integration == "html":
            return True
        if top.integration == "text" and name not in ("mglyph", "malignmark"):
            return True
        return top.name == "annotation-xml" and name == "svg"

    def _start_tag(self, token: Token) -> bool:
        """Follow a start tag into or out of foreign content; whether it is part of it."""
        name = token.name
        if not self._html_rules(name):
            breakout = name in _BREAKOUT or (name == "font" and _FONT_BREAKOUT & token.attrs.keys())
            if not breakout:
                if not token.self_closing:
                    self._push(name, self.foreign[-1].namespace, token.attrs)
                return True
            self._pop_to_html()
        if name in ("svg", "math"):
            if not token.self_closing:
                self._push(name, name, token.attrs)
            return True
        if name in RAW_TEXT:
            self.tokenizer.state = getattr(self.tokenizer, RAW_TEXT[name])
            self.raw_name = name
        return self.inside  # an HTML element inside an integration point

    def _push(self, name: str, namespace: str, attrs: dict[str, str]) -> None:
        integration = ""
        if namespace == "math" and name in _TEXT_INTEGRATION:
            integration = "text"
        elif namespace == "math" and name == "annotation-xml":
            encoding = attrs.get("encoding", "").lower()
            integration = "html" if encoding in ("text/html", "application/xhtml+xml") else ""
        elif namespace == "svg" and name in _SVG_HTML_INTEGRATION:
            integration = "html"
        self.foreign.append(_Foreign(name, namespace, integration))

    def _pop_to_html(self) -> None:
        while self.foreign and not self.foreign[-1].integration:
            self.foreign.pop()

    def _end_tag(self, name: str) -> bool:
        """Follow an end tag out of foreign content; whether it is part of it."""
        if not self.foreign:
            return False
        if name in ("br", "p"):
            self._pop_to_html()
            return self.inside
        for index in range(len(self.foreign) - 1, -1, -1):
            if self.foreign[index].name == name:
                del self.foreign[index:]
                return True
        if name in _HTML_CONTAINERS:
            self._pop_to_html()
        return self.inside
