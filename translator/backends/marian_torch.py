"""MarianMT through transformers and torch: the reference engine."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import torch
from transformers import LogitsProcessor, LogitsProcessorList, MarianMTModel, MarianTokenizer
from transformers.utils import logging as hf_logging

from ..errors import ModelLoadError
from ..spans import PieceCodec
from .base import Hypothesis
from .hub import ResolvedModel


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


def _usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _pick_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        chosen = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"unknown device {device!r}") from error
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for, but torch sees no CUDA device")
    return chosen


class TorchBackend:
    name = "torch"

    def __init__(
        self, model: MarianMTModel, codec: PieceCodec, resolved: ResolvedModel, device: torch.device
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

    @classmethod
    def load(cls, resolved: ResolvedModel, *, device: str = "auto") -> TorchBackend:
        chosen = _pick_device(device)
        if chosen.type == "cpu":
            torch.set_num_threads(_usable_cores())
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
                tokenizer = MarianTokenizer.from_pretrained(resolved.path)
            model = MarianMTModel.from_pretrained(resolved.path)
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
        return cls(model, codec, resolved, chosen)

    def generate(
        self, batch: Sequence[Sequence[int]], *, beam: int, max_new_tokens: Sequence[int]
    ) -> list[Hypothesis]:
        if not batch:
            return []
        pad = self.codec.pad_id
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(ids)
            attention_mask[row, : len(ids)] = 1
        limit = _PerRowLengthLimit(max_new_tokens, beam, self.codec.eos_id, prompt_length=1)
        with torch.inference_mode():
            sequences = self.model.generate(
                input_ids=input_ids.to(self.model.device),
                attention_mask=attention_mask.to(self.model.device),
                num_beams=beam,
                do_sample=False,
                max_new_tokens=max(max_new_tokens) + 1,  # room for the forced </s>
                max_length=None,
                logits_processor=LogitsProcessorList([limit]),
            )
        return [Hypothesis(self._strip(row)) for row in sequences.tolist()]

    def _strip(self, row: list[int]) -> list[int]:
        ids = row[1:] if row and row[0] == self.decoder_start_id else row
        if self.codec.eos_id in ids:
            ids = ids[: ids.index(self.codec.eos_id)]
        return [i for i in ids if i != self.codec.pad_id]
