"""A paragraph of office XML rebuilt from its English: the pieces in English order, each in a
leaf of its formatting inside its own containers, each atom where its words went, no link or
field dropped (see ``xmltext``)."""

from __future__ import annotations

import bisect
import copy
import heapq
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .inline import Mark, pieces
from .xmltext_items import Atom, Container, Item, Leaf

if TYPE_CHECKING:
    from .xmltext import Unit


def rebuild_paragraph(
    unit: Unit, english: str, moved: Sequence[Mark], base: tuple, owners: list
) -> None:
    """Rewrite ``unit``'s paragraph from the English and the marks ``transfer`` moved onto it."""
    atoms: list[tuple[int, int, Any]] = []
    texts: list[Mark] = []
    chars = list(english)
    for order, mark in enumerate(moved):
        if mark.atom and mark.key[0] != "atom":  # formatting over only spaces, kept whole
            x = mark.start
            space = x if x < len(english) and english[x].isspace() else x - 1
            if 0 <= space < len(english) and english[space].isspace():
                # the English space it lands on becomes its own (a tab before a page
                # number), the rest of it follows; line breaks stay where the English
                # has them (between sentences)
                texts.append(Mark(space, space + 1, key=mark.key, essential=True))
                if mark.open and "\n" not in mark.open and english[space] != "\n":
                    chars[space] = mark.open[0]
                    if len(mark.open) > 1:
                        atoms.append((space + 1, order, ("spaces", mark.open[1:], mark.key)))
            else:
                atoms.append((x, order, ("spaces", mark.open, mark.key)))
        elif mark.atom:
            atoms.append((mark.start, order, owners[mark.key[1]]))
        elif mark.end <= mark.start and mark.essential:
            word = _word_at(english, mark.start)
            if word is None:
                atoms.append((mark.start, order, ("empty", mark.key)))
            else:  # a link or field that came back without text holds the word it is at
                texts.append(Mark(*word, key=mark.key, essential=True))
        elif mark.end > mark.start:
            texts.append(mark)
    english = "".join(chars)
    sequence = _interleave(pieces(english, _flat(texts), base), sorted(atoms))
    _materialize(unit, sequence, _bare_pieces(sequence, unit.items))


def _materialize(
    unit: Unit, sequence: list[tuple[str, Any]], bare: dict[int, set[int]] | None = None
) -> None:
    """Write the sequence; ``bare``: per text item, the links and fields it is written
    outside of (see ``_bare_pieces``)."""
    bare = bare or {}
    flavor = unit.flavor
    leaves: dict[tuple, deque] = {}
    prototypes: dict[tuple, Leaf] = {}
    containers: dict[int, Container] = {}
    for item in unit.items:
        if isinstance(item, Leaf):
            leaves.setdefault(item.key, deque())
            if item.element is not None:
                leaves[item.key].append(item.element)
            prototypes.setdefault(item.key, item)
        for c in item.chain:
            if c.index not in containers:
                containers[c.index] = c
                if c.element is not None:
                    flavor.empty(c.element)
    root = flavor.clear(unit.paragraph)
    state: dict = {}
    stack: list[tuple[Container, Any, Any]] = []  # (container, its parent, its inside)

    def parent() -> Any:
        return flavor.inner(stack[-1][2]) if stack else root

    def placed(element: Any) -> Any:
        """The element itself the first time, a copy after that."""
        return copy.deepcopy(element) if element.getparent() is not None else element

    def close_to(level: int) -> None:
        while len(stack) > level:
            container, outer, _ = stack.pop()
            if container.is_field:
                flavor.append(outer, placed(container.closing), state)

    def open_chain(chain: Sequence[Container]) -> None:
        for container in chain[len(stack) :]:
            outer = parent()
            if container.is_field:
                for run in container.opening:
                    flavor.append(outer, placed(run), state)
                stack.append((container, outer, outer))
            else:
                shell = container.element
                if shell.getparent() is not None:
                    shell = flavor.clone_shell(shell)
                flavor.append(outer, shell, state)
                stack.append((container, outer, shell))
            container.used = True

    def common(chain: Sequence[Container]) -> int:
        n = 0
        while n < len(stack) and n < len(chain) and stack[n][0] is chain[n]:
            n += 1
        return n

    def chain_of(key: tuple) -> tuple[Container, ...]:
        return tuple(containers[i] for i in key[0])

    ahead_keys: list[tuple | None] = []  # the key of the next text after each item
    following = None
    for kind, value in reversed(sequence):
        ahead_keys.append(following)
        if kind == "text":
            following = value[1]
    ahead_keys.reverse()

    for position, (kind, value) in enumerate(sequence):
        if kind == "text" or (isinstance(value, tuple) and value[0] == "spaces"):
            text, key = value if kind == "text" else value[1:]
            chain = tuple(c for c in chain_of(key) if c.index not in bare.get(position, ()))
            close_to(common(chain))
            open_chain(chain)
            flavor.emit(parent(), text, leaves[key], prototypes[key], state)
        elif isinstance(value, Atom):
            ahead_key = ahead_keys[position]
            ahead = () if ahead_key is None else chain_of(ahead_key)
            close_to(max(common(value.chain), common(ahead)))
            for element in value.elements:
                flavor.append(parent(), element, state)
        else:  # a container whose mark kept no text: entered and left where it went
            chain = chain_of(value[1])
            close_to(common(chain))
            open_chain(chain)
            close_to(max(len(chain) - 1, 0))
    close_to(0)
    for container in containers.values():  # a link or field is never dropped
        if container.essential and not container.used:
            open_chain((container,))
            close_to(0)
    flavor.finish(unit.paragraph)


