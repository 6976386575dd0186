"""``Translator``: the settings that decide a translation, and the methods that run one.

A translation runs in stages, each in its own module: ``assemble`` finds the sentences and feeds
them in windows; the sentence cache answers what it already knows (``cache``); ``describe``
plans each remaining sentence (whole, in chunks, or copied); ``decode`` runs the chunks through
the backend in length-sorted batches, degenerate outputs decoded once more, and ``describe``
turns each output into words, links and scores; ``describe.join`` makes sentences of chunks;
the ``Assembler`` writes them into the Document.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from . import config
from .align import AlignmentConfig
from .assemble import Assembler, segments, windows
from .backends import Backend, load_backend
from .cache import SentenceCache, enabled_by_default, to_value
from .decode import RETRY_MIN_BEAM, RETRY_NO_REPEAT, Decoder, Decoding, output_limit
from .describe import Translation, copied, has_text, join, plan, uncertain
from .document import Document, Span
from .errors import InputError
from .replace import replace_translation
from .segment import SEGMENTER_VERSION
from .signature import Signature, model_label

Progress = Callable[[int, int], None]

FIRST_WINDOW = 1  # sentences in the first streamed window: the first row shows at once
# translate_text's first window: nobody sees partial results, but growing windows bound what is
# in flight at the start (peak RSS 395 MB instead of 430 MB, speed.py's default path)
TEXT_FIRST_WINDOW = 8


def resolve_model_name(model: str | os.PathLike[str] | None) -> str:
    """The argument, else ``$TRANSLATOR_MODEL``, else opus-mt-de-en."""
    return config.model_name(model)


class Translator:
    """A loaded model plus the settings that decide how a document is cut, decoded and aligned.

    ``backend``: an engine by name (``auto``, ``torch``, ``ctranslate2[:PRECISION][+vmap]``; see
    ``backends.load_backend``) or a loaded ``Backend`` object (then ``model`` and ``device`` are
    the backend's own). Thread-safe for concurrent calls: it holds no per-call state, and calls
    into the model take turns (one lock), so several sessions of a server share one model without
    oversubscribing the machine; segmenting, aligning and the cache run outside the lock.

    ``cache``: a ``SentenceCache``, True (the user's cache file), False (none), or None (the
    user's file unless ``$TRANSLATOR_CACHE`` is off). ``retry_degenerate``: decode an output
    that loops, has a far-off length or copies the German once more with safer settings
    (None: yes, unless ``$TRANSLATOR_RETRY`` is off).
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        device: str = "auto",
        backend: str | Backend = "auto",
        *,
        beam: int | None = None,
        max_sentence_tokens: int = 200,
        batch_tokens: int = 4096,
        max_batch_size: int = 32,
        max_output_ratio: float = 1.5,
        alignment: AlignmentConfig | None = None,
        details: bool = True,
        cache: SentenceCache | bool | None = None,
        retry_degenerate: bool | None = None,
    ) -> None:
        self.alignment = alignment or AlignmentConfig()
        if isinstance(backend, str):
            self.backend: Backend = load_backend(
                resolve_model_name(model),
                device=device,
                backend=backend,
                alignment_layer=self.alignment.layer,
                alignment_heads=self.alignment.heads,
            )
        else:
            self.backend = backend
        self.model_name = self.backend.model_id
        self.beam = _positive("beam", self.backend.default_beam if beam is None else beam)
        self.max_sentence_tokens = _positive("max_sentence_tokens", max_sentence_tokens)
        self.batch_tokens = _positive("batch_tokens", batch_tokens)
        self.max_batch_size = _positive("max_batch_size", max_batch_size)
        if max_output_ratio <= 0:
            raise InputError("max_output_ratio must be positive")
        self.max_output_ratio = max_output_ratio
        self.details = details
        if retry_degenerate is None:
            retry_degenerate = config.switch(config.RETRY)
        self.retry_degenerate = retry_degenerate
        if cache is None:
            cache = enabled_by_default()
        self.cache: SentenceCache | None = (
            cache if isinstance(cache, SentenceCache) else SentenceCache() if cache else None
        )
        self._decoder = Decoder(self.backend, self.alignment)

    # -- settings -----------------------------------------------------------------------------

    @property
    def token_limit(self) -> int:
        """Most source pieces one model call gets: the quality limit, within the position limit."""
        return min(self.max_sentence_tokens, self.backend.max_source_positions - 1)

    def signature_parts(self, beam: int | None = None) -> Signature:
        """How a result is made, part by part (model, engine, decoding, alignment, segmenter)."""
        b = self.backend
        retry = f"nr{RETRY_NO_REPEAT}-b{RETRY_MIN_BEAM}" if self.retry_degenerate else "off"
        return Signature(
            model=model_label(b.model_id, b.revision),
            engine=f"{b.name}-{b.precision}",
            beam=self.beam if beam is None else beam,
            max_tokens=self.token_limit,
            output_ratio=self.max_output_ratio,
            retry=retry,
            alignment=self.alignment.label(),
            segmenter=SEGMENTER_VERSION,
        )

    def signature(self, beam: int | None = None) -> str:
        """``signature_parts`` as one line: the Document's ``signature``, the cache key's prefix."""
        return self.signature_parts(beam).format()

    def output_limit(self, source_pieces: int) -> int:
        """Output tokens allowed for an input: enough for any translation, too few for a loop."""
        return output_limit(source_pieces, self.max_output_ratio, self.backend.max_source_positions)

    def _decoding(self, beam: int, alternatives: int) -> Decoding:
        return Decoding(
            beam=beam,
            alternatives=alternatives,
            details=self.details,
            retry=self.retry_degenerate,
            batch_tokens=self.batch_tokens,
            max_batch_size=self.max_batch_size,
            max_output_ratio=self.max_output_ratio,
        )

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
                partial=False,
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
        partial: bool = True,
    ) -> Iterator[Document]:
        """Yield growing Documents as paragraphs finish, the beginning of the text first.

        Each yield holds the translated paragraphs in document order (the last of them possibly
        in part, up to its last translated sentence); the last yield is complete and equal to
        ``translate_text``. The text is translated in windows of ``first_window`` sentences (one:
        the top shows quickly), then windows that double in size up to 128. ``partial=False``
        yields only the complete Document.
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str, not {type(text).__name__}")
        beam = _positive("beam", self.beam if beam is None else beam)
        if isinstance(alternatives, bool) or not isinstance(alternatives, int) or alternatives < 0:
            raise InputError(f"alternatives must be a whole number ≥ 0, not {alternatives!r}")
        found = segments(text, paragraphs)
        total = sum(len(sentences) for _, sentences in found)
        assembler = Assembler(text, self.signature(beam))
        done = 0
        if progress:
            progress(0, total)
        for window in windows(found, _positive("first_window", first_window)):
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
            if partial:
                yield assembler.document(final=False)
        yield assembler.document(final=True)

    def replace_translation(self, document: Document, index: int, english: str) -> Document:
        """A copy of ``document`` whose sentence ``index`` reads ``english`` (e.g. an alternative).

        The new English is force-aligned by the model, so its words, links and scores are as
        trustworthy as a translation's own; the previous translation becomes an alternative.
        English longer than the model can read in one pass (its positions), like a sentence
        translated in chunks, is shown as given without word links. Lone surrogates in it become
        U+FFFD (see ``translator.surrogates``).
        """
        return replace_translation(document, index, english, self._decoder)

    # -- internals ----------------------------------------------------------------------------

    def _translate(
        self,
        sentences: list[str],
        beam: int,
        alternatives: int,
        progress: Progress | None,
        use_cache: bool = True,
    ) -> list[Translation]:
        """Each sentence's translation: from the cache where it has one, else from the model."""
        cache = self.cache if use_cache else None
        keys: dict[int, str] = {}
        results: dict[int, Translation] = {}
        if cache is not None:
            worth = {i: s for i, s in enumerate(sentences) if has_text(s)}
            keys, found = cache.lookup(worth, self._cache_context(beam, alternatives))
            for i, (english, local) in found.items():
                local.uncertain = uncertain(local.word_scores, self.alignment)
                results[i] = Translation(english, local)
        hits = len(results)
        missing = [i for i in range(len(sentences)) if i not in results]

        def report(done: int, _total: int) -> None:
            if progress:
                progress(hits + done, len(sentences))

        count, limit = self.backend.codec.count, self.token_limit
        plans = {i: plan(sentences[i], count, limit) for i in missing}
        texts = {i: [c.of(sentences[i]) for c in plans[i].chunks] for i in missing}
        how = self._decoding(beam, alternatives)
        chunks = self._decoder.translate(list(texts.values()), how, report)
        fresh = {}
        for i in missing:
            german = sentences[i]
            if not plans[i].chunks:
                results[i] = copied(german)
                continue
            parts = [chunks[t] for t in texts[i]]
            results[i] = join(german, plans[i], parts, self.alignment)
            if i in keys:
                fresh[keys[i]] = to_value(german, results[i])
        if cache is not None and fresh:  # keys, hence fresh, are empty without a cache
            cache.put_many(fresh)
        if progress and hits:
            progress(len(sentences), len(sentences))
        return [results[i] for i in range(len(sentences))]

    def _cache_context(self, beam: int, alternatives: int) -> str:
        """Everything besides the sentence that decides its cached result."""
        wanted = min(alternatives, beam - 1)
        return f"{self.signature(beam)}|alternatives:{wanted}|details:{int(self.details)}"


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive whole number, not {value!r}")
    return value
