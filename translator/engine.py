"""``Translator``: model resolution, batching, and assembling the translated Document."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import __version__
from .backends import Backend, load_backend
from .chunk import split_to_fit
from .document import COPIED, SPLIT, UNTRANSLATED, Document, Paragraph, Sentence, Span
from .errors import DEFAULT_MODEL, InputError
from .segment import SEGMENTER_VERSION, segment

Progress = Callable[[int, int], None]

MODEL_ENV = "TRANSLATOR_MODEL"


def resolve_model_name(model: str | os.PathLike[str] | None) -> str:
    """The argument, else ``$TRANSLATOR_MODEL``, else opus-mt-de-en."""
    if model is not None and str(model).strip():
        return os.fspath(model)
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


def has_text(text: str) -> bool:
    """Whether a segment holds letters or digits, i.e. anything worth sending to the model."""
    return any(c.isalnum() for c in text)


@dataclass(slots=True)
class _Plan:
    """How one source sentence is translated: whole, in pieces, or copied through."""

    pieces: list[str]
    flags: list[str] = field(default_factory=list)


class Translator:
    """A loaded model plus the settings that decide how a document is cut and decoded.

    Thread-safe for concurrent ``translate_text`` calls: it holds no per-call state.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        device: str = "auto",
        backend: str = "auto",
        *,
        beam: int | None = None,
        max_sentence_tokens: int = 200,
        batch_tokens: int = 4096,
        max_batch_size: int = 32,
        max_output_ratio: float = 1.5,
        engine: Backend | None = None,
    ) -> None:
        self.model_name = resolve_model_name(model)
        self.backend: Backend = engine or load_backend(
            self.model_name, device=device, backend=backend
        )
        self.beam = _positive("beam", self.backend.default_beam if beam is None else beam)
        self.max_sentence_tokens = _positive("max_sentence_tokens", max_sentence_tokens)
        self.batch_tokens = _positive("batch_tokens", batch_tokens)
        self.max_batch_size = _positive("max_batch_size", max_batch_size)
        if max_output_ratio <= 0:
            raise InputError("max_output_ratio must be positive")
        self.max_output_ratio = max_output_ratio

    # -- settings -----------------------------------------------------------------------------

    @property
    def piece_limit(self) -> int:
        """Most source pieces one model call gets: the quality limit, within the position limit."""
        return min(self.max_sentence_tokens, self.backend.max_source_positions - 1)

    def signature(self, beam: int | None = None) -> str:
        """How a result was made (model, engine, decoding, segmenter, package): also a cache key."""
        b = self.backend
        return "|".join(
            [
                f"model:{b.model_id}@{b.revision[:12]}",
                f"engine:{b.name}-{b.precision}",
                f"beam:{self.beam if beam is None else beam}",
                f"max-tokens:{self.piece_limit}",
                f"seg:{SEGMENTER_VERSION}",
                f"translator:{__version__}",
            ]
        )

    def output_limit(self, source_pieces: int) -> int:
        """Output tokens allowed for an input: enough for any translation, too few for a loop."""
        bound = math.ceil(self.max_output_ratio * source_pieces) + 10
        return min(bound, self.backend.max_source_positions - 1)

    # -- translation --------------------------------------------------------------------------

    def translate_text(
        self,
        text: str,
        *,
        beam: int | None = None,
        progress: Progress | None = None,
        paragraphs: Sequence[Span] | None = None,
    ) -> Document:
        """Segment ``text``, translate each sentence, and tie both texts together.

        ``paragraphs`` fixes the paragraph spans (a file format's blocks: cells, list items, …)
        instead of finding them from blank lines; sentences are still found inside each.
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str, not {type(text).__name__}")
        beam = _positive("beam", self.beam if beam is None else beam)
        segments = segment(text) if paragraphs is None else _fixed_segments(text, paragraphs)
        spans = [s for _, sentences in segments for s in sentences]
        plans = [self._plan(s.of(text)) for s in spans]
        translations = self._translate_plans(plans, beam, progress)
        return _assemble(text, segments, plans, translations, self.signature(beam))

    def translate_sentences(
        self, sentences: Sequence[str], *, beam: int | None = None, progress: Progress | None = None
    ) -> list[str]:
        """Translate each string as one sentence (too-long ones in pieces), in order."""
        beam = _positive("beam", self.beam if beam is None else beam)
        plans = [self._plan(s) for s in sentences]
        return self._translate_plans(plans, beam, progress)

    def _plan(self, sentence: str) -> _Plan:
        if not has_text(sentence):
            return _Plan(pieces=[], flags=[COPIED])
        count = self.backend.codec.count
        if count(sentence) <= self.piece_limit:
            return _Plan(pieces=[sentence.strip()])
        spans = split_to_fit(sentence, count, self.piece_limit)
        return _Plan(pieces=[s.of(sentence) for s in spans], flags=[SPLIT])

    def _translate_plans(
        self, plans: list[_Plan], beam: int, progress: Progress | None
    ) -> list[str]:
        waiting = [len(set(p.pieces)) for p in plans]
        users: dict[str, list[int]] = defaultdict(list)
        for index, plan in enumerate(plans):
            for piece in dict.fromkeys(plan.pieces):
                users[piece].append(index)
        total = len(plans)
        done = sum(1 for w in waiting if w == 0)
        if progress:
            progress(done, total)

        codec = self.backend.codec
        encoded = {piece: codec.encode(piece).ids for piece in users}
        results: dict[str, str] = {}
        for batch in self._batches(encoded):
            hypotheses = self.backend.generate(
                [encoded[p] for p in batch],
                beam=beam,
                max_new_tokens=[self.output_limit(len(encoded[p]) - 1) for p in batch],
            )
            for piece, hypothesis in zip(batch, hypotheses, strict=True):
                results[piece] = codec.decode(hypothesis.ids)
                for index in users[piece]:
                    waiting[index] -= 1
                    done += waiting[index] == 0
            if progress:
                progress(done, total)
        return [" ".join(results[p] for p in plan.pieces if results[p]) for plan in plans]

    def _batches(self, encoded: dict[str, list[int]]) -> list[list[str]]:
        """Length-sorted batches whose padded size stays within the token budget."""
        ordered = sorted(encoded, key=lambda p: len(encoded[p]))
        batches: list[list[str]] = []
        current: list[str] = []
        for piece in ordered:
            width = len(encoded[piece])  # the longest so far: the list is sorted
            if current and (
                width * (len(current) + 1) > self.batch_tokens
                or len(current) >= self.max_batch_size
            ):
                batches.append(current)
                current = []
            current.append(piece)
        if current:
            batches.append(current)
        return batches


def _fixed_segments(text: str, paragraphs: Sequence[Span]) -> list[tuple[Span, list[Span]]]:
    """Sentences inside given paragraph spans; blank paragraphs are dropped, the rest trimmed."""
    segments: list[tuple[Span, list[Span]]] = []
    end = 0
    for paragraph in paragraphs:
        if paragraph.start < end or paragraph.end > len(text):
            raise InputError(f"paragraph {paragraph} overlaps another or runs past the text")
        end = paragraph.end
        inner = segment(paragraph.of(text))
        if not inner:
            continue
        sentences = [s.shift(paragraph.start) for _, block in inner for s in block]
        trimmed = Span(sentences[0].start, sentences[-1].end)
        segments.append((trimmed, sentences))
    return segments


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive whole number, not {value!r}")
    return value


def _assemble(
    source: str,
    segments: list[tuple[Span, list[Span]]],
    plans: list[_Plan],
    translations: list[str],
    signature: str,
) -> Document:
    """Build the English text: its paragraphs and the whitespace between them mirror the source."""
    parts: list[str] = []
    length = 0

    def emit(piece: str) -> Span:
        nonlocal length
        parts.append(piece)
        length += len(piece)
        return Span(length - len(piece), length)

    paragraphs: list[Paragraph] = []
    cursor = 0
    index = 0
    for paragraph_span, sentence_spans in segments:
        emit(source[cursor : paragraph_span.start])
        start = length
        cursor = paragraph_span.start
        sentences: list[Sentence] = []
        for span in sentence_spans:
            emit(source[cursor : span.start])
            plan, english = plans[index], translations[index]
            flags = list(plan.flags)
            if COPIED in flags:
                english = span.of(source)
            elif not english.strip():
                english, flags = span.of(source), [*flags, UNTRANSLATED]
            sentences.append(Sentence(source=span, target=emit(english), flags=flags))
            cursor = span.end
            index += 1
        emit(source[cursor : paragraph_span.end])
        cursor = paragraph_span.end
        paragraphs.append(Paragraph(paragraph_span, Span(start, length), sentences))
    emit(source[cursor:])
    target = "".join(parts)
    return Document(source=source, target=target, paragraphs=paragraphs, signature=signature)
