"""Test engines: a deterministic stand-in, and Marian models with random weights.

The real opus-mt-de-en weights can't be downloaded everywhere (CI, a machine offline). Two
substitutes run the real code instead:

**A stand-in engine**, for checking files and the reader without a model.

``Translator(backend=StandInBackend(order="reverse"))`` runs the real segmenter, batching, alignment
and assembly, but "translates" word by word: every word comes back transformed (capitals by
default) and, if asked, in another order — the first word moved to the end, or the whole
sentence reversed — with each English word linked to the German word it came from. Format tests
and ``benchmarks/files.py`` use it so that every check is exact: which German text was
translated, how often, and where each word (and so each mark over it) landed.

**A random Marian model** (``build_random_marian``) of the real layout, with real SentencePiece
models, goes through exactly the same ``from_pretrained`` → ``generate`` code (and the
CTranslate2 conversion), so tests and benchmarks exercise the real loading and decoding paths;
its translations are noise, so tests assert structure and invariants, never wording.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .backends.base import Hypothesis
from .backends.codec import Decoded, Encoded
from .words import word_spans

ORDERS = ("keep", "first-to-end", "reverse")
EOS, UNK, PAD = 0, 1, 2


def upper(word: str) -> str:
    """The default word "translation": capitals (German left untranslated shows in lower case)."""
    return word.upper()


class WordCodec:
    """Words as pieces: one id per (word, whether a space stood before it), in a growing vocabulary.

    Decoding writes each word with the space it had in the German, so punctuation stays attached
    to its word as in the source; a reordered sentence keeps each word's own spacing.
    """

    def __init__(self, transform: Callable[[str], str] = upper) -> None:
        self.transform = transform
        self.eos_id, self.unk_id, self.pad_id = EOS, UNK, PAD
        self.special_ids = frozenset({EOS, UNK, PAD})
        self._ids: dict[tuple[str, bool], int] = {}
        self._entries: list[tuple[str, bool]] = [("", False)] * 3

    def _id(self, word: str, spaced: bool) -> int:
        key = (word, spaced)
        if key not in self._ids:
            self._ids[key] = len(self._entries)
            self._entries.append(key)
        return self._ids[key]

    def _words(self, text: str) -> list[tuple[int, int, bool]]:
        return [
            (w.start, w.end, w.start > 0 and text[w.start - 1].isspace()) for w in word_spans(text)
        ]

    def encode(self, text: str) -> Encoded:
        words = self._words(text)
        ids = [self._id(text[s:e], spaced) for s, e, spaced in words]
        return Encoded(ids=[*ids, EOS], offsets=[(s, e) for s, e, _ in words])

    def encode_target(self, text: str) -> list[int]:
        return [self._id(text[s:e], spaced) for s, e, spaced in self._words(text)]

    def count(self, text: str) -> int:
        return len(word_spans(text))

    def word(self, token: int) -> tuple[str, bool]:
        return self._entries[token]

    def decode(self, ids: Sequence[int]) -> str:
        return self.decode_with_offsets(ids).text

    def decode_with_offsets(self, ids: Sequence[int]) -> Decoded:
        text = ""
        offsets: list[tuple[int, int]] = []
        for token in ids:
            if token in self.special_ids:
                offsets.append((len(text), len(text)))
                continue
            word, spaced = self._entries[token]
            if text and spaced:
                text += " "
            offsets.append((len(text), len(text) + len(word)))
            text += word
        return Decoded(text, offsets)


class StandInBackend:
    """The ``Backend`` protocol, word by word: each German word becomes ``transform(word)``.

    ``order``: ``keep`` (same order), ``first-to-end`` (the first word moves to the end, as German
    verbs and adverbs do in English) or ``reverse`` (the whole sentence backwards). The attention
    of each English word is all on the German word it came from, so links are exact.
    """

    name = "stand-in"
    precision = "exact"
    device = "cpu"
    revision = "0"
    default_beam = 1
    max_source_positions = 512
    decoder_layers = 1

    def __init__(self, order: str = "keep", transform: Callable[[str], str] = upper) -> None:
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}; choose one of {', '.join(ORDERS)}")
        self.order = order
        self.codec = WordCodec(transform)
        self.model_id = f"stand-in:{order}"

    def _arrangement(self, n: int) -> list[int]:
        """Source positions in English order."""
        positions = list(range(n))
        if self.order == "reverse":
            return positions[::-1]
        if self.order == "first-to-end" and n > 1:
            return [*positions[1:], positions[0]]
        return positions

    def _translate(self, source: Sequence[int], limit: int | None = None) -> Hypothesis:
        words = [t for t in source if t not in self.codec.special_ids]
        order = self._arrangement(len(words))
        if limit is not None:
            order = order[:limit]
        ids = []
        for position in order:
            word, spaced = self.codec.word(words[position])
            ids.append(self.codec._id(self.codec.transform(word), spaced or position == 0))
        if ids:  # the sentence's first English word never needs its own space
            first = self.codec.word(ids[0])[0]
            ids[0] = self.codec._id(first, False)
        attention = np.zeros((len(ids) + 1, len(source)), dtype=np.float32)
        for row, position in enumerate(order):
            attention[row, position] = 1.0
        attention[len(ids), len(source) - 1] = 1.0  # </s> reads </s>
        return Hypothesis(ids=ids, logprobs=[-0.1] * (len(ids) + 1), attention=attention)

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
        hypotheses = []
        for source, limit in zip(batch, max_new_tokens, strict=True):
            hypothesis = self._translate(source, limit)
            if not details:
                hypothesis.logprobs, hypothesis.attention = [], None
            hypotheses.append(hypothesis)
        return hypotheses

    def force(
        self, sources: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[Hypothesis]:
        hypotheses = []
        for source, target in zip(sources, targets, strict=True):
            attention = np.full((len(target) + 1, len(source)), 1.0 / len(source), np.float32)
            hypotheses.append(
                Hypothesis(
                    ids=list(target), logprobs=[-0.1] * (len(target) + 1), attention=attention
                )
            )
        return hypotheses


# -- random Marian models ------------------------------------------------------------------

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
    import sentencepiece as spm

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
    import sentencepiece as spm

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
    from .backends.torch_random_model import write_random_marian

    write_random_marian(directory, settings, seed=seed, num_beams=num_beams)
    return directory
