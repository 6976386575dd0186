"""E-books (``.epub``) in; out as the English book, or a bilingual one (each English paragraph
under its German one, as bilingual_book_maker does).

The archive is opened through ``archive.open_zip`` (size and ratio limits before anything is
parsed); a book with DRM (``META-INF/rights.xml``, or ``META-INF/encryption.xml`` naming anything
but font obfuscation) is refused, and so is one whose container or package can't be read. The
units, in reading order: the package's titles and descriptions, every XHTML document of the spine
(read and written by the HTML reader, ``htmlpage``), the navigation document (``nav.xhtml``) when
it is not in the spine, and the labels of the EPUB 2 table of contents (``toc.ncx``). Chapter
boundaries stay recoverable (``chapters``), so a long book can be translated and shown chapter
by chapter. Writing keeps every other member byte for byte (images, CSS, fonts, links), puts
``mimetype`` first and stored, and marks the language English (the bilingual book: German and
English).
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from urllib.parse import unquote

from ..document import Document, Paragraph, Span
from ..errors import InputError
from . import htmlpage
from .archive import open_zip, read_member
from .base import UNIT_SEPARATOR, Source, check_matches, join_units, unit_english, unit_paragraphs

KIND = "an EPUB book"
CONTAINER = "META-INF/container.xml"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Font obfuscation (IDPF, Adobe) is no DRM: those fonts are copied as they are.
_FONT_OBFUSCATION = frozenset(
    {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
)
_XHTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_BLOCKS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li dt dd blockquote figcaption caption td th div section aside "
    "header footer article address center".split()
)


@dataclass(slots=True)
class Part:
    """One piece of the book that holds units: the package metadata, a chapter, the nav, the NCX."""

    kind: str  # "meta", "chapter", "nav", "ncx"
    member: str  # its path in the archive
    span: Span  # its text in the Source's text
    source: Source | None = None  # a chapter's or nav's own Source (htmlpage)
    texts: list[str] = field(default_factory=list)  # meta and NCX: the units' texts
    title: str = ""


@dataclass(slots=True)
class EpubState:
    data: bytes
    opf: str
    parts: list[Part]


@dataclass(frozen=True, slots=True)
class Chapter:
    """A spine document: where its text lies in the Source's text, and its title."""

    member: str
    title: str
    span: Span


