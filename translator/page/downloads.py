"""The files the page offers for a translation, in the page's order, made when asked for."""

from __future__ import annotations

from dataclasses import dataclass

from .. import formats
from ..document import Document
from ..formats import Source

# The page's order: the file as it came (or the English text), then the other kinds of output.
DOWNLOAD_ORDER = ("bilingual-html", "tmx", "xliff", "json", "txt")
# Short labels, so six buttons fit one row; the longer word is each button's tooltip.
DOWNLOAD_LABELS = {
    "bilingual-html": "Bilingual .html",
    "tmx": "TMX",
    "xliff": "XLIFF",
    "json": "JSON",
}
DOWNLOAD_HELP = {
    "txt": "The English text alone (UTF-8)",
    "bilingual-html": "One HTML file for any browser: German and English side by side, linked "
    "word by word on hover; it needs no network",
    "tmx": "Translation memory (TMX 1.4b): the sentence pairs, for translation tools",
    "xliff": "XLIFF 2.1: the German with the English as targets, for translation tools",
    "json": "The whole Document: sentences, word alignments and scores",
}


@dataclass(frozen=True)
class Download:
    """One file the page offers: what ``st.download_button`` needs; the bytes are made when
    asked for (a long document's six files would otherwise be made on every change)."""

    format: str
    label: str
    help: str
    file_name: str
    mime: str
    source: Source

    def data(self, document: Document) -> bytes:
        return formats.write_bytes(document, self.source, self.format)


def _label(fmt: formats.Format) -> str:
    if fmt.same_format or fmt.name == "txt":
        return f"English {fmt.extension}"
    return DOWNLOAD_LABELS.get(fmt.name, fmt.label)


def _help(fmt: formats.Format) -> str:
    if fmt.same_format:
        return f"The same {fmt.label} with its text in English"
    return DOWNLOAD_HELP.get(fmt.name, fmt.label)


def downloads_for(source: Source) -> list[Download]:
    """Every file a translation of ``source`` can be saved as, in the page's order.

    The same-format file comes first (the English .docx of a .docx); typed text has none, so its
    English .txt leads. Names follow ``formats.output_name``: ``bericht.en.docx``, ``bericht.tmx``.
    """
    position = {name: i + 1 for i, name in enumerate(DOWNLOAD_ORDER)}

    def rank(fmt: formats.Format) -> int:
        if fmt.same_format or (fmt.name == "txt" and source.format == "txt"):
            return 0
        return position.get(fmt.name, len(position) + 1)

    return [
        Download(
            format=fmt.name,
            label=_label(fmt),
            help=_help(fmt),
            file_name=formats.output_name(source.name, fmt.name),
            mime=fmt.mime,
            source=source,
        )
        for fmt in sorted(formats.output_formats(source), key=rank)
    ]
