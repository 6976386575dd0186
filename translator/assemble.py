"""Where sentences come from and where their translations go: windows in, a Document out.

``segments`` finds paragraphs and sentences (or takes a file's units as the paragraphs);
``windows`` feeds them to the engine in document order, a few sentences first so that streaming
shows the top at once; the ``Assembler`` writes each translation into the English text, mirroring
the German's whitespace, and moves its sentence-local spans to their place in the Document.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from .describe import Translation
from .document import Document, Paragraph, Sentence, Span
from .errors import InputError
from .segment import segment
from .surrogates import replace_surrogates

MAX_WINDOW = 128  # later windows double up to this: big enough to batch well

Segments = list[tuple[Span, list[Span]]]
Window = list[tuple[Span, list[Span], bool]]


def segments(text: str, paragraphs: Sequence[Span] | None = None) -> Segments:
    """(paragraph, its sentences) of ``text``: found by the segmenter, or inside given paragraphs.

    Given paragraphs (a file's units) are kept apart; blank ones are dropped, the rest trimmed.
    """
    if paragraphs is None:
        return segment(text)
    found: Segments = []
    end = 0
    for paragraph in paragraphs:
        if paragraph.start < end or paragraph.end > len(text):
            raise InputError(f"paragraph {paragraph} overlaps another or runs past the text")
        end = paragraph.end
        inner = segment(paragraph.of(text))
        if not inner:
            continue
        sentences = [s.shift(paragraph.start) for _, block in inner for s in block]
        found.append((Span(sentences[0].start, sentences[-1].end), sentences))
    return found


def windows(found: Segments, first: int) -> Iterator[Window]:
    """Sentences in document order, in windows of ``first`` sentences, then doubling sizes.

    Each item is (paragraph, some of its sentences, whether they close it): a window cuts a
    paragraph that doesn't fit, so that no window outgrows its size (a 10 MB file of one
    paragraph still streams), and with a first window of one sentence the first row shows after
    one sentence's translation, not one paragraph's.
    """
    size = first
    window: Window = []
    count = 0
    for paragraph, spans in found:
        rest = spans
        while True:
            room = size - count
            taken, rest = rest[:room], rest[room:]
            window.append((paragraph, taken, not rest))
            count += len(taken)
            if count >= size:
                yield window
                window, count, size = [], 0, min(size * 2, MAX_WINDOW)
            if not rest:
                break
    if window:
        yield window


def placed(local: Sentence, source: Span, target_start: int) -> Sentence:
    """A sentence-local record moved to its place: German at ``source``, English from there."""
    return replace(
        local,
        source=source,
        target=local.target.shift(target_start),
        source_words=[w.shift(source.start) for w in local.source_words],
        target_words=[w.shift(target_start) for w in local.target_words],
    )


class Assembler:
    """Builds the English text paragraph by paragraph, mirroring the source's whitespace.

    A paragraph may arrive in parts (the first streamed window is one sentence); until its last
    part it shows as a paragraph that ends with its last translated sentence. The text and the
    paragraphs grow by appending, so assembling stays linear in the document's size however many
    partial Documents are asked for.
    """

    def __init__(self, source: str, signature: str) -> None:
        self.source = source
        self.signature = signature
        self.parts: list[str] = []
        self.length = 0
        self.cursor = 0
        self.paragraphs: list[Paragraph] = []
        self.open: tuple[Span, int, list[Sentence]] | None = None  # paragraph, target start, …
        self._joined = ""
        self._joined_parts = 0

    def _emit(self, piece: str) -> int:
        piece = replace_surrogates(piece)  # the English is text any file can hold
        self.parts.append(piece)
        self.length += len(piece)
        return self.length - len(piece)

    def add(
        self,
        paragraph: Span,
        spans: Sequence[Span],
        results: Sequence[Translation],
        *,
        closes: bool = True,
    ) -> None:
        if self.open is None or self.open[0] != paragraph:
            self._emit(self.source[self.cursor : paragraph.start])
            self.cursor = paragraph.start
            self.open = (paragraph, self.length, [])
        _, start, sentences = self.open
        for span, result in zip(spans, results, strict=True):
            self._emit(self.source[self.cursor : span.start])
            at = self._emit(result.english)
            sentences.append(placed(result.sentence, span, at))
            self.cursor = span.end
        if closes:
            self._emit(self.source[self.cursor : paragraph.end])
            self.cursor = paragraph.end
            self.paragraphs.append(Paragraph(paragraph, Span(start, self.length), sentences))
            self.open = None

    def _target(self) -> str:
        """The English so far; only the parts added since the last call are joined anew."""
        if self._joined_parts < len(self.parts):
            self._joined += "".join(self.parts[self._joined_parts :])
            self._joined_parts = len(self.parts)
        return self._joined

    def document(self, final: bool) -> Document:
        if final and self.open is not None:
            raise RuntimeError("a paragraph was left unfinished")
        paragraphs = list(self.paragraphs)
        if self.open is not None:
            paragraph, start, sentences = self.open
            shown = Span(paragraph.start, self.cursor)
            paragraphs.append(Paragraph(shown, Span(start, self.length), list(sentences)))
        tail = replace_surrogates(self.source[self.cursor :]) if final else ""
        return Document(
            source=self.source,
            target=self._target() + tail,
            paragraphs=paragraphs,
            signature=self.signature,
        )
