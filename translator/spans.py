"""Character spans: SentencePiece pieces ↔ ids with offsets, and words for alignment.

``MarianTokenizer`` is the slow tokenizer: it has no offset mapping, and plain ``tok(text)`` turns
a literal ``</s>`` typed by a user into end-of-sentence. Going through its SentencePiece models
directly gives both right: ids identical to the tokenizer's for ordinary text, offsets in
characters of the un-normalised input (NFKC expansions such as ``ﬁ`` or ``…`` come back as
several pieces over one character), and user text that is only ever text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sentencepiece as spm

from .document import Span

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
        result = self.source.encode(text, return_type="offset_mapping")
        ids = [self.vocab.get(piece, self.unk_id) for piece in result["pieces"]]
        return Encoded(ids=[*ids, self.eos_id], offsets=list(result["offsets"]))

    def encode_target(self, text: str) -> list[int]:
        """Ids of an English text as the model would output them (no ``</s>``), for forcing."""
        return [self.vocab.get(p, self.unk_id) for p in self.target.encode(text, out_type=str)]

    def count(self, text: str) -> int:
        """Number of source pieces of ``text`` (without ``</s>``)."""
        return len(self.source.encode(text))

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


# -- words ------------------------------------------------------------------------------------

_JOINERS = frozenset("-'’.")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def is_punctuation(text: str) -> bool:
    """True for marks such as ``.`` ``„`` ``–``: they never link to a word."""
    return bool(text) and all(unicodedata.category(c).startswith("P") for c in text)


def word_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Words of ``text[start:end]``: letters/digits (with inner ``-'’.``) or single other marks.

    ``US-Präsident``, ``3.000`` and ``geht's`` are one word each; ``„``, ``.`` and ``🙂`` are
    words of their own. Combining accents stay with their letter.
    """
    end = len(text) if end is None else end
    spans: list[Span] = []
    i = start
    while i < end:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if not _is_word_char(char):
            spans.append(Span(i, i + 1))
            i += 1
            continue
        j = i + 1
        while j < end and (
            _is_word_char(text[j])
            or (text[j] in _JOINERS and j + 1 < end and _is_word_char(text[j + 1]))
        ):
            j += 1
        spans.append(Span(i, j))
        i = j
    return spans


def pieces_to_words(
    offsets: Sequence[tuple[int, int]], words: Sequence[Span]
) -> list[tuple[int, ...]]:
    """For each piece, the words it overlaps (usually one; none for a bare ``▁``).

    A zero-width piece (one of several that NFKC made of a single character) belongs to the word
    at its position. A piece can span two words (``</`` or an unknown ``😢!``): it counts for both.
    """
    owners: list[tuple[int, ...]] = []
    first = 0
    for start, end in offsets:
        while first < len(words) and words[first].end < start:
            first += 1
        found = []
        for k in range(first, len(words)):
            word = words[k]
            if word.start >= max(end, start + 1):
                break
            if max(start, word.start) < min(end, word.end) or (
                start == end and word.start <= start < word.end
            ):
                found.append(k)
        owners.append(tuple(found))
    return owners
