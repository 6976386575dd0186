"""HTML elements as the page reader needs to know them: which are inline, void or not to
translate, and where an element whose end tag is missing ends (the tree builder's common rules)."""

from __future__ import annotations

from .htmltokens import Token

INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite data del dfn em font i ins label mark nobr q s small "
    "span strike strong sub sup time tt u".split()
)
VOID = frozenset(
    "area base br col embed frame hr img input keygen link meta param source track wbr".split()
)
INLINE_VOID = frozenset("area br embed img input keygen link meta param source track wbr".split())
OPAQUE_INLINE = frozenset("code kbd samp var svg math ruby".split())
OPAQUE_BLOCK = frozenset("pre template iframe".split())

# The tree builder's rules that close elements without their end tag, roughly: enough to know
# where an element that isn't translated ends when its end tag is missing.
P_CLOSERS = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr listing main menu nav ol p plaintext "
    "pre search section summary table ul xmp".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
SCOPE = frozenset("applet caption html table td th marquee object template".split())


class Tree:
    """The open elements, as a browser's tree builder keeps them (the common rules only):
    enough to know where an element ends when its end tag is missing."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.positions: dict[str, list[int]] = {}
        self.markers: list[int] = []  # positions of elements that bound a scope
        self.low = 0  # the fewest open elements since the last reset

    def __len__(self) -> int:
        return len(self.names)

    def _pop(self) -> None:
        name = self.names.pop()
        self.positions[name].pop()
        if self.markers and self.markers[-1] == len(self.names):
            self.markers.pop()
        self.low = min(self.low, len(self.names))

    def _pop_to(self, name: str) -> None:
        target = self.positions[name][-1]
        while len(self.names) > target:
            self._pop()

    def _in_scope(self, name: str, extra: frozenset[str] = frozenset()) -> bool:
        found = self.positions.get(name)
        if not found:
            return False
        bound = self.markers[-1] if self.markers else -1
        for other in extra:
            near = self.positions.get(other)
            if near and near[-1] > bound and near[-1] < found[-1]:
                return False
        return found[-1] >= bound

    def feed(self, token: Token) -> None:
        name = token.name
        if token.kind == "end":
            if self.positions.get(name) and self._in_scope(name):
                self._pop_to(name)
            return
        if token.kind != "start":
            return
        if name in P_CLOSERS and self._in_scope("p", frozenset(("button",))):
            self._pop_to("p")
        if name == "li" and self._in_scope("li", frozenset(("ol", "ul"))):
            self._pop_to("li")
        elif name in ("dd", "dt"):
            for other in ("dd", "dt"):
                if self._in_scope(other):
                    self._pop_to(other)
        elif name in HEADINGS and self.names and self.names[-1] in HEADINGS:
            self._pop()
        elif name in ("option", "optgroup"):
            if self.names and self.names[-1] == "option":
                self._pop()
            if name == "optgroup" and self.names and self.names[-1] == "optgroup":
                self._pop()
        elif name == "tr" and self._in_scope("tr"):
            self._pop_to("tr")
        elif name in ("td", "th"):
            for other in ("td", "th"):
                if self._in_scope(other):
                    self._pop_to(other)
        elif name == "a" and self._in_scope("a"):
            self._pop_to("a")
        if name in VOID or (name in ("html", "head", "body") and self.positions.get(name)):
            return
        self.positions.setdefault(name, []).append(len(self.names))
        if name in SCOPE:
            self.markers.append(len(self.names))
        self.names.append(name)
