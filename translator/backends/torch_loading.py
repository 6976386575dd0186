"""Loading a Marian model for the torch engine: the device, the tokenizer, the model, the codec.

The model is loaded with the attention implementation of ``torch_attention`` (``sdpa``, and
weights from the alignment layer only); files that are broken or don't fit are a
``ModelLoadError``, a device that isn't there a ``ValueError``.
"""

from __future__ import annotations

import warnings

import torch
from transformers import MarianMTModel, MarianTokenizer
from transformers.utils import logging as hf_logging

from ..errors import ModelLoadError
from .base import usable_cores
from .codec import PieceCodec
from .hub import ResolvedModel
from .torch_attention import ATTENTION


def pick_device(device: str) -> torch.device:
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


def load_marian(
    resolved: ResolvedModel, device: str
) -> tuple[MarianMTModel, PieceCodec, torch.device]:
    """The model on its device, ready to run, its codec, and the device chosen for ``device``."""
    chosen = pick_device(device)
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
    return model, codec, chosen
