"""Word documents (``.docx``): paragraphs, headings, lists, tables, headers, footers, footnotes.

Read and written with python-docx and lxml. Every ``w:p`` of the body (table cells, nested tables
and text boxes included), of each header and footer, and of the footnotes and endnotes is read in
order; a paragraph's text runs make one unit (a field such as a page number splits a paragraph
into units around it, and stays as it is). Styles, numbering, tables, section and page settings,
images, bookmarks and every part not named here are kept as they are.

Run formatting: the formatting that covers most of a unit is its base; stretches of runs with other
formatting (bold, italic, a hyperlink, …) are marks moved onto the English words they covered
(see ``inline``): with word alignment, the linked words; without it, only when the stretch covers a
whole sentence. The English is written into the unit's own runs in order, so each piece keeps its
run's exact properties; runs left over are emptied, and more runs are cloned from a run with the
same formatting when the English needs them. Language tags ``w:lang`` of German become ``en-US``.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass

from ..document import Document
from ..errors import InputError
from .base import Source, check_matches, join_units, unit_paragraphs
from .inline import Mark, pieces, transfer

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_TEXT_CHILDREN = {
    _w("t"): None,
    _w("tab"): "\t",
    _w("cr"): "\n",
    _w("noBreakHyphen"): "\u2011",
    _w("softHyphen"): "\u00ad",
}
_P, _R, _RPR, _HYPERLINK = _w("p"), _w("r"), _w("rPr"), _w("hyperlink")
_FLD_CHAR, _FLD_SIMPLE = _w("fldChar"), _w("fldSimple")


@dataclass(slots=True)
class _Stretch:
    runs: list  # lxml w:r elements
    texts: list[str]
    keys: list[tuple[str, str]]  # (hyperlink, run properties) of each run


def read(data: bytes, name: str) -> Source:
    document = _open(data, name)
    stretches = _collect(document)
    plains = ["".join(s.texts) for s in stretches]
    joined, spans = join_units(plains)
    return Source(name=name, format="docx", text=joined, units=spans, state=data)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    word = _open(source.state, source.name)
    stretches = _collect(word)
    paragraphs = unit_paragraphs(document, source.units or [])
    for stretch, span, paragraph in zip(stretches, source.units or [], paragraphs, strict=True):
        if paragraph is None:
            continue
        base, marks = _marks(stretch)
        english, moved = transfer(document, span, paragraph, marks)
        _rewrite(stretch, pieces(english, moved, base))
    for root in _roots(word, styles=True):
        for lang in root.iter(_w("lang")):
            value = lang.get(_w("val"), "")
            if value.lower().startswith("de"):
                lang.set(_w("val"), "en-US")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _open(data: bytes, name: str):
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as error:  # zip, package and XML errors vary deep inside python-docx
        raise InputError(f"{name} is not a Word document (.docx): {error}") from error


class _BlobRoot:
    """A part python-docx keeps as bytes (footnotes, endnotes): parsed, and stored back on save."""

    def __init__(self, part) -> None:
        from lxml import etree

        self.part = part
        self.element = etree.fromstring(part.blob)

    def flush(self) -> None:
        from lxml import etree

        self.part._blob = etree.tostring(
            self.element, xml_declaration=True, encoding="UTF-8", standalone=True
        )


def _roots(word, styles: bool = False) -> list:
    """The XML roots holding text: the body, headers, footers, footnotes, endnotes (, styles)."""
    roots = [word.element.body]
    for part in word.part.package.iter_parts():
        kind = part.content_type
        if kind.endswith(("wordprocessingml.header+xml", "wordprocessingml.footer+xml")):
            roots.append(part.element)
        elif kind.endswith(("wordprocessingml.footnotes+xml", "wordprocessingml.endnotes+xml")):
            if hasattr(part, "element"):
                roots.append(part.element)
            else:
                root = _BlobRoot(part)
                _pending_blobs(word).append(root)
                roots.append(root.element)
        elif styles and kind.endswith("wordprocessingml.styles+xml"):
            roots.append(part.element)
    return roots


def _pending_blobs(word) -> list[_BlobRoot]:
    blobs = getattr(word, "_translator_blobs", None)
    if blobs is None:
        blobs = []
        word._translator_blobs = blobs
        save = word.save

        def save_with_blobs(stream) -> None:
            for blob in blobs:
                blob.flush()
            save(stream)

        word.save = save_with_blobs
    return blobs


def _collect(word) -> list[_Stretch]:
    stretches: list[_Stretch] = []
    for root in _roots(word):
        for paragraph in root.iter(_P):
            for stretch in _stretches(paragraph):
                if any(c.isalpha() for text in stretch.texts for c in text):
                    stretches.append(stretch)
    return stretches


def _stretches(paragraph) -> list[_Stretch]:
    """The paragraph's own text runs, cut where a field's result stands between them."""
    out: list[_Stretch] = []
    current = _Stretch([], [], [])
    depth = 0
    for run in paragraph.iter(_R):
        if _owner(run) is not paragraph:
            continue
        for char in run.iter(_FLD_CHAR):
            kind = char.get(_w("fldCharType"))
            depth += 1 if kind == "begin" else -1 if kind == "end" else 0
        text = _run_text(run)
        in_field = depth > 0 or any(a.tag == _FLD_SIMPLE for a in run.iterancestors())
        if in_field or run.find(_FLD_CHAR) is not None:
            if current.runs:
                out.append(current)
                current = _Stretch([], [], [])
            continue
        if text:
            current.runs.append(run)
            current.texts.append(text)
            current.keys.append(_key(run))
    if current.runs:
        out.append(current)
    return out


def _owner(run):
    for ancestor in run.iterancestors(_P):
        return ancestor
    return None


def _run_text(run) -> str:
    parts: list[str] = []
    for child in run:
        if child.tag == _w("t"):
            parts.append(child.text or "")
        elif child.tag == _w("br") and child.get(_w("type")) in (None, "textWrapping"):
            parts.append("\n")
        elif child.tag in _TEXT_CHILDREN and _TEXT_CHILDREN[child.tag] is not None:
            parts.append(_TEXT_CHILDREN[child.tag] or "")
    return "".join(parts)


def _key(run) -> tuple[str, str]:
    from lxml import etree

    link = ""
    for ancestor in run.iterancestors(_HYPERLINK, _P):
        if ancestor.tag == _HYPERLINK:
            link = " ".join(f"{k}={v}" for k, v in sorted(ancestor.attrib.items()))
        break
    properties = run.find(_RPR)
    return link, "" if properties is None else etree.tostring(properties, encoding="unicode")


def _marks(stretch: _Stretch) -> tuple[tuple[str, str], list[Mark]]:
    """The base formatting (most characters), and a mark for each stretch of other formatting."""
    weight: dict[tuple[str, str], int] = {}
    for text, key in zip(stretch.texts, stretch.keys, strict=True):
        weight[key] = weight.get(key, 0) + len(text.strip())
    base = max(weight, key=lambda k: (weight[k], -len(k[0]) - len(k[1])))  # ties: the plainest
    marks: list[Mark] = []
    position = 0
    for text, key in zip(stretch.texts, stretch.keys, strict=True):
        end = position + len(text)
        if key != base:
            if marks and marks[-1].key == key and marks[-1].end == position:
                marks[-1].end = end
            else:
                marks.append(Mark(position, end, key=key, essential=bool(key[0])))
        position = end
    return base, marks


def _rewrite(stretch: _Stretch, english: list[tuple[str, tuple[str, str]]]) -> None:
    """Put the English pieces into the stretch's runs in order, each in a run of its formatting."""
    runs, keys = stretch.runs, stretch.keys
    used = [False] * len(runs)
    last = -1
    last_element = None
    for text, key in english:
        if not text:
            continue
        slot = next((j for j in range(last + 1, len(runs)) if keys[j] == key and not used[j]), None)
        if slot is not None:
            _set_text(runs[slot], text)
            used[slot] = True
            last, last_element = slot, runs[slot]
            continue
        prototype = runs[keys.index(key)] if key in keys else runs[0]
        clone = copy.deepcopy(prototype)
        _set_text(clone, text)
        if last_element is None:
            runs[0].addprevious(clone)
        else:
            last_element.addnext(clone)
        last_element = clone
    for j, run in enumerate(runs):
        if not used[j]:
            _set_text(run, "")
            if all(child.tag == _RPR for child in run):
                run.getparent().remove(run)


def _set_text(run, text: str) -> None:
    from lxml import etree

    for child in list(run):
        if child.tag in _TEXT_CHILDREN or (
            child.tag == _w("br") and child.get(_w("type")) in (None, "textWrapping")
        ):
            run.remove(child)
    piece = []
    for char in text + "\0":
        if char in "\t\n\0":
            if piece:
                t = etree.SubElement(run, _w("t"))
                t.text = "".join(piece)
                t.set(XML_SPACE, "preserve")
                piece = []
            if char == "\t":
                etree.SubElement(run, _w("tab"))
            elif char == "\n":
                etree.SubElement(run, _w("br"))
        else:
            piece.append(char)
