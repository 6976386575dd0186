"""The data model of inline markup (``Mark``) and the two ways writers turn marks back into a file.

Readers describe a unit's markup as ``Mark``s over its plain text; after the transfer, text writers
(Markdown, HTML, subtitles) ``render`` the marks' literals around their stretches, and XML writers
(Word, slides, OpenDocument) cut the text into ``pieces`` that each take one run's formatting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any


@dataclass(slots=True)
class Mark:
    """Markup over ``[start, end)`` of a unit's plain text (``start == end`` for an atom).

    ``open``/``close`` are the literal markup a text writer puts around the stretch (an atom has
    only ``open``); ``key`` is a writer's own tag (a Word run's formatting). ``parent`` is the
    index of the enclosing mark in the same list. ``pad_before``/``pad_after``: the atom stood
    apart from the words next to it, so it is written with a space there. ``essential``: a link
    (exclusive, never dropped, never without text); ``kept``: never dropped, but it may share
    its characters with other marks (formatting a file must keep).
    """

    start: int
    end: int
    open: str = ""
    close: str = ""
    key: Any = None
    atom: bool = False
    essential: bool = False
    kept: bool = False
    parent: int | None = None
    pad_before: bool = False
    pad_after: bool = False


def render(text: str, marks: Sequence[Mark], escape: Callable[[str, bool], str]) -> str:
    """``text`` with the marks' literals around (or at) their stretches.

    ``escape(chunk, at_line_start)`` makes a stretch of plain text safe for the format;
    ``at_line_start``: nothing was written yet, or the last thing written ended a line.
    """
    children: dict[int | None, list[int]] = {}
    for i, mark in enumerate(marks):
        children.setdefault(mark.parent, []).append(i)
    for group in children.values():
        group.sort(key=lambda i: (marks[i].start, i))

    out: list[str] = []
    last_atom: tuple[int, int, int] | None = None  # (position, pieces written, index)

    def chunk(start: int, end: int) -> str:
        if start >= end:
            return ""
        last = next((piece[-1] for piece in reversed(out) if piece), "\n")
        return escape(text[start:end], last == "\n")

    # (parent, the index of its next child, where its text has been written up to, its end)
    stack: list[list[Any]] = [[None, 0, 0, len(text)]]
    while stack:
        frame = stack[-1]
        parent, k, position, end = frame
        group = children.get(parent, [])
        if k == len(group):
            out.append(chunk(position, end))
            if parent is not None:
                out.append(marks[parent].close)
            stack.pop()
            if stack:
                stack[-1][2] = max(stack[-1][2], end)
            continue
        i = group[k]
        frame[1] = k + 1
        mark = marks[i]
        out.append(chunk(position, mark.start))
        frame[2] = max(position, mark.start)
        if mark.atom:
            before = text[mark.start - 1] if mark.start > 0 else " "
            if (
                last_atom is not None
                and last_atom[0] == mark.start
                and not any(out[last_atom[1] :])
            ):
                before = marks[last_atom[2]].open[-1:] or before  # right after another atom
            after = text[mark.start] if mark.start < len(text) else " "
            out.append(" " if mark.pad_before and _space_before(before) else "")
            out.append(mark.open)
            pad = mark.pad_after and _space_after(after) and not mark.open.endswith("\n")
            out.append(" " if pad else "")
            last_atom = (mark.start, len(out), i)
        else:
            out.append(mark.open)
            stack.append([i, 0, mark.start, max(mark.start, mark.end)])
    return "".join(out)


def pieces(text: str, marks: Sequence[Mark], base: Any) -> list[tuple[str, Any]]:
    """``text`` as ``(text, key)`` pieces: each character takes the key of the innermost mark
    over it (atoms aside), characters under none take ``base``; equal neighbours are joined."""
    keys: list[Any] = [base] * len(text)
    depth = [0] * len(text)
    levels: list[int] = []
    for mark in marks:
        level = 0 if mark.parent is None else levels[mark.parent] + 1
        levels.append(level)
        if mark.atom:
            continue
        for x in range(max(0, mark.start), min(len(text), mark.end)):
            if level >= depth[x]:
                keys[x], depth[x] = mark.key, level
    out: list[tuple[str, Any]] = []
    start = 0
    for x in range(1, len(text) + 1):
        if x == len(text) or keys[x] != keys[start]:
            out.append((text[start:x], keys[start]))
            start = x
    return out


def with_padding(mark: Mark, plain: str) -> Mark:
    """An atom that stood apart from its neighbours in ``plain`` is written apart from them."""
    if not mark.atom:
        return mark
    return replace(
        mark,
        pad_before=mark.pad_before or (mark.start > 0 and plain[mark.start - 1].isspace()),
        pad_after=mark.pad_after or (mark.start < len(plain) and plain[mark.start].isspace()),
    )


_OPENING = "([{„“‚‘«‹¿¡"
_CLOSING = ".,;:!?)]}”’»›…"


def _space_before(char: str) -> bool:
    return not char.isspace() and char not in _OPENING


def _space_after(char: str) -> bool:
    return not char.isspace() and char not in _CLOSING
