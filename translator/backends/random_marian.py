"""Build a Marian model directory with random weights and real SentencePiece models.

The real opus-mt-de-en weights can't be downloaded everywhere (CI, this workplace). A random model
of the same layout goes through exactly the same ``from_pretrained`` → ``generate`` code, so tests
and benchmarks exercise the real loading and decoding paths; its translations are noise, so tests
assert structure and invariants, never wording.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sentencepiece as spm
import torch
from transformers import MarianConfig, MarianMTModel, MarianTokenizer
from transformers.utils import logging as hf_logging

SMALL_CONFIG: dict[str, Any] = {
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 512,
}


def _train_spm(lines: list[str], vocab_size: int) -> bytes:
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_random_marian(
    directory: str | Path,
    source_lines: Iterable[str],
    target_lines: Iterable[str] | None = None,
    *,
    vocab_size: int = 800,
    seed: int = 0,
    num_beams: int = 4,
    config: dict[str, Any] | None = None,
    total_vocab: int | None = None,
) -> Path:
    """Write tokenizer and model files that ``MarianMTModel.from_pretrained`` loads offline.

    ``config`` overrides the small default architecture (pass a full opus-mt config to get a
    model of the real shape); ``total_vocab`` pads the joint vocabulary with unused entries to
    that size (58,101 for opus-mt-de-en), so the output projection costs what the real one
    does. The special-token layout mirrors opus-mt: ``</s>`` = 0, ``<unk>`` = 1, ``<pad>`` last
    and also the decoder start token.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    source = [line for line in source_lines if line.strip()]
    target = [line for line in target_lines if line.strip()] if target_lines else source
    source_model = _train_spm(source, vocab_size)
    target_model = _train_spm(target, vocab_size)

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in _pieces(source_model) + _pieces(target_model):
        if piece not in vocab and piece not in {"<s>", "<pad>"}:
            vocab[piece] = len(vocab)
    if total_vocab is not None:
        if total_vocab <= len(vocab):
            raise ValueError(f"total_vocab {total_vocab} < the {len(vocab) + 1} pieces")
        for filler in range(total_vocab - 1 - len(vocab)):
            vocab[f"<unused{filler}>"] = len(vocab)
    pad = len(vocab)
    vocab["<pad>"] = pad

    (directory / "source.spm").write_bytes(source_model)
    (directory / "target.spm").write_bytes(target_model)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        tokenizer = MarianTokenizer(
            source_spm=str(directory / "source.spm"),
            target_spm=str(directory / "target.spm"),
            vocab=str(directory / "vocab.json"),
        )
    tokenizer.save_pretrained(directory)

    settings = {**SMALL_CONFIG, **(config or {})}
    settings.update(
        vocab_size=pad + 1,
        decoder_vocab_size=pad + 1,
        pad_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad,
        bad_words_ids=[[pad]],
        num_beams=num_beams,
        max_length=512,
    )
    for key in ("architectures", "transformers_version", "_name_or_path"):
        settings.pop(key, None)
    torch.manual_seed(seed)
    model = MarianMTModel(MarianConfig(**settings))
    model.generation_config.num_beams = num_beams
    model.generation_config.max_length = 512
    model.generation_config.bad_words_ids = [[pad]]
    hf_logging.disable_progress_bar()
    model.save_pretrained(directory)
    return directory
