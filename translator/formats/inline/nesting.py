"""From each mark's English intervals and each atom's point to well-nested marks a writer can use.

After the covers, marks overlap freely, and a mark's pieces have gaps. Here each mark's pieces are
joined over spaces and unlinked words (a link never over another link's word), reach over spaces
to take in the atoms they held in German, and the unit is cut where the set of marks changes:
where marks overlap, the one that runs further is opened first and the other is split around it;
a piece never begins or ends with a space.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from .atoms import Atom, Atoms
from .covers import Covers
from .marks import Mark
from .unit import Unit

# (start, end, the marks over it, the atom written at start, if any), in the unit's English
_Item = tuple[int, int, frozenset[int], int | None]


def nest(unit: Unit, covers: Covers, atoms: Atoms) -> list[Mark]:
    """The marks and atoms on the English, in document order, with ``parent`` indices."""
    joined = {m: _joined(unit, covers, m) for m in unit.paired if m in covers.intervals}
    joined = {m: c for m, c in joined.items() if c}
    found = [atoms.point(atom) for atom in atoms.items]  # where each goes, and if beside its word
    points = [p for p, _ in found]
    spans = _reaching(unit.english, joined, atoms.items, points)
    items = _items(unit.english, spans, _held(unit, spans, atoms.items, points))
    reach = _reach(items)
    out: list[Mark] = []
    stack: list[tuple[int, int]] = []  # (mark, index in out)
    for n, (a, b, held, atom) in enumerate(items):
        cut = next((j for j, (m, _) in enumerate(stack) if m not in held), len(stack))
        for _, index in stack[cut:]:
            out[index].end = a
        del stack[cut:]
        blank = atom is None and unit.english[a:b].isspace()
        if not blank:
            open_now = {m for m, _ in stack}
            new = sorted(
                (m for m in held if m not in open_now),
                key=lambda m: (-reach[n][m], unit.depth.get(m, 0), m),
            )
            for m in new:
                parent = stack[-1][1] if stack else None
                out.append(replace(unit.marks[m], start=a, end=b, parent=parent))
                stack.append((m, len(out) - 1))
        if atom is not None:
            parent = stack[-1][1] if stack else None
            placed_mark = replace(atoms.items[atom].mark, start=a, end=a, parent=parent)
            if not found[atom][1]:  # away from the word it touched: apart from the new ones
                placed_mark.pad_before = placed_mark.pad_after = True
            out.append(placed_mark)
    for _, index in stack:
        out[index].end = len(unit.english)
    return out


def _joined(unit: Unit, covers: Covers, m: int) -> list[tuple[int, int]]:
    """Mark m's intervals, sorted, with the spaces and unlinked words between them filled."""
    intervals = sorted(covers.intervals.get(m, []))
    if not intervals:
        return []
    exclusive = unit.marks[m].essential
    out = [list(intervals[0])]
    for a, b in intervals[1:]:
        last = out[-1]
        if a <= last[1] or _fillable(unit, covers, m, last[1], a, exclusive):
            last[1] = max(last[1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _fillable(unit: Unit, covers: Covers, m: int, a: int, b: int, exclusive: bool) -> bool:
    gap = unit.english[a:b]
    if gap.isspace() or not gap:
        return True
    k = max(0, bisect.bisect_right(unit.sentence_starts_en, a) - 1)
    if k >= len(unit.sentences):
        return False
    s = unit.sentences[k]
    if not (s.es <= a and b <= s.ee) or not s.linked:
        return False
    e = bisect.bisect_left(s.estarts, a)
    if e > 0 and s.ewords[e - 1][1] > a:  # the gap begins inside a word: the rest of it
        e -= 1  # (``defg`` of ``abcdefg`` after ``abc``) isn't the mark's unless unlinked
    while e < len(s.ewords) and s.ewords[e][0] < b:
        x, y = s.ewords[e]
        if s.e2g[e]:
            return False
        if exclusive and (
            covers.owner.get(x, m) != m or any(covers.exact.get(c, m) != m for c in range(x, y))
        ):
            return False
        e += 1
    return True


def _reaching(
    english: str, covers: dict[int, list[tuple[int, int]]], atoms: list[Atom], points: list[int]
) -> dict[int, list[tuple[int, int]]]:
    """An atom stays in the marks that held it: a piece reaches over spaces to take it in."""
    grown = {m: [list(iv) for iv in intervals] for m, intervals in covers.items()}
    starts = {m: [iv[0] for iv in intervals] for m, intervals in grown.items()}
    for p, atom in zip(points, atoms, strict=True):
        for m in atom.ancestors:
            intervals = grown.get(m)
            if not intervals:
                continue
            k = bisect.bisect_right(starts[m], p) - 1
            if k >= 0 and intervals[k][1] >= p:
                continue
            if k >= 0 and english[intervals[k][1] : p].isspace():
                intervals[k][1] = p
            elif k + 1 < len(intervals) and english[p : intervals[k + 1][0]].isspace():
                intervals[k + 1][0] = p
    return {m: _merged(intervals) for m, intervals in grown.items()}


def _held(
    unit: Unit, covers: dict[int, list[tuple[int, int]]], atoms: list[Atom], points: list[int]
) -> list[tuple[int, int, int, frozenset[int]]]:
    """Per atom: its point, German start, order, and the marks that hold it — those that held
    it in German, and those around its point (but no link around a link)."""
    marks = unit.marks
    around = _stabbing(covers, points)
    placed: list[tuple[int, int, int, frozenset[int]]] = []
    for p, atom, inside in zip(points, atoms, around, strict=True):
        held = {a for a in atom.ancestors if a in covers}
        has_link = atom.link or any(marks[a].essential for a in held)
        for m in inside:
            if m not in held and not (marks[m].essential and has_link):
                held.add(m)
        placed.append((p, atom.start, atom.order, frozenset(held)))
    return placed


def _items(
    english: str,
    covers: dict[int, list[tuple[int, int]]],
    placed: list[tuple[int, int, int, frozenset[int]]],
) -> list[_Item]:
    """The English cut where the set of marks changes, with the atoms at their points."""
    order = sorted(range(len(placed)), key=lambda k: placed[k][:3])
    events: dict[int, list[tuple[int, int]]] = {}
    for m, intervals in covers.items():
        for a, b in intervals:
            events.setdefault(a, []).append((1, m))
            events.setdefault(b, []).append((-1, m))
    points = sorted({0, len(english), *events, *(placed[k][0] for k in order)})
    items: list[_Item] = []
    active: dict[int, int] = {}
    atom_at: dict[int, list[int]] = {}
    for k in order:
        atom_at.setdefault(placed[k][0], []).append(k)
    for n, x in enumerate(points):
        for delta, m in events.get(x, []):
            active[m] = active.get(m, 0) + delta
            if not active[m]:
                del active[m]
        for k in atom_at.get(x, []):
            items.append((x, x, placed[k][3], k))
        if n + 1 < len(points) and points[n + 1] > x:
            a, b = x, points[n + 1]
            lead = a + len(english[a:b]) - len(english[a:b].lstrip())
            if a < lead < b:  # spaces first, on their own: no piece opens on a space
                items.append((a, lead, frozenset(active), None))
                a = lead
            items.append((a, b, frozenset(active), None))
    return items


def _reach(items: list[_Item]) -> list[dict[int, int]]:
    """How far each mark runs from each item on (the longer one is opened first)."""
    reach: list[dict[int, int]] = [{} for _ in items]
    following: dict[int, int] = {}
    for n in range(len(items) - 1, -1, -1):
        _, b, held, _ = items[n]
        reach[n] = {m: following.get(m, b) for m in held}
        following = reach[n]
    return reach


def _merged(intervals: list[list[int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _stabbing(covers: dict[int, list[tuple[int, int]]], points: list[int]) -> list[set[int]]:
    """For each point, the marks with an interval ``a < point < b`` (one sweep)."""
    events = sorted(
        (x, kind, m)
        for m, intervals in covers.items()
        for a, b in intervals
        for x, kind in ((a, 1), (b, 0))
    )
    order = sorted(range(len(points)), key=lambda k: points[k])
    out: list[set[int]] = [set() for _ in points]
    active: dict[int, int] = {}
    e = 0
    for k in order:
        p = points[k]
        # ends at or before p leave; starts before p enter
        while e < len(events) and (events[e][0] < p or (events[e][0] == p and events[e][1] == 0)):
            _, kind, m = events[e]
            if kind:
                active[m] = active.get(m, 0) + 1
            else:
                active[m] -= 1
                if not active[m]:
                    del active[m]
            e += 1
        out[k] = set(active)
    return out
