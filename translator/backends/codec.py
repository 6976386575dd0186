"""The model's codec: German text → SentencePiece ids with character offsets, ids → English.

``MarianTokenizer`` is the slow tokenizer: it has no offset mapping, and plain ``tok(text)`` turns
a literal ``</s>`` typed by a user into end-of-sentence. Going through its SentencePiece models
directly gives both right: ids identical to the tokenizer's for ordinary text, offsets in
characters of the un-normalised input (NFKC expansions such as ``ﬁ`` or ``…`` come back as
several pieces over one character), and user text that is only ever text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..surrogates import replace_surrogates

if TYPE_CHECKING:
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


@dataclass(frozen=True, slots=True)
class Decoded:
    """English text of output ids and each id's character span in it (specials: empty)."""

    text: str
    offsets: list[tuple[int, int]]


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
        text = replace_surrogates(text)  # SentencePiece can't take one; offsets stay true
        result = self.source.encode(text, return_type="offset_mapping")
        ids = [self.vocab.get(piece, self.unk_id) for piece in result["pieces"]]
        return Encoded(ids=[*ids, self.eos_id], offsets=list(result["offsets"]))

    def encode_target(self, text: str) -> list[int]:
        """Ids of an English text as the model would output them (no ``</s>``), for forcing."""
        pieces = self.target.encode(replace_surrogates(text), out_type=str)
        return [self.vocab.get(p, self.unk_id) for p in pieces]

    def count(self, text: str) -> int:
        """Number of source pieces of ``text`` (without ``</s>``)."""
        return len(self.source.encode(replace_surrogates(text)))

    def decode(self, ids: Sequence[int]) -> str:
        """The English text of ``ids``, exactly as ``tok.decode(ids, skip_special_tokens=True)``."""
        pieces = [self.pieces.get(i, "") for i in ids if i not in self.special_ids]
        return self.target.decode_pieces(pieces).replace(SPIECE_UNDERLINE, " ").strip()

    def decode_with_offsets(self, ids: Sequence[int]) -> Decoded:
        """``decode(ids)`` plus the span of every id in it."""
        kept = [k for k, i in enumerate(ids) if i not in self.special_ids]
        pieces = [self.pieces.get(ids[k], "") for k in kept]
        result = self.target.decode(pieces, return_type="offset_mapping")
        raw = result["text"].replace(SPIECE_UNDERLINE, " ")
        text = raw.strip()
        if text != self.decode(ids) or len(result["offsets"]) != len(pieces):
            return self._decode_by_prefix(ids)
        lead = len(raw) - len(raw.lstrip())
        offsets: list[tuple[int, int]] = [(0, 0)] * len(ids)
        for k, (start, end) in zip(kept, result["offsets"], strict=True):
            start = min(max(start - lead, 0), len(text))
            offsets[k] = (start, min(max(end - lead, start), len(text)))
        return Decoded(text, _place_specials(ids, offsets, self.special_ids, len(text)))

    def _decode_by_prefix(self, ids: Sequence[int]) -> Decoded:
        """Slow but exact fallback: each id's span is what it adds to the decoded prefix."""
        text = self.decode(ids)
        offsets = []
        previous = 0
        for k in range(1, len(ids) + 1):
            prefix = self.decode(ids[:k])
            end = len(prefix) if text.startswith(prefix) else previous
            start = previous
            while start < end and text[start] == " ":
                start += 1
            offsets.append((start, max(start, end)))
            previous = max(previous, end)
        return Decoded(text, offsets)


def _place_specials(
    ids: Sequence[int], offsets: list[tuple[int, int]], specials: frozenset[int], length: int
) -> list[tuple[int, int]]:
    """Give each special id an empty span where the text stood when it was produced."""
    following = length
    for k in range(len(ids) - 1, -1, -1):
        if ids[k] in specials:
            offsets[k] = (following, following)
        else:
            following = offsets[k][0]
    return offsets
