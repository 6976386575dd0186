"""MarianMT through transformers and torch: the reference engine.

Token log-probabilities and the alignment head's attention are recorded during the beam search
itself (``_SearchRecorder``): a teacher-forced pass over the chosen outputs gives the same
numbers but costs about a fifth of the search again, most of it in the 58,101-way output layer.
The teacher-forced pass remains for outputs the search did not produce (``force``) and as the
fallback should the record ever not cover a hypothesis.

transformers' fast ``sdpa`` attention returns no weights, and switching a loaded model's
attention implementation is global state that a server translating for several sessions can't
toggle per call. So the model is loaded with an implementation of our own, registered once:
``sdpa`` everywhere, except eager attention in the cross-attention module of the alignment
layer, and only while weights are asked for (``output_attentions``). Its mask function is the
eager one, which both paths accept.
"""

from __future__ import annotations

import contextvars
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import (
    AttentionInterface,
    AttentionMaskInterface,
    LogitsProcessor,
    LogitsProcessorList,
    MarianConfig,
    MarianMTModel,
    MarianTokenizer,
)
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import eager_mask
from transformers.modeling_outputs import BaseModelOutput
from transformers.models.marian.modeling_marian import eager_attention_forward
from transformers.utils import logging as hf_logging

from ..errors import ModelLoadError
from .base import Hypothesis, usable_cores
from .codec import PieceCodec
from .hub import ResolvedModel

ATTENTION = "translator_sdpa_or_eager"
_WEIGHTS_MARK = "_translator_weights"
_all_weights = contextvars.ContextVar("translator_all_cross_weights", default=False)


def _attention(module, query, key, value, attention_mask, **kwargs):
    wanted = getattr(module, _WEIGHTS_MARK, None)
    if kwargs.get("output_attentions") and (wanted or (wanted is not None and _all_weights.get())):
        return eager_attention_forward(module, query, key, value, attention_mask, **kwargs)
    kwargs.pop("output_attentions", None)  # sdpa can't give weights, and would warn
    output, _ = sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    return output, None


AttentionInterface.register(ATTENTION, _attention)
AttentionMaskInterface.register(ATTENTION, eager_mask)


class _PerRowLengthLimit(LogitsProcessor):
    """Force ``</s>`` once a row has produced its own budget of tokens.

    ``generate`` knows one ``max_new_tokens`` for the whole batch; bounding each sentence by its
    own length keeps a batch's outputs identical to one-at-a-time outputs and stops a repetition
    loop long before 512 tokens. Every row ends through this forced ``</s>``, never through the
    batch-wide cut-off, because beam search scores a hypothesis cut off without ``</s>``
    differently from one that ends with it.
    """

    def __init__(self, limits: Sequence[int], beam: int, eos_id: int, prompt_length: int) -> None:
        self.limits = torch.tensor(limits).repeat_interleave(beam)
        self.eos_id = eos_id
        self.prompt_length = prompt_length

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        produced = input_ids.shape[1] - self.prompt_length
        done = (self.limits.to(scores.device) <= produced).nonzero().flatten()
        if done.numel():
            scores[done] = float("-inf")
            scores[done, self.eos_id] = 0.0
        return scores


