"""PowerPoint presentations (``.pptx``): every text on every slide, and the speaker notes.

Read from the package itself (``archive.ZipPackage`` with its size limits, lxml), so that every
part without translated text is written back byte for byte. Read, in this order: for each slide
as the presentation lists it, every DrawingML paragraph of the slide (text frames, placeholders,
table cells, grouped shapes), its charts' and diagrams' text, and its speaker notes; then slides
the presentation doesn't list, the masters and layouts (their own text and placeholder prompts),
comments, and the title and subject of the document's properties.

Paragraphs are rebuilt as ``drawingml`` describes: runs keep their exact properties (a hyperlink
is one of them, and follows its words), fields such as the slide number stay. A diagram's drawn
copy shows the same English as its data. Language tags (``lang``, ``altLang``) of German become
``en-US``.
"""

from __future__ import annotations

from ..document import Document
from ..errors import InputError
from .archive import ZipPackage, natural
from .base import Source, check_matches, join_units
from .drawingml import CHART, CHART_EX, DIAGRAM_DATA, DIAGRAM_DRAWING, DrawingFlavor
from .ooxml import content_types, english_tags, metadata_parts, relationships, twins
from .xmltext import PlainFlavor, Unit, collect, write_units

KIND = "a PowerPoint presentation (.pptx)"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PML = "application/vnd.openxmlformats-officedocument.presentationml."
_MAIN = (
    _PML + "presentation.main+xml",
    _PML + "slideshow.main+xml",
    _PML + "template.main+xml",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)
SLIDE, NOTES = _PML + "slide+xml", _PML + "notesSlide+xml"
_MASTERS = (
    _PML + "slideMaster+xml",
    _PML + "slideLayout+xml",
    _PML + "notesMaster+xml",
    _PML + "handoutMaster+xml",
)
_DRAWINGS = (CHART, CHART_EX, DIAGRAM_DATA, DIAGRAM_DRAWING)
_COMMENTS = _PML + "comments+xml"  # legacy: plain text in p:text
_MODERN_COMMENTS = "application/vnd.ms-powerpoint.comments+xml"


def read(data: bytes, name: str) -> Source:
    _, found = units(data, name)
    joined, spans = join_units([u.text for u in found])
    return Source(name=name, format="pptx", text=joined, units=spans, state=data)


def write(document: Document, source: Source) -> bytes:
    check_matches(document, source)
    package, found = units(source.state, source.name)
    spans = source.units or []
    write_units(document, spans, found, package)
    english_tags(package, (*_MAIN, *_MASTERS))
    return package.save()


def units(data: bytes, name: str) -> tuple[ZipPackage, list[Unit]]:
    """The opened package and its paragraphs to translate, in reading order."""
    package = ZipPackage(data, name, KIND)
    types = content_types(package)
    main = next((m for m, k in types.items() if k in _MAIN), None)
    if main is None:
        raise InputError(f"{name} is not {KIND}: it has no presentation part")
    order: list[str] = []

    def add(member: str) -> None:
        if member not in order:
            order.append(member)

    for slide in _slides(package, main):
        if types.get(slide) != SLIDE:
            continue
        add(slide)
        related = relationships(package, slide)
        for _, _, target in related:
            if types.get(target) in _DRAWINGS:
                add(target)
        for _, _, target in related:
            if types.get(target) == NOTES:
                add(target)
    rest = sorted(types, key=natural)
    for kinds in ((SLIDE, NOTES), _DRAWINGS, _MASTERS, (_MODERN_COMMENTS,)):
        for member in rest:
            if types[member] in kinds:
                add(member)
    spec = []
    for member in order:
        root = package.xml(member)
        flavor = DrawingFlavor()
        spec.append((member, root, flavor, flavor.paragraphs(root)))
    for member in rest:
        if types[member] == _COMMENTS:
            root = package.xml(member)
            texts = [e for e in root.iter(f"{{{P}}}text") if (e.text or "").strip()]
            spec.append((member, root, PlainFlavor(), texts))
    spec += metadata_parts(package, types)
    return package, collect(spec, twins(types))


def _slides(package: ZipPackage, main: str) -> list[str]:
    """The slides in the presentation's order (``p:sldIdLst``)."""
    targets = {rid: target for rid, _, target in relationships(package, main)}
    root = package.xml(main)
    listed = root.find(f"{{{P}}}sldIdLst")
    if listed is None:
        return []
    found = []
    for entry in listed:
        target = targets.get(entry.get(f"{{{R}}}id", ""))
        if target is not None:
            found.append(target)
    return found
