"""Word documents (``.docx``): every paragraph people read, translated in place; all else kept.

Read from the package itself (``archive.ZipPackage`` with its size limits, lxml), not through
python-docx: python-docx keeps notes and comments as bytes beside its own tree and re-serializes
every part, while here each part that holds no translated text is written back byte for byte.
Read, in this order: every ``w:p`` of the main document (all of its bodies, tables, content
controls, text boxes), the charts' and diagrams' text, every header and footer (each section's
first, even and default ones), footnotes, endnotes and comments, then the title and subject of the
document's properties; last, the text of every HTML, plain-text or Word file
the body imports (``w:altChunk``), read and written by that format's own reader and writer.

A paragraph is one unit (see ``xmltext``): its text runs, including the text a field shows (a
HYPERLINK's display text, a cross-reference, a table of contents entry), are translated; the
field's instruction stays as it is. Hyperlinks, content controls, tracked insertions and fields
are containers that follow their words; images, note references, bookmarks and deleted text
(``w:delText``, left as it was) are atoms. A ruby's base text and the reading or gloss over it
are each a unit of their own. A text box stored twice
(``mc:AlternateContent``: a DrawingML ``Choice`` and a VML ``Fallback``) is read once and written
into both. Runs keep their exact properties; a run that mixes text with a picture or a break is
cut in two first. Language tags ``w:lang`` (and the theme's language) of German become
``en-US``. Not translated: list numbering texts, WordArt paths, form drop-down entries, the
glossary (building blocks).
"""

from __future__ import annotations

import copy
import posixpath
import sys
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from ..document import Document, Paragraph, Span
from ..errors import InputError
from .archive import ZipPackage, natural
from .base import Source, check_matches, join_units
from .drawingml import DrawingFlavor, drawing_parts
from .ooxml import (
    content_types,
    english_tags,
    metadata_parts,
    relationships,
    twins,
)
from .xmltext import Atom, Container, Flavor, Leaf, Unit, collect, write_units

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
KIND = "a Word document (.docx)"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _R, _RPR, _T, _BR = _w("p"), _w("r"), _w("rPr"), _w("t"), _w("br")
_FLD_CHAR, _PPR = _w("fldChar"), _w("pPr")
_TEXT = {_T: None, _w("tab"): "\t", _w("cr"): "\n", _w("noBreakHyphen"): "\u2011"}
_TEXT[_w("softHyphen")] = "\u00ad"
_IGNORED_IN_RUN = {_RPR, _w("lastRenderedPageBreak")}
# Inline elements around runs, and the children of each that are its own properties.
_CONTAINERS = {
    _w("hyperlink"): (),
    _w("smartTag"): (_w("smartTagPr"),),
    _w("customXml"): (_w("customXmlPr"),),
    _w("sdt"): (_w("sdtPr"), _w("sdtEndPr")),
    _w("ins"): (),
    _w("moveTo"): (),
    _w("fldSimple"): (_w("fldData"),),
    _w("dir"): (),
    _w("bdo"): (),
}
# Of those, the ones a reader clicks or Word fills in again: no copy of one may hold no text.
_NEED_TEXT = {_w("hyperlink"), _w("fldSimple"), _w("sdt")}
_SDT_CONTENT = _w("sdtContent")
_RUBY_BASE, _RUBY_TEXT = _w("rubyBase"), _w("rt")

_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_AFTER_BODY = (  # read after the body, in this order
    (_WML + "header+xml",),
    (_WML + "footer+xml",),
    (_WML + "footnotes+xml",),
    (_WML + "endnotes+xml",),
    (_WML + "comments+xml",),
)
_STYLES = (_WML + "styles+xml", _WML + "settings+xml")


def read(data: bytes, name: str) -> Source:
    package, found = units(data, name)
    chunks = _chunks(package, name)
    joined, spans = _layout(found, chunks)
    return Source(name=name, format="docx", text=joined, units=spans, state=data)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    package, found = units(source.state, source.name)
    chunks = _chunks(package, source.name)
    spans = (source.units or [])[: len(found)]
    write_units(document, spans, found, package)
    for chunk, region in zip(chunks, _regions(found, chunks), strict=True):
        package.put(chunk.member, chunk.format.write(_within(document, region), chunk.source))
    english_tags(package, _STYLES)
    return package.save()


@dataclass
class _Chunk:
    """An ``w:altChunk``: a whole HTML, text or Word file the body imports where it stands."""

    member: str
    format: Any  # the module that reads and writes it (``read``, ``write``)
    source: Source


_CHUNK_FORMATS = {".htm": "html", ".html": "html", ".xhtml": "html", ".txt": "txt", ".docx": "docx"}


def _chunk_module(kind: str) -> Any:
    """The reader and writer of an imported chunk's kind (imported here, not through the
    registry, which imports this module)."""
    from . import htmlpage, plaintext

    return {"html": htmlpage, "txt": plaintext, "docx": sys.modules[__name__]}[kind]


