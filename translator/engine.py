"""``Translator``: model resolution, batching, alignment, and assembling the translated Document."""

from __future__ import annotations

import math
import os
import threading
from collections import defaultdict, deque
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
from .cache import SentenceCache, cache_key, enabled_by_default, normalise
from .chunk import split_to_fit
from .degenerate import Candidate, better, problems
from .document import (
    COPIED,
    DEGENERATE,
    RETRIED,
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
RETRY_ENV = "TRANSLATOR_RETRY"  # off: keep degenerate outputs as decoded (tests of random models)
FIRST_WINDOW = 1  # sentences in the first streamed window: the first row shows at once
MAX_WINDOW = 128  # later windows double up to this: big enough to batch well
# translate_text's first window: nobody sees partial results, but growing windows bound what is
# in flight at the start (peak RSS 395 MB instead of 430 MB, speed.py's default path)
TEXT_FIRST_WINDOW = 8
RETRY_NO_REPEAT = 3  # a retried output may not say any 3 pieces twice: no loop survives that
RETRY_MIN_BEAM = 4  # …and is searched with at least this beam (greedy search loops most)


def resolve_model_name(model: str | os.PathLike[str] | None) -> str:
    """The argument, else ``$TRANSLATOR_MODEL``, else opus-mt-de-en."""
    if model is not None and str(model).strip():
        return os.fspath(model)
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


def retry_by_default() -> bool:
    """Whether degenerate outputs are decoded again: yes, unless ``$TRANSLATOR_RETRY`` is off."""
    return os.environ.get(RETRY_ENV, "").strip().lower() not in ("0", "off", "false", "no")


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
    flags: list[str] = field(default_factory=list)


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

    Thread-safe for concurrent calls: it holds no per-call state, and calls into the model take
    turns (one lock), so several sessions of a server share one model without oversubscribing
    the machine; segmenting, aligning and the cache run outside the lock.

    ``cache``: a ``SentenceCache``, True (the user's cache file), False (none), or None (the
    user's file unless ``$TRANSLATOR_CACHE`` is off). ``retry_degenerate``: decode an output
    that loops, has a far-off length or copies the German once more with safer settings
    (None: yes, unless ``$TRANSLATOR_RETRY`` is off).
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
        cache: SentenceCache | bool | None = None,
        retry_degenerate: bool | None = None,
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
        self.retry_degenerate = retry_by_default() if retry_degenerate is None else retry_degenerate
        if cache is None:
            cache = enabled_by_default()
        self.cache: SentenceCache | None = (
            cache if isinstance(cache, SentenceCache) else SentenceCache() if cache else None
        )
        self._model_lock = threading.Lock()

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
        cache: bool = True,
    ) -> Document:
        """Segment ``text``, translate each sentence, and tie both texts together.

        ``alternatives`` asks for up to that many n-best translations per sentence (at most
        beam − 1). ``paragraphs`` fixes the paragraph spans (a file format's blocks: cells, list
        items, …) instead of finding them from blank lines; sentences are still found inside.
        ``cache=False`` neither reads nor writes the sentence cache for this call.
        """
        # keep only the last yield: partial Documents would pile up (memory of a 10 MB file)
        (document,) = deque(
            self.stream(
                text,
                beam=beam,
                alternatives=alternatives,
                progress=progress,
                paragraphs=paragraphs,
                cache=cache,
                first_window=TEXT_FIRST_WINDOW,
            ),
            maxlen=1,
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
        cache: bool = True,
        first_window: int = FIRST_WINDOW,
    ) -> Iterator[Document]:
        """Yield growing Documents as paragraphs finish, the beginning of the text first.

        Each yield holds the translated paragraphs in document order (the last of them possibly
        in part, up to its last translated sentence); the last yield is complete and equal to
        ``translate_text``. The text is translated in windows of ``first_window`` sentences (one:
        the top shows quickly), then windows that double in size up to 128.
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
        for window in _windows(segments, _positive("first_window", first_window)):
            sentences = [s.of(text) for _, spans, _ in window for s in spans]

            def report(finished: int, _total: int, offset: int = done) -> None:
                if progress:
                    progress(offset + finished, total)

            results = self._translate(sentences, beam, alternatives, report, cache)
            position = 0
            for paragraph, spans, closes in window:
                part = results[position : position + len(spans)]
                assembler.add(paragraph, spans, part, closes=closes)
                position += len(spans)
            done += len(sentences)
            yield assembler.document(final=False)
        yield assembler.document(final=True)

    def translate_sentences(
        self,
        sentences: Sequence[str],
        *,
        beam: int | None = None,
        progress: Progress | None = None,
        cache: bool = True,
    ) -> list[str]:
        """Translate each string as one sentence (too-long ones in pieces), in order."""
        beam = _positive("beam", self.beam if beam is None else beam)
        return [t.english for t in self._translate(list(sentences), beam, 0, progress, cache)]

    def replace_translation(self, document: Document, index: int, english: str) -> Document:
        """A copy of ``document`` whose sentence ``index`` reads ``english`` (e.g. an alternative).

        The new English is force-aligned by the model, so its words, links and scores are as
        trustworthy as a translation's own; the previous translation becomes an alternative.
        """
        sentence = list(document.sentences)[index]
        german = sentence.source.of(document.source)
        previous = sentence.target.of(document.target)
        others = [a for a in sentence.alternatives if a != english]
        flags = [f for f in sentence.flags if f not in (RETRIED, DEGENERATE)]  # not this text's
        fields: dict = {"alternatives": [previous, *others], "flags": flags}
        if SPLIT in sentence.flags or not english.strip():
            fields.update(target_words=[], links=[], word_scores=[], uncertain=[], score=None)
            return document.with_translation(index, english, **fields)
        codec = self.backend.codec
        encoded = codec.encode(german)
        with self._model_lock:
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
        self,
        sentences: list[str],
        beam: int,
        alternatives: int,
        progress: Progress | None,
        use_cache: bool = True,
    ) -> list[_Translated]:
        """Each sentence's translation: from the cache where it has one, else from the model."""
        cache = self.cache if use_cache else None
        keys: dict[int, str] = {}
        if cache is not None:
            context = self._cache_context(beam, alternatives)
            keys = {i: cache_key(s, context) for i, s in enumerate(sentences) if has_text(s)}
        results: dict[int, _Translated] = {}
        if cache is not None and keys:
            stored = cache.get_many(keys.values())
            for i, key in keys.items():
                if key in stored:
                    found = self._from_cache(sentences[i], stored[key])
                    if found is not None:
                        results[i] = found
        hits = len(results)
        missing = [i for i in range(len(sentences)) if i not in results]

        def report(done: int, _total: int) -> None:
            if progress:
                progress(hits + done, len(sentences))

        plans = [self._plan(sentences[i]) for i in missing]
        texts = [
            [p.of(sentences[i]) for p in plan.pieces]
            for i, plan in zip(missing, plans, strict=True)
        ]
        pieces = self._translate_pieces(texts, beam, alternatives, report)
        fresh = {}
        for i, plan, piece_texts in zip(missing, plans, texts, strict=True):
            results[i] = self._join(sentences[i], plan, [pieces[t] for t in piece_texts])
            if i in keys:
                fresh[keys[i]] = _cache_value(sentences[i], results[i])
        if cache is not None and fresh:  # keys, hence fresh, are empty without a cache
            cache.put_many(fresh)
        if progress and hits:
            progress(len(sentences), len(sentences))
        return [results[i] for i in range(len(sentences))]

    def _cache_context(self, beam: int, alternatives: int) -> str:
        """Everything besides the sentence that decides its cached result."""
        return "|".join(
            [
                self.signature(beam),
                f"alternatives:{min(alternatives, beam - 1)}",
                f"details:{int(self.details)}",
                f"output-ratio:{self.max_output_ratio:g}",
                f"retry:{int(self.retry_degenerate)}",
            ]
        )

    def _from_cache(self, sentence: str, value: dict) -> _Translated | None:
        """A cached result placed on ``sentence``; None if it doesn't fit (then: translate).

        The key ignores spacing and Unicode composition, so the stored sentence may differ from
        this one in those: its German words are then moved onto this sentence's same words.
        """
        try:
            source_words = [Span(a, b) for a, b in value["source_words"]]
            if value["sentence"] != sentence:
                source_words = _same_words(value["sentence"], sentence, source_words)
            word_scores = [float(x) for x in value["word_scores"]]
            translated = _Translated(
                english=str(value["english"]),
                flags=[str(f) for f in value["flags"]],
                source_words=source_words,
                target_words=[Span(a, b) for a, b in value["target_words"]],
                links=[Link(int(s), int(t), float(w)) for s, t, w in value["links"]],
                word_scores=word_scores,
                uncertain=self._uncertain(word_scores),
                score=None if value["score"] is None else float(value["score"]),
                alternatives=[str(a) for a in value["alternatives"]],
            )
        except (KeyError, TypeError, ValueError):
            return None
        return translated if _fits(translated, sentence) else None

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
            hypotheses = self._generate(
                [encoded[p].ids for p in batch],
                beam=beam,
                max_new_tokens=[self.output_limit(encoded[p].n_pieces) for p in batch],
                alternatives=min(alternatives, beam - 1),
                details=self.details,
            )
            for piece, hypothesis in zip(batch, hypotheses, strict=True):
                results[piece] = self._describe(piece, encoded[piece].offsets, hypothesis)
            if self.retry_degenerate:
                self._retry_degenerate(batch, results, encoded, beam, alternatives)
            for piece in batch:
                for index in users[piece]:
                    waiting[index] -= 1
                    done += waiting[index] == 0
            if progress:
                progress(done, len(texts))
        return results

    def _generate(self, batch: list[list[int]], **options) -> list[Hypothesis]:
        """One model call; calls from several threads take turns."""
        with self._model_lock:
            return self.backend.generate(batch, **options)

    def _retry_degenerate(
        self,
        batch: list[str],
        results: dict[str, _Piece],
        encoded: dict,
        beam: int,
        alternatives: int,
    ) -> None:
        """Decode the batch's degenerate outputs once more, safer, and keep the better of two.

        Safer: no 3-piece phrase twice (no loop survives that), and a beam of at least 4. Either
        way the piece is flagged as retried, and as degenerate if what is kept still looks so.
        """
        found = {piece: problems(piece, results[piece].english) for piece in batch}
        suspects = [piece for piece in batch if found[piece]]
        if not suspects:
            return
        safer_beam = max(beam, RETRY_MIN_BEAM)
        hypotheses = self._generate(
            [encoded[p].ids for p in suspects],
            beam=safer_beam,
            max_new_tokens=[self.output_limit(encoded[p].n_pieces) for p in suspects],
            alternatives=min(alternatives, beam - 1),
            details=self.details,
            no_repeat_ngram_size=RETRY_NO_REPEAT,
        )
        for piece, hypothesis in zip(suspects, hypotheses, strict=True):
            again = self._describe(piece, encoded[piece].offsets, hypothesis)
            first = Candidate(found[piece], sentence_score(results[piece].logprobs))
            second = Candidate(problems(piece, again.english), sentence_score(again.logprobs))
            kept = better(first, second)
            if kept is second:
                results[piece] = again
            results[piece].flags = [RETRIED, DEGENERATE] if kept.problems else [RETRIED]

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
        for piece in pieces:
            result.flags += [f for f in piece.flags if f not in result.flags]
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
    """Builds the English text paragraph by paragraph, mirroring the source's whitespace.

    A paragraph may arrive in parts (the first streamed window is one sentence); until its last
    part it shows as a paragraph that ends with its last translated sentence.
    """

    def __init__(self, source: str, signature: str) -> None:
        self.source = source
        self.signature = signature
        self.parts: list[str] = []
        self.length = 0
        self.cursor = 0
        self.paragraphs: list[Paragraph] = []
        self.open: tuple[Span, int, list[Sentence]] | None = None  # paragraph, target start, …

    def _emit(self, piece: str) -> int:
        self.parts.append(piece)
        self.length += len(piece)
        return self.length - len(piece)

    def add(
        self,
        paragraph: Span,
        spans: list[Span],
        results: list[_Translated],
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
        if closes:
            self._emit(self.source[self.cursor : paragraph.end])
            self.cursor = paragraph.end
            self.paragraphs.append(Paragraph(paragraph, Span(start, self.length), sentences))
            self.open = None

    def document(self, final: bool) -> Document:
        if final and self.open is not None:
            raise RuntimeError("a paragraph was left unfinished")
        paragraphs = list(self.paragraphs)
        if self.open is not None:
            paragraph, start, sentences = self.open
            shown = Span(paragraph.start, self.cursor)
            paragraphs.append(Paragraph(shown, Span(start, self.length), list(sentences)))
        tail = self.source[self.cursor :] if final else ""
        return Document(
            source=self.source,
            target="".join(self.parts) + tail,
            paragraphs=paragraphs,
            signature=self.signature,
        )


def _cache_value(sentence: str, result: _Translated) -> dict:
    """What the cache keeps of a sentence's result (``uncertain`` follows from the scores)."""
    return {
        "sentence": sentence,
        "english": result.english,
        "flags": list(result.flags),
        "source_words": [[w.start, w.end] for w in result.source_words],
        "target_words": [[w.start, w.end] for w in result.target_words],
        "links": [[k.source, k.target, float(k.weight)] for k in result.links],
        "word_scores": [float(s) for s in result.word_scores],
        "score": None if result.score is None else float(result.score),
        "alternatives": list(result.alternatives),
    }


def _same_words(stored: str, sentence: str, words: list[Span]) -> list[Span]:
    """``words`` of ``stored`` moved onto the same words of ``sentence`` (ValueError if unsure)."""
    before, after = word_spans(stored), word_spans(sentence)
    if [normalise(w.of(stored)) for w in before] != [normalise(w.of(sentence)) for w in after]:
        raise ValueError("the stored sentence has other words")
    index = {span: i for i, span in enumerate(before)}
    if any(w not in index for w in words):
        raise ValueError("a stored word is not one of the sentence's words")
    return [after[index[w]] for w in words]


def _fits(result: _Translated, sentence: str) -> bool:
    """Whether every span and link of a cached result lies inside its texts."""
    return (
        all(w.end <= len(sentence) for w in result.source_words)
        and all(w.end <= len(result.english) for w in result.target_words)
        and all(
            0 <= k.source < len(result.source_words) and 0 <= k.target < len(result.target_words)
            for k in result.links
        )
        and (not result.word_scores or len(result.word_scores) == len(result.target_words))
    )


def _windows(
    segments: list[tuple[Span, list[Span]]], first: int
) -> Iterator[list[tuple[Span, list[Span], bool]]]:
    """Sentences in document order, in windows of ``first`` sentences, then doubling sizes.

    Each item is (paragraph, some of its sentences, whether they close it): a window cuts a
    paragraph that doesn't fit, so that no window outgrows its size (a 10 MB file of one
    paragraph still streams), and with the streaming default of one sentence the first row
    shows after one sentence's translation, not one paragraph's.
    """
    size = first
    window: list[tuple[Span, list[Span], bool]] = []
    count = 0
    for paragraph, spans in segments:
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
