"""Inline markup (bold runs, links, ``code``, tags) moved from German words onto English ones.

A unit's markup is a list of ``Mark``s over its plain text: paired marks (emphasis, a link, a
Word run's formatting) cover a stretch; atoms (an inline code span, an image, ``<br>``) sit at a
point and are never translated. ``transfer`` decides for every English character which marks
cover it, and where each atom goes:

* Each paired mark follows its own German words. With word alignment (``Sentence.links``) it
  covers the English words linked to them wherever they landed, with the unlinked words and the
  spaces between them; so a mark may come out in several pieces, or nested differently.
* A mark over a whole sentence (all of its letters and digits) covers the whole translation,
  less the punctuation it left outside: a link over a sentence doesn't swallow its full stop.
* A sentence that came back unchanged (a name, a number) keeps every mark on its characters.
* A mark over part of a word (the ``2`` of ``m2``, a note marker, two links written together)
  stays on the same characters where the English word still holds them; a part with letters of
  a word that was translated takes its share of the English (the same letters if they are
  there, else whole words in order); a part without letters that the English lacks is left out
  rather than spread over a word.
* Essential marks (links: losing one loses content) are exclusive (a character is in at most
  one) and never end up without text: a link whose words lost every English word falls back to
  a word it shares with another link, then to the words at its place in the sentence, then to
  the whole sentence. Without any alignment, essential marks are placed in proportion to their
  place in the sentence; the others (bold, italic) are dropped unless they cover a sentence.
* Kept marks (every element of an HTML page: the file must keep it) are never dropped either,
  but share their characters: one that found no English of its own takes the words at its
  place in the sentence, else the whole sentence.
* A paired mark without text of its own (a link around only ``code`` or an image, an empty
  ``<span>``) is kept whole as an atom.
* An atom goes after the English of the German word it touches on the left, else before the
  word it touches on the right, else after the nearest word before it; at a sentence's end it
  stays there. Where it can't stay beside the word it touched, it is written apart from its new
  neighbours; a line break never lands at the start or end. It stays inside the marks that held
  it in German (their pieces reach over spaces to take it in).

The result is always well nested: where marks overlap, the one that runs further is opened
first and the other is split around it; a piece never begins or ends with a space.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..document import Document, Paragraph, Span
from ..words import word_spans
from .base import unit_english


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


def transfer(
    document: Document, unit: Span, paragraph: Paragraph | None, marks: Sequence[Mark]
) -> tuple[str, list[Mark]]:
    """The unit's English, and the marks on it (English coordinates), well nested.

    The returned marks are in document order (a mark before the marks inside it); their
    ``parent`` indices point into the returned list. A German mark may become several.
    """
    english = unit_english(document, unit, paragraph)
    plain = unit.of(document.source)
    marks = [_with_padding(m, plain) for m in marks]
    if paragraph is None:  # nothing was translated: everything stays where it was
        return english, list(marks)
    return english, _Transfer(document, unit, paragraph, english, plain, marks).run()


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


_OPENING = "([{„“‚‘«‹¿¡"
_CLOSING = ".,;:!?)]}”’»›…"


def _space_before(char: str) -> bool:
    return not char.isspace() and char not in _OPENING


def _space_after(char: str) -> bool:
    return not char.isspace() and char not in _CLOSING


def _with_padding(mark: Mark, plain: str) -> Mark:
    if not mark.atom:
        return mark
    return replace(
        mark,
        pad_before=mark.pad_before or (mark.start > 0 and plain[mark.start - 1].isspace()),
        pad_after=mark.pad_after or (mark.start < len(plain) and plain[mark.start].isspace()),
    )


# -- the transfer --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Sentence:
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


@dataclass(slots=True)
class _Atom:
    mark: Mark  # the literal to write (a composite for a paired mark without text)
    start: int  # German position
    order: int
    ancestors: list[int]  # paired marks (ids) around it in German, outermost first
    link: bool = False  # it holds an essential paired mark (a link): no link may hold it


class _Transfer:
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
        self.lead = lead
        self.tail = (paragraph.source.end - unit.start, lead + len(paragraph.target))
        self.sentences = [self._sentence(s, unit.start, shift) for s in paragraph.sentences]
        self.sentence_starts = [s.gs for s in self.sentences]
        self.sentence_starts_en = [s.es for s in self.sentences]
        # covers[m]: English intervals of paired mark m; claims for essential (exclusive) marks
        self.covers: dict[int, list[tuple[int, int]]] = {}
        self.claims: dict[int, dict[int, float]] = {}  # English char block → {mark: weight}
        self.exact: dict[int, int] = {}  # English char → essential mark placed there exactly
        self.exact_marks: set[int] = set()
        self.owner: dict[int, int] = {}  # English word start → the essential mark it went to
        self.claimed: dict[int, list[tuple[_Sentence, int]]] = {}  # essential mark → words
        self.touched: dict[int, _Sentence] = {}
        self.splits: dict[tuple[int, int], dict[tuple[int, int], list[int]]] = {}

    # -- setting up ------------------------------------------------------------------------------

    def _sentence(self, s, offset: int, shift: int) -> _Sentence:
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
        return _Sentence(
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

    def run(self) -> list[Mark]:
        marks, plain = self.marks, self.plain
        n = len(marks)
        parents = [m.parent if m.parent is not None and 0 <= m.parent < n else None for m in marks]
        worded = [
            not m.atom and m.end > m.start and not plain[m.start : m.end].isspace() for m in marks
        ]
        children: dict[int | None, list[int]] = {}
        for i, p in enumerate(parents):
            children.setdefault(p, []).append(i)
        self.parents, self.children = parents, children
        # paired marks without text, with everything inside them, become atoms
        self.atoms: list[_Atom] = []
        consumed = [False] * n
        for i, mark in enumerate(marks):
            if consumed[i] or worded[i]:
                continue
            ancestors = self._ancestors(i, parents)
            if mark.atom:
                self.atoms.append(_Atom(mark, mark.start, i, ancestors))
                continue
            inside = self._subtree(i, children)
            for j in inside:
                consumed[j] = True
            link = mark.essential or any(marks[j].essential and not marks[j].atom for j in inside)
            composite = self._composite(i, inside, parents)
            self.atoms.append(_Atom(composite, mark.start, i, ancestors, link))
        self.paired = [i for i in range(n) if worded[i]]
        self.depth = {i: len(self._ancestors(i, parents)) for i in self.paired}
        self.bounds = sorted({x for i in self.paired for x in (marks[i].start, marks[i].end)})
        for i in self.paired:
            self._place(i)
        self._settle()
        return self._assemble()

    def _ancestors(self, i: int, parents: list[int | None]) -> list[int]:
        chain: list[int] = []
        p = parents[i]
        while p is not None and len(chain) <= len(parents):
            chain.append(p)
            p = parents[p]
        return chain[::-1]

    def _subtree(self, root: int, children: dict[int | None, list[int]]) -> list[int]:
        out: list[int] = []
        todo = list(reversed(children.get(root, [])))
        while todo:
            j = todo.pop()
            out.append(j)
            todo.extend(reversed(children.get(j, [])))
        return sorted(out)

    def _composite(self, root: int, inside: list[int], parents: list[int | None]) -> Mark:
        """A paired mark without text and what it holds, as one atom (its literal, its spacing)."""
        mark, plain = self.marks[root], self.plain
        index = {j: k for k, j in enumerate(inside)}
        local = [
            replace(
                self.marks[j],
                start=self.marks[j].start - mark.start,
                end=self.marks[j].end - mark.start,
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

    # -- where each paired mark goes -------------------------------------------------------------

    def _sentences_over(self, start: int, end: int) -> list[_Sentence]:
        k = max(0, bisect.bisect_right(self.sentence_starts, start) - 1)
        out = []
        while k < len(self.sentences) and self.sentences[k].gs < end:
            if self.sentences[k].ge > start:
                out.append(self.sentences[k])
            k += 1
        return out

    def _cover(self, m: int, a: int, b: int) -> None:
        english = self.english
        while a < b and english[a].isspace():
            a += 1
        while b > a and english[b - 1].isspace():
            b -= 1
        if a < b:
            self.covers.setdefault(m, []).append((a, b))

    def _claim(self, m: int, s: _Sentence, word: int, weight: float) -> None:
        self.claims.setdefault(s.ewords[word][0], {})
        block = self.claims[s.ewords[word][0]]
        block[m] = block.get(m, 0.0) + weight
        self.claimed.setdefault(m, []).append((s, word))

    def _place(self, m: int) -> None:
        mark, plain = self.marks[m], self.plain
        essential = mark.essential
        for s in self._sentences_over(mark.start, mark.end):
            lo, hi = max(mark.start, s.gs), min(mark.end, s.ge)
            if lo >= hi or plain[lo:hi].isspace():
                continue
            self.touched.setdefault(m, s)
            if s.identity:
                self._add(m, s, lo - s.gs + s.es, hi - s.gs + s.es, exact=True)
                continue
            outside = plain[s.gs : lo] + plain[hi : s.ge]
            if not any(c.isalnum() for c in outside):
                self._whole(m, s, lo, hi)
                continue
            partial = self._words_in(s, lo, hi)
            for g, full in partial:
                if full and s.linked:
                    for e, weight in s.g2e[g]:
                        if essential:
                            self._claim(m, s, e, weight)
                        else:
                            a, b = s.ewords[e]
                            self._cover(m, a, b)
                elif not full:
                    self._subword(m, s, g, lo, hi)
            if not s.linked and (essential or mark.kept) and any(full for _, full in partial):
                a, b = self._proportional(s, lo, hi)
                self._add(m, s, a, b)

    def _add(self, m: int, s: _Sentence, a: int, b: int, exact: bool = False) -> None:
        """English ``[a, b)`` for mark ``m``: covered, or claimed when the mark is exclusive."""
        if not self.marks[m].essential:
            self._cover(m, a, b)
            return
        if exact:
            for x in range(a, b):
                if not self.english[x].isspace():
                    self.exact.setdefault(x, m)
            self.exact_marks.add(m)
            return
        first = bisect.bisect_left(s.estarts, a)
        while first > 0 and s.ewords[first - 1][1] > a:
            first -= 1
        for e in range(first, len(s.ewords)):
            if s.ewords[e][0] >= b:
                break
            self._claim(m, s, e, 1.0)

    def _words_in(self, s: _Sentence, lo: int, hi: int) -> list[tuple[int, bool]]:
        """German words of ``s`` overlapping ``[lo, hi)``, each with whether it lies inside."""
        k = bisect.bisect_left(s.gstarts, lo)
        while k > 0 and s.gwords[k - 1][1] > lo:
            k -= 1
        out = []
        while k < len(s.gwords) and s.gwords[k][0] < hi:
            a, b = s.gwords[k]
            if b > lo:
                out.append((k, lo <= a and b <= hi))
            k += 1
        return out

    def _whole(self, m: int, s: _Sentence, lo: int, hi: int) -> None:
        """A mark over all a sentence's letters: all its English but what was left outside."""
        plain = self.plain
        words = s.ewords
        if not words:
            return
        left = not plain[s.gs : lo].isspace() and lo > s.gs
        right = not plain[hi : s.ge].isspace() and hi < s.ge
        inside = {g for g, _ in self._words_in(s, lo, hi)} if s.linked else set()

        def outside(e: int) -> bool:
            a, b = words[e]
            if s.linked and s.e2g[e]:
                return not any(g in inside for g in s.e2g[e])
            has_alnum = any(c.isalnum() for c in self.english[a:b])
            return (left or right) and not has_alnum

        first, last = 0, len(words) - 1
        while first <= last and outside(first):
            first += 1
        while last >= first and outside(last):
            last -= 1
        if first > last:
            return
        if not s.linked:
            self._add(m, s, words[first][0], words[last][1])
            return
        # inside the hull, words aligned only to German outside the mark stay outside
        run: list[int] = []
        for e in range(first, last + 2):
            if e <= last and not (s.e2g[e] and outside(e)):
                run.append(e)
            elif run:
                self._add(m, s, words[run[0]][0], words[run[-1]][1])
                run = []

    def _subword(self, m: int, s: _Sentence, g: int, lo: int, hi: int) -> None:
        """A mark over part of German word ``g``: the same characters of its English, if there."""
        plain, english = self.plain, self.english
        wa, wb = s.gwords[g]
        a, b = max(lo, wa), min(hi, wb)
        word, part = plain[wa:wb], plain[a:b]
        if s.linked:
            candidates = [e for e, _ in s.g2e[g]]
        else:  # the German word itself in the English, or a word holding the marked part
            candidates = [
                e
                for e, (x, y) in enumerate(s.ewords)
                if english[x:y].casefold() == word.casefold() or part in english[x:y]
            ]
        same = [e for e in candidates if _same_word(english[slice(*s.ewords[e])], word)]
        if same:
            x = s.ewords[same[0]][0]
            self._add(m, s, x + a - wa, x + b - wa, exact=True)
            return
        if not any(c.isalpha() for c in part):
            for e in candidates:
                x, y = s.ewords[e]
                text = english[x:y]
                if b == wb and text.endswith(part):
                    self._add(m, s, y - len(part), y, exact=True)
                    return
                if a == wa and text.startswith(part):
                    self._add(m, s, x, x + len(part), exact=True)
                    return
            for e in candidates:
                x, y = s.ewords[e]
                at = english.find(part, x, y)
                if at >= 0:
                    self._add(m, s, at, at + len(part), exact=True)
                    return
            return  # no place for it: a sub-word of digits or symbols is never widened
        if not s.linked or not candidates:
            return
        # letters of a translated word: its share of the English word(s), or all of them
        split = self._split(s, g, candidates)
        share = [x for (x0, y0), chars in split.items() if a <= x0 and y0 <= b for x in chars]
        for run_a, run_b in _runs(share):
            self._add(m, s, run_a, run_b, exact=True)

    def _split(
        self, s: _Sentence, g: int, candidates: list[int]
    ) -> dict[tuple[int, int], list[int]]:
        """German word ``g``, cut by marks into parts: the English characters of each part with
        letters. A part found as such in the English takes it; the others share what is left,
        whole words first, in order and by length."""
        key = (s.gs, g)
        if key in self.splits:
            return self.splits[key]
        plain = self.plain
        wa, wb = s.gwords[g]
        cuts = sorted({wa, wb, *self._bounds_inside(wa, wb)})
        parts = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
        parts = [p for p in parts if any(c.isalpha() for c in plain[p[0] : p[1]])]
        spans = sorted(s.ewords[e] for e in candidates)
        out: dict[tuple[int, int], list[int]] = {}
        taken: set[int] = set()
        if len(parts) == 1:
            out[parts[0]] = [x for x, y in spans for x in range(x, y)]
            self.splits[key] = out
            return out
        for part in parts:
            found = self._matching_part(plain[part[0] : part[1]], spans, taken)
            if found is not None:
                out[part] = list(range(*found))
                taken.update(out[part])
        rest = [p for p in parts if p not in out]
        words = [(x, y) for x, y in spans if not taken.intersection(range(x, y))]
        if rest and len(words) >= len(rest):
            total = sum(y - x for x, y in rest)
            done = 0
            for k, part in enumerate(rest):
                first = round(done * len(words) / total)
                done += part[1] - part[0]
                last = len(words) - (len(rest) - k - 1)
                last = max(first + 1, min(last, round(done * len(words) / total)))
                out[part] = [x for x, y in words[first:last] for x in range(x, y)]
        elif rest:
            chars = [x for x, y in spans for x in range(x, y) if x not in taken]
            total = sum(y - x for x, y in rest)
            done = 0
            for part in rest:
                first = round(done * len(chars) / total)
                done += part[1] - part[0]
                out[part] = chars[first : max(first + 1, round(done * len(chars) / total))]
        self.splits[key] = out
        return out

    def _bounds_inside(self, wa: int, wb: int) -> list[int]:
        k = bisect.bisect_right(self.bounds, wa)
        return self.bounds[k : bisect.bisect_left(self.bounds, wb)]

    def _matching_part(
        self, part: str, spans: list[tuple[int, int]], taken: set[int]
    ) -> tuple[int, int] | None:
        folded = part.casefold()
        if len(folded) != len(part):
            return None
        for x, y in spans:
            at = self.english[x:y].casefold().find(folded)
            if at >= 0 and not taken.intersection(range(x + at, x + at + len(part))):
                return x + at, x + at + len(part)
        return None

    def _proportional(self, s: _Sentence, lo: int, hi: int) -> tuple[int, int]:
        """The English words at the place of German ``[lo, hi)`` in its sentence, without
        punctuation at their ends that the German stretch didn't have."""
        start, end = self._share(s, lo, hi)
        english, marked = self.english, self.plain[lo:hi].strip()
        if marked and marked[-1].isalnum():
            while end - 1 > start and not english[end - 1].isalnum():
                end -= 1
        if marked and marked[0].isalnum():
            while start + 1 < end and not english[start].isalnum():
                start += 1
        return start, end

    def _share(self, s: _Sentence, lo: int, hi: int) -> tuple[int, int]:
        english = self.english
        scale = (s.ee - s.es) / max(1, s.ge - s.gs)
        start = s.es + round((lo - s.gs) * scale)
        end = s.es + round((hi - s.gs) * scale)
        start = _snap(english, start, s.es, s.ee, prefer=-1)
        end = _snap(english, end, s.es, s.ee, prefer=1)
        if end <= start:
            end = start
            while end < s.ee and not english[end].isspace():
                end += 1
        return start, end

    # -- exclusive marks -------------------------------------------------------------------------

    def _settle(self) -> None:
        """Each English word to one essential mark; an essential mark left without text gets a
        word it shares with another, else the words at its place, else the whole sentence."""
        owner = self.owner
        spans: dict[int, tuple[int, int]] = {}
        for s in self.sentences:
            for x, y in s.ewords:
                spans[x] = (x, y)
        for start, block in self.claims.items():
            owner[start] = max(block, key=lambda m: (block[m], -m))
        owned: dict[int, int] = {}
        for m in owner.values():
            owned[m] = owned.get(m, 0) + 1
        for m in sorted({*self.claimed, *self.touched}):
            if not self.marks[m].essential or owned.get(m) or m in self.exact_marks:
                continue
            for s, e in self.claimed.get(m, []):
                start = s.ewords[e][0]
                holder = owner.get(start)
                if holder is not None and owned.get(holder, 0) > 1:
                    owner[start] = m
                    owned[holder] -= 1
                    owned[m] = 1
                    break
            else:
                s = self.touched.get(m)
                if s is None:
                    continue
                mark = self.marks[m]
                lo, hi = max(mark.start, s.gs), min(mark.end, s.ge)
                a, b = self._proportional(s, lo, hi)
                free = [w for w in s.ewords if a <= w[0] < b and w[0] not in owner]
                if not free:  # the whole sentence, but for other links' words
                    free = [w for w in s.ewords if w[0] not in owner] or s.ewords[:1]
                for x, _ in free:
                    owner[x] = m
                    spans.setdefault(x, next(w for w in s.ewords if w[0] == x))
                owned[m] = len(free)
        exact_words: set[int] = set()
        for x, m in self.exact.items():
            self.covers.setdefault(m, []).append((x, x + 1))
            exact_words.add(x)
        for start, m in owner.items():
            a, b = spans[start]
            taken = [x for x in range(a, b) if x in self.exact and self.exact[x] != m]
            for run_a, run_b in _runs([x for x in range(a, b) if x not in taken]):
                self._cover(m, run_a, run_b)
        consumed: set[int] = set()
        for m, s in self.touched.items():  # in the marks' order: a parent before its children
            mark = self.marks[m]
            if mark.kept and not mark.essential and m not in self.covers and m not in consumed:
                consumed.update(self._keep(m, s))

    def _keep(self, m: int, s: _Sentence) -> list[int]:
        """A kept mark whose words found no English: the words at its place, else the whole
        sentence; a part of a word without letters, whole as it was, where its word went.
        Returns the marks now written inside it as one atom."""
        mark, plain = self.marks[m], self.plain
        if not any(c.isalpha() for c in plain[mark.start : mark.end]):
            inside = self._subtree(m, self.children)
            if not any(j in self.covers for j in inside):
                marks = self.marks
                link = any(marks[j].essential and not marks[j].atom for j in inside)
                composite = self._composite(m, inside, self.parents)
                ancestors = self._ancestors(m, self.parents)
                self.atoms.append(_Atom(composite, mark.start, m, ancestors, link))
                if inside:
                    held = set(inside)
                    self.atoms = [a for a in self.atoms if a.order not in held]
                return inside
        a, b = self._proportional(s, max(mark.start, s.gs), min(mark.end, s.ge))
        if b <= a and s.ewords:
            a, b = s.ewords[0][0], s.ewords[-1][1]
        self._cover(m, a, b)
        return []

    # -- pieces and nesting ----------------------------------------------------------------------

    def _joined(self, m: int) -> list[tuple[int, int]]:
        """Mark m's intervals, sorted, with the spaces and unlinked words between them filled."""
        intervals = sorted(self.covers.get(m, []))
        if not intervals:
            return []
        exclusive = self.marks[m].essential
        out = [list(intervals[0])]
        for a, b in intervals[1:]:
            last = out[-1]
            if a <= last[1] or self._fillable(m, last[1], a, exclusive):
                last[1] = max(last[1], b)
            else:
                out.append([a, b])
        return [(a, b) for a, b in out]

    def _fillable(self, m: int, a: int, b: int, exclusive: bool) -> bool:
        gap = self.english[a:b]
        if gap.isspace() or not gap:
            return True
        k = max(0, bisect.bisect_right(self.sentence_starts_en, a) - 1)
        if k >= len(self.sentences):
            return False
        s = self.sentences[k]
        if not (s.es <= a and b <= s.ee) or not s.linked:
            return False
        e = bisect.bisect_left(s.estarts, a)
        while e < len(s.ewords) and s.ewords[e][0] < b:
            x, y = s.ewords[e]
            if s.e2g[e]:
                return False
            if exclusive and (
                self.owner.get(x, m) != m or any(self.exact.get(c, m) != m for c in range(x, y))
            ):
                return False
            e += 1
        return True

    def _assemble(self) -> list[Mark]:
        english, marks = self.english, self.marks
        covers = {m: self._joined(m) for m in self.paired if m in self.covers}
        covers = {m: c for m, c in covers.items() if c}
        # atoms: where each goes, and which marks hold it
        found = [self._point(atom) for atom in self.atoms]
        points = [p for p, _ in found]
        # an atom stays in the marks that held it: a piece reaches over spaces to take it in
        grown = {m: [list(iv) for iv in intervals] for m, intervals in covers.items()}
        starts = {m: [iv[0] for iv in intervals] for m, intervals in grown.items()}
        for p, atom in zip(points, self.atoms, strict=True):
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
        covers = {m: _merged(intervals) for m, intervals in grown.items()}
        # the marks around each atom's point (from start to end, strictly)
        around = _stabbing(covers, points)
        placed: list[tuple[int, int, int, frozenset[int]]] = []
        for p, atom, inside in zip(points, self.atoms, around, strict=True):
            held = {a for a in atom.ancestors if a in covers}
            has_link = atom.link or any(marks[a].essential for a in held)
            for m in inside:
                if m not in held and not (marks[m].essential and has_link):
                    held.add(m)
            placed.append((p, atom.start, atom.order, frozenset(held)))
        order = sorted(range(len(placed)), key=lambda k: placed[k][:3])
        # boundaries where the set of marks changes
        events: dict[int, list[tuple[int, int]]] = {}
        for m, intervals in covers.items():
            for a, b in intervals:
                events.setdefault(a, []).append((1, m))
                events.setdefault(b, []).append((-1, m))
        points = sorted({0, len(english), *events, *(placed[k][0] for k in order)})
        items: list[tuple[int, int, frozenset[int], int | None]] = []  # (a, b, marks, atom)
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
        # how far each mark runs from each item on (to open the longer one first)
        runs: list[dict[int, int]] = [{} for _ in items]
        following: dict[int, int] = {}
        for n in range(len(items) - 1, -1, -1):
            a, b, held, _ = items[n]
            runs[n] = {m: following.get(m, b) for m in held}
            following = runs[n]
        out: list[Mark] = []
        stack: list[tuple[int, int]] = []  # (mark, index in out)
        for n, (a, b, held, atom) in enumerate(items):
            cut = next((j for j, (m, _) in enumerate(stack) if m not in held), len(stack))
            for _, index in stack[cut:]:
                out[index].end = a
            del stack[cut:]
            blank = atom is None and english[a:b].isspace()
            if not blank:
                open_now = {m for m, _ in stack}
                new = sorted(
                    (m for m in held if m not in open_now),
                    key=lambda m: (-runs[n][m], self.depth.get(m, 0), m),
                )
                for m in new:
                    parent = stack[-1][1] if stack else None
                    out.append(replace(marks[m], start=a, end=b, parent=parent))
                    stack.append((m, len(out) - 1))
            if atom is not None:
                parent = stack[-1][1] if stack else None
                placed_mark = replace(self.atoms[atom].mark, start=a, end=a, parent=parent)
                if not found[atom][1]:  # away from the word it touched: apart from the new ones
                    placed_mark.pad_before = placed_mark.pad_after = True
                out.append(placed_mark)
        for _, index in stack:
            out[index].end = len(english)
        return out

    # -- atoms -----------------------------------------------------------------------------------

    def _point(self, atom: _Atom) -> tuple[int, bool]:
        """Where an atom goes in the English, and whether next to the same neighbour as in
        German; a line break never at the start or end."""
        p, beside = self._follow(atom.start)
        english = self.english
        if atom.mark.open.endswith("\n") and (not english[:p].strip() or not english[p:].strip()):
            share = atom.start / max(1, len(self.plain))
            spaces = [i for i, c in enumerate(english) if c == " " and english[:i].strip()]
            spaces = [i for i in spaces if english[i:].strip()]
            if spaces:
                p = min(spaces, key=lambda i: abs(i - share * len(english)))
        return p, beside

    def _follow(self, x: int) -> tuple[int, bool]:
        """Where German position ``x`` (an atom's) goes in the English; ``False``: not beside
        the word it touched in German, so it is written apart from its new neighbours."""
        plain, english = self.plain, self.english
        sentences = self.sentences
        if not sentences or x < sentences[0].gs:
            return min(x, len(english)), True
        k = bisect.bisect_right(self.sentence_starts, x) - 1
        s = sentences[k]
        if x > s.ge:  # in the gap after sentence k
            if k + 1 < len(sentences):
                return min(s.ee + (x - s.ge), sentences[k + 1].es), True
            return min(len(english), x - self.tail[0] + self.tail[1]), True
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
            return _snap(english, s.es + round(share * (s.ee - s.es)), s.es, s.ee), False
        g = bisect.bisect_right(s.gstarts, x - 1) - 1  # the word holding x - 1
        if left and g >= 0 and s.gwords[g][0] < x <= s.gwords[g][1]:
            wa, wb = s.gwords[g]
            if x < wb:  # inside a word
                for e, _ in s.g2e[g]:
                    ea, eb = s.ewords[e]
                    if _same_word(english[ea:eb], plain[wa:wb]):
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


def _same_word(english: str, german: str) -> bool:
    return len(english) == len(german) and english.casefold() == german.casefold()


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as ``[start, end)`` runs."""
    out: list[list[int]] = []
    for x in sorted(positions):
        if out and out[-1][1] == x:
            out[-1][1] = x + 1
        else:
            out.append([x, x + 1])
    return [(a, b) for a, b in out]


def _snap(text: str, x: int, lo: int = 0, hi: int | None = None, prefer: int = 0) -> int:
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
