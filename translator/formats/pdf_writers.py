"""The English of a PDF written as Markdown or as a new simple Word document.

The PDF's layout itself is not rebuilt: its units (``pdf_layout.Block``) are written in reading
order, as Markdown (headings ``#``, footnotes after a rule) or with python-docx (headings,
paragraphs, footnotes in small print at the end).
"""

from __future__ import annotations

import io
import re

from ..document import Document
from .base import Source, check_matches, metadata_of, unit_english, unit_paragraphs, xml_safe
from .pdf_layout import Block, PdfState


def _english_blocks(document: Document, source: Source) -> list[tuple[Block, str]]:
    check_matches(document, source)
    state: PdfState = source.state
    units = source.units or []
    paragraphs = unit_paragraphs(document, units)
    return [
        (block, unit_english(document, unit, paragraph))
        for block, unit, paragraph in zip(state.blocks, units, paragraphs, strict=True)
    ]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|])")
_MD_LINE_START = re.compile(r"\A(\s*)([#>+=-]|\d+[.)])")


def _md_escape(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_LINE_START.sub(_md_marker, escaped)


def _md_marker(match: re.Match[str]) -> str:
    marker = match.group(2)
    return match.group(1) + marker[:-1] + "\\" + marker[-1]


def write_markdown(document: Document, source: Source) -> bytes:
    """The English as Markdown: headings, paragraphs, then the footnotes after a rule."""
    parts: list[str] = []
    notes: list[str] = []
    for block, english in _english_blocks(document, source):
        if block.kind == "heading":
            parts.append("#" * block.level + " " + _md_escape(english))
        elif block.kind == "footnote":
            notes.append(_md_escape(english))
        else:
            parts.append(_md_escape(english))
    if notes:
        parts.append("---")
        parts.extend(notes)
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def write_docx(document: Document, source: Source) -> bytes:
    """A new Word document in English: headings, paragraphs, footnotes in small print at the end."""
    import docx
    from docx.shared import Pt

    out = docx.Document()
    metadata = metadata_of(document, source)
    out.core_properties.title = xml_safe(metadata.get("title", ""))[:255]
    out.core_properties.language = "en-US"
    first_note = True
    for block, english in _english_blocks(document, source):
        english = xml_safe(" ".join(english.split()))
        if block.kind == "heading":
            out.add_heading(english, level=min(block.level, 3))
        elif block.kind == "footnote":
            if first_note:
                out.add_paragraph("_" * 20)
                first_note = False
            paragraph = out.add_paragraph()
            paragraph.add_run(english).font.size = Pt(8)
        else:
            out.add_paragraph(english)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
