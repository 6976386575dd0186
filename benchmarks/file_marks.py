"""Inline marks of office files before and after translation: which a reader loses.

``benchmarks/files.py`` counts, per paragraph of a .docx/.pptx/.odt, the stretches of formatting,
links and fields of the input (``office_marks``), and which of them the output lost
(``compare_marks``): a mark is lost when its formatting reaches none of its own English. The
stand-in engine gives every word back as ``⟦word⟧``, so the English of a word is found by its
text. See the "Files" section of ``benchmarks/README.md``.
"""

from __future__ import annotations

import collections
import dataclasses
import io
import re
import sys
import zipfile

from lxml import etree

OPEN, CLOSE = "⟦", "⟧"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


@dataclasses.dataclass
class Stretch:
    """A stretch of one formatting (or a link, a field) in a paragraph: what it is (``key``, as
    described by ``_describe``), the words it touches (whole words, brackets aside) and its
    whitespace characters. ``base``: the formatting of the rest of the paragraph, not a mark."""

    key: str
    words: tuple[str, ...]
    spaces: str
    base: bool = False


def office_marks(fmt: str, data: bytes) -> tuple[list[list[Stretch]], int]:
    """Per paragraph, its stretches: the marks (formatting, links, fields) and the stretches of
    the paragraph's base formatting between them; links left empty."""
    module = {"docx": "word", "pptx": "slides", "odt": "opendocument"}[fmt]
    reader = __import__(f"translator.formats.{module}", fromlist=["units"])
    _, found = reader.units(data, "file")
    per_unit = []
    for unit in found:
        base, marks, _ = unit.marks()
        plain = _describe(unit, base)
        text = unit.text
        word_of, words = _words(text)
        stretches = []
        covered = [False] * len(text)
        for mark in marks:
            if not mark.atom:
                key = _describe(unit, mark.key)  # the base's, if it differs in language only
                stretches.append(_stretch(text, words, word_of, mark.start, mark.end, key, plain))
                covered[mark.start : mark.end] = [True] * (mark.end - mark.start)
        start = None  # the base formatting's own stretches: where no mark is
        for i in range(len(text) + 1):
            if i < len(text) and not covered[i]:
                start = i if start is None else start
            elif start is not None:
                stretches.append(_stretch(text, words, word_of, start, i, plain, plain))
                start = None
        per_unit.append(stretches)
    return per_unit, _empty_links(fmt, data)


def _stretch(text, words, word_of, start: int, end: int, key: str, base: str) -> Stretch:
    touched = sorted({word_of[i] for i in range(start, end)} - {None})
    spaces = "".join(c for c in text[start:end] if c.isspace())
    return Stretch(key, tuple(words[n] for n in touched), spaces, key == base)


def _words(text: str) -> tuple[list[int | None], list[str]]:
    """Each character's word (None: a space), and the words: what the stand-in gave back as one
    word (``⟦…⟧``, its brackets with it), elsewhere the words of ``translator.words``."""
    from translator.words import word_spans

    word_of: list[int | None] = [None] * len(text)
    words: list[str] = []
    position = 0
    for bracketed in re.finditer(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}|\\Z", text):
        for span in word_spans(text, position, bracketed.start()):
            word_of[span.start : span.end] = [len(words)] * (span.end - span.start)
            words.append(span.of(text))
        if bracketed.end() > bracketed.start():
            word_of[bracketed.start() : bracketed.end()] = [len(words)] * len(bracketed[0])
            words.append(bracketed[1])
        position = bracketed.end()
    return word_of, words


def compare_marks(before: list, after: list) -> tuple[int, int, int, int]:
    """(marks in, lost, joined, stretches out) over paragraphs taken in order.

    A mark of the input is *lost* when its formatting reaches no English of its own in the same
    paragraph of the output: no stretch of the same formatting touches the English of one of
    its words (or, for a stretch of only whitespace, no whitespace character carries it). Each
    English word or whitespace character of a stretch counts for one input mark only (a
    matching); the output's stretches of its base formatting count too (a paragraph's base may
    change when its words move). Stretches that differ from the base in language only are not
    marks. A kept mark is *joined* when it ran together with another of the same formatting:
    the paragraph has fewer stretches of that formatting than it kept marks. HTML pages, counted
    by tags, have no words per mark: there a mark is lost when the output has fewer tags of its
    kind.
    """
    marks = lost = joined = out = 0
    for a, b in zip(before, after, strict=False):
        if isinstance(a, collections.Counter):
            marks += sum(a.values())
            lost += sum(max(0, a[k] - b[k]) for k in a)
            out += sum(b.values())
            continue
        marks += sum(not s.base for s in a)
        out += sum(not s.base for s in b)
        for key in {s.key for s in a if not s.base}:
            mine = [s for s in a if s.key == key and not s.base]
            theirs = [s for s in b if s.key == key]
            kept = _matched(mine, theirs)
            lost += len(mine) - kept
            joined += max(0, kept - len(theirs))
    for a in before[len(after) :]:
        count = (
            sum(a.values()) if isinstance(a, collections.Counter) else sum(not s.base for s in a)
        )
        marks += count
        lost += count
    return marks, lost, joined, out


