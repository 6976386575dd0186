"""Telling a degenerate translation from a normal one: loops, wrong lengths, copies of the source.

Neural models fail in a few recognisable ways: they loop (``des des des des``, ``omentoment…``),
stop early or run on, or hand the German back. Each check compares the output with its source, so
what the source itself does (a repeated ``Nein, nein, nein``, a long number, an English quote in a
German text) is never held against the translation. Short sentences get generous slack: a ratio
of lengths means nothing for ``Ja.`` → ``Yes, indeed.``. Pure functions on strings, no model.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

# Reasons a translation can look degenerate.
REPETITION = "repetition"  # a word, phrase or piece repeats back to back more than in the source
TOO_LONG = "too-long"  # far longer than the source: a loop, or made-up text
TOO_SHORT = "too-short"  # far shorter than the source: stopped early, or left most out
COPY = "copy"  # the German handed back instead of translated

WORD_LOOP = 4  # one word this many times in a row is a loop…
PHRASE_LOOP = 3  # …and so is a phrase of 2–6 words this many times in a row
LONGEST_PHRASE = 6  # …and a phrase this long said twice anywhere is a sentence said twice
# The same 2–12 characters four times in a row inside a word: ``omentomentomentoment``.
_SUBWORD_LOOP = re.compile(r"(\S{2,12}?)\1{3,}")
_TOKEN = re.compile(r"\w+|[^\w\s]")

# English runs about 0.8–1.1 × the German's characters. Slack in characters on top of the
# ratios, because short sentences vary most (``Ja.`` → ``Yes, indeed.``).
MAX_LENGTH_RATIO = 2.0
LONG_SLACK = 20
MIN_LENGTH_RATIO = 0.5
SHORT_SLACK = 10

COPY_SIMILARITY = 0.8  # difflib ratio between source and output, case and spacing ignored
COPY_MIN_WORDS = 3  # fewer words (names, headings) translate as themselves legitimately
# German words that are not also English words: their presence marks a text as German.
GERMAN_MARKERS = frozenset(
    "der das und nicht ist sich mit dem den des ein eine einen einem einer auch werden wurde "
    "wurden oder aber wenn noch nach bei über für vom zum zur sind haben ich wir ihr sei seien "
    "sein seine seiner kann können soll sollen muss müssen wird wie wieder schon nur sehr "
    "dass doch weil durch gegen ohne unter zwischen diese dieser dieses jetzt heute dann "
    "im zu auf aus".split()
)


def problems(source: str, translation: str) -> list[str]:
    """Every reason ``translation`` looks degenerate as a translation of ``source`` (may be [])."""
    found = []
    if _repeats(source, translation):
        found.append(REPETITION)
    found.extend(_length_problems(source, translation))
    if is_copy(source, translation):
        found.append(COPY)
    return found


@dataclass(frozen=True, slots=True)
class Candidate:
    """One decoding of a sentence, as far as choosing between decodings needs it."""

    problems: Sequence[str]
    score: float | None  # mean token log-probability; None when the engine gave none


def better(first: Candidate, second: Candidate) -> Candidate:
    """Fewer problems wins; then the higher mean log-probability; a tie keeps ``first``."""
    if len(second.problems) != len(first.problems):
        return second if len(second.problems) < len(first.problems) else first
    if second.score is not None and (first.score is None or second.score > first.score):
        return second
    return first


# -- repetition ---------------------------------------------------------------------------------


def longest_runs(tokens: Sequence[str]) -> dict[int, int]:
    """For each phrase length n (1…6), the most times one n-token phrase repeats back to back."""
    runs = {}
    for n in range(1, LONGEST_PHRASE + 1):
        best = 1
        for start in range(n):  # every alignment of the phrase grid
            count = 1
            for i in range(start + n, len(tokens) - n + 1, n):
                if tokens[i : i + n] == tokens[i - n : i]:
                    count += 1
                    best = max(best, count)
                else:
                    count = 1
        runs[n] = best
    return runs


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).casefold())


def most_repeated_phrase(tokens: Sequence[str], n: int = LONGEST_PHRASE) -> int:
    """How often the most frequent n-token phrase occurs, anywhere (0 for shorter texts)."""
    counts = Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return max(counts.values(), default=0)


def _repeats(source: str, translation: str) -> bool:
    target, german = _tokens(translation), _tokens(source)
    target_runs, source_runs = longest_runs(target), longest_runs(german)
    for n, run in target_runs.items():
        if run >= (WORD_LOOP if n == 1 else PHRASE_LOOP) and run > source_runs[n]:
            return True
    if most_repeated_phrase(target) > max(1, most_repeated_phrase(german)):
        return True
    return any(m.group(0) not in source for m in _SUBWORD_LOOP.finditer(translation))


# -- length -------------------------------------------------------------------------------------


def _length_problems(source: str, translation: str) -> list[str]:
    german, english = len(source.strip()), len(translation.strip())
    if english > MAX_LENGTH_RATIO * german + LONG_SLACK:
        return [TOO_LONG]
    if english < MIN_LENGTH_RATIO * german - SHORT_SLACK:
        return [TOO_SHORT]
    return []


# -- copies -------------------------------------------------------------------------------------


def is_copy(source: str, translation: str) -> bool:
    """Whether ``translation`` is (nearly) the German ``source`` handed back.

    Only a German source counts (an English quote is rightly copied), and only when the output
    keeps the German's own words: ``Trump und Kim trafen sich.`` → ``Trump and Kim met.`` is no
    copy however similar its letters.
    """
    source_words = [w for w in _tokens(source) if w.isalpha()]
    if len(source_words) < COPY_MIN_WORDS:
        return False
    source_markers = sum(w in GERMAN_MARKERS for w in source_words)
    if source_markers == 0:
        return False
    target_markers = sum(w in GERMAN_MARKERS for w in _tokens(translation))
    if target_markers < max(1, source_markers // 2):
        return False
    a, b = (" ".join(_tokens(t)) for t in (source, translation))
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= COPY_SIMILARITY
