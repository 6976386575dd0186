"""MarianMT through CTranslate2: the fast engine (int8 on CPU, float16 on CUDA).

It fills the same Hypothesis as the torch engine:

- **Per-row length limits, exactly.** CTranslate2 knows one ``max_decoding_length`` per call.
  Greedy search doesn't depend on it (a row's tokens are the same however far the batch runs), so
  each row is cut to its own limit. Beam search does: a row is only kept from a shared run if it
  finished before its own last step, which is checked from all its finished hypotheses (asked for
  with ``num_hypotheses = beam``; with length penalty 1 the search stops once ``beam`` hypotheses
  have finished, so the longest of them gives the step it stopped at). Other rows are decoded
  again, grouped by equal limit. When most rows need that (a model that never ends a sentence
  early), batches are grouped by limit from the start. Either way a row's output is what it would
  be alone.
- **Attention** from the search itself (``return_attention``): the alignment layer's heads, one
  row per produced token, and the ``</s>`` row (``return_end_token``, or the step after the
  limit). In CTranslate2 4.8.5 on CPU, row 0 of a *batched beam search* is another sentence's row
  0 (a gather after the unexpanded first step) — not merely unmasked, so renormalising does not
  repair it; it is replaced by one greedy step, which depends on the source only. The decoder's
  one-call prefix mode (``return_alternatives`` with a prefix) is not used: for Marian its
  attention differs from step-by-step decoding by ~1e-3.
- **Token log-probabilities.** Greedy search: from the search itself (the step callback's
  ``log_prob``: raw log-softmax, equal to a teacher-forced pass to ~1e-5), ``</s>`` included when
  a row ends by itself; a row cut at its bound (no ``</s>`` in the search) or searched with a ban
  (``no_repeat_ngram_size``, which renormalises) is scored after, alone. Beam search: CTranslate2
  4.8.5 gives no per-token numbers (``return_logits_vocab`` comes back empty, the callback is for
  greedy search only), so ``score_batch``: one teacher-forced pass (``<pad>`` not in the converted
  vocabulary). Measured alternatives are in ``benchmarks/README.md``.
- **Cores.** Model replicas (``inter_threads``; the default on several cores: measured faster),
  each searching a contiguous part of the batch, or one search using every core
  (``intra_threads``): ``ct2_loading.thread_layout``.
- **n-best** from ``num_hypotheses``.

Layer and heads of the alignment attention are fixed in the converted model (see ``convert.py``).
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import Hypothesis
from .codec import PieceCodec
from .ct2_details import add_logprobs, normalised, repair_first_rows
from .hub import ResolvedModel

BEAM_BATCH = 16  # sentences CTranslate2 searches at once (it splits larger calls, sorted)
REGROUP_ABOVE = 0.3  # share of rows re-decoded above which batches are grouped by limit up front

log = logging.getLogger(__name__)


class CTranslate2Backend:
    name = "ctranslate2"

    def __init__(
        self,
        translator,
        codec: PieceCodec,
        resolved: ResolvedModel,
        *,
        model_dir: Path,
        device: str,
        precision: str,
        default_beam: int,
        max_source_positions: int,
        decoder_layers: int,
        vmap: bool = False,
        replicas: int = 1,
    ) -> None:
        self.translator = translator
        self.replicas = max(1, replicas)  # model replicas that search parts of a batch at once
        self.codec = codec
        self.model_id = resolved.model_id
        self.revision = resolved.revision
        self.model_dir = model_dir
        self.device = device
        self.precision = precision
        self.default_beam = default_beam
        self.max_source_positions = max_source_positions
        self.decoder_layers = decoder_layers
        self.vmap = vmap
        self._temporary: tempfile.TemporaryDirectory | None = None  # a conversion of this run
        if vmap:
            self.name = "ctranslate2+vmap"  # outputs differ from the full vocabulary's
        self._eos = codec.pieces[codec.eos_id]
        self._redo_rate = 0.0  # running share of beam rows decoded twice

    @classmethod
    def load(cls, resolved: ResolvedModel, **options) -> CTranslate2Backend:
        """Load (converting first, if the cache lacks the model): ``ct2_loading.load``."""
        from .ct2_loading import load

        return load(cls, resolved, **options)

    # -- the protocol -------------------------------------------------------------------------

    def generate(
        self,
        batch: Sequence[Sequence[int]],
        *,
        beam: int,
        max_new_tokens: Sequence[int],
        alternatives: int = 0,
        details: bool = True,
        no_repeat_ngram_size: int = 0,
    ) -> list[Hypothesis]:
        if not batch:
            return []
        sources = [self._tokens(ids) for ids in batch]
        limits = [max(1, int(n)) for n in max_new_tokens]
        if len(limits) != len(sources):
            raise ValueError("one max_new_tokens per source is needed")
        recorded = None
        if beam == 1:
            results, recorded = self._greedy(sources, limits, details, no_repeat_ngram_size)
        else:
            results = self._beam(sources, limits, beam, details, no_repeat_ngram_size)
        hypotheses = []
        for row, (result, limit) in enumerate(zip(results, limits, strict=True)):
            nbest = [self._cut(tokens, limit) for tokens in result.hypotheses]
            hypothesis = Hypothesis(ids=nbest[0], alternatives=nbest[1 : 1 + max(0, alternatives)])
            if details:
                rows = np.asarray(result.attention[0], dtype=np.float32)[: len(nbest[0]) + 1]
                hypothesis.attention = rows
                if recorded is not None:
                    hypothesis.logprobs = self._ended(recorded[row], result.hypotheses[0], nbest[0])
            hypotheses.append(hypothesis)
        if details:
            if beam > 1 and len(sources) > 1:
                repair_first_rows(self.translator, sources, hypotheses, self._options())
            # rows whose search did not give every log-probability: all of a beam search's,
            # greedy rows cut at their bound (no </s> in the search) or searched with a mask
            unscored = [row for row, h in enumerate(hypotheses) if not h.logprobs]
            if unscored:
                add_logprobs(
                    self.translator,
                    [sources[row] for row in unscored],
                    [self._tokens(hypotheses[row].ids) for row in unscored],
                    [hypotheses[row] for row in unscored],
                    self.replicas,
                )
            for hypothesis, source in zip(hypotheses, sources, strict=True):
                hypothesis.attention = normalised(hypothesis.attention, len(source))
        return hypotheses

    def force(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[Hypothesis]:
        if not sources:
            return []
        source_tokens = [self._tokens(ids) for ids in sources]
        targets = [list(t) for t in targets]
        # The target as a hard prefix, decoded step by step (the decoder's one-call prefix
        # mode, ``return_alternatives``, gives slightly different attention for Marian).
        results = self.translator.translate_batch(
            source_tokens,
            [self._tokens(ids) for ids in targets],
            **self._options(
                beam_size=1,
                max_decoding_length=max(len(t) for t in targets) + 1,
                return_attention=True,
            ),
        )
        hypotheses = [
            Hypothesis(ids=ids, attention=np.asarray(r.attention[0], np.float32)[: len(ids) + 1])
            for ids, r in zip(targets, results, strict=True)
        ]
        targets_tokens = [self._tokens(t) for t in targets]
        add_logprobs(self.translator, source_tokens, targets_tokens, hypotheses, self.replicas)
        for hypothesis, source in zip(hypotheses, source_tokens, strict=True):
            hypothesis.attention = normalised(hypothesis.attention, len(source))
        return hypotheses

    # -- decoding -------------------------------------------------------------------------------
    #
    # A row limited to L tokens decodes with max_decoding_length = L + 1 and is cut to L tokens:
    # what the torch engine does by forcing </s> after L tokens, and the step that reads the
    # L-th token (the </s> row of the attention) is then part of the search.

    def _options(self, **options) -> dict:
        return {
            "max_input_length": 0,
            "return_end_token": True,
            "use_vmap": self.vmap,
            **options,
        }

    def _greedy(
        self, sources: list[list[str]], limits: list[int], details: bool, no_repeat: int
    ) -> tuple[list, list[list[float]] | None]:
        """Greedy search, and each row's token log-probabilities as the search computed them.

        Greedy search doesn't depend on how far the batch runs: each row is cut afterwards. The
        step callback carries each chosen token's log-probability (raw log-softmax, equal to a
        teacher-forced pass to ~1e-5), ``</s>`` included when a row ends by itself. They are
        recorded only where the search masks nothing: ``no_repeat_ngram_size`` (and a minimum
        length) renormalise over the tokens left, so those rows are scored after the search.
        """
        record = details and not no_repeat
        options = self._options(
            beam_size=1,
            max_decoding_length=max(limits) + 1,
            min_decoding_length=0,  # as the torch engine: nothing masked at the first step
            return_attention=details,
            return_scores=record,
            no_repeat_ngram_size=no_repeat,
        )
        results: list = []
        recorded: list[list[float]] = []
        pending = []
        for part in self._parts(sources):
            steps: list[list[float]] = [[] for _ in part]
            callback = _recorder(steps) if record else None
            pending.append(
                self.translator.translate_batch(
                    part, **options, callback=callback, asynchronous=self.replicas > 1
                )
            )
            recorded.extend(steps)
        for call in pending:
            results.extend(r.result() if self.replicas > 1 else r for r in call)
        return results, (recorded if record else None)

    def _beam(
        self, sources: list[list[str]], limits: list[int], beam: int, details: bool, no_repeat: int
    ) -> list:
        results: list = [None] * len(sources)
        if self._redo_rate > REGROUP_ABOVE and len(set(limits)) > 1:
            pending = list(range(len(sources)))
        else:
            pending = []
            top = max(limits)
            for row, (result, limit) in enumerate(
                zip(self._beam_call(sources, beam, top, details, no_repeat), limits, strict=True)
            ):
                # The search stops once `beam` hypotheses have finished (length_penalty 1: no
                # early exit); all of them are returned, so the longest tells the step it
                # stopped at. Alone, this row would run to step `limit` at most.
                longest = max(len(tokens) for tokens in result.hypotheses)
                if limit == top or longest <= limit:
                    results[row] = result
                else:
                    pending.append(row)
            self._redo_rate = 0.5 * self._redo_rate + 0.5 * len(pending) / len(sources)
        groups: dict[int, list[int]] = defaultdict(list)
        for row in pending:
            groups[limits[row]].append(row)
        for limit, rows in groups.items():
            again = self._beam_call([sources[r] for r in rows], beam, limit, details, no_repeat)
            for row, result in zip(rows, again, strict=True):
                results[row] = result
        return results

    def _beam_call(
        self, sources: list[list[str]], beam: int, limit: int, details: bool, no_repeat: int
    ):
        replicas = self.replicas
        options = self._options(
            beam_size=beam,
            no_repeat_ngram_size=no_repeat,
            num_hypotheses=beam,
            max_decoding_length=limit + 1,
            return_attention=details,
            # sentences per search: bounds its memory; with replicas, each searches a part
            # (BEAM_BATCH in flight in all: replicas each keep their own working memory)
            max_batch_size=min(max(1, BEAM_BATCH // replicas), -(-len(sources) // replicas)),
        )
        return self.translator.translate_batch(sources, **options)

    def _parts(self, sources: list[list[str]]) -> list[list[list[str]]]:
        """The batch cut into one contiguous part per replica (the rows come length-sorted)."""
        size = -(-len(sources) // self.replicas)
        return [sources[start : start + size] for start in range(0, len(sources), size)]

    def _cut(self, tokens: list[str], limit: int) -> list[int]:
        tokens = tokens[: limit + 1]
        if self._eos in tokens:
            tokens = tokens[: tokens.index(self._eos)]
        return self._ids(tokens[:limit])

    def _ended(self, logprobs: list[float], tokens: list[str], ids: list[int]) -> list[float]:
        """The search's log-probabilities of ``ids`` and of the ``</s>`` after them, or [] when
        the search did not end the row there (it was cut at its bound)."""
        end = len(ids)
        if len(tokens) > end and len(logprobs) > end and tokens[end] == self._eos:
            return logprobs[: end + 1]
        return []

    # -- ids and tokens -----------------------------------------------------------------------

    def _tokens(self, ids: Sequence[int]) -> list[str]:
        pieces = self.codec.pieces
        return [pieces[i] for i in ids]

    def _ids(self, tokens: Sequence[str]) -> list[int]:
        vocab, unk = self.codec.vocab, self.codec.unk_id
        return [vocab.get(token, unk) for token in tokens]


def _recorder(steps: list[list[float]]):
    """A step callback that keeps each row's chosen-token log-probabilities, in order."""

    def record(step) -> bool:
        steps[step.batch_id].append(step.log_prob)
        return False  # never stop the search

    return record
