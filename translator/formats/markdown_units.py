"""What the Markdown reader finds and the writer rebuilds from: the units of a file, the texts
inside their literals, their in-page links, and the parser both sides read with."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cache

from .inline import Mark


@cache
def parser():
    """The one parser of reader and writer: CommonMark with GitHub's tables, strikethrough and
    footnotes."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False)
    md.disable("text_join")  # keep escapes and entities as their own tokens, so raw text matches
    return md


@dataclass(slots=True)
class Inner:
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
class Anchor:
    """An in-page link's ``#fragment``: in a literal (``mark >= 0``) or in the file."""

    fragment: str
    mark: int
    field: str
    start: int
    end: int
    file_start: int
    file_end: int


@dataclass(slots=True)
class Unit:
    """A unit of the file: an inline content (or a definition, an HTML block) and its texts."""

    start: int  # the raw inline content in the (newline-normalised) file text
    end: int
    marks: list[Mark]
    prefix: str  # what starts each continuation line (quote markers, list indentation)
    kind: str  # "text", "table", "atx", "setext", "definition"
    translate: bool  # the running text has letters (else only its inner texts are translated)
    inner: list[Inner] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    heading: int | None = None  # its index in the file's headings
    plain: str = ""  # the running text, as the translator gets it


@dataclass(slots=True)
class State:
    """What the writer needs of the read file (``Source.state``)."""

    text: str  # the file text with every line ending as "\n"
    raw: str  # the file text as it was
    crlf: list[int]  # positions in ``text`` of newlines that were "\r\n"
    codec: str
    bom: bytes
    units: list[Unit] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # every heading's German text, in order
    ids: set[str] = field(default_factory=set)  # explicit id/name attributes in the file
    env: dict = field(default_factory=dict)


class Unlocatable(Exception):
    """An inline token's raw text could not be found: the unit is left as it is."""


def visible_text(children) -> str:
    """The text of inline tokens as a reader sees it (a heading's, for its anchor)."""
    parts = []
    for token in children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


class Where:
    """Positions in a unit's content → positions in the file (content lines are file slices)."""

    def __init__(self, lines: list[tuple[int, int]]) -> None:
        self.lines = lines  # (content offset, file offset) of each content line's start
        self.offsets = [c for c, _ in lines]

    def __call__(self, x: int) -> int:
        k = bisect.bisect_right(self.offsets, x) - 1
        content, file = self.lines[max(0, k)]
        return file + x - content
