"""Files in, files out: readers and writers, chosen by extension or by name.

Readers (by the input's extension) turn a file's bytes into a :class:`Source`: the text to
translate, the spans of its translatable units, and what the same-format writer needs to rebuild
the file. Writers (by the output's extension, or by name) turn the translated Document back into
bytes.

==================  ==========================  ======  ==================================
name                extensions                  reads   writes
==================  ==========================  ======  ==================================
``txt``             .txt .text (and unknown)    yes     the English text (UTF-8)
``md``              .md .markdown               yes     the same Markdown, prose in English
``html``            .html .htm                  yes     the same page, text in English
``docx``            .docx                       yes     the same Word document in English
``pptx``            .pptx                       yes     the same presentation in English
``odt``             .odt                        yes     the same OpenDocument text in English
``srt``             .srt                        yes     the same subtitles in English
``pdf``             .pdf                        yes     (written as ``md``, ``docx``, …)
``epub``            .epub                       yes     the same e-book in English
``bilingual-epub``  .bilingual.epub                     the e-book, English under each German
                                                        paragraph
``json``            .json                               the whole Document (alignments, scores)
``bilingual-html``  .bilingual.html .bi.html            a standalone side-by-side reader page
``tmx``             .tmx                                TMX 1.4b translation memory
``xliff``           .xlf .xliff                         XLIFF 2.1, English as targets
==================  ==========================  ======  ==================================

``md``, ``html``, ``docx``, ``pptx``, ``odt``, ``srt`` and ``epub`` write only what was read in
that same format; ``CROSS_WRITERS`` add the few others they write (a PDF as Markdown or a new Word
document, an e-book as a bilingual e-book). A web article (``read_url``) is read as Markdown.

For a front end (the Streamlit page)::

    from translator import formats

    source = formats.read_bytes(upload.name, upload.getvalue())   # InputError if unreadable
    # (typed text: source = formats.text_source(text))
    document = translator.translate_text(source.text, paragraphs=source.units, progress=…)
    for fmt in formats.output_formats(source):                    # what this input can become
        data = formats.write_bytes(document, source, fmt.name)
        st.download_button(fmt.label, data, formats.output_name(source.name, fmt.name), fmt.mime)

``READABLE_EXTENSIONS`` lists the upload types; ``OUTPUT_FORMATS`` every writer. All errors a
user can fix are ``InputError`` with a one-line message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..document import Document
from ..errors import InputError
from . import (
    bilingual,
    epub,
    htmlpage,
    jsondoc,
    markdown,
    opendocument,
    pdf,
    plaintext,
    slides,
    subtitles,
    tmx,
    web,
    word,
    xliff,
)
from .base import Source
from .web import is_url

__all__ = [
    "FORMATS",
    "OUTPUT_FORMATS",
    "READABLE_EXTENSIONS",
    "Format",
    "Source",
    "format_named",
    "is_url",
    "output_formats",
    "output_name",
    "read_bytes",
    "read_limited",
    "read_path",
    "read_url",
    "reader_for",
    "readers",
    "text_source",
    "write_bytes",
    "writer_for",
    "writers",
]

Reader = Callable[[bytes, str], Source]
Writer = Callable[[Document, Source | None], bytes]


@dataclass(frozen=True, slots=True)
class Format:
    """A file format: its name, a label for people, its extensions (the first is written), MIME."""

    name: str
    label: str
    extensions: tuple[str, ...]
    mime: str
    read: Reader | None = None
    write: Writer | None = None
    same_format: bool = False  # its writer rebuilds an input of this very format
    binary: bool = False

    @property
    def extension(self) -> str:
        return self.extensions[0]


FORMATS: tuple[Format, ...] = (
    Format(
        "txt", "Plain text (.txt)", (".txt", ".text"), "text/plain; charset=utf-8",
        plaintext.read, plaintext.write,
    ),
    Format(
        "md", "Markdown (.md)", (".md", ".markdown"), "text/markdown",
        markdown.read, markdown.write, same_format=True,
    ),
    Format(
        "html", "Web page (.html)", (".html", ".htm"), "text/html",
        htmlpage.read, htmlpage.write, same_format=True,
    ),
    Format(
        "docx", "Word document (.docx)", (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        word.read, word.write, same_format=True, binary=True,
    ),
    Format(
        "pptx", "PowerPoint presentation (.pptx)", (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        slides.read, slides.write, same_format=True, binary=True,
    ),
    Format(
        "odt", "OpenDocument text (.odt)", (".odt",), "application/vnd.oasis.opendocument.text",
        opendocument.read, opendocument.write, same_format=True, binary=True,
    ),
    Format(
        "srt", "Subtitles (.srt)", (".srt",), "application/x-subrip",
        subtitles.read, subtitles.write, same_format=True,
    ),
    Format(
        "pdf", "PDF (.pdf)", (".pdf",), "application/pdf", pdf.read, binary=True,
    ),
    Format(
        "epub", "E-book (.epub)", (".epub",), "application/epub+zip",
        epub.read, epub.write, same_format=True, binary=True,
    ),
    Format(
        "bilingual-epub", "Bilingual e-book (.epub)", (".bilingual.epub",), "application/epub+zip",
        write=epub.write_bilingual, same_format=True, binary=True,
    ),
    Format(
        "json", "Document with alignments (.json)", (".json",), "application/json",
        write=jsondoc.write,
    ),
    Format(
        "bilingual-html", "Bilingual reader page (.html)", (".bilingual.html", ".bi.html"),
        "text/html; charset=utf-8", write=bilingual.write,
    ),
    Format(
        "tmx", "Translation memory (TMX 1.4b)", (".tmx",), "application/x-tmx+xml",
        write=tmx.write,
    ),
    Format(
        "xliff", "XLIFF 2.1 (.xlf)", (".xlf", ".xliff"), "application/xliff+xml",
        write=xliff.write,
    ),
)  # fmt: skip

# Same-format writers that also take a source of another kind: (writer, source format) → writer.
# A PDF is written as new Markdown or a new Word document (its layout is not rebuilt).
CROSS_WRITERS: dict[tuple[str, str], Writer] = {
    ("md", "pdf"): pdf.write_markdown,
    ("docx", "pdf"): pdf.write_docx,
    ("bilingual-epub", "epub"): epub.write_bilingual,  # German and English, paragraph by paragraph
}

readers: dict[str, Format] = {ext: f for f in FORMATS if f.read for ext in f.extensions}
writers: dict[str, Format] = {f.name: f for f in FORMATS if f.write}
READABLE_EXTENSIONS: tuple[str, ...] = tuple(readers)
MAX_INPUT_BYTES = 64 * 2**20  # 64 MB of text: days of translation; more is a mistake or a device
OUTPUT_FORMATS: tuple[Format, ...] = tuple(writers.values())

# Inputs people will try, and why they aren't read.
UNSUPPORTED = {
    ".doc": "old binary Word files aren't read: save it as .docx (Word, LibreOffice) and try again",
    ".rtf": "RTF isn't read: save it as .docx and try again",
    ".vtt": "WebVTT isn't read: convert it to .srt (e.g. with ffmpeg) and try again",
    ".xlf": "XLIFF is written, not read",
    ".xliff": "XLIFF is written, not read",
    ".tmx": "TMX is written, not read",
    ".json": "a JSON document is written, not read",
}


def _suffix_of(name: str) -> str:
    lower = os.path.basename(name).lower()
    known = sorted({e for f in FORMATS for e in f.extensions}, key=len, reverse=True)
    for ext in known:
        if lower.endswith(ext) and len(lower) > len(ext):
            return ext
    return os.path.splitext(lower)[1]


def reader_for(name: str) -> Format:
    """The reader for a file name; unknown extensions are read as plain text."""
    suffix = _suffix_of(name)
    if suffix not in readers and suffix not in UNSUPPORTED:  # book.bilingual.epub: an .epub
        suffix = os.path.splitext(os.path.basename(name).lower())[1]
    if suffix in readers:
        return readers[suffix]
    if suffix in UNSUPPORTED:
        raise InputError(f"can't read {os.path.basename(name)}: {UNSUPPORTED[suffix]}")
    return readers[".txt"]


def read_bytes(name: str, data: bytes) -> Source:
    """A file's content as a Source, by its name's extension (``InputError`` if unreadable)."""
    fmt = reader_for(name)
    assert fmt.read is not None
    return fmt.read(data, os.path.basename(name) or name)


def read_url(url: str, **fetch_options: float | int | bool) -> Source:
    """The article at ``url`` (or the PDF, e-book or text it serves) as a Source.

    The only network access of the program; ``fetch_options`` are ``web.fetch``'s limits, and
    ``public_only=True`` for a shared page (no local or private addresses).
    """
    return web.read_url(url, read_bytes, **fetch_options)


def read_limited(stream: BinaryIO, name: str) -> bytes:
    """All of ``stream``, or an ``InputError`` once it passes ``MAX_INPUT_BYTES`` (a device or
    an endless pipe would otherwise fill the memory)."""
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{name} is larger than {MAX_INPUT_BYTES // 2**20} MB: split it into parts and "
            f"translate them one by one"
        )
    return data


def read_path(path: str | os.PathLike[str]) -> Source:
    source = Path(path)
    reader_for(source.name)  # an unsupported kind fails before the file is read
    if source.is_dir():
        raise InputError(f"{source} is a directory, not a file")
    try:
        with source.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise InputError(f"{source} is a device, not a file")
            data = read_limited(handle, str(source))
    except FileNotFoundError as error:
        raise InputError(f"{source} does not exist") from error
    except OSError as error:
        raise InputError(f"{source} can't be read: {error.strerror or error}") from error
    return read_bytes(source.name, data)


def text_source(text: str, name: str = "text.txt") -> Source:
    """Text typed or pasted (not a file): a plain-text Source."""
    return Source(name=name, format="txt", text=text, units=None, encoding="utf-8")


def format_named(name: str) -> Format:
    if name in writers:
        return writers[name]
    known = ", ".join(writers)
    raise InputError(f"unknown output format {name!r}; known: {known}")


def writer_for(output: str | None, fmt: str | None, source: Source | None) -> Format:
    """The writer by ``fmt`` (a name) or else by the output's extension, checked for the input."""
    if fmt is not None:
        chosen = format_named(fmt)
    else:
        suffix = _suffix_of(output or "")
        chosen = next((f for f in OUTPUT_FORMATS if suffix in f.extensions), None)
        if chosen is None:
            known = ", ".join(f"{f.extension} ({f.name})" for f in OUTPUT_FORMATS)
            raise InputError(
                f"can't write output with extension {suffix or '(none)'}; supported: {known}"
            )
    if chosen.same_format and not _writes_from(chosen, source):
        given = source.name if source is not None else "text"
        others = ", ".join(f.extension for f in OUTPUT_FORMATS if not f.same_format)
        raise InputError(
            f"{chosen.label} is written only from a {chosen.extension} input, "
            f"not from {given}; write one of {others} instead"
        )
    return chosen


