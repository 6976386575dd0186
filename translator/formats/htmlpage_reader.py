"""The page's tokens read into units in one pass: text runs between block boundaries (see
``htmlpage_run``), the attribute values people read, the elements not to translate skipped whole,
``noscript`` content read as the markup a browser without scripts shows."""

from __future__ import annotations

from dataclasses import dataclass

from .encoding import WebText
from .htmlpage_attributes import (
    attribute_units,
    german,
    lang_edits,
    meta_edits,
    xml_declaration_edits,
)
from .htmlpage_elements import INLINE, INLINE_VOID, OPAQUE_BLOCK, OPAQUE_INLINE, VOID, Tree
from .htmlpage_run import Run, Unit
from .htmltokens import Token, tokenize


@dataclass(slots=True)
class Opaque:
    """An element not to translate, open: where it began and how deep it sits."""

    start: int
    depth: int
    inline: bool
    foreign: bool


class Reader:
    """Turns the tokens into units, in one pass (linear in the page's length)."""

    def __init__(self, page: WebText, tokens: list[Token], nested: bool = False) -> None:
        self.page = page
        self.nested = nested  # reading noscript content: a noscript in it is raw text to all
        self.text = page.text
        self.tokens = tokens
        self.units: list[Unit] = []
        self.edits: list[tuple[int, int, str]] = []
        self.tree = Tree()
        self.opaque: Opaque | None = None
        self.run = Run(page)  # the run of text and inline markup being gathered

    def read(self) -> tuple[list[Unit], list[tuple[int, int, str]]]:
        for token in self.tokens:
            self._token(token)
        if self.opaque is not None:
            self._end_opaque(len(self.text))
        self._flush()
        return self.units, self.edits

    def _flush(self) -> None:
        if self.run.has_letters:
            self.units.append(self.run.unit())
        self.run = Run(self.page)

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
                self.run.close_element(token)
            elif token.name == "br":  # a browser reads </br> as <br>
                self.run.add_atom(token.start, token.end, "br")
                self.run.add_space()
            else:
                self._flush()
        elif kind in ("comment", "hidden"):
            if self.run.first >= 0:
                self.run.add_atom(token.start, token.end, "#" + kind)
            elif token.start == 0 and self.text.startswith("<?xml"):
                self.edits.extend(xml_declaration_edits(token, self.page))
        else:
            self._flush()

    def _text(self, token: Token) -> None:
        if token.foreign:
            self.run.add_atom(token.start, token.end)
        elif token.name in ("", "title"):
            self.run.add_text(token)
        elif token.name == "noscript" and not self.nested:
            self._flush()
            self._noscript(token)
        else:
            self._flush()

    def _noscript(self, token: Token) -> None:
        """``noscript`` content: markup for a browser without scripts, raw text for the others.
        Its units are read as the first see it; the escaped English keeps it raw for the others."""
        inner = Reader(self.page, list(tokenize(self.text, token.start, token.end)), True)
        units, edits = inner.read()
        self.units.extend(units)
        self.edits.extend(edits)

    def _start(self, token: Token) -> None:
        name = token.name
        attrs = token.attrs
        if token.foreign:  # svg, math: kept whole
            if token.self_closing:
                self.run.add_atom(token.start, token.end, name)
            else:
                self.opaque = Opaque(token.start, len(self.tree), True, True)
            return
        lang = attrs.get("lang", attrs.get("xml:lang"))
        refused = (  # the page says: not to be translated (text and attributes alike)
            attrs.get("translate", "").strip().lower() == "no"
            or "notranslate" in attrs.get("class", "").split()
            or (
                lang is not None
                and lang.strip() != ""
                and not german(lang)
                and name not in ("html", "head", "body")
            )
        )
        if not refused:
            self._attributes(token)
        if name not in VOID and (refused or name in OPAQUE_INLINE or name in OPAQUE_BLOCK):
            inline = name in OPAQUE_INLINE or name in INLINE
            if not inline:
                self._flush()
            self.opaque = Opaque(token.start, len(self.tree) - 1, inline, False)
            return
        self.edits.extend(lang_edits(token))
        if name in INLINE_VOID:
            self.run.add_atom(token.start, token.end, name)
            if name == "br":
                self.run.add_space()
        elif name in INLINE:
            self.run.open_element(token)
        else:
            self._flush()

    def _end_opaque(self, end: int) -> None:
        opaque = self.opaque
        assert opaque is not None
        self.opaque = None
        if opaque.inline:
            self.run.add_atom(opaque.start, end)

    def _attributes(self, token: Token) -> None:
        """Units for the attribute values people read; edits for the encoding a meta declares."""
        if token.name == "meta":
            self.edits.extend(meta_edits(token, self.page.output))
        self.units.extend(attribute_units(token, self.page))
