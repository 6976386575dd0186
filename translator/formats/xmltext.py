"""Paragraphs of office XML (Word, DrawingML, OpenDocument): read as text, rebuilt in English.

A paragraph's inline content is read as a flat sequence of *leaves* and *atoms*. A leaf is text
(a Word or DrawingML run, a string in OpenDocument) under a chain of *containers* — a hyperlink,
a span, a content control, a field whose shown result is text — with its own formatting. An atom
is everything else: an image, a note reference, a bookmark, a field that shows no text. Atoms are
never translated.

The leaves' formatting that covers most letters is the paragraph's base; every other stretch of
formatting (a bold run, a link, a field's result) is a mark, and each atom a point mark, moved
onto the English by ``inline.transfer``. The paragraph is then rebuilt from the English pieces in
English order: each piece in a leaf of its formatting inside its own containers (a container whose
mark was split is entered again as a copy of itself), each atom where its words went; a link or
field that ``transfer`` placed without text holds the English word where it stands. A stretch
of formatting over only whitespace (a tab before a page number, a formatted space) goes where
its word went and takes the English space there; where several land on one space inside a
sentence, the others are written whole after it, so none is lost. Elements are moved, never
made up: every attribute, property and unknown child stays, and a container or a field keeps
its instruction. A format says how its paragraphs are walked and how text is written
through a ``Flavor``.

*Twins*: the same paragraph stored twice for different readers (the Choice and Fallback of
``mc:AlternateContent``, a diagram's data and its drawing) is read once and written into both.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..document import Document, Paragraph, Span
from .base import unit_paragraphs
from .inline import Mark, transfer
from .xmltext_items import Atom, Container, Flavor, Item, Leaf, PlainFlavor
from .xmltext_rebuild import rebuild_paragraph

__all__ = [
    "Atom",
    "Container",
    "Flavor",
    "Item",
    "Leaf",
    "PlainFlavor",
    "Unit",
    "collect",
    "write_units",
]


class Unit:
    """One paragraph to translate: its items, its plain text, and its twins."""

    def __init__(self, paragraph: Any, flavor: Flavor, items: list[Item], part: str) -> None:
        self.paragraph = paragraph
        self.flavor = flavor
        self.items = items
        self.part = part
        self.text = "".join(i.text for i in items if isinstance(i, Leaf))
        self.twins: list[Unit] = []

    def marks(self) -> tuple[tuple, list[Mark], list[Any]]:
        """The base key, the marks over the plain text, and what each mark stands for."""
        weight: dict[tuple, int] = {}
        for item in self.items:
            if isinstance(item, Leaf):
                letters = sum(c.isalnum() for c in item.text)
                weight[item.key] = weight.get(item.key, 0) + letters
        # The base fills every gap between marks: a link or field is the base only when it holds
        # all the text, else the English around it would become part of it.
        essential = {item.key for item in self.items if isinstance(item, Leaf) and item.essential}
        plain = [k for k in weight if k not in essential] or list(weight)
        base = max(plain, key=lambda k: (weight[k], -len(k[0]), -len(k[1])))
        marks: list[Mark] = []
        owners: list[Any] = []
        position = 0
        last: Mark | None = None  # the last stretch: it runs on over atoms (a proofing mark, a
        # bookmark) inside it, so that a link isn't cut in two around one
        for item in self.items:
            if isinstance(item, Atom):
                marks.append(Mark(position, position, key=("atom", len(owners)), atom=True))
                marks[-1].essential = True
                owners.append(item)
                continue
            end = position + len(item.text)
            if item.key != base and end > position:
                if last is not None and last.key == item.key and last.end == position:
                    last.end = end
                    position = end
                    continue
                last = Mark(position, end, key=item.key, essential=item.essential)
                marks.append(last)
                owners.append(item.key)
            position = end
        return base, marks, owners

    def write(self, document: Document, span: Span, paragraph: Paragraph) -> None:
        """Rebuild the paragraph (and its twins) with the English of ``paragraph``."""
        for unit in (self, *self.twins):
            base, marks, owners = unit.marks()
            english, moved = transfer(document, span, paragraph, marks)
            unit.rebuild(english, moved, base, owners)

    def rebuild(self, english: str, moved: Sequence[Mark], base: tuple, owners: list) -> None:
        """Rewrite the paragraph from the English and the marks ``transfer`` moved onto it."""
        rebuild_paragraph(self, english, moved, base, owners)


def collect(
    parts: Iterable[tuple[str, Any, Flavor, Iterable[Any]]],
    shadow_of: Callable[[Unit], tuple[Any, bool] | None] | None = None,
) -> list[Unit]:
    """The units of all parts (name, root, flavor, paragraphs) in order, twins folded in.

    ``shadow_of(unit)`` gives (group, is_shadow) for a unit that may be stored twice: a shadow
    whose text equals an unpaired primary's of the same group becomes that primary's twin.
    """
    units: list[Unit] = []
    counter = iter(range(1 << 62))
    for name, _root, flavor, paragraphs in parts:
        for paragraph in paragraphs:
            items = flavor.walk(paragraph, lambda: next(counter))
            unit = Unit(paragraph, flavor, items, name)
            if any(c.isalpha() for c in unit.text):
                units.append(unit)
    if shadow_of is None:
        return units
    primaries: dict[tuple[Any, str], deque] = {}
    shadows: list[tuple[Unit, Any]] = []
    for unit in units:
        role = shadow_of(unit)
        if role is not None and role[1]:
            shadows.append((unit, role[0]))
            continue
        if role is not None:
            primaries.setdefault((role[0], unit.text), deque()).append(unit)
    twinned = set()
    for unit, group in shadows:
        queue = primaries.get((group, unit.text))
        if queue:
            queue.popleft().twins.append(unit)
            twinned.add(id(unit))
    return [u for u in units if id(u) not in twinned]


def write_units(document: Document, spans: Sequence[Span], found: Sequence[Unit], package) -> None:
    """Each unit's English into its XML (units without a paragraph stay as they are), and every
    part written into, its twins' included, marked changed in ``package``."""
    for unit, span, paragraph in zip(found, spans, unit_paragraphs(document, spans), strict=True):
        if paragraph is not None:
            unit.write(document, span, paragraph)
            for written in (unit, *unit.twins):
                package.touch(written.part)
