"""OpenDocument text (``.odt``): every paragraph and heading translated in place; all else kept.

Read with lxml directly on the package's ``content.xml``, ``styles.xml`` and ``meta.xml``
(``archive.ZipPackage``, with its size limits): odfpy would rebuild every element through its own
object model, while here each part without translated text is written back byte for byte and the
rest only re-serialized. Read, in this order: every ``text:p`` and ``text:h`` of the body (lists,
tables, frames and text boxes, footnotes and endnotes, comments, the cached table of contents),
then the headers and footers of the master pages, then the title and subject.

Inline content (see ``xmltext``): text with ``text:s`` (spaces), ``text:tab`` and
``text:line-break``, read with OpenDocument's white-space rule (runs of spaces, tabs and newlines
in the XML are one space; the paragraph's leading ones none) and written back the same way.
``text:span`` styles are marks; ``text:a`` links, ``text:text-input`` fields (text a user typed
into a form) and cross-references (which show the text of what they point at) are marks that are
never dropped; notes, frames, bookmarks, annotations and fields
that the office program fills in itself (page numbers, dates, references, database fields) are
atoms, left as they are. Language
attributes of German (``fo:language``/``fo:country``, ``dc:language``) become English (US).
"""

from __future__ import annotations

import copy
from typing import Any

from ..document import Document
from ..errors import InputError
from .archive import ZipPackage
from .base import Source, check_matches, join_units
from .xmltext import Atom, Container, Flavor, Leaf, PlainFlavor, Unit, collect, write_units

KIND = "an OpenDocument text (.odt)"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
DC = "http://purl.org/dc/elements/1.1/"
_MIMETYPES = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
    "application/vnd.oasis.opendocument.text-master",
)


def _t(tag: str) -> str:
    return f"{{{TEXT}}}{tag}"


_PARAGRAPHS = (_t("p"), _t("h"))
_S, _TAB, _BREAK = _t("s"), _t("tab"), _t("line-break")
# Containers (→ essential): styles, links, metadata, and input fields, whose text is the user's.
_CONTAINERS = {_t("span"): False, _t("a"): True, _t("meta"): True, _t("text-input"): True}
# Cross-references show the text they point at (a heading, a caption): translated like it.
_CONTAINERS.update((_t(f"{kind}-ref"), True) for kind in ("bookmark", "reference", "sequence"))
# Links and fields (their text is filled in again): no copy of one may hold no text.
_NEED_TEXT = {tag for tag, essential in _CONTAINERS.items() if essential} - {_t("meta")}


def read(data: bytes, name: str) -> Source:
    _, found = units(data, name)
    joined, spans = join_units([u.text for u in found])
    return Source(name=name, format="odt", text=joined, units=spans, state=data)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    package, found = units(source.state, source.name)
    spans = source.units or []
    write_units(document, spans, found, package)
    _english_languages(package)
    return package.save()


def units(data: bytes, name: str) -> tuple[ZipPackage, list[Unit]]:
    """The opened package and its paragraphs to translate, in reading order."""
    package = ZipPackage(data, name, KIND)
    mimetype = package.read("mimetype").decode("ascii", "replace").strip() if package.member(
        "mimetype"
    ) else ""  # fmt: skip
    if mimetype and mimetype not in _MIMETYPES:
        kind = mimetype.rsplit(".", 1)[-1]
        raise InputError(f"{name} is an OpenDocument {kind}, not a text document (.odt)")
    if package.member("content.xml") is None:
        raise InputError(f"{name} is not {KIND}: it has no content.xml")
    manifest = package.member("META-INF/manifest.xml")
    if manifest is not None and b"encryption-data" in package.read(manifest):
        raise InputError(f"{name} is password-protected: save it without a password and try again")
    flavor = TextFlavor()
    spec: list[tuple[str, Any, Flavor, list]] = []
    for member, top in (("content.xml", "body"), ("styles.xml", "master-styles")):
        if package.member(member) is None:
            continue
        root = package.xml(member)
        paragraphs = [
            p for block in root.iter(f"{{{OFFICE}}}{top}") for p in block.iter(*_PARAGRAPHS)
        ]
        spec.append((package.member(member), root, flavor, paragraphs))
    meta = package.member("meta.xml")
    if meta is not None:
        root = package.xml(meta)
        fields = [
            e
            for tag in ("title", "subject")
            for e in root.iter(f"{{{DC}}}{tag}")
            if (e.text or "").strip()
        ]
        spec.append((meta, root, PlainFlavor(), fields))
    return package, collect(spec)


