"""Office Open XML packages (.docx, .pptx): parts by content type, relationships, metadata.

Just what the Word and PowerPoint readers need on top of ``archive.ZipPackage``: which part holds
what (``[Content_Types].xml``), which part another one points at (``_rels``), and the document's
title and subject (``docProps/core.xml``), which people read in file listings and
window titles.
"""

from __future__ import annotations

import posixpath

from .archive import ZipPackage
from .xmltext import PlainFlavor, Unit

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DC = "http://purl.org/dc/elements/1.1/"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"


def content_types(package: ZipPackage) -> dict[str, str]:
    """Every member (as stored) → its content type, by override or else by extension."""
    root = package.xml("[Content_Types].xml")
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for element in root:
        if element.tag == f"{{{CT}}}Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif element.tag == f"{{{CT}}}Override":
            stored = package.member(element.get("PartName", ""))
            if stored is not None:
                overrides[stored] = element.get("ContentType", "")
    found: dict[str, str] = {}
    for member in package.members:
        extension = posixpath.splitext(member)[1].lstrip(".").lower()
        kind = overrides.get(member, defaults.get(extension))
        if kind:
            found[member] = kind
    return found


def relationships(package: ZipPackage, part: str) -> list[tuple[str, str, str]]:
    """The part's internal relationships: (id, type, target member as stored), in file order."""
    folder, base = posixpath.split(part)
    rels = package.member(posixpath.join(folder, "_rels", base + ".rels"))
    if rels is None:
        return []
    found = []
    for element in package.xml(rels):
        if element.tag != f"{{{REL}}}Relationship" or element.get("TargetMode") == "External":
            continue
        target = element.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        stored = package.member(posixpath.normpath(path))
        if stored is not None:
            found.append((element.get("Id", ""), element.get("Type", ""), stored))
    return found


def metadata_elements(package: ZipPackage, types: dict[str, str]) -> list:
    """Title and subject of the core properties (elements with text); not the description, a
    free comment that tools fill with their own name."""
    found = []
    for member, kind in types.items():
        if kind == CORE_TYPE:
            root = package.xml(member)
            for tag in ("title", "subject"):
                found.extend(e for e in root.iter(f"{{{DC}}}{tag}") if (e.text or "").strip())
    return found


def english_tag(value: str) -> str | None:
    """A German language tag's English replacement (``de-DE`` → ``en-US``), else None."""
    if value.lower() == "de" or value.lower().startswith("de-"):
        return "en-US"
    return None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def english_languages(root) -> bool:
    """German language tags in a part made English (Word's ``w:lang``/``w:themeFontLang``,
    DrawingML's ``lang``/``altLang``); True when one changed."""
    changed = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in (f"{_W}lang", f"{_W}themeFontLang"):
            attributes = (f"{_W}val",)
        else:
            attributes = ("lang", "altLang")
        for attribute in attributes:
            english = english_tag(element.get(attribute) or "")
            if english:
                element.set(attribute, english)
                changed = True
    return changed


def metadata_parts(package: ZipPackage, types: dict[str, str]) -> list:
    """The core properties' title and subject, as ``collect`` parts."""
    core = next((m for m, k in types.items() if k == CORE_TYPE), None)
    elements = metadata_elements(package, types)
    return [(core, element, PlainFlavor(), [element]) for element in elements]


def twins(types: dict[str, str]):
    """Paragraphs stored twice: a text box's VML Fallback, a diagram's drawing."""
    from .drawingml import diagram_twin

    diagram = diagram_twin(types)

    def shadow_of(unit: Unit) -> tuple[object, bool] | None:
        for ancestor in unit.paragraph.iterancestors(f"{{{MC}}}Choice", f"{{{MC}}}Fallback"):
            return ancestor.getparent(), ancestor.tag == f"{{{MC}}}Fallback"
        return diagram(unit)

    return shadow_of


def english_tags(package: ZipPackage, also: tuple[str, ...]) -> None:
    """German language tags become ``en-US`` in the changed parts and in the ``also`` kinds."""
    types = content_types(package)
    for member in sorted(set(package.changed) | {m for m, k in types.items() if k in also}):
        if english_languages(package.xml(member)):
            package.touch(member)