def read(data: bytes, name: str) -> Source:
    archive = open_zip(data, name, KIND)
    with archive:
        names = set(archive.namelist())
        _refuse_drm(archive, names, name)
        if "mimetype" in names and read_member(archive, "mimetype", name).strip() not in (
            b"application/epub+zip",
        ):
            raise InputError(f"{name} is not {KIND}: its mimetype says something else")
        if CONTAINER not in names:
            raise InputError(f"{name} is not {KIND}: it has no {CONTAINER}")
        container = _xml(read_member(archive, CONTAINER, name), name, CONTAINER)
        rootfile = container.find(".//{*}rootfile")
        opf_path = rootfile.get("full-path") if rootfile is not None else None
        if not opf_path or opf_path not in names:
            raise InputError(f"{name} is damaged: its package document ({opf_path}) is missing")
        package = _xml(read_member(archive, opf_path, name), name, opf_path)
        items = package.iterfind(f"{{{OPF_NS}}}manifest/{{{OPF_NS}}}item")
        manifest = {item.get("id"): item for item in items}
        folder = posixpath.dirname(opf_path)

        def path_of(item) -> str:
            return posixpath.normpath(posixpath.join(folder, unquote(item.get("href") or "")))

        texts: list[str] = []
        parts: list[Part] = []
        offset = 0

        def add(part_text: str, part: Part) -> None:
            nonlocal offset
            if texts:
                offset += len(UNIT_SEPARATOR)
            part.span = Span(offset, offset + len(part_text))
            offset += len(part_text)
            texts.append(part_text)
            parts.append(part)

        meta = [
            " ".join((e.text or "").split())
            for e in package.iterfind(f"{{{OPF_NS}}}metadata/*")
            if e.tag in (f"{{{DC_NS}}}title", f"{{{DC_NS}}}description")
        ]
        meta_text, _ = join_units([m for m in meta if m])
        add(meta_text, Part("meta", opf_path, Span(0, 0), texts=[m for m in meta if m]))

        spine = package.find(f"{{{OPF_NS}}}spine")
        if spine is None:
            raise InputError(f"{name} is damaged: its package has no spine (reading order)")
        nav_item = next(
            (i for i in manifest.values() if "nav" in (i.get("properties") or "").split()), None
        )
        done: set[str] = set()
        for ref in spine.iterfind(f"{{{OPF_NS}}}itemref"):
            item = manifest.get(ref.get("idref"))
            if item is None:
                raise InputError(
                    f"{name} is damaged: its spine names {ref.get('idref')!r}, which the "
                    f"manifest lacks"
                )
            member = path_of(item)
            if item.get("media-type") not in _XHTML_TYPES or member in done:
                continue
            if member not in names:
                raise InputError(f"{name} is damaged: {member} of its spine is missing")
            done.add(member)
            chapter = htmlpage.read(read_member(archive, member, name), member)
            kind = "nav" if item is nav_item else "chapter"
            add(chapter.text, Part(kind, member, Span(0, 0), chapter, title=_title(chapter)))
        if nav_item is not None and path_of(nav_item) not in done and path_of(nav_item) in names:
            member = path_of(nav_item)
            nav = htmlpage.read(read_member(archive, member, name), member)
            add(nav.text, Part("nav", member, Span(0, 0), nav))
        ncx_item = manifest.get(spine.get("toc") or "")
        if ncx_item is None:
            ncx_item = next(
                (i for i in manifest.values() if i.get("media-type") == "application/x-dtbncx+xml"),
                None,
            )
        if ncx_item is not None and path_of(ncx_item) in names:
            member = path_of(ncx_item)
            ncx = _xml(read_member(archive, member, name), name, member)
            labels = [" ".join((t.text or "").split()) for t in ncx.iter(f"{{{NCX_NS}}}text")]
            labels = [label for label in labels if label]
            ncx_text, _ = join_units(labels)
            add(ncx_text, Part("ncx", member, Span(0, 0), texts=labels))
    text = UNIT_SEPARATOR.join(texts)
    units: list[Span] = []
    for part in parts:
        if part.source is not None:
            units.extend(u.shift(part.span.start) for u in part.source.units or [])
        else:
            _, spans = join_units(part.texts)
            units.extend(u.shift(part.span.start) for u in spans)
    metadata = {}
    title = package.find(f"{{{OPF_NS}}}metadata/{{{DC_NS}}}title")
    creator = package.find(f"{{{OPF_NS}}}metadata/{{{DC_NS}}}creator")
    if title is not None and (title.text or "").strip():
        metadata["title"] = " ".join(title.text.split())
    if creator is not None and (creator.text or "").strip():
        metadata["author"] = " ".join(creator.text.split())
    state = EpubState(data, opf_path, parts)
    return Source(name=name, format="epub", text=text, units=units, state=state, metadata=metadata)


def chapters(source: Source) -> list[Chapter]:
    """The book's spine documents in reading order, each with its span in ``source.text``:
    translate (and show) one at a time with ``source.text`` and the units inside the span."""
    state: EpubState = source.state
    return [
        Chapter(part.member, part.title, part.span)
        for part in state.parts
        if part.kind == "chapter"
    ]


def write(document: Document, source: Source) -> bytes:
    """The English book."""
    return _write(document, source, bilingual=False)


def write_bilingual(document: Document, source: Source) -> bytes:
    """The bilingual book: each English block right under its German one."""
    return _write(document, source, bilingual=True)


# -- reading helpers ----------------------------------------------------------------------------


