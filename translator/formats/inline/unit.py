"""One unit as every stage of the transfer reads it: German and English text, marks, sentences.

The stages (covers, atoms, nesting) each keep only their own results; what they all need — the
marks as a tree, the sentences in unit coordinates with their words and word links — is worked
out once here and never changed. The small position helpers shared by the stages live here too.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ...document import Document, Paragraph, Span
from ...words import word_spans
from .marks import Mark


@dataclass(slots=True)
class Sentence:
    """One sentence in unit coordinates: German ``[gs, ge)``, English ``[es, ee)``, words, links."""

    gs: int
    ge: int
    es: int
    ee: int
    gwords: list[tuple[int, int]]
    ewords: list[tuple[int, int]]
    g2e: list[list[tuple[int, float]]]  # per German word: (English word, weight)
    e2g: list[list[int]]  # per English word: its German words
    linked: bool
    identity: bool
    gstarts: list[int] = field(default_factory=list)
    estarts: list[int] = field(default_factory=list)


class Unit:
    """A unit's German ``plain`` text and its ``english``, its ``marks`` (German coordinates) as a
    tree, and its sentences; ``paired``: the marks over text (the others become atoms)."""

    def __init__(
        self,
        document: Document,
        unit: Span,
        paragraph: Paragraph,
        english: str,
        plain: str,
        marks: list[Mark],
    ) -> None:
        self.english, self.plain, self.marks = english, plain, marks
        lead = paragraph.source.start - unit.start
        shift = lead - paragraph.target.start
        self.tail = (paragraph.source.end - unit.start, lead + len(paragraph.target))
        self.sentences = [self._sentence(s, unit.start, shift) for s in paragraph.sentences]
        self.sentence_starts = [s.gs for s in self.sentences]
        self.sentence_starts_en = [s.es for s in self.sentences]
        n = len(marks)
        self.parents = [
            m.parent if m.parent is not None and 0 <= m.parent < n else None for m in marks
        ]
        self.worded = [
            not m.atom and m.end > m.start and not plain[m.start : m.end].isspace() for m in marks
        ]
        self.children: dict[int | None, list[int]] = {}
        for i, p in enumerate(self.parents):
            self.children.setdefault(p, []).append(i)
        self.paired = [i for i in range(n) if self.worded[i]]
        self.depth = {i: len(self.ancestors(i)) for i in self.paired}

    def _sentence(self, s, offset: int, shift: int) -> Sentence:
        plain, english = self.plain, self.english
        gs, ge = s.source.start - offset, s.source.end - offset
        es, ee = s.target.start + shift, s.target.end + shift
        linked = bool(s.links and s.source_words and s.target_words)
        if linked:
            gwords = [(w.start - offset, w.end - offset) for w in s.source_words]
            ewords = [(w.start + shift, w.end + shift) for w in s.target_words]
        else:
            gwords = [(w.start, w.end) for w in word_spans(plain, gs, ge)]
            ewords = [(w.start, w.end) for w in word_spans(english, es, ee)]
        g2e: list[list[tuple[int, float]]] = [[] for _ in gwords]
        e2g: list[list[int]] = [[] for _ in ewords]
        if linked:
            for link in s.links:
                if 0 <= link.source < len(gwords) and 0 <= link.target < len(ewords):
                    g2e[link.source].append((link.target, link.weight))
                    e2g[link.target].append(link.source)
        return Sentence(
            gs,
            ge,
            es,
            ee,
            gwords,
            ewords,
            g2e,
            e2g,
            linked,
            plain[gs:ge] == english[es:ee],
            [a for a, _ in gwords],
            [a for a, _ in ewords],
        )

    def ancestors(self, i: int) -> list[int]:
        """The marks around mark ``i``, outermost first."""
        parents = self.parents
        chain: list[int] = []
        p = parents[i]
        while p is not None and len(chain) <= len(parents):
            chain.append(p)
            p = parents[p]
        return chain[::-1]

    def subtree(self, root: int) -> list[int]:
        """The marks inside mark ``root`` (not itself), in order."""
        out: list[int] = []
        todo = list(reversed(self.children.get(root, [])))
        while todo:
            j = todo.pop()
            out.append(j)
            todo.extend(reversed(self.children.get(j, [])))
        return sorted(out)

    def sentences_over(self, start: int, end: int) -> list[Sentence]:
        """The sentences overlapping German ``[start, end)``."""
        k = max(0, bisect.bisect_right(self.sentence_starts, start) - 1)
        out = []
        while k < len(self.sentences) and self.sentences[k].gs < end:
            if self.sentences[k].ge > start:
                out.append(self.sentences[k])
            k += 1
        return out


def same_word(english: str, german: str) -> bool:
    return len(english) == len(german) and english.casefold() == german.casefold()


def runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as ``[start, end)`` runs."""
    out: list[list[int]] = []
    for x in sorted(positions):
        if out and out[-1][1] == x:
            out[-1][1] = x + 1
        else:
            out.append([x, x + 1])
    return [(a, b) for a, b in out]


def snap(text: str, x: int, lo: int = 0, hi: int | None = None, prefer: int = 0) -> int:
    """The word boundary nearest to ``x`` (``prefer`` -1/1 breaks ties left/right)."""
    hi = len(text) if hi is None else hi
    x = min(max(x, lo), hi)

    def boundary(i: int) -> bool:
        return i <= lo or i >= hi or text[i - 1].isspace() or text[i].isspace()

    if boundary(x):
        return x
    left, right = x, x
    while not boundary(left):
        left -= 1
    while not boundary(right):
        right += 1
    if x - left < right - x or (x - left == right - x and prefer <= 0):
        return left
    return right