def _matched(mine: list[Stretch], theirs: list[Stretch]) -> int:
    """How many of ``mine`` get an English word or whitespace character of their own among
    ``theirs`` (a maximum matching: greedy, then augmenting paths)."""
    slots: dict[tuple[str, str], list[tuple[int, int]]] = collections.defaultdict(list)
    for o, stretch in enumerate(theirs):
        for n, word in enumerate(stretch.words):
            slots["word", word].append((o, n))
        for n in range(len(stretch.spaces)):
            slots["space", ""].append((o, -1 - n))
    options = []
    for stretch in mine:
        if stretch.words:
            found = [x for w in dict.fromkeys(stretch.words) for x in slots.get(("word", w), [])]
        else:
            found = slots.get(("space", ""), [])
        options.append(found)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(mine) + 1000))
    holder: dict[tuple[int, int], int] = {}
    for g, found in enumerate(options):  # greedy first: most marks find a free slot at once
        free = next((x for x in found if x not in holder), None)
        if free is not None:
            holder[free] = g
    matched = set(holder.values())

    def augment(g: int, seen: set) -> bool:
        for x in options[g]:
            if x in seen:
                continue
            seen.add(x)
            if x not in holder or augment(holder[x], seen):
                holder[x] = g
                return True
        return False

    for g, found in enumerate(options):
        if g not in matched and found and augment(g, set()):
            matched.add(g)
    return len(matched)


_NOISE = re.compile(r'\s(?:lang|altLang|dirty|err|w:rsid\w*|smtClean)="[^"]*"|<w:lang [^>]*/>')


def _describe(unit, key) -> str:
    chain_ids, props = key
    described = []
    for item in unit.items:
        for container in getattr(item, "chain", ()):
            if container.index in chain_ids and container.index not in [d[0] for d in described]:
                if container.element is not None:
                    tag = etree.QName(container.element).localname
                    attrs = sorted(
                        (etree.QName(k).localname, v)
                        for k, v in container.element.attrib.items()
                        if "rsid" not in k and etree.QName(k).localname != "id"
                    )
                    described.append((container.index, f"{tag}{attrs}"))
                else:
                    code = "".join(
                        t.text or "" for run in container.opening for t in run.iter()
                        if t.tag.endswith("}instrText")
                    ).split()  # fmt: skip
                    described.append((container.index, "field " + (code[0] if code else "")))
    return "|".join(d for _, d in described) + "|" + _NOISE.sub("", props)


def _empty_links(fmt: str, data: bytes) -> int:
    """Links people can't see: a hyperlink (or HYPERLINK field result) without letters; in
    slides, a stretch of neighbouring runs that link to one target."""
    count = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            raw = archive.read(member)
            if not member.endswith(".xml") or not raw.strip():
                continue
            root = etree.fromstring(raw, PARSER)
            if root is None:
                continue
            if fmt == "docx":
                links = list(root.iter(_W + "hyperlink"))
                texts = ["".join(t.text or "" for t in link.iter(_W + "t")) for link in links]
            elif fmt == "odt":
                links = list(root.iter(_TEXT_NS + "a"))
                texts = ["".join(link.itertext()) for link in links]
            else:  # a link is a run property: neighbouring runs to one target show as one link
                texts = []
                for paragraph in root.iter(_A + "p"):
                    target = None
                    for child in paragraph:
                        props = child.find(_A + "rPr") if child.tag == _A + "r" else None
                        click = None if props is None else props.find(_A + "hlinkClick")
                        key = None if click is None else tuple(sorted(click.attrib.items()))
                        if key is not None and key != target:
                            texts.append("")
                        if key is not None:
                            texts[-1] += "".join(t.text or "" for t in child.iter(_A + "t"))
                        target = key
            count += sum(1 for t in texts if not any(c.isalnum() for c in t))
    return count
