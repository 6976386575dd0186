"""What a paragraph of office XML is read as: leaves of text under their containers (links,
fields, content controls), atoms, and the ``Flavor`` through which a format walks and writes its
paragraphs."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Container:
    """An inline element around text (``element``), or a field: ``opening`` runs before its
    shown text (begin, instruction, separator) and a ``closing`` run after it."""

    index: int
    element: Any = None
    opening: list = field(default_factory=list)
    closing: Any = None
    essential: bool = False
    needs_text: bool = False  # a link, a field, a content control: no copy of it without text
    used: bool = False

    @property
    def is_field(self) -> bool:
        return self.element is None


@dataclass(eq=False)
class Leaf:
    text: str
    chain: tuple[Container, ...]
    props: str = ""  # the run's own formatting, serialized
    element: Any = None  # the run element, reused for its English when there is one
    link: bool = False  # its formatting holds a link (DrawingML's a:hlinkClick)

    @property
    def essential(self) -> bool:
        return self.link or any(c.essential for c in self.chain)

    @property
    def key(self) -> tuple:
        return tuple(c.index for c in self.chain), self.props


@dataclass(eq=False)
class Atom:
    elements: list
    chain: tuple[Container, ...]


Item = Leaf | Atom


class Flavor:
    """How one format's paragraphs are walked and written (subclassed per format)."""

    def walk(self, paragraph: Any, counter: Callable[[], int]) -> list[Item]:
        raise NotImplementedError

    def clear(self, paragraph: Any) -> Any:
        """Detach the paragraph's inline content; returns where new content is appended."""
        raise NotImplementedError

    def finish(self, paragraph: Any) -> None:
        """Put back what ``clear`` set aside (DrawingML's end-of-paragraph properties)."""

    def inner(self, shell: Any) -> Any:
        """Where a container element's content goes (a content control's ``sdtContent``)."""
        return shell

    def empty(self, element: Any) -> None:
        """Remove a container element's content, keeping its own properties."""
        for child in list(element):
            element.remove(child)

    def clone_shell(self, element: Any) -> Any:
        """A copy of a container element without its content."""
        shell = copy.deepcopy(element)
        self.empty(shell)
        return shell

    def emit(self, parent: Any, text: str, leaves: deque, prototype: Leaf, state: dict) -> None:
        """Append ``text`` in the formatting of ``prototype``, reusing unused ``leaves``."""
        raise NotImplementedError

    def append(self, parent: Any, element: Any, state: dict) -> None:
        parent.append(element)


class PlainFlavor(Flavor):
    """An element whose text is the whole unit (a title in the document's properties)."""

    def paragraphs(self, root: Any) -> list:
        return [root]

    def walk(self, paragraph: Any, counter: Callable[[], int]) -> list[Item]:
        return [Leaf(paragraph.text or "", ())]

    def clear(self, paragraph):
        paragraph.text = ""
        return paragraph

    def emit(self, parent, text, leaves, prototype, state):
        parent.text = (parent.text or "") + text

    def append(self, parent, element, state):  # no atoms in a plain element
        pass
