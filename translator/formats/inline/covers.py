"""Which English characters each paired mark covers, from the word links of its German words.

A mark follows its own German words: with alignment it covers the English words linked to them;
a mark over all of a sentence's letters covers the whole translation less the punctuation it left
outside; an unchanged sentence keeps every mark on its characters; a part of a word goes to
``subwords``; without alignment, links and kept marks take the words at their place in the
sentence (``proportional``). Essential marks (links) only claim words here, with a weight:
``exclusive.settle`` gives each word to one of them afterwards.
"""

from __future__ import annotations

import bisect

from .subwords import SubWords
from .unit import Sentence, Unit, snap


class Covers:
    """The English intervals of each paired mark, and the claims of the exclusive ones."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.intervals: dict[int, list[tuple[int, int]]] = {}  # paired mark → English intervals
        self.claims: dict[int, dict[int, float]] = {}  # English char block → {mark: weight}
        self.exact: dict[int, int] = {}  # English char → essential mark placed there exactly
        self.exact_marks: set[int] = set()
        self.owner: dict[int, int] = {}  # English word start → the essential mark it went to
        self.claimed: dict[int, list[tuple[Sentence, int]]] = {}  # essential mark → words
        self.touched: dict[int, Sentence] = {}  # mark → the first sentence with its text
        self.subwords = SubWords(unit)

    def cover(self, m: int, a: int, b: int) -> None:
        """English ``[a, b)``, less its spaces at either end, for mark ``m``."""
        english = self.unit.english
        while a < b and english[a].isspace():
            a += 1
        while b > a and english[b - 1].isspace():
            b -= 1
        if a < b:
            self.intervals.setdefault(m, []).append((a, b))

    def claim(self, m: int, s: Sentence, word: int, weight: float) -> None:
        self.claims.setdefault(s.ewords[word][0], {})
        block = self.claims[s.ewords[word][0]]
        block[m] = block.get(m, 0.0) + weight
        self.claimed.setdefault(m, []).append((s, word))

    def place(self, m: int) -> None:
        """Paired mark ``m``, sentence by sentence: covers for it, or claims if it is exclusive."""
        unit = self.unit
        mark, plain = unit.marks[m], unit.plain
        essential = mark.essential
        for s in unit.sentences_over(mark.start, mark.end):
            lo, hi = max(mark.start, s.gs), min(mark.end, s.ge)
            if lo >= hi or plain[lo:hi].isspace():
                continue
            self.touched.setdefault(m, s)
            if s.identity:
                self.add(m, s, lo - s.gs + s.es, hi - s.gs + s.es, exact=True)
                continue
            outside = plain[s.gs : lo] + plain[hi : s.ge]
            if not any(c.isalnum() for c in outside):
                self._whole(m, s, lo, hi)
                continue
            partial = self.words_in(s, lo, hi)
            for g, full in partial:
                if full and s.linked:
                    for e, weight in s.g2e[g]:
                        if essential:
                            self.claim(m, s, e, weight)
                        else:
                            a, b = s.ewords[e]
                            self.cover(m, a, b)
                elif not full:
                    for a, b in self.subwords.spans(s, g, lo, hi):
                        self.add(m, s, a, b, exact=True)
            if not s.linked and (essential or mark.kept) and any(full for _, full in partial):
                a, b = proportional(unit, s, lo, hi)
                self.add(m, s, a, b)

    def add(self, m: int, s: Sentence, a: int, b: int, exact: bool = False) -> None:
        """English ``[a, b)`` for mark ``m``: covered, or claimed when the mark is exclusive."""
        if not self.unit.marks[m].essential:
            self.cover(m, a, b)
            return
        if exact:
            for x in range(a, b):
                if not self.unit.english[x].isspace():
                    self.exact.setdefault(x, m)
            self.exact_marks.add(m)
            return
        first = bisect.bisect_left(s.estarts, a)
        while first > 0 and s.ewords[first - 1][1] > a:
            first -= 1
        for e in range(first, len(s.ewords)):
            if s.ewords[e][0] >= b:
                break
            self.claim(m, s, e, 1.0)

    def words_in(self, s: Sentence, lo: int, hi: int) -> list[tuple[int, bool]]:
        """German words of ``s`` overlapping ``[lo, hi)``, each with whether it lies inside."""
        k = bisect.bisect_left(s.gstarts, lo)
        while k > 0 and s.gwords[k - 1][1] > lo:
            k -= 1
        out = []
        while k < len(s.gwords) and s.gwords[k][0] < hi:
            a, b = s.gwords[k]
            if b > lo:
                out.append((k, lo <= a and b <= hi))
            k += 1
        return out

    def _whole(self, m: int, s: Sentence, lo: int, hi: int) -> None:
        """A mark over all a sentence's letters: all its English but what was left outside."""
        plain = self.unit.plain
        words = s.ewords
        if not words:
            return
        left = not plain[s.gs : lo].isspace() and lo > s.gs
        right = not plain[hi : s.ge].isspace() and hi < s.ge
        inside = {g for g, _ in self.words_in(s, lo, hi)} if s.linked else set()

        def outside(e: int) -> bool:
            a, b = words[e]
            if s.linked and s.e2g[e]:
                return not any(g in inside for g in s.e2g[e])
            has_alnum = any(c.isalnum() for c in self.unit.english[a:b])
            return (left or right) and not has_alnum

        first, last = 0, len(words) - 1
        while first <= last and outside(first):
            first += 1
        while last >= first and outside(last):
            last -= 1
        if first > last:
            return
        if not s.linked:
            self.add(m, s, words[first][0], words[last][1])
            return
        # inside the hull, words aligned only to German outside the mark stay outside
        run: list[int] = []
        for e in range(first, last + 2):
            if e <= last and not (s.e2g[e] and outside(e)):
                run.append(e)
            elif run:
                self.add(m, s, words[run[0]][0], words[run[-1]][1])
                run = []


def proportional(unit: Unit, s: Sentence, lo: int, hi: int) -> tuple[int, int]:
    """The English words at the place of German ``[lo, hi)`` in its sentence, without
    punctuation at their ends that the German stretch didn't have."""
    start, end = _share(unit.english, s, lo, hi)
    english, marked = unit.english, unit.plain[lo:hi].strip()
    if marked and marked[-1].isalnum():
        while end - 1 > start and not english[end - 1].isalnum():
            end -= 1
    if marked and marked[0].isalnum():
        while start + 1 < end and not english[start].isalnum():
            start += 1
    return start, end


def _share(english: str, s: Sentence, lo: int, hi: int) -> tuple[int, int]:
    scale = (s.ee - s.es) / max(1, s.ge - s.gs)
    start = s.es + round((lo - s.gs) * scale)
    end = s.es + round((hi - s.gs) * scale)
    start = snap(english, start, s.es, s.ee, prefer=-1)
    end = snap(english, end, s.es, s.ee, prefer=1)
    if end <= start:
        end = start
        while end < s.ee and not english[end].isspace():
            end += 1
    return start, end
