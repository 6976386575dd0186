"""``Translator``: model resolution, batching, alignment, and assembling the translated Document."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from . import __version__
from .align import (
    AlignmentConfig,
    links_from_matrix,
    sentence_score,
    target_rows,
    word_matrix,
    word_scores,
)
from .backends import Backend, Hypothesis, load_backend
from .chunk import split_to_fit
from .document import (
    COPIED,
    SPLIT,
    UNTRANSLATED,
    Document,
    Link,
    Paragraph,
    Sentence,
    Span,
)
from .errors import DEFAULT_MODEL, InputError
from .segment import SEGMENTER_VERSION, segment
from .spans import is_punctuation, pieces_to_words, word_spans

Progress = Callable[[int, int], None]

MODEL_ENV = "TRANSLATOR_MODEL"
FIRST_WINDOW = 8  # sentences in the first streamed window: the top of the page comes fast
MAX_WINDOW = 128  # later windows double up to this: big enough to batch well


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
    """How one source sentence is translated: whole, in pieces (spans of it), or copied."""

    pieces: list[Span]
    flags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Piece:
    """The translation of one piece of German, in the piece's own coordinates."""

    english: str
    source_words: list[Span] = field(default_factory=list)
    target_words: list[Span] = field(default_factory=list)
    links: list[tuple[int, int, float]] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    word_scores: list[float] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Translated:
    """A whole sentence's translation, in sentence coordinates (German and English)."""

    english: str
    flags: list[str]
    source_words: list[Span] = field(default_factory=list)
    target_words: list[Span] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    word_scores: list[float] = field(default_factory=list)
    uncertain: list[int] = field(default_factory=list)
    score: float | None = None
    alternatives: list[str] = field(default_factory=list)


