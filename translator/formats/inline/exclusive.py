"""Marks that may not be lost: each English word to one link, and a place for every kept mark.

Essential marks (links: losing one loses content) are exclusive — a character is in at most one —
and never end up without text: a link whose words lost every English word falls back to a word
it shares with another link, then to the words at its place in the sentence, then to the whole
sentence. Kept marks (every element of an HTML page: the file must keep it) share their
characters, but one that found no English of its own takes the words at its place in the
sentence, else the whole sentence; one without letters is written whole, as an atom.
"""

from __future__ import annotations

from .atoms import Atoms
from .covers import Covers, proportional
from .unit import Sentence, runs


def settle(covers: Covers, atoms: Atoms) -> None:
    """Each English word to one essential mark; an essential mark left without text gets a
    word it shares with another, else the words at its place, else the whole sentence."""
    unit = covers.unit
    owner = covers.owner
    spans: dict[int, tuple[int, int]] = {}
    for s in unit.sentences:
        for x, y in s.ewords:
            spans[x] = (x, y)
    for start, block in covers.claims.items():
        owner[start] = max(block, key=lambda m: (block[m], -m))
    owned: dict[int, int] = {}
    for m in owner.values():
        owned[m] = owned.get(m, 0) + 1
    for m in sorted({*covers.claimed, *covers.touched}):
        if not unit.marks[m].essential or owned.get(m) or m in covers.exact_marks:
            continue
        for s, e in covers.claimed.get(m, []):
            start = s.ewords[e][0]
            holder = owner.get(start)
            if holder is not None and owned.get(holder, 0) > 1:
                owner[start] = m
                owned[holder] -= 1
                owned[m] = 1
                break
        else:
            s = covers.touched.get(m)
            if s is None:
                continue
            mark = unit.marks[m]
            lo, hi = max(mark.start, s.gs), min(mark.end, s.ge)
            a, b = proportional(unit, s, lo, hi)
            free = [w for w in s.ewords if a <= w[0] < b and w[0] not in owner]
            if not free:  # the whole sentence, but for other links' words
                free = [w for w in s.ewords if w[0] not in owner] or s.ewords[:1]
            for x, _ in free:
                owner[x] = m
                spans.setdefault(x, next(w for w in s.ewords if w[0] == x))
            owned[m] = len(free)
    for x, m in covers.exact.items():
        covers.intervals.setdefault(m, []).append((x, x + 1))
    for start, m in owner.items():
        a, b = spans[start]
        taken = [x for x in range(a, b) if x in covers.exact and covers.exact[x] != m]
        for run_a, run_b in runs([x for x in range(a, b) if x not in taken]):
            covers.cover(m, run_a, run_b)
    consumed: set[int] = set()
    for m, s in covers.touched.items():  # in the marks' order: a parent before its children
        mark = unit.marks[m]
        if mark.kept and not mark.essential and m not in covers.intervals and m not in consumed:
            consumed.update(_keep(covers, atoms, m, s))


def _keep(covers: Covers, atoms: Atoms, m: int, s: Sentence) -> list[int]:
    """A kept mark whose words found no English: the words at its place, else the whole
    sentence; a part of a word without letters, whole as it was, where its word went.
    Returns the marks now written inside it as one atom."""
    unit = covers.unit
    mark, plain = unit.marks[m], unit.plain
    if not any(c.isalpha() for c in plain[mark.start : mark.end]):
        inside = unit.subtree(m)
        if not any(j in covers.intervals for j in inside):
            atoms.hold(m, inside)
            return inside
    a, b = proportional(unit, s, max(mark.start, s.gs), min(mark.end, s.ge))
    if b <= a and s.ewords:
        a, b = s.ewords[0][0], s.ewords[-1][1]
    covers.cover(m, a, b)
    return []