def _bare_pieces(sequence: list[tuple[str, Any]], items: list[Item]) -> dict[int, set[int]]:
    """The pieces of a link or field without a letter or digit (a quotation mark, a symbol the
    reordering parted from its word) where another piece of the same link shows some: written
    outside it, in their own formatting, as no one could see or click such a link. Returns, per
    text item of ``sequence``, the containers it leaves."""
    essential = {c.index for item in items for c in item.chain if c.essential}
    if not essential:
        return {}
    stretches: dict[int, list[list[int]]] = {}  # container → its stretches of text items
    shown: dict[int, list[bool]] = {}  # container → whether each stretch holds letters/digits
    open_now: set[int] = set()
    for position, (kind, value) in enumerate(sequence):
        if isinstance(value, Atom):
            for c in open_now & {x.index for x in value.chain}:
                shown[c][-1] = True  # an image or a drawing inside a link shows it
            continue
        if kind == "text":
            text, key = value
        elif isinstance(value, tuple) and value[0] == "spaces":
            text, key = value[1], value[2]
        else:
            continue
        chain = {i for i in key[0] if i in essential}
        for c in open_now - chain:
            open_now.discard(c)
        for c in chain:
            if c not in open_now:
                stretches.setdefault(c, []).append([])
                shown.setdefault(c, []).append(False)
                open_now.add(c)
            stretches[c][-1].append(position)
            shown[c][-1] = shown[c][-1] or any(ch.isalnum() for ch in text)
    bare: dict[int, set[int]] = {}
    for c, found in stretches.items():
        if not any(shown[c]):
            continue
        for positions, visible in zip(found, shown[c], strict=True):
            if not visible:
                for position in positions:
                    bare.setdefault(position, set()).add(c)
    return bare


def _word_at(text: str, x: int) -> tuple[int, int] | None:
    """The word at ``x``, or the next one, or the one before (None: no word at all)."""
    start = x
    while start < len(text) and text[start].isspace():
        start += 1
    if start == len(text):
        start = x
        while start > 0 and text[start - 1].isspace():
            start -= 1
        if start == 0:
            return None
        end = start
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        return start, end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _flat(marks: list[Mark]) -> list[Mark]:
    """Non-overlapping marks in text order. Links and fields claim their text first (the first to
    start wins an overlap between them); formatting keeps what they leave, split if need be.

    Linear but for sorting: thousands of marks in one paragraph (``<b>Wort `` × n) each look only
    at the claimed stretches they meet, which then merge into one."""
    out: list[Mark] = []
    claimed: list[tuple[int, int]] = []
    starts: list[int] = []  # of the claimed stretches, sorted
    waiting: list[tuple[int, int]] = []  # claimed stretches that start after the current mark
    reach = -1  # the furthest end of a claimed stretch that starts at or before the current mark
    for mark in sorted((m for m in marks if m.essential), key=lambda m: (m.start, -m.end)):
        while waiting and waiting[0][0] <= mark.start:
            reach = max(reach, heapq.heappop(waiting)[1])
        start = max(mark.start, reach)  # past the claimed stretch it starts in
        after = bisect.bisect_right(starts, start)
        end = min(mark.end, starts[after]) if after < len(starts) else mark.end
        if start < end:
            claimed.append((start, end))
            bisect.insort(starts, start)
            heapq.heappush(waiting, (start, end))
            out.append(Mark(start, end, key=mark.key, essential=True))
    lows: list[int] = []  # the claimed text as disjoint stretches, sorted
    highs: list[int] = []
    for low, high in sorted(claimed):
        if highs and low <= highs[-1]:
            highs[-1] = max(highs[-1], high)
        else:
            lows.append(low)
            highs.append(high)
    for mark in sorted((m for m in marks if not m.essential), key=lambda m: (m.start, -m.end)):
        if mark.end <= mark.start:
            continue
        first = bisect.bisect_right(highs, mark.start)  # the first stretch that ends after it
        last = first
        position = mark.start
        while last < len(lows) and lows[last] < mark.end:
            if lows[last] > position:
                out.append(Mark(position, lows[last], key=mark.key))
            position = max(position, highs[last])
            last += 1
        if position < mark.end:
            out.append(Mark(position, mark.end, key=mark.key))
        low = min(mark.start, lows[first]) if last > first else mark.start
        high = max(mark.end, highs[last - 1]) if last > first else mark.end
        lows[first:last] = [low]  # the mark's whole stretch is taken now
        highs[first:last] = [high]
    return sorted(out, key=lambda m: m.start)


def _interleave(
    english: list[tuple[str, Any]], atoms: list[tuple[int, int, Any]]
) -> list[tuple[str, Any]]:
    """Text pieces with the atoms put in at their English offsets."""
    out: list[tuple[str, Any]] = []
    queue = deque(atoms)
    position = 0
    for text, key in english:
        cut = 0
        while queue and queue[0][0] < position + len(text):
            at = max(queue[0][0] - position, cut)
            if at > cut:
                out.append(("text", (text[cut:at], key)))
            out.append(("atom", queue.popleft()[2]))
            cut = at
        if cut < len(text):
            out.append(("text", (text[cut:], key)))
        position += len(text)
    out.extend(("atom", a[2]) for a in queue)
    return out
