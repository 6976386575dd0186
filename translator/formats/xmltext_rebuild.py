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
    taken: set[int] = set()  # English spaces that a run of only whitespace has become
    for order, mark in enumerate(moved):
        if mark.atom and mark.key[0] != "atom":  # formatting over only spaces, kept whole
            x = mark.start
            space = x if x < len(english) and english[x].isspace() else x - 1
            # line breaks stay where the English has them (between sentences): inside a
            # sentence, a run's line breaks give way to the English sentence
            inside = 0 <= space < len(english) and english[space] != "\n"
            text = mark.open.replace("\n", "") if inside else mark.open
            if space in taken and inside:  # another such run has this space: after it
                atoms.append((space + 1, order, ("spaces", text or " ", mark.key)))
            elif space in taken:  # a line break the English has: never written twice
                texts.append(Mark(space, space + 1, key=mark.key, essential=True))
            elif 0 <= space < len(english) and english[space].isspace():
                taken.add(space)
                # the English space it lands on becomes its own (a tab before a page
                # number), the rest of it follows
                texts.append(Mark(space, space + 1, key=mark.key, essential=True))
                if text and inside:
                    chars[space] = text[0]
                    if len(text) > 1:
                        atoms.append((space + 1, order, ("spaces", text[1:], mark.key)))
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
    chains = _text_chains(sequence, unit.items)
    _materialize(unit, sequence, chains, _bare_pieces(sequence, unit.items, chains))


def _materialize(
    unit: Unit,
    sequence: list[tuple[str, Any]],
    chains: dict[int, tuple[int, ...]] | None = None,
    bare: dict[int, set[int]] | None = None,
) -> None:
    """Write the sequence; ``chains``: per text item, the containers it is written inside
    (see ``_text_chains``; else those of its key); ``bare``: per text item, the links and
    fields it is written outside of (see ``_bare_pieces``)."""
    chains = chains or {}
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

    def text_chain(position: int, key: tuple) -> tuple[Container, ...]:
        indexes = chains.get(position, key[0])
        return tuple(containers[i] for i in indexes if i not in bare.get(position, ()))

    ahead_chains: list[tuple[Container, ...]] = []  # of the next text after each item
    following: tuple[Container, ...] = ()
    for position in range(len(sequence) - 1, -1, -1):
        ahead_chains.append(following)
        kind, value = sequence[position]
        if kind == "text":
            following = text_chain(position, value[1])
    ahead_chains.reverse()

    for position, (kind, value) in enumerate(sequence):
        if kind == "text" or (isinstance(value, tuple) and value[0] == "spaces"):
            text, key = value if kind == "text" else value[1:]
            chain = text_chain(position, key)
            close_to(common(chain))
            open_chain(chain)
            flavor.emit(parent(), text, leaves[key], prototypes[key], state)
        elif isinstance(value, Atom):
            ahead = ahead_chains[position]
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


def _text_items(sequence: list[tuple[str, Any]]) -> list[tuple[int, str, tuple]]:
    """(position, text, key) of each piece of text in ``sequence`` (runs of only whitespace
    included), in order."""
    out = []
    for position, (kind, value) in enumerate(sequence):
        if kind == "text":
            out.append((position, *value))
        elif isinstance(value, tuple) and value[0] == "spaces":
            out.append((position, value[1], value[2]))
    return out


def _text_chains(sequence: list[tuple[str, Any]], items: list[Item]) -> dict[int, tuple[int, ...]]:
    """Per piece of text, the containers it is written inside: its own, but a stretch without
    a letter or digit (a space, a bracket, a comma) between two pieces inside the same links,
    fields or content controls goes inside them too, rather than cutting them into two copies
    (the words of a content control that came back in another order)."""
    essential = {c.index for item in items for c in item.chain if c.essential}
    texts = _text_items(sequence)
    chains = {position: key[0] for position, _, key in texts}
    if not essential:
        return chains
    shown = [any(c.isalnum() for c in text) for _, text, _ in texts]
    n = 0
    while n < len(texts):
        if shown[n]:
            n += 1
            continue
        end = n
        while end < len(texts) and not shown[end]:
            end += 1
        if n > 0 and end < len(texts):  # a gap between two pieces with letters or digits
            before, after = texts[n - 1][2][0], texts[end][2][0]
            common = 0
            while common < min(len(before), len(after)) and before[common] == after[common]:
                common += 1
            around = before[:common]
            for position, _, key in texts[n:end]:
                own = key[0]
                inside = len(own) < len(around) and around[: len(own)] == own
                if inside and all(i in essential for i in around[len(own) :]):
                    chains[position] = around
        n = end
    return chains


def _bare_pieces(
    sequence: list[tuple[str, Any]], items: list[Item], chains: dict[int, tuple[int, ...]]
) -> dict[int, set[int]]:
    """The pieces of a link, field or content control (``Container.needs_text``) without a
    letter or digit (a quotation mark, a symbol the reordering parted from its word) where
    another piece of the same one shows some: written outside it, in their own formatting, as
    no one could see or click such a link, and a field would fill its copy in again. Other
    containers (a text direction, a tracked insertion) keep such pieces inside a copy of
    themselves. Returns, per text item of ``sequence``, the containers it leaves."""
    essential = {c.index for item in items for c in item.chain if c.needs_text}
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
        chain = {i for i in chains.get(position, key[0]) if i in essential}
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
