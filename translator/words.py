"""Words of a text as character spans, and which words each model piece covers.

Word alignment links words, not pieces: the model's pieces are grouped into the words a reader sees
(``US-Präsident``, ``3.000`` and ``geht's`` are one word; ``„`` and ``.`` words of their own).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .document import Span

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
