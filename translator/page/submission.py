"""What the page translates (an uploaded file, an article at an address, typed text), the key
its result is kept under, and the German paragraphs shown before any English."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import formats
from ..document import Document, Span
from ..errors import InputError, TranslatorError
from ..formats import Source
from ..segment import segment
from .options import private_urls_allowed

if TYPE_CHECKING:
    from ..engine import Translator

# One extension per readable format, for the upload's label: .txt, .md, .html, .docx, .srt
READABLE_KINDS: tuple[str, ...] = tuple({f.extension: f for f in formats.readers.values()})


@dataclass(frozen=True, eq=False)
class Submission:
    """What the page translates: the Source, and what identifies it for the result cache.

    ``origin`` is ``("file", name, sha256 of its bytes)`` for an upload (the same text read from
    a .docx and from a .txt gives different Documents and different files), ``("url", address,
    sha256 of its text)`` for a web article, ``("text", sha256)`` for typed text.
    """

    source: Source
    origin: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def units(self) -> list[Span] | None:
        return self.source.units

    @property
    def url(self) -> str | None:
        """The address a web article was read from (as asked for, before redirects)."""
        return self.origin[1] if self.origin[0] == "url" else None


def submitted_file(name: str, data: bytes) -> Submission:
    """An uploaded file, read by its extension (``InputError`` with a one-line message if not)."""
    source = formats.read_bytes(name, data)
    if not source.text.strip():
        raise InputError(f"{source.name} has no text to translate")
    return Submission(source, ("file", source.name, hashlib.sha256(data).hexdigest()))


def submitted_url(url: str) -> Submission:
    """The article at ``url``, read as the command reads one (Markdown with its URL and title
    in ``metadata``); ``InputError`` with a one-line message if it can't be fetched or read.
    Local and private addresses are refused unless ``private_urls_allowed()``."""
    address = url.strip()
    if not formats.is_url(address):
        raise InputError(f"{address} is not a web address: give one that starts with https://")
    source = formats.read_url(address, public_only=not private_urls_allowed())
    if not source.text.strip():
        raise InputError(f"{address} has no text to translate")
    digest = hashlib.sha256(source.text.encode("utf-8", "surrogatepass")).hexdigest()
    return Submission(source, ("url", address, digest))


def submitted_text(text: str, name: str = "translation.txt") -> Submission:
    """Typed or pasted text; ``name`` only names the downloads (``translation.en.txt``, …)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Submission(formats.text_source(text, name), ("text", digest))


def too_big(name: str, size: int, limit_mb: int) -> str | None:
    """Why an input of ``size`` bytes is over the page's limit of ``limit_mb`` MB, or None."""
    if size <= limit_mb * 2**20:
        return None
    return (
        f"{name} is {size / 2**20:.1f} MB; the page takes up to {limit_mb} MB. Split it, or "
        f"translate it with the command line: translator FILE -o FILE.en.txt"
    )


def cache_key(submission: Submission, model: str, beam: int, alternatives: int) -> tuple:
    """The result cache's key: what was submitted and every setting that changes the Document."""
    return (*submission.origin, model, beam, alternatives)


def german_paragraphs(submission: Submission) -> list[Span]:
    """The paragraphs the translation will have, found before translating (to show at once).

    The engine's own rule: a file's units, trimmed, blank ones dropped; typed text by the
    segmenter's paragraphs.
    """
    text = submission.text
    if submission.units is None:
        return [paragraph for paragraph, sentences in segment(text) if sentences]
    found = []
    for unit in submission.units:
        inner = [s for _, block in segment(unit.of(text)) for s in block]
        if inner:
            found.append(Span(unit.start + inner[0].start, unit.start + inner[-1].end))
    return found


def sentence_row(document: Document, sentence: int) -> int:
    """The row (paragraph) of ``document`` that holds sentence number ``sentence``."""
    seen = 0
    for index, paragraph in enumerate(document.paragraphs):
        seen += len(paragraph.sentences)
        if sentence < seen:
            return index
    raise TranslatorError(f"there is no sentence {sentence}")


def replace_sentence(
    translator: Translator, document: Document, sentence_index: int, english: str
) -> Document:
    """``document`` with one sentence's English replaced (an alternative the reader chose)."""
    count = sum(len(p.sentences) for p in document.paragraphs)
    if not 0 <= sentence_index < count:
        raise TranslatorError(f"there is no sentence {sentence_index} to replace")
    return translator.replace_translation(document, sentence_index, english)
