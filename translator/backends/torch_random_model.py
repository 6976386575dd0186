"""Test models: a Marian model with random weights, saved as ``from_pretrained`` loads it."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch
from transformers import MarianConfig, MarianMTModel, MarianTokenizer
from transformers.utils import logging as hf_logging


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