def _english_languages(package: ZipPackage) -> None:
    for member in ("content.xml", "styles.xml", "meta.xml"):
        stored = package.member(member)
        if stored is None:
            continue
        root = package.xml(stored)
        changed = False
        for element in root.iter(f"{{{STYLE}}}text-properties", f"{{{STYLE}}}default-style"):
            if (element.get(f"{{{FO}}}language") or "").lower() == "de":
                element.set(f"{{{FO}}}language", "en")
                if element.get(f"{{{FO}}}country") is not None:
                    element.set(f"{{{FO}}}country", "US")
                changed = True
        for element in root.iter(f"{{{DC}}}language"):
            if (element.text or "").lower().split("-")[0] == "de":
                element.text = "en-US"
                changed = True
        if changed:
            package.touch(stored)


class TextFlavor(Flavor):
    """OpenDocument paragraphs: mixed content, spans and links as containers."""

    def walk(self, paragraph, counter):
        items: list = []
        state = {"space": True, "raw": None}
        self._walk(paragraph, (), items, state, counter)
        last = items[-1] if items else None
        if last is not None and last is state["raw"] and last.text.endswith(" "):
            last.text = last.text[:-1]  # white space at the paragraph's end isn't shown
            if not last.text:
                items.pop()
        return items

    def _walk(self, element, chain, items, state, counter) -> None:
        self._text(element.text, chain, items, state)
        for child in element:
            if not isinstance(child.tag, str):  # a comment or processing instruction
                items.append(Atom([child], chain))
            elif child.tag == _S:
                items.append(Leaf(" " * _count(child), chain))
                state["space"] = True
            elif child.tag == _TAB:
                items.append(Leaf("\t", chain))
                state["space"] = False
            elif child.tag == _BREAK:
                items.append(Leaf("\n", chain))
                state["space"] = False
            elif child.tag in _CONTAINERS:
                container = Container(
                    counter(),
                    element=child,
                    essential=_CONTAINERS[child.tag],
                    needs_text=child.tag in _NEED_TEXT,
                )
                inner: list = []
                self._walk(child, (*chain, container), inner, state, counter)
                if any(isinstance(x, Leaf) for x in inner):
                    items += inner
                else:
                    items.append(Atom([child], chain))
            else:
                items.append(Atom([child], chain))
            self._text(child.tail, chain, items, state)

    @staticmethod
    def _text(raw: str | None, chain, items, state) -> None:
        if not raw:
            return
        out = []
        for char in raw:
            if char in " \t\n\r":
                if not state["space"]:
                    out.append(" ")
                state["space"] = True
            else:
                out.append(char)
                state["space"] = False
        if out:
            items.append(Leaf("".join(out), chain))
            state["raw"] = items[-1]

    def clear(self, paragraph):
        paragraph.text = None
        for child in list(paragraph):
            paragraph.remove(child)
        return paragraph

    def empty(self, element):
        element.text = None
        for child in list(element):
            element.remove(child)

    def clone_shell(self, element):
        shell = copy.copy(element)
        self.empty(shell)
        return shell

    def append(self, parent, element, state):
        element.tail = None
        parent.append(element)

    def emit(self, parent, text, leaves, prototype, state):
        """Text with OpenDocument's spaces: a space after a space (or at the paragraph's start)
        is a ``text:s``, a tab a ``text:tab``, a newline a ``text:line-break``."""
        from lxml import etree

        space = state.get("space", True)
        chars: list[str] = []
        spaces = 0
        for char in text + "\0":
            if char == " " and space:
                spaces += 1
                continue
            if spaces:
                _append_text(parent, "".join(chars))
                chars = []
                extra = etree.SubElement(parent, _S)
                if spaces > 1:
                    extra.set(_t("c"), str(spaces))
                spaces = 0
            if char in "\t\n\0":
                _append_text(parent, "".join(chars))
                chars = []
                if char != "\0":
                    etree.SubElement(parent, _TAB if char == "\t" else _BREAK)
                space = False
            else:
                chars.append(char)
                space = char == " "
        state["space"] = space


def _count(element) -> int:
    try:
        return max(1, int(element.get(_t("c"), "1")))
    except ValueError:
        return 1


def _append_text(parent, text: str) -> None:
    if not text:
        return
    try:
        last = parent[-1]  # found from the end; lxml's len() counts every child
    except IndexError:
        parent.text = (parent.text or "") + text
    else:
        last.tail = (last.tail or "") + text