def _chunks(package: ZipPackage, name: str) -> list[_Chunk]:
    """The body's imported chunks that a reader of ours reads (HTML, text, Word), in order."""
    types = content_types(package)
    found: list[_Chunk] = []
    for main in sorted((m for m, k in types.items() if k in _MAIN), key=natural):
        targets = {rid: target for rid, _, target in relationships(package, main)}
        for chunk in package.xml(main).iter(_w("altChunk")):
            member = targets.get(chunk.get(f"{{{R}}}id", ""))
            kind = _CHUNK_FORMATS.get(posixpath.splitext(member or "")[1].lower())
            if member is None or kind is None:
                continue
            fmt = _chunk_module(kind)
            label = f"{name}: {posixpath.basename(member)}"
            found.append(_Chunk(member, fmt, fmt.read(package.read(member), label)))
    return found


def _layout(found: list[Unit], chunks: list[_Chunk]) -> tuple[str, list[Span]]:
    """The text to translate: the paragraphs' texts, then each chunk's own text with its units."""
    joined, spans = join_units([u.text for u in found] + [c.source.text for c in chunks])
    units = spans[: len(found)]
    for chunk, region in zip(chunks, spans[len(found) :], strict=True):
        if chunk.source.units is None:
            units.append(region)
        else:
            units += [u.shift(region.start) for u in chunk.source.units]
    return joined, units


def _regions(found: list[Unit], chunks: list[_Chunk]) -> list[Span]:
    _, spans = join_units([u.text for u in found] + [c.source.text for c in chunks])
    return spans[len(found) :]


def _within(document: Document, region: Span) -> Document:
    """The part of ``document`` whose German is ``region``, as a Document of its own."""
    parts: list[str] = []
    length = 0
    position = region.start
    paragraphs = []
    for paragraph in document.paragraphs:
        if not (region.start <= paragraph.source.start and paragraph.source.end <= region.end):
            continue
        gap = document.source[position : paragraph.source.start]
        parts.append(gap)
        length += len(gap)
        shift = length - paragraph.target.start
        english = paragraph.target.of(document.target)
        parts.append(english)
        length += len(english)
        position = paragraph.source.end
        sentences = [
            replace(
                s,
                source=s.source.shift(-region.start),
                target=s.target.shift(shift),
                source_words=[w.shift(-region.start) for w in s.source_words],
                target_words=[w.shift(shift) for w in s.target_words],
            )
            for s in paragraph.sentences
        ]
        paragraphs.append(
            Paragraph(
                paragraph.source.shift(-region.start), paragraph.target.shift(shift), sentences
            )
        )
    parts.append(document.source[position : region.end])
    return Document(
        source=region.of(document.source),
        target="".join(parts),
        paragraphs=paragraphs,
        signature=document.signature,
    )


def units(data: bytes, name: str) -> tuple[ZipPackage, list[Unit]]:
    """The opened package and its paragraphs to translate, in reading order."""
    package = ZipPackage(data, name, KIND)
    types = content_types(package)
    main = sorted((m for m, k in types.items() if k in _MAIN), key=natural)
    if not main:
        raise InputError(f"{name} is not {KIND}: it has no Word main document part")
    word = WordFlavor()
    parts = [(m, word) for m in main]
    parts += [(m, DrawingFlavor()) for m in drawing_parts(types)]
    for kinds in _AFTER_BODY:
        parts += [(m, word) for m in sorted(types, key=natural) if types[m] in kinds]
    spec = []
    for member, flavor in parts:
        root = package.xml(member)
        spec.append((member, root, flavor, flavor.paragraphs(root)))
    spec += metadata_parts(package, types)
    return package, collect(spec, twins(types))


