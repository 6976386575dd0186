"""Driving a translation for the reader page: what is submitted (an upload or typed text) as a
``Source``, streaming partial Documents, a shared result cache, replacing a sentence by one of its
alternatives, and the files offered for download. No Streamlit here, so it tests on its own.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import formats
from ..document import Document, Span
from ..errors import InputError, TranslatorError
from ..formats import Source

if TYPE_CHECKING:
    from ..engine import Translator

Progress = Callable[[int, int], None]

MAX_ALTERNATIVES = 3
DEFAULT_BEAM = 4  # the page's beam until the sidebar says otherwise (opus-mt's own default)


def alternatives_for(beam: int) -> int:
    """How many n-best alternatives a beam of this size can give besides its best (at most 3)."""
    return max(0, min(MAX_ALTERNATIVES, beam - 1))


def translate_stream(
    translator: Translator,
    text: str,
    *,
    beam: int | None = None,
    alternatives: int = 0,
    progress: Progress | None = None,
    paragraphs: Sequence[Span] | None = None,
) -> Iterator[Document]:
    """Partial Documents as paragraphs are finished, document order; the last one is complete.

    ``paragraphs``: a file's translatable units (``Source.units``); None lets the segmenter find
    the paragraphs of plain text.
    """
    options: dict[str, Any] = {"beam": beam, "progress": progress}
    if alternatives:
        options["alternatives"] = alternatives
    if paragraphs is not None:
        options["paragraphs"] = paragraphs
    yield from translator.stream(text, **options)


# -- what is translated: an uploaded file or typed text ----------------------------------------

# Kinds of file people will try that aren't read: the upload accepts them too, so the page can say
# why (e.g. "convert it to .docx or .txt first") instead of the browser's bare "not allowed".
EXPLAINED_EXTENSIONS: tuple[str, ...] = tuple(formats.UNSUPPORTED)
UPLOAD_EXTENSIONS: tuple[str, ...] = formats.READABLE_EXTENSIONS + tuple(
    e for e in EXPLAINED_EXTENSIONS if e not in formats.READABLE_EXTENSIONS
)
# One extension per readable format, for the upload's label: .txt, .md, .html, .docx, .srt
READABLE_KINDS: tuple[str, ...] = tuple({f.extension: f for f in formats.readers.values()})


@dataclass(frozen=True, eq=False)
class Submission:
    """What the page translates: the Source, and what identifies it for the result cache.

    ``origin`` is ``("file", name, sha256 of its bytes)`` for an upload (the same text read from
    a .docx and from a .txt gives different Documents and different files), ``("text", sha256)``
    for typed text.
    """

    source: Source
    origin: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def units(self) -> list[Span] | None:
        return self.source.units


def submitted_file(name: str, data: bytes) -> Submission:
    """An uploaded file, read by its extension (``InputError`` with a one-line message if not)."""
    source = formats.read_bytes(name, data)
    if not source.text.strip():
        raise InputError(f"{source.name} has no text to translate")
    return Submission(source, ("file", source.name, hashlib.sha256(data).hexdigest()))


def submitted_text(text: str, name: str = "translation.txt") -> Submission:
    """Typed or pasted text; ``name`` only names the downloads (``translation.en.txt``, …)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Submission(formats.text_source(text, name), ("text", digest))


def cache_key(submission: Submission, model: str, beam: int, alternatives: int) -> tuple:
    """The result cache's key: what was submitted and every setting that changes the Document."""
    return (*submission.origin, model, beam, alternatives)


def replace_sentence(
    translator: Translator, document: Document, sentence_index: int, english: str
) -> Document:
    """``document`` with one sentence's English replaced (an alternative the reader chose)."""
    replace = getattr(translator, "replace_translation", None)
    if replace is None:
        raise TranslatorError("this version of the engine can't replace a sentence's translation")
    count = sum(len(p.sentences) for p in document.paragraphs)
    if not 0 <= sentence_index < count:
        raise TranslatorError(f"there is no sentence {sentence_index} to replace")
    return replace(document, sentence_index, english)


# -- downloads ----------------------------------------------------------------------------------

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
    """One file the page offers: what ``st.download_button`` needs, and the format's name."""

    format: str
    label: str
    help: str
    data: bytes
    file_name: str
    mime: str


def _label(fmt: formats.Format) -> str:
    if fmt.same_format or fmt.name == "txt":
        return f"English {fmt.extension}"
    return DOWNLOAD_LABELS.get(fmt.name, fmt.label)


def _help(fmt: formats.Format) -> str:
    if fmt.same_format:
        return f"The same {fmt.label} with its text in English"
    return DOWNLOAD_HELP.get(fmt.name, fmt.label)


def download_files(document: Document, source: Source) -> list[Download]:
    """Every file ``document`` (translated from ``source``) can be saved as, in the page's order.

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
            data=formats.write_bytes(document, source, fmt.name),
            file_name=formats.output_name(source.name, fmt.name),
            mime=fmt.mime,
        )
        for fmt in sorted(formats.output_formats(source), key=rank)
    ]


class ResultCache:
    """The last few translated Documents of this server process, keyed by text and settings.

    Shared by every session, so a second visitor to the same article gets it without waiting.
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Document] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Document | None:
        with self._lock:
            document = self._items.get(key)
            if document is not None:
                self._items.move_to_end(key)
            return document

    def put(self, key: Hashable, document: Document) -> None:
        with self._lock:
            self._items[key] = document
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RESULTS = ResultCache()
