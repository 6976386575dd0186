"""Marks over part of a German word (the ``2`` of ``m2``, a note marker, two links side by side).

Word links join whole words, so a part needs its own rule: it stays on the same characters where
the English word still holds them; a part with letters of a translated word takes its share of
the English (the same letters if they are there, else whole words in order); a part without
letters that the English lacks is left out rather than spread over a word.
"""

from __future__ import annotations

import bisect

from .unit import Sentence, Unit, runs, same_word


class SubWords:
    """Where the part of a German word under a mark goes in the English (exact characters)."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        marks = unit.marks
        self.bounds = sorted({x for i in unit.paired for x in (marks[i].start, marks[i].end)})
        self.splits: dict[tuple[int, int], dict[tuple[int, int], list[int]]] = {}

    def spans(self, s: Sentence, g: int, lo: int, hi: int) -> list[tuple[int, int]]:
        """The English characters of the part ``[lo, hi)`` of German word ``g``: the same
        characters of its English, if there; none for a part without letters that isn't."""
        plain, english = self.unit.plain, self.unit.english
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
        same = [e for e in candidates if same_word(english[slice(*s.ewords[e])], word)]
        if same:
            x = s.ewords[same[0]][0]
            return [(x + a - wa, x + b - wa)]
        if not any(c.isalpha() for c in part):
            for e in candidates:
                x, y = s.ewords[e]
                text = english[x:y]
                if b == wb and text.endswith(part):
                    return [(y - len(part), y)]
                if a == wa and text.startswith(part):
                    return [(x, x + len(part))]
            for e in candidates:
                x, y = s.ewords[e]
                at = english.find(part, x, y)
                if at >= 0:
                    return [(at, at + len(part))]
            return []  # no place for it: a sub-word of digits or symbols is never widened
        if not s.linked or not candidates:
            return []
        # letters of a translated word: its share of the English word(s), or all of them
        split = self._split(s, g, candidates)
        share = [x for (x0, y0), chars in split.items() if a <= x0 and y0 <= b for x in chars]
        return runs(share)

    def _split(
        self, s: Sentence, g: int, candidates: list[int]
    ) -> dict[tuple[int, int], list[int]]:
        """German word ``g``, cut by marks into parts: the English characters of each part with
        letters. A part found as such in the English takes it; the others share what is left,
        whole words first, in order and by length."""
        key = (s.gs, g)
        if key in self.splits:
            return self.splits[key]
        plain = self.unit.plain
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
            at = self.unit.english[x:y].casefold().find(folded)
            if at >= 0 and not taken.intersection(range(x + at, x + at + len(part))):
                return x + at, x + at + len(part)
        return None