def _xml(data: bytes, name: str, member: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InputError(f"{name} is damaged: {member} is not well-formed XML ({error})") from error


def _refuse_drm(archive: zipfile.ZipFile, names: set[str], name: str) -> None:
    drm = (
        f"{name} is protected by DRM (copy protection): it can only be read in the shop's own "
        f"reader app; translate a DRM-free copy"
    )
    if "META-INF/rights.xml" in names:
        raise InputError(drm)
    if "META-INF/encryption.xml" in names:
        path = "META-INF/encryption.xml"
        encryption = _xml(read_member(archive, path, name), name, path)
        for method in encryption.iter("{*}EncryptionMethod"):
            if method.get("Algorithm") not in _FONT_OBFUSCATION:
                raise InputError(drm)


def _title(chapter: Source) -> str:
    """A chapter's title: its first unit (a heading, or the document's ``<title>``)."""
    if chapter.units:
        return " ".join(chapter.units[0].of(chapter.text).split())[:200]
    return ""


# -- writing ------------------------------------------------------------------------------------


def _slice(document: Document, span: Span, starts: list[int]) -> Document:
    """The part of ``document`` whose source lies in ``span``, as a Document of its own
    (``starts``: the paragraphs' source starts, to find them by bisection)."""
    low, high = bisect_left(starts, span.start), bisect_right(starts, span.end)
    paragraphs = [p for p in document.paragraphs[low:high] if p.source.end <= span.end]
    source = span.of(document.source)
    if not paragraphs:
        return Document(source, "", [], document.signature, dict(document.metadata))
    t0, t1 = paragraphs[0].target.start, paragraphs[-1].target.end
    s0 = span.start

    def moved(p: Paragraph) -> Paragraph:
        sentences = [
            replace(
                s,
                source=s.source.shift(-s0),
                target=s.target.shift(-t0),
                source_words=[w.shift(-s0) for w in s.source_words],
                target_words=[w.shift(-t0) for w in s.target_words],
            )
            for s in p.sentences
        ]
        return Paragraph(p.source.shift(-s0), p.target.shift(-t0), sentences)

    target = document.target[t0:t1]
    moved_paragraphs = [moved(p) for p in paragraphs]
    return Document(source, target, moved_paragraphs, document.signature, dict(document.metadata))


def _english_texts(document: Document, source: Source, part: Part) -> list[str]:
    """A meta or NCX part's units in English."""
    units = [u for u in source.units or [] if part.span.start <= u.start and u.end <= part.span.end]
    paragraphs = unit_paragraphs(document, units)
    pairs = zip(units, paragraphs, strict=True)
    return [" ".join(unit_english(document, u, p).split()) for u, p in pairs]


def _write(document: Document, source: Source, *, bilingual: bool) -> bytes:
    check_matches(document, source)
    state: EpubState = source.state
    replaced: dict[str, bytes] = {}
    starts = [p.source.start for p in document.paragraphs]
    for part in state.parts:
        if part.source is not None:
            english = htmlpage.write(_slice(document, part.span, starts), part.source)
            if bilingual and part.kind == "chapter":
                english = _interleave(state, part, english)
            replaced[part.member] = english
    archive = open_zip(state.data, source.name, KIND)
    with archive:
        for part in state.parts:
            if part.kind == "meta":
                original = read_member(archive, part.member, source.name)
                english = _english_texts(document, source, part)
                replaced[part.member] = _package(original, english, bilingual)
            elif part.kind == "ncx":
                original = read_member(archive, part.member, source.name)
                replaced[part.member] = _ncx(original, _english_texts(document, source, part))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            mimetype = zipfile.ZipInfo("mimetype")
            out.writestr(mimetype, b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
            for info in archive.infolist():
                if info.filename == "mimetype":
                    continue
                data = replaced.get(info.filename)
                if data is None:
                    data = b"" if info.is_dir() else read_member(archive, info, source.name)
                copied = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copied.external_attr = info.external_attr
                method = (
                    zipfile.ZIP_STORED
                    if info.compress_type == zipfile.ZIP_STORED
                    else (zipfile.ZIP_DEFLATED)
                )
                out.writestr(copied, data, compress_type=method)
    return buffer.getvalue()


def _package(original: bytes, english: list[str], bilingual: bool) -> bytes:
    """The package document with its titles and descriptions in English, language English."""
    from lxml import etree

    root = _xml(original, "the book", "its package")
    metadata = root.find(f"{{{OPF_NS}}}metadata")
    texts = iter(english)
    for element in metadata:
        if element.tag in (f"{{{DC_NS}}}title", f"{{{DC_NS}}}description") and " ".join(
            (element.text or "").split()
        ):
            element.text = next(texts, element.text)
            if element.get(XML_LANG, "").lower().startswith("de"):
                element.set(XML_LANG, "en")
    languages = metadata.findall(f"{{{DC_NS}}}language")
    for language in languages:
        if (language.text or "").strip().lower().startswith("de"):
            language.text = "de" if bilingual else "en"
    if bilingual and not any((lang.text or "").strip() == "en" for lang in languages):
        added = etree.SubElement(metadata, f"{{{DC_NS}}}language")
        added.text = "en"
        if languages:
            languages[-1].addnext(added)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _ncx(original: bytes, english: list[str]) -> bytes:
    from lxml import etree

    root = _xml(original, "the book", "its toc.ncx")
    texts = iter(english)
    for element in root.iter(f"{{{NCX_NS}}}text"):
        if " ".join((element.text or "").split()):
            element.text = next(texts, element.text)
    if root.get(XML_LANG, "").lower().startswith("de"):
        root.set(XML_LANG, "en")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


_LETTER = re.compile(r"[^\W\d_]")
_ONE_PER_PARENT = frozenset({"td", "th", "figcaption", "caption", "summary", "legend"})


def _interleave(state: EpubState, part: Part, english: bytes) -> bytes:
    """The German chapter with a copy of each translated block, in English, right under it."""
    from lxml import etree

    archive = open_zip(state.data, "the book", KIND)
    with archive:
        german = read_member(archive, part.member, "the book")
    try:
        german_root = _xml(german, "the book", part.member)
        english_root = _xml(english, "the book", part.member)
    except InputError as error:
        raise InputError(
            f"{part.member} of the book is not well-formed XHTML, so the bilingual book can't be "
            f"built; write the English book (.epub) instead"
        ) from error
    tree = german_root.getroottree()
    blocks = [(e, tree.getpath(e)) for e in german_root.iter() if _is_leaf_block(e)]
    for element, path in blocks:  # paths first: inserting changes the later ones
        found = english_root.xpath(path)
        if not found:
            continue
        counterpart = found[0]
        if _plain(counterpart) == _plain(element) or not _LETTER.search(_plain(element)):
            continue
        translation = copy.deepcopy(counterpart)
        for node in translation.iter():
            if isinstance(node.tag, str):
                node.attrib.pop("id", None)
        translation.set("lang", "en")
        translation.set(XML_LANG, "en")
        if _local(element) in _ONE_PER_PARENT:  # a cell or caption holds the English inside
            translation.tag = f"{{{XHTML_NS}}}div" if element.tag.startswith("{") else "div"
            element.append(translation)
        else:
            translation.tail = element.tail
            element.addnext(translation)
    return etree.tostring(german_root.getroottree(), xml_declaration=True, encoding="utf-8")


def _local(element) -> str:
    return etree_local(element.tag)


def etree_local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _is_leaf_block(element) -> bool:
    if _local(element) not in _BLOCKS:
        return False
    return not any(_local(child) in _BLOCKS for child in element.iterdescendants())


def _plain(element) -> str:
    return " ".join("".join(element.itertext()).split())