class Translator:
    """A loaded model plus the settings that decide how a document is cut, decoded and aligned.

    Thread-safe for concurrent calls: it holds no per-call state.
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
        alignment: AlignmentConfig | None = None,
        details: bool = True,
        engine: Backend | None = None,
    ) -> None:
        self.model_name = resolve_model_name(model)
        self.alignment = alignment or AlignmentConfig()
        self.backend: Backend = engine or load_backend(
            self.model_name,
            device=device,
            backend=backend,
            alignment_layer=self.alignment.layer,
            alignment_heads=self.alignment.heads,
        )
        self.beam = _positive("beam", self.backend.default_beam if beam is None else beam)
        self.max_sentence_tokens = _positive("max_sentence_tokens", max_sentence_tokens)
        self.batch_tokens = _positive("batch_tokens", batch_tokens)
        self.max_batch_size = _positive("max_batch_size", max_batch_size)
        if max_output_ratio <= 0:
            raise InputError("max_output_ratio must be positive")
        self.max_output_ratio = max_output_ratio
        self.details = details

    # -- settings -----------------------------------------------------------------------------

    @property
    def piece_limit(self) -> int:
        """Most source pieces one model call gets: the quality limit, within the position limit."""
        return min(self.max_sentence_tokens, self.backend.max_source_positions - 1)

    def signature(self, beam: int | None = None) -> str:
        """How a result was made (model, engine, decoding, segmenter, package): also a cache key."""
        b = self.backend
        a = self.alignment
        heads = ",".join(map(str, a.heads)) or "all"
        return "|".join(
            [
                f"model:{b.model_id}@{b.revision[:12]}",
                f"engine:{b.name}-{b.precision}",
                f"beam:{self.beam if beam is None else beam}",
                f"max-tokens:{self.piece_limit}",
                f"align:L{a.layer}H{heads}{'s' if a.shifted else ''}-{a.rule}-{a.threshold:g}",
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
        alternatives: int = 0,
        progress: Progress | None = None,
        paragraphs: Sequence[Span] | None = None,
    ) -> Document:
        """Segment ``text``, translate each sentence, and tie both texts together.

        ``alternatives`` asks for up to that many n-best translations per sentence (at most
        beam − 1). ``paragraphs`` fixes the paragraph spans (a file format's blocks: cells, list
        items, …) instead of finding them from blank lines; sentences are still found inside.
        """
        *_, document = self.stream(
            text, beam=beam, alternatives=alternatives, progress=progress, paragraphs=paragraphs
        )
        return document

    def stream(
        self,
        text: str,
        *,
        beam: int | None = None,
        alternatives: int = 0,
        progress: Progress | None = None,
        paragraphs: Sequence[Span] | None = None,
    ) -> Iterator[Document]:
        """Yield growing Documents as paragraphs finish, the beginning of the text first.

        Each yield holds the finished paragraphs in document order; the last one is complete
        and equal to ``translate_text``. The text is translated in windows of whole paragraphs:
        a small first window so the top shows quickly, then windows that double in size.
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str, not {type(text).__name__}")
        beam = _positive("beam", self.beam if beam is None else beam)
        if isinstance(alternatives, bool) or not isinstance(alternatives, int) or alternatives < 0:
            raise InputError(f"alternatives must be a whole number ≥ 0, not {alternatives!r}")
        segments = segment(text) if paragraphs is None else _fixed_segments(text, paragraphs)
        total = sum(len(sentences) for _, sentences in segments)
        assembler = _Assembler(text, self.signature(beam))
        done = 0
        if progress:
            progress(0, total)
        for window in _windows(segments):
            sentences = [s.of(text) for _, spans in window for s in spans]

            def report(finished: int, _total: int, offset: int = done) -> None:
                if progress:
                    progress(offset + finished, total)

            results = self._translate(sentences, beam, alternatives, report)
            position = 0
            for paragraph, spans in window:
                assembler.add(paragraph, spans, results[position : position + len(spans)])
                position += len(spans)
            done += len(sentences)
            yield assembler.document(final=False)
        yield assembler.document(final=True)

    def translate_sentences(
        self, sentences: Sequence[str], *, beam: int | None = None, progress: Progress | None = None
    ) -> list[str]:
        """Translate each string as one sentence (too-long ones in pieces), in order."""
        beam = _positive("beam", self.beam if beam is None else beam)
        return [t.english for t in self._translate(list(sentences), beam, 0, progress)]

    def replace_translation(self, document: Document, index: int, english: str) -> Document:
        """A copy of ``document`` whose sentence ``index`` reads ``english`` (e.g. an alternative).

        The new English is force-aligned by the model, so its words, links and scores are as
        trustworthy as a translation's own; the previous translation becomes an alternative.
        """
        sentence = list(document.sentences)[index]
        german = sentence.source.of(document.source)
        previous = sentence.target.of(document.target)
        others = [a for a in sentence.alternatives if a != english]
        fields: dict = {"alternatives": [previous, *others], "flags": list(sentence.flags)}
        if SPLIT in sentence.flags or not english.strip():
            fields.update(target_words=[], links=[], word_scores=[], uncertain=[], score=None)
            return document.with_translation(index, english, **fields)
        codec = self.backend.codec
        encoded = codec.encode(german)
        (hypothesis,) = self.backend.force([encoded.ids], [codec.encode_target(english)])
        piece = self._describe(german, encoded.offsets, hypothesis)
        if piece.english != english:  # the text didn't survive re-encoding: show it unaligned
            fields.update(target_words=[], links=[], word_scores=[], uncertain=[], score=None)
            return document.with_translation(index, english, **fields)
        shift = sentence.source.start
        return document.with_translation(
            index,
            english,
            source_words=[w.shift(shift) for w in piece.source_words],
            target_words=piece.target_words,
            links=[Link(s, t, w) for s, t, w in piece.links],
            word_scores=piece.word_scores,
            uncertain=self._uncertain(piece.word_scores),
            score=sentence_score(piece.logprobs),
            **fields,
        )

    # -- internals ----------------------------------------------------------------------------

    def _plan(self, sentence: str) -> _Plan:
        if not has_text(sentence):
            return _Plan(pieces=[], flags=[COPIED])
        count = self.backend.codec.count
        if count(sentence) <= self.piece_limit:
            lead = len(sentence) - len(sentence.lstrip())
            return _Plan(pieces=[Span(lead, len(sentence.rstrip()))])
        return _Plan(pieces=split_to_fit(sentence, count, self.piece_limit), flags=[SPLIT])

    def _translate(
        self, sentences: list[str], beam: int, alternatives: int, progress: Progress | None
    ) -> list[_Translated]:
        plans = [self._plan(s) for s in sentences]
        texts = [[p.of(s) for p in plan.pieces] for s, plan in zip(sentences, plans, strict=True)]
        pieces = self._translate_pieces(texts, beam, alternatives, progress)
        return [
            self._join(sentence, plan, [pieces[t] for t in piece_texts])
            for sentence, plan, piece_texts in zip(sentences, plans, texts, strict=True)
        ]

    def _translate_pieces(
        self,
        texts: list[list[str]],
        beam: int,
        alternatives: int,
        progress: Progress | None,
    ) -> dict[str, _Piece]:
        """Translate every distinct piece once, in length-sorted batches, reporting sentences."""
        waiting = [len(set(t)) for t in texts]
        users: dict[str, list[int]] = defaultdict(list)
        for index, piece_texts in enumerate(texts):
            for piece in dict.fromkeys(piece_texts):
                users[piece].append(index)
        done = sum(1 for w in waiting if w == 0)
        codec = self.backend.codec
        encoded = {piece: codec.encode(piece) for piece in users}
        results: dict[str, _Piece] = {}
        for batch in self._batches({p: e.ids for p, e in encoded.items()}):
            hypotheses = self.backend.generate(
                [encoded[p].ids for p in batch],
                beam=beam,
                max_new_tokens=[self.output_limit(encoded[p].n_pieces) for p in batch],
                alternatives=min(alternatives, beam - 1),
                details=self.details,
            )
            for piece, hypothesis in zip(batch, hypotheses, strict=True):
                results[piece] = self._describe(piece, encoded[piece].offsets, hypothesis)
                for index in users[piece]:
                    waiting[index] -= 1
                    done += waiting[index] == 0
            if progress:
                progress(done, len(texts))
        return results

    def _describe(
        self, german: str, offsets: list[tuple[int, int]], hypothesis: Hypothesis
    ) -> _Piece:
        """English text, words on both sides, links and scores of one translated piece."""
        codec = self.backend.codec
        decoded = codec.decode_with_offsets(hypothesis.ids)
        alternatives = [codec.decode(ids) for ids in hypothesis.alternatives]
        alternatives = [a for a in dict.fromkeys(alternatives) if a and a != decoded.text]
        piece = _Piece(english=decoded.text, alternatives=alternatives)
        if hypothesis.attention is None or not decoded.text:
            return piece
        source_words = word_spans(german)
        target_words = word_spans(decoded.text)
        target_owner = pieces_to_words(decoded.offsets, target_words)
        source_owner = pieces_to_words(offsets, source_words)
        config = self.alignment
        rows = target_rows(hypothesis.attention, len(hypothesis.ids), len(offsets), config.shifted)
        matrix = word_matrix(rows, target_owner, source_owner, len(target_words), len(source_words))
        piece.source_words = source_words
        piece.target_words = target_words
        piece.links = links_from_matrix(
            matrix,
            [is_punctuation(w.of(decoded.text)) for w in target_words],
            [is_punctuation(w.of(german)) for w in source_words],
            rule=config.rule,
            threshold=config.threshold,
        )
        piece.logprobs = list(hypothesis.logprobs)
        piece.word_scores = word_scores(hypothesis.logprobs, target_owner, len(target_words))
        return piece

    def _join(self, sentence: str, plan: _Plan, pieces: list[_Piece]) -> _Translated:
        """One sentence from its pieces: English joined by spaces, words and links offset."""
        if COPIED in plan.flags:
            words = word_spans(sentence)
            return _Translated(
                english=sentence,
                flags=list(plan.flags),
                source_words=words,
                target_words=list(words),
                links=[Link(i, i, 1.0) for i in range(len(words))],
            )
        result = _Translated(english="", flags=list(plan.flags))
        logprobs: list[float] = []
        for span, piece in zip(plan.pieces, pieces, strict=True):
            if not piece.english:
                continue
            if result.english:
                result.english += " "
            base_source, base_target = len(result.source_words), len(result.target_words)
            offset = len(result.english)
            result.english += piece.english
            result.source_words += [w.shift(span.start) for w in piece.source_words]
            result.target_words += [w.shift(offset) for w in piece.target_words]
            result.links += [Link(base_source + s, base_target + t, w) for s, t, w in piece.links]
            result.word_scores += piece.word_scores
            logprobs += piece.logprobs
        if len(pieces) == 1:
            result.alternatives = pieces[0].alternatives
        result.score = sentence_score(logprobs)
        result.uncertain = self._uncertain(result.word_scores)
        if not result.english.strip():
            result.english, result.flags = sentence.strip(), [*result.flags, UNTRANSLATED]
            result.source_words = result.target_words = []
            result.links, result.word_scores, result.uncertain, result.score = [], [], [], None
        return result

    def _uncertain(self, scores: Sequence[float]) -> list[int]:
        return [i for i, s in enumerate(scores) if s < self.alignment.uncertain_below]

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


