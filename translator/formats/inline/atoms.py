"""Atoms: markup at a point (inline code, an image, ``<br>``), never translated, and where it goes.

An atom has no words of its own to follow, so it follows the German word it touches: after the
English of the word on its left, else before the word on its right, else after the nearest word
before it; at a sentence's end it stays there. Where it can't stay beside the word it touched, it
is written apart from its new neighbours (padding); a line break never lands at the start or end.
A paired mark without text of its own (a link around only ``code``, an empty ``<span>``) is kept
whole, with everything inside it, as one atom.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from .marks import Mark, render
from .unit import Unit, same_word, snap


@dataclass(slots=True)
class Atom:
    mark: Mark  # the literal to write (a composite for a paired mark without text)
    start: int  # German position
    order: int
    ancestors: list[int]  # paired marks (ids) around it in German, outermost first
    link: bool = False  # it holds an essential paired mark (a link): no link may hold it


class Atoms:
    """The unit's atoms (``items``), and where each goes in the English (``point``)."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        marks = unit.marks
        self.items: list[Atom] = []
        consumed = [False] * len(marks)
        for i, mark in enumerate(marks):
            if consumed[i] or unit.worded[i]:
                continue
            ancestors = unit.ancestors(i)
            if mark.atom:
                self.items.append(Atom(mark, mark.start, i, ancestors))
                continue
            inside = unit.subtree(i)
            for j in inside:
                consumed[j] = True
            link = mark.essential or any(marks[j].essential and not marks[j].atom for j in inside)
            composite = self._composite(i, inside)
            self.items.append(Atom(composite, mark.start, i, ancestors, link))

    def hold(self, m: int, inside: list[int]) -> None:
        """Mark ``m`` (a kept mark without letters that found no English) and the marks
        ``inside`` it become one atom."""
        marks = self.unit.marks
        link = any(marks[j].essential and not marks[j].atom for j in inside)
        composite = self._composite(m, inside)
        ancestors = self.unit.ancestors(m)
        self.items.append(Atom(composite, marks[m].start, m, ancestors, link))
        if inside:
            held = set(inside)
            self.items = [a for a in self.items if a.order not in held]

    def _composite(self, root: int, inside: list[int]) -> Mark:
        """A paired mark without text and what it holds, as one atom (its literal, its spacing)."""
        marks, plain, parents = self.unit.marks, self.unit.plain, self.unit.parents
        mark = marks[root]
        index = {j: k for k, j in enumerate(inside)}
        local = [
            replace(
                marks[j],
                start=marks[j].start - mark.start,
                end=marks[j].end - mark.start,
                parent=index.get(parents[j]),  # type: ignore[arg-type]
            )
            for j in inside
        ]
        body = render(plain[mark.start : mark.end], local, lambda chunk, _: chunk)
        before = plain[mark.start - 1] if mark.start > 0 else ""
        after = plain[mark.end] if mark.end < len(plain) else ""
        return replace(
            mark,
            end=mark.start,
            open=mark.open + body + mark.close,
            close="",
            atom=True,
            essential=True,
            parent=None,
            pad_before=before.isspace(),
            pad_after=after.isspace(),
        )

    def point(self, atom: Atom) -> tuple[int, bool]:
        """Where an atom goes in the English, and whether next to the same neighbour as in
        German; a line break never at the start or end."""
        p, beside = self._follow(atom.start)
        english = self.unit.english
        if atom.mark.open.endswith("\n") and (not english[:p].strip() or not english[p:].strip()):
            share = atom.start / max(1, len(self.unit.plain))
            spaces = [i for i, c in enumerate(english) if c == " " and english[:i].strip()]
            spaces = [i for i in spaces if english[i:].strip()]
            if spaces:
                p = min(spaces, key=lambda i: abs(i - share * len(english)))
        return p, beside

    def _follow(self, x: int) -> tuple[int, bool]:
        """Where German position ``x`` (an atom's) goes in the English; ``False``: not beside
        the word it touched in German, so it is written apart from its new neighbours."""
        unit = self.unit
        plain, english = unit.plain, unit.english
        sentences = unit.sentences
        if not sentences or x < sentences[0].gs:
            return min(x, len(english)), True
        k = bisect.bisect_right(unit.sentence_starts, x) - 1
        s = sentences[k]
        if x > s.ge:  # in the gap after sentence k
            if k + 1 < len(sentences):
                return min(s.ee + (x - s.ge), sentences[k + 1].es), True
            return min(len(english), x - unit.tail[0] + unit.tail[1]), True
        left = x > 0 and not plain[x - 1].isspace()
        right = x < len(plain) and not plain[x].isspace()
        if x == s.gs and k > 0 and sentences[k - 1].ge == x and left:
            s = sentences[k - 1]  # glued to the end of the sentence before
        if s.identity:
            return x - s.gs + s.es, True
        if x >= s.ge:
            return s.ee, True
        if not s.linked:
            if x <= s.gs:
                return s.es, not right
            share = (x - s.gs) / max(1, s.ge - s.gs)
            return snap(english, s.es + round(share * (s.ee - s.es)), s.es, s.ee), False
        g = bisect.bisect_right(s.gstarts, x - 1) - 1  # the word holding x - 1
        if left and g >= 0 and s.gwords[g][0] < x <= s.gwords[g][1]:
            wa, wb = s.gwords[g]
            if x < wb:  # inside a word
                for e, _ in s.g2e[g]:
                    ea, eb = s.ewords[e]
                    if same_word(english[ea:eb], plain[wa:wb]):
                        return ea + (x - wa), True
            if s.g2e[g]:
                end = max(s.ewords[e][1] for e, _ in s.g2e[g])
                return (end if right else _glued(english, end, s.ee, 1)), True
        g = bisect.bisect_left(s.gstarts, x)
        if right and g < len(s.gwords) and s.gwords[g][0] == x and s.g2e[g]:
            start = min(s.ewords[e][0] for e, _ in s.g2e[g])
            return (start if left else _glued(english, start, s.es, -1)), True
        if x <= s.gs:
            return s.es, not right
        apart = not left and not right
        for g in range(bisect.bisect_left(s.gstarts, x) - 1, -1, -1):
            if s.g2e[g]:
                end = max(s.ewords[e][1] for e, _ in s.g2e[g])
                return (end if right else _glued(english, end, s.ee, 1)), apart
        for g in range(bisect.bisect_left(s.gstarts, x), len(s.gwords)):
            if s.g2e[g]:
                start = min(s.ewords[e][0] for e, _ in s.g2e[g])
                return (start if left else _glued(english, start, s.es, -1)), apart
        return s.es, False


def _glued(text: str, x: int, limit: int, step: int) -> int:
    """Past the marks glued to a word at ``x`` (``step`` -1: an opening quote or bracket before
    it; 1: closing ones after it), up to a space or ``limit``: an atom that stood apart from
    everything but its word stays outside the English word's punctuation. ``x`` where the marks
    join another word (``a/b``)."""
    y = x
    while y != limit and not text[y if step > 0 else y - 1].isspace():
        if text[y if step > 0 else y - 1].isalnum():
            return x
        y += step
    return y
