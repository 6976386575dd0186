"""TMX 1.4b: one translation unit per translated sentence, for CAT tools' translation memories.

``<tmx version="1.4">`` with the header attributes TMX requires (``srclang="de"``,
``segtype="sentence"``, ``datatype="plaintext"``, …) and one ``<tu>`` per sentence with a German
and an English ``<tuv>``. Sentences with no letters or digits (copied through) and sentences the
model left untranslated are not written: a memory should hold translations only. Where the text
came from (a web article's URL and title, a book's title) is in the header as ``x-url``,
``x-title``, … properties. Valid against the
LISA TMX 1.4b DTD (``tests/fixtures/schemas/tmx14.dtd``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from ..document import COPIED, UNTRANSLATED, Document
from ..version import __version__
from .base import Source, file_name, metadata_of, xml_safe

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def write(document: Document, source: Source | None = None) -> bytes:
    now = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = ET.Element("tmx", version="1.4")
    header = ET.SubElement(
        root,
        "header",
        {
            "creationtool": "translator",
            "creationtoolversion": __version__,
            "segtype": "sentence",
            "o-tmf": "translator",
            "adminlang": "en",
            "srclang": "de",
            "datatype": "plaintext",
            "creationdate": now,
        },
    )
    if document.signature:
        ET.SubElement(header, "prop", type="x-signature").text = xml_safe(document.signature)
    if source is not None:
        ET.SubElement(header, "prop", type="x-original").text = xml_safe(file_name(source.name))
    for key, value in metadata_of(document, source).items():  # x-url, x-title, x-author, …
        ET.SubElement(header, "prop", type=f"x-{key}").text = xml_safe(value)
    body = ET.SubElement(root, "body")
    for number, sentence in enumerate(document.sentences, 1):
        if COPIED in sentence.flags or UNTRANSLATED in sentence.flags:
            continue
        unit = ET.SubElement(body, "tu", tuid=str(number), creationdate=now)
        for lang, text in (
            ("de", sentence.source.of(document.source)),
            ("en", sentence.target.of(document.target)),
        ):
            variant = ET.SubElement(unit, "tuv", {XML_LANG: lang})
            ET.SubElement(variant, "seg").text = xml_safe(text)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
