"""The model stage: chunks of German in length-sorted batches through the backend, and back.

Every distinct chunk is decoded once; batches stay within a padded-token budget; one model call
runs at a time (a server's sessions share one model without oversubscribing the machine), while
describing the outputs runs outside the lock. An output that looks degenerate (a loop, a far-off
length, a copy of the German) is decoded once more with safer settings and the better one kept.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .align import AlignmentConfig
from .backends import Backend, Hypothesis
from .degenerate import Candidate, better, problems
from .describe import Translation, describe
from .document import DEGENERATE, RETRIED

Progress = Callable[[int, int], None]

RETRY_NO_REPEAT = 3  # a retried output may not say any 3 pieces twice: no loop survives that
RETRY_MIN_BEAM = 4  # …and is searched with at least this beam (greedy search loops most)


@dataclass(frozen=True, slots=True)
class Decoding:
    """How one call decodes: search, details, retries, batch sizes and the output bound."""

    beam: int
    alternatives: int
    details: bool
    retry: bool
    batch_tokens: int
    max_batch_size: int
    max_output_ratio: float


def output_limit(source_pieces: int, ratio: float, max_positions: int) -> int:
    """Output tokens allowed for an input: enough for any translation, too few for a loop."""
    return min(math.ceil(ratio * source_pieces) + 10, max_positions - 1)


class Decoder:
    """One backend, called by one thread at a time, and the outputs described as Translations."""

    def __init__(self, backend: Backend, alignment: AlignmentConfig) -> None:
        self.backend = backend
        self.alignment = alignment
        self._lock = threading.Lock()

    def generate(self, batch: list[list[int]], **options) -> list[Hypothesis]:
        """One model call; calls from several threads take turns."""
        with self._lock:
            return self.backend.generate(batch, **options)

    def force(self, german: str, english: str) -> Translation:
        """``english`` scored and aligned as a translation of ``german`` (one forced pass)."""
        codec = self.backend.codec
        encoded = codec.encode(german)
        with self._lock:
            (hypothesis,) = self.backend.force([encoded.ids], [codec.encode_target(english)])
        return describe(german, encoded.offsets, hypothesis, codec, self.alignment)

    def translate(
        self, texts: Sequence[Sequence[str]], how: Decoding, progress: Progress | None
    ) -> dict[str, Translation]:
        """Each distinct chunk's Translation; ``texts`` are the chunks of each sentence, and
        ``progress(done, total)`` counts sentences whose chunks are all done."""
        waiting = [len(set(t)) for t in texts]
        users: dict[str, list[int]] = defaultdict(list)
        for index, chunk_texts in enumerate(texts):
            for chunk in dict.fromkeys(chunk_texts):
                users[chunk].append(index)
        done = sum(1 for w in waiting if w == 0)
        codec = self.backend.codec
        encoded = {chunk: codec.encode(chunk) for chunk in users}
        results: dict[str, Translation] = {}
        lengths = {chunk: len(e.ids) for chunk, e in encoded.items()}
        for batch in batches(lengths, how.batch_tokens, how.max_batch_size):
            hypotheses = self.generate(
                [encoded[c].ids for c in batch],
                beam=how.beam,
                max_new_tokens=[self._limit(encoded[c].n_pieces, how) for c in batch],
                alternatives=min(how.alternatives, how.beam - 1),
                details=how.details,
            )
            for chunk, hypothesis in zip(batch, hypotheses, strict=True):
                results[chunk] = self._describe(chunk, encoded[chunk].offsets, hypothesis)
            if how.retry:
                self._retry_degenerate(batch, results, encoded, how)
            for chunk in batch:
                for index in users[chunk]:
                    waiting[index] -= 1
                    done += waiting[index] == 0
            if progress:
                progress(done, len(texts))
        return results

    def _limit(self, source_pieces: int, how: Decoding) -> int:
        return output_limit(source_pieces, how.max_output_ratio, self.backend.max_source_positions)

    def _describe(
        self, german: str, offsets: list[tuple[int, int]], hypothesis: Hypothesis
    ) -> Translation:
        return describe(german, offsets, hypothesis, self.backend.codec, self.alignment)

    def _retry_degenerate(
        self, batch: list[str], results: dict[str, Translation], encoded: dict, how: Decoding
    ) -> None:
        """Decode the batch's degenerate outputs once more, safer, and keep the better of two.

        Safer: no 3-piece phrase twice (no loop survives that), and a beam of at least 4. Either
        way the chunk is flagged as retried, and as degenerate if what is kept still looks so.
        """
        found = {chunk: problems(chunk, results[chunk].english) for chunk in batch}
        suspects = [chunk for chunk in batch if found[chunk]]
        if not suspects:
            return
        hypotheses = self.generate(
            [encoded[c].ids for c in suspects],
            beam=max(how.beam, RETRY_MIN_BEAM),
            max_new_tokens=[self._limit(encoded[c].n_pieces, how) for c in suspects],
            alternatives=min(how.alternatives, how.beam - 1),
            details=how.details,
            no_repeat_ngram_size=RETRY_NO_REPEAT,
        )
        for chunk, hypothesis in zip(suspects, hypotheses, strict=True):
            again = self._describe(chunk, encoded[chunk].offsets, hypothesis)
            first = Candidate(found[chunk], results[chunk].sentence.score)
            second = Candidate(problems(chunk, again.english), again.sentence.score)
            kept = better(first, second)
            if kept is second:
                results[chunk] = again
            results[chunk].sentence.flags = [RETRIED, DEGENERATE] if kept.problems else [RETRIED]


def batches(lengths: dict[str, int], batch_tokens: int, max_batch_size: int) -> list[list[str]]:
    """Length-sorted batches whose padded size (longest × count) stays within the token budget."""
    ordered = sorted(lengths, key=lengths.__getitem__)
    found: list[list[str]] = []
    current: list[str] = []
    for key in ordered:
        width = lengths[key]  # the longest so far: the list is sorted
        if current and (
            width * (len(current) + 1) > batch_tokens or len(current) >= max_batch_size
        ):
            found.append(current)
            current = []
        current.append(key)
    if current:
        found.append(current)
    return found
