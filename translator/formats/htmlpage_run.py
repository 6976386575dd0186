"""A page's units, and the run that gathers one: text and inline elements between two block
boundaries, its plain text as a browser shows it, inline elements as marks, atoms padded as the
page has them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .encoding import WebText
from .htmltokens import Token

MAX_NESTING = 64  # inline elements inside one another, as marks; deeper ones stay as tags
_WHITESPACE = " \t\n\r\f"
SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(slots=True)
class MarkSpec:
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
class Unit:
    """A unit of the page: a run of text with its marks, or an attribute value."""

    start: int  # the range of the page the English replaces
    end: int
    plain: str
    marks: list[MarkSpec] = field(default_factory=list)
    joints: list[tuple[int, int]] = field(default_factory=list)  # adjacent links (mark indices)
    quote: str | None = None  # an attribute value: how it is quoted ("" unquoted); text: None


class Run:
    """The run of text and inline markup being gathered, until a block boundary ends it."""

    def __init__(self, page: WebText) -> None:
        self.page = page
        self.text = page.text
        self.plain: list[str] = []
        self.length = 0
        self.letters = 0  # characters other than whitespace so far
        self.has_letters = False
        self.marks: list[MarkSpec] = []
        self.stack: list[int] = []  # open marks
        self.opened_at: list[int] = []  # self.letters when each open mark opened
        self.joints: list[tuple[int, int]] = []
        self.last_closed: tuple[int, int] | None = None  # (mark, plain length) of the last close
        self.boundary: tuple[int, int] | None = None  # (mark, plain length) of the last edge
        self.first = -1  # the run's range in the page
        self.last = -1
        self.text_first = -1  # the range of its text
        self.text_last = -1

    def extend(self, start: int, end: int) -> None:
        if self.first < 0:
            self.first = start
        self.last = end

    def add_text(self, token: Token) -> None:
        chunk = SPACE.sub(" ", self.page.readable(token.data))
        if not chunk:
            return
        if chunk.startswith(" ") and (not self.plain or self.plain[-1].endswith(" ")):
            chunk = chunk[1:]
        if chunk.strip(" "):
            raw = self.text[token.start : token.end]
            start = token.start + len(raw) - len(raw.lstrip(_WHITESPACE))
            end = token.end - (len(raw) - len(raw.rstrip(_WHITESPACE)))
            self.extend(start, end)
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
                self.add_space()
            self.letters += len(chunk.strip(" "))
            self.has_letters = self.has_letters or any(c.isalpha() for c in chunk)
        elif self.first < 0:
            return  # whitespace before anything: not part of the run
        if chunk:
            self.plain.append(chunk)
            self.length += len(chunk)

    def add_space(self) -> None:
        if self.plain and not self.plain[-1].endswith(" "):
            self.plain.append(" ")
            self.length += 1

    def _parent(self) -> int | None:
        return self.stack[-1] if self.stack else None

    def add_atom(self, start: int, end: int, name: str = "") -> None:
        self.extend(start, end)
        mark = MarkSpec(self.length, self.length, (start, end), name=name, atom=True)
        mark.parent = self._parent()
        self._pad(mark)
        self.marks.append(mark)

    def _pad(self, atom: MarkSpec) -> None:
        """Whether the atom stands apart from the words beside it, as the page has it."""
        start, end = atom.open
        atom.pad_before = start > 0 and self.text[start - 1] in _WHITESPACE
        atom.pad_after = end < len(self.text) and self.text[end] in _WHITESPACE

    def open_element(self, token: Token) -> None:
        if len(self.stack) >= MAX_NESTING:  # deeper than any page means: kept as a lone tag
            self.add_atom(token.start, token.end, token.name)
            return
        closed = self.last_closed
        if closed is not None and closed[1] == self.length and not self.plain[-1].endswith(" "):
            # two elements side by side (links in a list, a label and its count): their words
            # are apart for the translator, and back together where they still touch
            self.add_space()
            self.joints.append((closed[0], len(self.marks)))
        self.extend(token.start, token.end)
        mark = MarkSpec(self.length, self.length, (token.start, token.end), name=token.name)
        mark.parent = self._parent()
        self.marks.append(mark)
        self.stack.append(len(self.marks) - 1)
        self.opened_at.append(self.letters)
        self.boundary = (len(self.marks) - 1, self.length)

    def close_element(self, token: Token) -> None:
        if not self.stack or self.marks[self.stack[-1]].name != token.name:
            self.add_atom(token.start, token.end, token.name)  # closes nothing in this run
            return
        index = self.stack.pop()
        opened_at = self.opened_at.pop()
        mark = self.marks[index]
        self.extend(token.start, token.end)
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

    def unit(self) -> Unit:
        """The run as a unit: lone tags made atoms, atoms at its edges left outside it."""
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
        marks: list[MarkSpec] = []
        for index, (mark, parent) in enumerate(zip(self.marks, resolved, strict=True)):
            if mark.atom and parent is None and (mark.open[1] <= first or mark.open[0] >= last):
                continue
            mark.parent = None if parent is None else kept[parent]
            kept[index] = len(marks)
            marks.append(mark)
            first = min(first, mark.open[0])
            last = max(last, mark.open[1] if mark.close is None else mark.close[1])
        joints = [(kept[a], kept[b]) for a, b in self.joints if a in kept and b in kept]
        return Unit(first, last, stripped, marks, joints)
