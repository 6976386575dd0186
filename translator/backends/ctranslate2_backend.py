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
- **Cores.** One search using every core (``intra_threads``), or one model replica per core,
  each searching a contiguous part of the batch (``inter_threads``): ``thread_layout``.
- **n-best** from ``num_hypotheses``.

Layer and heads of the alignment attention are fixed in the converted model (see ``convert.py``).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import sentencepiece as spm

from ..config import CT2_CACHE
from ..errors import CacheError, InputError, ModelLoadError
from ..files import read_capped
from .base import Hypothesis, usable_cores
from .codec import PieceCodec
from .convert import VMAP_FILE, CacheUnwritable, alignment_setting, discard, ensure_converted
from .hub import MAX_SMALL_FILE, ResolvedModel

SCORE_TOKENS = 128  # tokens per teacher-forced scoring call: bounds its memory
BEAM_BATCH = 16  # sentences CTranslate2 searches at once (it splits larger calls, sorted)
REGROUP_ABOVE = 0.3  # share of rows re-decoded above which batches are grouped by limit up front
# Whether ``auto`` uses the vocabulary map (built from the corpus that ships with the package the
# first time the converted model is loaded): only if it changes < 1 % of sentences at beam 4 on
# text it was not built from (benchmarks/README.md, "vocabulary map")
VMAP_BY_DEFAULT = False
# how the cores are used: "intra" (one search, every core in each matrix product) or "inter"
# (one model replica per core, each searching a part of the batch); measured in benchmarks/
LAYOUT = "intra"

log = logging.getLogger(__name__)