class _SearchRecorder(LogitsProcessor):
    """Record, step by step, what the Document needs of the hypotheses the search keeps.

    transformers calls logits processors with each step's running prefixes (``input_ids``,
    rows batch-major, ``width`` rows per sentence) and scores: log-softmax over the whole
    vocabulary in beam search, raw logits in greedy search. Keeping every step's scores would
    cost ``rows × vocabulary`` floats a step, so each call looks one step back instead: every
    running row's last token was chosen from its parent row (the previous step's row whose
    prefix it extends), and the parent's scores are still at hand. ``</s>``, which ends a
    hypothesis and so never reaches a next step, is kept for every row before the length limit
    forces it. Log-probabilities are renormalised without ``<pad>``, which this processor masks
    itself: the model's own ``bad_words_ids`` would hide how much mass it had.

    Runs after transformers' own processors (which only mask with -inf) and before the length
    limit, which changes only rows that end at this step and so are nobody's parent.
    """

    def __init__(self, width: int, pad_id: int, eos_id: int) -> None:
        self.width = width
        self.pad_id = pad_id
        self.eos_id = eos_id
        self.log_softmaxed = width > 1
        self.prefixes: list[torch.Tensor] = []  # step t: [rows, t + 1]
        self.chosen: list[torch.Tensor] = []  # step t: log-prob of each row's last token
        self.end: list[torch.Tensor] = []  # step t: log-prob of </s> after each row's prefix
        self._scores: torch.Tensor | None = None
        self._normaliser: torch.Tensor | None = None

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.log_softmaxed:
            pad = scores[:, self.pad_id].clone()
            scores[:, self.pad_id] = float("-inf")
            normaliser = torch.log1p(-pad.exp().clamp(max=1 - 1e-7))
        else:
            scores[:, self.pad_id] = float("-inf")
            normaliser = torch.logsumexp(scores, dim=-1)
        chosen = torch.full((input_ids.shape[0],), float("nan"), device=scores.device)
        if self._scores is not None:
            parents, found = self._parents(self.prefixes[-1], input_ids[:, :-1])
            picked = self._scores[parents, input_ids[:, -1]] - self._normaliser[parents]
            chosen = torch.where(found, picked, chosen)
        self.prefixes.append(input_ids.clone())
        self.chosen.append(chosen)
        self.end.append(scores[:, self.eos_id] - normaliser)
        self._scores, self._normaliser = scores, normaliser
        return scores

    def _rows(
        self, prefixes: torch.Tensor, wanted: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """For each sentence's rows in ``wanted`` ([sentences, k, t]), the row of ``prefixes``
        ([sentences × width, t]) of the same sentence that holds the same prefix."""
        sentences, _, length = wanted.shape
        candidates = prefixes.view(sentences, self.width, length)
        same = (wanted[:, :, None, :] == candidates[:, None, :, :]).all(dim=-1)
        offsets = torch.arange(sentences, device=prefixes.device)[:, None] * self.width
        return offsets + same.int().argmax(dim=-1), same.any(dim=-1)

    def _parents(
        self, previous: torch.Tensor, extended: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        sentences = previous.shape[0] // self.width
        rows, found = self._rows(previous, extended.view(sentences, self.width, -1))
        return rows.flatten(), found.flatten()

    def hypotheses(
        self, outputs: Sequence[Sequence[int]], start_id: int, attention: Sequence[torch.Tensor]
    ) -> list[tuple[list[float], np.ndarray]] | None:
        """Log-probabilities (each token, then ``</s>``) and attention rows of each sentence's
        chosen output, or None when an output is not in the record (the caller then scores
        it with a teacher-forced pass). ``attention[t]``: step t's ``[rows, sources]``."""
        sentences = len(outputs)
        lengths = torch.tensor([len(ids) for ids in outputs])
        steps = int(lengths.max()) + 1
        if steps > len(self.prefixes) or len(attention) < steps:
            return None
        tokens = torch.full((sentences, steps), -1, dtype=torch.long)
        tokens[:, 0] = start_id
        for row, ids in enumerate(outputs):
            tokens[row, 1 : len(ids) + 1] = torch.tensor(ids, dtype=torch.long)
        logprobs = torch.zeros((sentences, steps))
        rows_seen = torch.zeros((sentences, steps), dtype=torch.long)
        for step in range(steps):
            prefixes = self.prefixes[step].cpu()
            rows, found = self._rows(prefixes, tokens[:, None, : step + 1])
            rows, found = rows[:, 0], found[:, 0]
            active = lengths >= step
            if not bool(found[active].all()):
                return None
            rows_seen[:, step] = rows
            if step:
                logprobs[active, step - 1] = self.chosen[step].cpu()[rows[active]]
            ending = lengths == step
            logprobs[ending, step] = self.end[step].cpu()[rows[ending]]
        # [steps, sentences, sources]: each sentence's row of each step, in one gather
        chosen = torch.stack(list(attention[:steps])).float().cpu()
        chosen = chosen[torch.arange(steps)[:, None], rows_seen.T].transpose(0, 1).numpy()
        return [
            (logprobs[row, : len(ids) + 1].tolist(), chosen[row, : len(ids) + 1])
            for row, ids in enumerate(outputs)
        ]


def _pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"unknown device {device!r}") from error
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {device!r} was asked for, but torch sees no CUDA device: use cpu or auto"
        )
    if chosen.type == "cuda" and (chosen.index or 0) >= torch.cuda.device_count():
        raise ValueError(
            f"device {device!r} was asked for, but torch sees only "
            f"{torch.cuda.device_count()} CUDA device(s)"
        )
    return chosen