class WordFlavor(Flavor):
    """WordprocessingML paragraphs: ``w:r`` runs inside hyperlinks, fields, content controls."""

    def paragraphs(self, root):
        # a ruby's base text and its reading (or gloss) above it hold runs as a paragraph does:
        # each is read as a unit of its own, after the paragraph that holds the ruby
        return list(root.iter(_P, _RUBY_BASE, _RUBY_TEXT))

    def walk(self, paragraph, counter):
        return self._walk(paragraph, (), counter)

    def _walk(self, parent, chain, counter) -> list:
        items: list = []
        children = [c for c in parent if c.tag != _PPR]
        i = 0
        while i < len(children):
            child = children[i]
            if not isinstance(child.tag, str):  # an XML comment: kept where it was
                items.append(Atom([child], chain))
            elif child.tag == _R:
                field = _field_at(children, i)
                if field is not None:
                    end, separate = field
                    inside = children[separate + 1 : end]
                    container = Container(
                        counter(),
                        opening=children[i : separate + 1],
                        closing=children[end],
                        essential=True,
                        needs_text=True,
                    )
                    sub = self._walk_list(inside, (*chain, container), counter)
                    if any(isinstance(x, Leaf) for x in sub):
                        items += sub
                    else:
                        items.append(Atom(children[i : end + 1], chain))
                    i = end + 1
                    continue
                if child.find(_FLD_CHAR) is not None and _field_end(children, i) is not None:
                    end = _field_end(children, i)
                    items.append(Atom(children[i : end + 1], chain))  # no shown result
                    i = end + 1
                    continue
                items += self._run(child, chain)
            elif child.tag in _CONTAINERS:
                inner = child.find(_SDT_CONTENT) if child.tag == _w("sdt") else child
                container = Container(
                    counter(), element=child, essential=True, needs_text=child.tag in _NEED_TEXT
                )
                sub = [] if inner is None else self._walk(inner, (*chain, container), counter)
                if any(isinstance(x, Leaf) for x in sub):
                    items += sub
                else:
                    items.append(Atom([child], chain))
            else:
                items.append(Atom([child], chain))
            i += 1
        return items

    def _walk_list(self, children, chain, counter) -> list:
        holder = _Holder(children)
        return self._walk(holder, chain, counter)

    def _run(self, run, chain) -> list:
        """A run as leaves and atoms: a run that mixes text with other content is split."""
        groups: list[tuple[bool, list]] = []
        for child in run:
            if child.tag in _IGNORED_IN_RUN or not isinstance(child.tag, str):
                continue
            text = _is_text(child)
            if groups and groups[-1][0] == text:
                groups[-1][1].append(child)
            else:
                groups.append((text, [child]))
        if not groups:
            return [Atom([run], chain)]
        runs = _split(run, groups) if len(groups) > 1 else [run]
        items: list = []
        for piece, (text, _) in zip(runs, groups, strict=True):
            if text:
                props = piece.find(_RPR)
                from lxml import etree

                serialized = "" if props is None else etree.tostring(props, encoding="unicode")
                items.append(Leaf(_run_text(piece), chain, serialized, piece))
            else:
                items.append(Atom([piece], chain))
        return items

    def clear(self, paragraph):
        for child in list(paragraph):
            if child.tag != _PPR:
                paragraph.remove(child)
        return paragraph

    def inner(self, shell):
        if shell.tag == _w("sdt"):
            content = shell.find(_SDT_CONTENT)
            if content is None:
                from lxml import etree

                content = etree.SubElement(shell, _SDT_CONTENT)
            return content
        return shell

    def empty(self, element):
        keep = _CONTAINERS.get(element.tag, ())
        for child in list(element):
            if child.tag == _SDT_CONTENT:
                for grandchild in list(child):
                    child.remove(grandchild)
            elif child.tag not in keep:
                element.remove(child)

    def emit(self, parent, text, leaves: deque, prototype: Leaf, state):
        run = leaves.popleft() if leaves else copy.deepcopy(prototype.element)
        _set_text(run, text)
        parent.append(run)


class _Holder:
    """A list of sibling elements walked as if they were one parent's children."""

    def __init__(self, children: list) -> None:
        self.children = children

    def __iter__(self):
        return iter(self.children)


def _is_text(child) -> bool:
    if child.tag in _TEXT:
        return True
    return child.tag == _BR and child.get(_w("type")) in (None, "textWrapping")


def _split(run, groups):
    """The run cut into runs of its own properties, one for each group of children."""
    pieces = [run]
    for _, children in groups[1:]:
        piece = copy.deepcopy(run)
        for child in list(piece):
            if child.tag != _RPR:
                piece.remove(child)
        for child in children:
            piece.append(child)
        pieces[-1].addnext(piece)
        pieces.append(piece)
    return pieces


def _field_kind(run) -> str | None:
    char = run.find(_FLD_CHAR)
    return None if char is None else char.get(_w("fldCharType"))


def _field_end(children: list, i: int) -> int | None:
    """Where the field beginning at ``children[i]`` ends among its siblings (None: elsewhere)."""
    if children[i].tag != _R or _field_kind(children[i]) != "begin":
        return None
    depth = 0
    for j in range(i, len(children)):
        kind = _field_kind(children[j]) if children[j].tag == _R else None
        if kind == "begin":
            depth += 1
        elif kind == "end":
            depth -= 1
            if depth == 0:
                return j
    return None


def _field_at(children: list, i: int) -> tuple[int, int] | None:
    """(end, separator) of a field that begins at ``children[i]`` and shows a result there."""
    end = _field_end(children, i)
    if end is None:
        return None
    depth = 0
    for j in range(i, end):
        kind = _field_kind(children[j]) if children[j].tag == _R else None
        if kind == "begin":
            depth += 1
        elif kind == "end":
            depth -= 1
        elif kind == "separate" and depth == 1:
            return end, j
    return None


def _run_text(run) -> str:
    parts: list[str] = []
    for child in run:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _BR:
            parts.append("\n")
        elif child.tag in _TEXT:
            parts.append(_TEXT[child.tag] or "")
    return "".join(parts)


def _set_text(run, text: str) -> None:
    from lxml import etree

    for child in list(run):
        if child.tag in _TEXT or (
            child.tag == _BR and child.get(_w("type")) in (None, "textWrapping")
        ):
            run.remove(child)
    piece: list[str] = []
    for char in text + "\0":
        if char in "\t\n\0":
            if piece:
                t = etree.SubElement(run, _T)
                t.text = "".join(piece)
                t.set(XML_SPACE, "preserve")
                piece = []
            if char == "\t":
                etree.SubElement(run, _w("tab"))
            elif char == "\n":
                etree.SubElement(run, _BR)
        else:
            piece.append(char)