def default_precision(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


def read_json(file: Path):
    """A model's small JSON file (bounded: ``InputError`` for a device or a huge file)."""
    return json.loads(read_capped(file, MAX_SMALL_FILE, "the model file"))


def load_codec(path: Path) -> PieceCodec:
    vocab = read_json(path / "vocab.json")
    return PieceCodec(
        spm.SentencePieceProcessor(model_file=str(path / "source.spm")),
        spm.SentencePieceProcessor(model_file=str(path / "target.spm")),
        vocab,
        eos_id=vocab["</s>"],
        unk_id=vocab["<unk>"],
        pad_id=vocab["<pad>"],
    )


def _split_device(device: str) -> tuple[str, int]:
    import ctranslate2

    if device == "auto":
        return ("cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"), 0
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"unknown device {device!r}")
    count = ctranslate2.get_cuda_device_count()
    if kind == "cuda" and count == 0:
        raise ValueError(
            f"device {device!r} was asked for, but CTranslate2 sees no CUDA device: use cpu or auto"
        )
    if kind == "cuda" and int(index or 0) >= count:
        raise ValueError(
            f"device {device!r} was asked for, but CTranslate2 sees only {count} CUDA device(s)"
        )
    return kind, int(index or 0)


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
    def load(
        cls,
        resolved: ResolvedModel,
        *,
        device: str = "auto",
        precision: str | None = None,
        alignment_layer: int = -1,
        alignment_heads: Sequence[int] = (0,),
        vmap: bool | None = False,
        cache: Path | None = None,
        threads: tuple[int, int] | None = None,
        temporary_ok: bool = True,
    ) -> CTranslate2Backend:
        """Load (converting first, if the cache lacks the model). ``vmap``: use the vocabulary
        map (True: it must exist), or None: as ``auto`` decides (``VMAP_BY_DEFAULT``, CPU only;
        built now if missing). ``threads``: (replicas, threads per replica); default
        ``thread_layout``. ``temporary_ok``: when the cache can't be written, convert into a
        temporary folder for this run (with a warning) rather than fail with ``CacheError``."""
        import ctranslate2

        kind, index = _split_device(device)
        precision = precision or default_precision(kind)
        supported = ctranslate2.get_supported_compute_types(kind, index)
        if precision not in supported:
            raise InputError(
                f"precision {precision!r} is not supported on {kind} here; "
                f"choose one of: {', '.join(sorted(supported))}"
            )
        try:
            config = read_json(resolved.path / "config.json")
            generation = _generation_config(resolved.path, config)
            layers = int(config["decoder_layers"])
            heads = int(config["decoder_attention_heads"])
            codec = load_codec(resolved.path)
        except (OSError, KeyError, ValueError, TypeError, InputError) as error:
            reason = f"its files in {resolved.path} are broken or incompatible ({error})"
            raise ModelLoadError(resolved.model_id, reason) from error
        layer, head_count = alignment_setting(alignment_layer, alignment_heads, layers, heads)

        def convert(folder: Path | None) -> Path:
            return ensure_converted(
                resolved, precision=precision, layer=layer, head_count=head_count, cache=folder
            )

        inter, intra = threads or (thread_layout(usable_cores()) if kind == "cpu" else (1, 1))

        def open_model(directory: Path):
            return ctranslate2.Translator(
                str(directory),
                device=kind,
                device_index=index,
                compute_type=precision,
                inter_threads=inter,
                intra_threads=intra,
            )

        model_dir, temporary = _conversion(resolved, convert, cache, temporary_ok)
        try:
            translator = open_model(model_dir)
        except Exception as error:  # damaged past what its record shows (errors of all kinds)
            log.warning(
                "the converted model in %s can't be loaded (%s); converting it again",
                model_dir,
                error,
            )
            try:
                discard(model_dir)
                model_dir, temporary = _conversion(
                    resolved, convert, model_dir.parent, temporary_ok
                )
            except CacheUnwritable as problem:  # a read-only cache keeps the broken one
                if not temporary_ok:
                    raise CacheError(
                        f"{problem}; set {CT2_CACHE} to a folder that can be written"
                    ) from problem
                model_dir, temporary = _temporary_conversion(resolved, convert, problem)
            try:
                translator = open_model(model_dir)
            except Exception as again:
                reason = f"CTranslate2 can't load its fresh conversion in {model_dir} ({again})"
                raise ModelLoadError(resolved.model_id, reason) from again
        has_map = (model_dir / VMAP_FILE).is_file()
        if vmap is None:
            vmap = VMAP_BY_DEFAULT and kind == "cpu"
            build_map = vmap and not has_map
        else:
            build_map = False
        if vmap and not has_map and not build_map:
            raise InputError(
                f"the converted model in {model_dir} has no vocabulary map; build one with "
                f"`translator convert {resolved.model_id} --vmap`"
            )

        def engine(translator, with_map: bool) -> CTranslate2Backend:
            backend = cls(
                translator,
                codec,
                resolved,
                model_dir=model_dir,
                device=kind if kind == "cpu" else f"{kind}:{index}",
                precision=precision,
                default_beam=int(generation.get("num_beams") or 1),
                max_source_positions=int(config.get("max_position_embeddings", 512)),
                decoder_layers=layers,
                vmap=with_map,
                replicas=inter,
            )
            backend._temporary = temporary  # a conversion outside the cache lives as we do
            return backend

        if not build_map:
            return engine(translator, vmap)
        full = engine(translator, False)
        try:
            from .vmap import build_vmap

            build_vmap(full)  # the map is read when the model loads: load it again
        except OSError:  # a read-only cache: the full vocabulary, as before
            return full
        del full, translator
        return engine(open_model(model_dir), True)

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
                self._repair_first_rows(sources, hypotheses)
            # rows whose search did not give every log-probability: all of a beam search's,
            # greedy rows cut at their bound (no </s> in the search) or searched with a mask
            unscored = [row for row, h in enumerate(hypotheses) if not h.logprobs]
            if unscored:
                self._add_logprobs(
                    [sources[row] for row in unscored], [hypotheses[row] for row in unscored]
                )
            for hypothesis, source in zip(hypotheses, sources, strict=True):
                hypothesis.attention = _normalised(hypothesis.attention, len(source))
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
        self._add_logprobs(source_tokens, hypotheses)
        for hypothesis, source in zip(hypotheses, source_tokens, strict=True):
            hypothesis.attention = _normalised(hypothesis.attention, len(source))
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
        options = self._options(
            beam_size=beam,
            no_repeat_ngram_size=no_repeat,
            num_hypotheses=beam,
            max_decoding_length=limit + 1,
            return_attention=details,
            # sentences per search: bounds its memory; with replicas, each searches a part
            max_batch_size=min(BEAM_BATCH, -(-len(sources) // self.replicas)),
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

    # -- details --------------------------------------------------------------------------------

    def _repair_first_rows(self, sources: list[list[str]], hypotheses: list[Hypothesis]) -> None:
        """Row 0 of a batched beam search's attention belongs to another sentence (4.8.5, CPU).

        Row 0 reads the start token, so it depends on the source only: one greedy step gives it.
        """
        first = self.translator.translate_batch(
            sources, **self._options(beam_size=1, max_decoding_length=1, return_attention=True)
        )
        for hypothesis, result in zip(hypotheses, first, strict=True):
            hypothesis.attention[0] = np.asarray(result.attention[0][0], dtype=np.float32)

    def _add_logprobs(self, sources: list[list[str]], hypotheses: list[Hypothesis]) -> None:
        """Raw log-probabilities of each token and of </s>: one teacher-forced pass."""
        scored = self.translator.score_batch(
            sources,
            [self._tokens(h.ids) for h in hypotheses],
            max_input_length=0,
            # the pass holds a few [tokens, vocabulary] float arrays: ~100 MB for 128 tokens
            max_batch_size=SCORE_TOKENS,
            batch_type="tokens",
        )
        for hypothesis, score in zip(hypotheses, scored, strict=True):
            logprobs = list(score.log_probs)
            if len(logprobs) != len(hypothesis.ids) + 1:
                raise RuntimeError(
                    f"expected {len(hypothesis.ids) + 1} log-probabilities, got {len(logprobs)}"
                )
            hypothesis.logprobs = logprobs
            if hypothesis.attention is not None and len(hypothesis.attention) != len(logprobs):
                raise RuntimeError(
                    f"expected {len(logprobs)} attention rows, got {len(hypothesis.attention)}"
                )

    # -- ids and tokens -----------------------------------------------------------------------

    def _tokens(self, ids: Sequence[int]) -> list[str]:
        pieces = self.codec.pieces
        return [pieces[i] for i in ids]

    def _ids(self, tokens: Sequence[str]) -> list[int]:
        vocab, unk = self.codec.vocab, self.codec.unk_id
        return [vocab.get(token, unk) for token in tokens]


def thread_layout(cores: int, layout: str | None = None) -> tuple[int, int]:
    """(replicas, threads per replica) for ``cores``: see ``benchmarks/README.md`` (threads)."""
    if (layout or LAYOUT) == "inter":
        return cores, 1
    return 1, cores


def _recorder(steps: list[list[float]]):
    """A step callback that keeps each row's chosen-token log-probabilities, in order."""

    def record(step) -> bool:
        steps[step.batch_id].append(step.log_prob)
        return False  # never stop the search

    return record


def _conversion(
    resolved: ResolvedModel,
    convert: Callable[[Path | None], Path],
    cache: Path | None,
    temporary_ok: bool,
) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """The converted model's folder: in the cache, else (it can't be written, and
    ``temporary_ok``) in a temporary folder for this run.

    A cache that can't be written is ``CacheError``, saying what failed; a model that can't be
    converted is ``ModelLoadError``.
    """
    try:
        return convert(cache), None
    except CacheUnwritable as problem:
        if not temporary_ok:
            raise CacheError(
                f"{problem}; set {CT2_CACHE} to a folder that can be written"
            ) from problem
        first = problem
    except Exception as error:  # transformers, torch and safetensors errors vary
        raise _unconvertible(resolved, error) from error
    return _temporary_conversion(resolved, convert, first)


def _temporary_conversion(
    resolved: ResolvedModel, convert: Callable[[Path | None], Path], first: CacheUnwritable
) -> tuple[Path, tempfile.TemporaryDirectory]:
    """Convert into a temporary folder, removed when the engine is, with a one-line warning."""
    log.warning(
        "can't write the CTranslate2 cache %s (%s); converting the model into a temporary "
        "folder for this run",
        first.folder,
        first.reason,
    )
    temporary: tempfile.TemporaryDirectory | None = None
    try:
        temporary = tempfile.TemporaryDirectory(prefix="translator-ct2-")
        return convert(Path(temporary.name)), temporary
    except (CacheUnwritable, OSError) as problem:
        if temporary is not None:
            temporary.cleanup()
        reason = problem.reason if isinstance(problem, CacheUnwritable) else problem.strerror
        raise CacheError(
            f"can't convert the model for CTranslate2: neither the cache {first.folder} "
            f"({first.reason}) nor a temporary folder ({reason}) can be written; free some "
            f"space or set {CT2_CACHE} to a folder that can be written"
        ) from problem
    except Exception as error:
        if temporary is not None:
            temporary.cleanup()
        raise _unconvertible(resolved, error) from error


def _unconvertible(resolved: ResolvedModel, error: Exception) -> ModelLoadError:
    reason = (
        f"its files in {resolved.path} are broken or incompatible: they could not be "
        f"converted for CTranslate2 ({error})"
    )
    return ModelLoadError(resolved.model_id, reason)


def _normalised(matrix: np.ndarray, width: int) -> np.ndarray:
    """Columns for the source ids only, each row summing to 1."""
    matrix = np.ascontiguousarray(matrix[:, :width], dtype=np.float32)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _generation_config(path: Path, config: dict) -> dict:
    file = path / "generation_config.json"
    if file.is_file():
        return read_json(file)
    return {"num_beams": config.get("num_beams", 1)}
