"""SentencePiece pieces ↔ ids, with character offsets into the original text.

``MarianTokenizer`` is the slow tokenizer: it has no offset mapping, and plain ``tok(text)`` turns
a literal ``</s>`` typed by a user into end-of-sentence. Going through its SentencePiece models
directly gives both right: ids identical to the tokenizer's for ordinary text, offsets in
characters of the un-normalised input, and user text that is only ever text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sentencepiece as spm

SPIECE_UNDERLINE = "▁"


@dataclass(frozen=True, slots=True)
class Encoded:
    """Model input for one text: piece ids with ``</s>`` appended, and each piece's offsets."""

    ids: list[int]
    offsets: list[tuple[int, int]]  # one per piece, without the final </s>

    @property
    def n_pieces(self) -> int:
        return len(self.offsets)


class PieceCodec:
    """Encodes German text to model ids and decodes model ids to English text."""

    def __init__(
        self,
        source: spm.SentencePieceProcessor,
        target: spm.SentencePieceProcessor,
        vocab: Mapping[str, int],
        *,
        eos_id: int,
        unk_id: int,
        pad_id: int,
    ) -> None:
        self.source = source
        self.target = target
        self.vocab = dict(vocab)
        self.pieces = {i: piece for piece, i in self.vocab.items()}
        self.eos_id = eos_id
        self.unk_id = unk_id
        self.pad_id = pad_id
        self.special_ids = frozenset({eos_id, unk_id, pad_id})

    def encode(self, text: str) -> Encoded:
        result = self.source.encode(text, return_type="offset_mapping")
        ids = [self.vocab.get(piece, self.unk_id) for piece in result["pieces"]]
        return Encoded(ids=[*ids, self.eos_id], offsets=list(result["offsets"]))

    def count(self, text: str) -> int:
        """Number of source pieces of ``text`` (without ``</s>``)."""
        return len(self.source.encode(text))

    def decode(self, ids: Sequence[int]) -> str:
        """The English text of ``ids``, exactly as ``tok.decode(ids, skip_special_tokens=True)``."""
        pieces = [self.pieces.get(i, "") for i in ids if i not in self.special_ids]
        return self.target.decode_pieces(pieces).replace(SPIECE_UNDERLINE, " ").strip()
