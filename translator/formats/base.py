"""What every reader returns and every writer gets: a ``Source`` and the Document made from it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..document import Document, Paragraph, Span
from ..errors import InputError

UNIT_SEPARATOR = "\n\n"


@dataclass(slots=True)
class Source:
    """A read file: the text to translate, where its translatable units lie, how to rebuild it.

    ``text`` is what goes to the translator; ``units`` are the spans of its translatable units
    (paragraphs, cells, cues, …) in ``text``, in file order, or ``None`` when the segmenter should
    find the paragraphs itself (plain text). Translate with
    ``translator.translate_text(source.text, paragraphs=source.units)``.
    ``state`` is the reader's own record of the file, used by the same-format writer.
    Structured readers make a unit only of text with letters: a cell or cue of numbers, dates or
    symbols alone stays exactly as it is.
    """

    name: str
    format: str
    text: str
    units: list[Span] | None = None
    encoding: str | None = None
    state: Any = field(default=None, repr=False)
    # Where the text came from (``title``, ``url``, ``author``, ``date``): every output carries it.
    metadata: dict[str, str] = field(default_factory=dict)


def join_units(pieces: Sequence[str]) -> tuple[str, list[Span]]:
    """The units' texts joined by blank lines, and the span of each in the joined text."""
    spans: list[Span] = []
    parts: list[str] = []
    length = 0
    for i, piece in enumerate(pieces):
        if i:
            parts.append(UNIT_SEPARATOR)
            length += len(UNIT_SEPARATOR)
        spans.append(Span(length, length + len(piece)))
        parts.append(piece)
        length += len(piece)
    return "".join(parts), spans


def unit_paragraphs(document: Document, units: Sequence[Span]) -> list[Paragraph | None]:
    """For each unit, the Document paragraph inside it (None: the unit had nothing to translate).

    Units without text are dropped from ``document.paragraphs``, so this goes by span, not index.
    """
    found: list[Paragraph | None] = []
    paragraphs = document.paragraphs
    i = 0
    for unit in units:
        while i < len(paragraphs) and paragraphs[i].source.start < unit.start:
            i += 1
        if i < len(paragraphs) and paragraphs[i].source.end <= unit.end:
            found.append(paragraphs[i])
            i += 1
        else:
            found.append(None)
    return found


def unit_english(document: Document, unit: Span, paragraph: Paragraph | None) -> str:
    """A unit's English: its own leading and trailing whitespace around the paragraph's target."""
    text = document.source
    if paragraph is None:
        return unit.of(text)
    return (
        text[unit.start : paragraph.source.start]
        + paragraph.target.of(document.target)
        + text[paragraph.source.end : unit.end]
    )


def metadata_of(document: Document, source: Source | None) -> dict[str, str]:
    """The document's metadata, else the source's (a Document translated from ``source.text``
    without ``translate_source`` has none of its own)."""
    if document.metadata:
        return dict(document.metadata)
    return dict(source.metadata) if source is not None else {}


def check_matches(document: Document, source: Source) -> None:
    if document.source != source.text:
        raise InputError(
            f"this translation was not made from {source.name}: translate "
            f"source.text (with paragraphs=source.units) and write that Document"
        )


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 can't hold (control characters, lone surrogates)."""
    return _NOT_XML.sub("", text)


def file_name(name: str) -> str:
    """The last part of ``name`` (either kind of slash): a file is named, never where it lies."""
    return re.split(r"[/\\]", name.rstrip("/\\"))[-1] or name