class TorchBackend:
    name = "torch"

    def __init__(
        self,
        model: MarianMTModel,
        codec: PieceCodec,
        resolved: ResolvedModel,
        device: torch.device,
        *,
        alignment_layer: int = -1,
        alignment_heads: Sequence[int] = (0,),
    ) -> None:
        self.model = model
        self.codec = codec
        self.model_id = resolved.model_id
        self.revision = resolved.revision
        self.device = str(device)
        self.precision = str(model.dtype).removeprefix("torch.")
        self.default_beam = int(model.generation_config.num_beams or 1)
        self.max_source_positions = int(model.config.max_position_embeddings)
        self.decoder_start_id = int(model.config.decoder_start_token_id)
        layers = model.model.decoder.layers
        self.decoder_layers = len(layers)
        heads = layers[0].encoder_attn.num_heads
        self.alignment_layer = alignment_layer % self.decoder_layers
        self.alignment_heads = list(alignment_heads) or list(range(heads))
        if not all(0 <= h < heads for h in self.alignment_heads):
            raise ValueError(f"alignment heads must lie in 0…{heads - 1}")
        for index, layer in enumerate(layers):
            setattr(layer.encoder_attn, _WEIGHTS_MARK, index == self.alignment_layer)

    @classmethod
    def load(
        cls,
        resolved: ResolvedModel,
        *,
        device: str = "auto",
        alignment_layer: int = -1,
        alignment_heads: Sequence[int] = (0,),
    ) -> TorchBackend:
        chosen = _pick_device(device)
        if chosen.type == "cpu":
            torch.set_num_threads(usable_cores())
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
                tokenizer = MarianTokenizer.from_pretrained(resolved.path)
            model = MarianMTModel.from_pretrained(resolved.path, attn_implementation=ATTENTION)
        except Exception as error:  # broken or incompatible files raise many kinds
            reason = f"its files in {resolved.path} are broken or incompatible ({error})"
            raise ModelLoadError(resolved.model_id, reason) from error
        model.to(chosen).eval()
        codec = PieceCodec(
            tokenizer.spm_source,
            tokenizer.spm_target,
            tokenizer.encoder,
            eos_id=tokenizer.eos_token_id,
            unk_id=tokenizer.unk_token_id,
            pad_id=tokenizer.pad_token_id,
        )
        return cls(
            model,
            codec,
            resolved,
            chosen,
            alignment_layer=alignment_layer,
            alignment_heads=alignment_heads,
        )

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
        input_ids, mask = self._pad_sources(batch)
        returned = max(1, min(beam, alternatives + 1))
        limit = _PerRowLengthLimit(max_new_tokens, beam, self.codec.eos_id, prompt_length=1)
        recorder = _SearchRecorder(beam, self.codec.pad_id, self.codec.eos_id) if details else None
        with torch.inference_mode():
            encoded = self.model.get_encoder()(input_ids=input_ids, attention_mask=mask)
            generated = self.model.generate(
                # generate expands what it is given in place: hand it a fresh wrapper
                encoder_outputs=BaseModelOutput(last_hidden_state=encoded.last_hidden_state),
                attention_mask=mask,
                num_beams=beam,
                num_return_sequences=returned,
                no_repeat_ngram_size=no_repeat_ngram_size,
                do_sample=False,
                max_new_tokens=max(max_new_tokens) + 1,  # room for the forced </s>
                max_length=None,
                # _PerRowLengthLimit ends every row; transformers' own forced </s> at the cut-off
                # would overwrite the scores _SearchRecorder reads
                forced_eos_token_id=None,
                bad_words_ids=self._bad_words() if details else None,
                logits_processor=LogitsProcessorList([p for p in (recorder, limit) if p]),
                output_attentions=details,
                return_dict_in_generate=True,
            )
            outputs = [self._strip(row) for row in generated.sequences.tolist()]
            best = outputs[::returned]
            if details:
                hypotheses = self._recorded(recorder, generated, best, batch)
                if hypotheses is None:
                    hypotheses = self._score(encoded.last_hidden_state, mask, best, batch)
            else:
                hypotheses = [Hypothesis(ids) for ids in best]
        for index, hypothesis in enumerate(hypotheses):
            hypothesis.alternatives = outputs[index * returned + 1 : (index + 1) * returned]
        return hypotheses

    def force(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[Hypothesis]:
        if not sources:
            return []
        input_ids, mask = self._pad_sources(sources)
        with torch.inference_mode():
            encoded = self.model.get_encoder()(input_ids=input_ids, attention_mask=mask)
            return self._score(encoded.last_hidden_state, mask, targets, sources)

    def all_attention(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[np.ndarray]:
        input_ids, mask = self._pad_sources(sources)
        decoder_input = self._decoder_input(targets)
        token = _all_weights.set(True)
        try:
            with torch.inference_mode():
                out = self.model(
                    input_ids=input_ids,
                    attention_mask=mask,
                    decoder_input_ids=decoder_input,
                    output_attentions=True,
                )
        finally:
            _all_weights.reset(token)
        layers = [a for a in out.cross_attentions if a is not None]
        if len(layers) != self.decoder_layers:
            raise RuntimeError(f"expected {self.decoder_layers} layers, got {len(layers)}")
        stacked = torch.stack(layers, dim=1).float().cpu().numpy()  # [B,L,H,T,S]
        return [
            stacked[b, :, :, : len(targets[b]) + 1, : len(sources[b])] for b in range(len(sources))
        ]

    # -- helpers ------------------------------------------------------------------------------

    def _bad_words(self) -> list[list[int]] | None:
        """The model's banned outputs but ``<pad>``, which ``_SearchRecorder`` masks itself."""
        banned = self.model.generation_config.bad_words_ids or []
        return [ids for ids in banned if list(ids) != [self.codec.pad_id]] or None

    def _recorded(
        self,
        recorder: _SearchRecorder,
        generated,
        best: Sequence[Sequence[int]],
        sources: Sequence[Sequence[int]],
    ) -> list[Hypothesis] | None:
        """The chosen outputs' details from the search's own record (see ``_SearchRecorder``)."""
        steps = []
        for layers in generated.cross_attentions or ():
            recorded = [a for a in layers if a is not None]
            if len(recorded) == self.decoder_layers:
                recorded = [recorded[self.alignment_layer]]
            if len(recorded) != 1:
                return None
            steps.append(recorded[0][:, self.alignment_heads, -1].float().mean(dim=1))
        found = recorder.hypotheses(best, self.decoder_start_id, steps)
        if found is None or any(np.isnan(lp).any() for lp, _ in found):
            return None
        return [
            Hypothesis(ids=list(ids), logprobs=logprobs, attention=matrix[:, : len(source)].copy())
            for ids, source, (logprobs, matrix) in zip(best, sources, found, strict=True)
        ]

    def _pad_sources(self, batch: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), self.codec.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            mask[row, : len(ids)] = 1
        return input_ids.to(self.model.device), mask.to(self.model.device)

    def _decoder_input(self, targets: Sequence[Sequence[int]]) -> torch.Tensor:
        width = max(len(ids) for ids in targets) + 1
        decoder_input = torch.full((len(targets), width), self.codec.pad_id, dtype=torch.long)
        decoder_input[:, 0] = self.decoder_start_id
        for row, ids in enumerate(targets):
            if ids:
                decoder_input[row, 1 : len(ids) + 1] = torch.tensor(ids, dtype=torch.long)
        return decoder_input.to(self.model.device)

    def _score(
        self,
        encoder_states: torch.Tensor,
        mask: torch.Tensor,
        targets: Sequence[Sequence[int]],
        sources: Sequence[Sequence[int]],
    ) -> list[Hypothesis]:
        """One teacher-forced pass: raw log-probabilities (``<pad>`` masked) and attention."""
        out = self.model(
            encoder_outputs=BaseModelOutput(last_hidden_state=encoder_states),
            attention_mask=mask,
            decoder_input_ids=self._decoder_input(targets),
            output_attentions=True,
        )
        logits = out.logits.float()
        logits[..., self.codec.pad_id] = float("-inf")
        normaliser = torch.logsumexp(logits, dim=-1)  # [B, T]: no [B, T, vocab] copy
        recorded = [a for a in out.cross_attentions if a is not None]
        if len(recorded) == self.decoder_layers:
            recorded = [recorded[self.alignment_layer]]
        if len(recorded) != 1:
            raise RuntimeError(f"expected one layer's cross-attention, got {len(recorded)}")
        attention = recorded[0][:, self.alignment_heads]
        attention = attention.float().mean(dim=1).cpu().numpy()  # [B, T, S]
        hypotheses = []
        for row, ids in enumerate(targets):
            following = torch.tensor([*ids, self.codec.eos_id], device=logits.device)
            steps = torch.arange(len(ids) + 1, device=logits.device)
            chosen = logits[row, steps, following] - normaliser[row, steps]
            hypotheses.append(
                Hypothesis(
                    ids=list(ids),
                    logprobs=chosen.cpu().tolist(),
                    attention=attention[row, : len(ids) + 1, : len(sources[row])].copy(),
                )
            )
        return hypotheses

    def _strip(self, row: list[int]) -> list[int]:
        ids = row[1:] if row and row[0] == self.decoder_start_id else row
        if self.codec.eos_id in ids:
            ids = ids[: ids.index(self.codec.eos_id)]
        return [i for i in ids if i != self.codec.pad_id]


def write_random_marian(
    directory: Path, settings: dict[str, Any], *, seed: int = 0, num_beams: int = 4
) -> None:
    """Save a Marian tokenizer (from the SentencePiece models and ``vocab.json`` already in
    ``directory``) and a model of ``settings`` with random weights, as ``from_pretrained`` loads.

    The model's special ids come from ``settings`` (``pad_token_id`` is also the decoder start).
    Used to build test models: the real weights can't be downloaded everywhere.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        tokenizer = MarianTokenizer(
            source_spm=str(directory / "source.spm"),
            target_spm=str(directory / "target.spm"),
            vocab=str(directory / "vocab.json"),
        )
    tokenizer.save_pretrained(directory)
    pad = settings["pad_token_id"]
    torch.manual_seed(seed)
    model = MarianMTModel(MarianConfig(**settings))
    model.generation_config.num_beams = num_beams
    model.generation_config.max_length = settings.get("max_length", 512)
    model.generation_config.bad_words_ids = [[pad]]
    hf_logging.disable_progress_bar()
    model.save_pretrained(directory)