def _writes_from(chosen: Format, source: Source | None) -> bool:
    """Whether a same-format writer can write this source (its own kind, or a cross writer's)."""
    if source is None:
        return False
    return source.format == chosen.name or (chosen.name, source.format) in CROSS_WRITERS


def output_formats(source: Source | None) -> list[Format]:
    """The formats this input can be written as: its own first, then the rest."""
    own = [f for f in OUTPUT_FORMATS if f.same_format and _writes_from(f, source)]
    return own + [f for f in OUTPUT_FORMATS if not f.same_format]


def write_bytes(document: Document, source: Source | None, fmt: str) -> bytes:
    """The translated file in format ``fmt`` (a name from ``OUTPUT_FORMATS``)."""
    chosen = writer_for(None, fmt, source)
    cross = CROSS_WRITERS.get((chosen.name, source.format)) if source is not None else None
    write = cross or chosen.write
    assert write is not None
    return write(document, source)


def output_name(input_name: str, fmt: str) -> str:
    """A file name for the output: ``article.docx`` → ``article.en.docx``, ``article.tmx``, …"""
    chosen = format_named(fmt)
    base = os.path.basename(input_name) or "text.txt"
    suffix = _suffix_of(base)
    stem = base[: -len(suffix)] if suffix and base.lower().endswith(suffix) else base
    if (chosen.same_format or chosen.name == "txt") and not chosen.name.startswith("bilingual"):
        return f"{stem}.en{chosen.extension}"
    return f"{stem}{chosen.extension}"