class _Assembler:
    """Builds the English text paragraph by paragraph, mirroring the source's whitespace."""

    def __init__(self, source: str, signature: str) -> None:
        self.source = source
        self.signature = signature
        self.parts: list[str] = []
        self.length = 0
        self.cursor = 0
        self.paragraphs: list[Paragraph] = []

    def _emit(self, piece: str) -> int:
        self.parts.append(piece)
        self.length += len(piece)
        return self.length - len(piece)

    def add(self, paragraph: Span, spans: list[Span], results: list[_Translated]) -> None:
        self._emit(self.source[self.cursor : paragraph.start])
        start = self.length
        self.cursor = paragraph.start
        sentences = []
        for span, result in zip(spans, results, strict=True):
            self._emit(self.source[self.cursor : span.start])
            at = self._emit(result.english)
            sentences.append(
                Sentence(
                    source=span,
                    target=Span(at, at + len(result.english)),
                    source_words=[w.shift(span.start) for w in result.source_words],
                    target_words=[w.shift(at) for w in result.target_words],
                    links=result.links,
                    word_scores=result.word_scores,
                    uncertain=result.uncertain,
                    score=result.score,
                    flags=result.flags,
                    alternatives=result.alternatives,
                )
            )
            self.cursor = span.end
        self._emit(self.source[self.cursor : paragraph.end])
        self.cursor = paragraph.end
        self.paragraphs.append(Paragraph(paragraph, Span(start, self.length), sentences))

    def document(self, final: bool) -> Document:
        tail = self.source[self.cursor :] if final else ""
        return Document(
            source=self.source,
            target="".join(self.parts) + tail,
            paragraphs=list(self.paragraphs),
            signature=self.signature,
        )


def _windows(
    segments: list[tuple[Span, list[Span]]],
) -> Iterator[list[tuple[Span, list[Span]]]]:
    """Whole paragraphs in document order, in windows of growing sentence counts."""
    size = FIRST_WINDOW
    window: list[tuple[Span, list[Span]]] = []
    count = 0
    for paragraph in segments:
        window.append(paragraph)
        count += len(paragraph[1])
        if count >= size:
            yield window
            window, count, size = [], 0, min(size * 2, MAX_WINDOW)
    if window:
        yield window


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
