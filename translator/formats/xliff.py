"""XLIFF 2.1 (core): the German as sources, the English as targets, for CAT tools and review.

One ``<file>``; one ``<unit>`` per paragraph; in it one ``<segment>`` per sentence (state
``translated``; ``initial`` with no target where the model gave nothing) and an ``<ignorable>``
for the whitespace between sentences, so a unit's sources joined give back the paragraph. Valid
The file's ``original`` is the source URL where there is one (else the file name), and its
``<notes>`` hold where the text came from (``url``, ``title``, … as note categories). Valid
against the OASIS XLIFF 2 core schema (``tests/fixtures/schemas/xliff_core_2.0.xsd``, the core
schema XLIFF 2.1 uses).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..document import UNTRANSLATED, Document
from .base import Source, file_name, metadata_of, xml_safe

NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def write(document: Document, source: Source | None = None) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(
        _q("xliff"), {"version": "2.1", "srcLang": "de", "trgLang": "en", XML_SPACE: "preserve"}
    )
    attributes = {"id": "f1"}
    metadata = metadata_of(document, source)
    # every attribute through the XML filter: a name may hold a control character, or a
    # surrogate for an undecodable byte of a file system name
    original = metadata.get("url") or (file_name(source.name) if source is not None else "")
    if original:
        attributes["original"] = xml_safe(original)
    file = ET.SubElement(root, _q("file"), attributes)
    if metadata:
        notes = ET.SubElement(file, _q("notes"))
        for key, value in metadata.items():
            ET.SubElement(notes, _q("note"), category=key).text = xml_safe(value)
    number = 0
    for u, paragraph in enumerate(document.paragraphs, 1):
        unit = ET.SubElement(file, _q("unit"), id=f"u{u}")
        previous = None
        for sentence in paragraph.sentences:
            if previous is not None and previous.source.end < sentence.source.start:
                gap = ET.SubElement(unit, _q("ignorable"))
                gap_text = document.source[previous.source.end : sentence.source.start]
                ET.SubElement(gap, _q("source")).text = xml_safe(gap_text)
            number += 1
            untranslated = UNTRANSLATED in sentence.flags
            segment = ET.SubElement(
                unit,
                _q("segment"),
                id=f"s{number}",
                state="initial" if untranslated else "translated",
            )
            ET.SubElement(segment, _q("source")).text = xml_safe(
                sentence.source.of(document.source)
            )
            if not untranslated:
                ET.SubElement(segment, _q("target")).text = xml_safe(
                    sentence.target.of(document.target)
                )
            previous = sentence
    if not document.paragraphs:  # a file needs a unit, a unit a segment
        unit = ET.SubElement(file, _q("unit"), id="u1")
        segment = ET.SubElement(unit, _q("segment"), id="s1")
        ET.SubElement(segment, _q("source"))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
