"""German paragraph and sentence segmentation by rules, as spans over the original text.

Why rules and not a model: the translator needs a segmenter that is fast, lossless, explainable
and free of runtime dependencies (standard library + ``re``). Every span points into the input
text, so nothing is copied or normalised and the gaps between sentences are whitespace only.

The pipeline, one step per section below:

1. **Paragraphs** are blocks separated by blank lines (a line holding only whitespace is blank).
2. **Line blocks.** Inside a paragraph a single newline is a soft wrap, except where the line
   structure says a new block starts (see ``_starts_new_block``):

   * a Markdown heading (``# …``) is a block of its own;
   * a list item (``- ``, ``* ``, ``• ``, ``1. ``, ``1) ``, ``a) ``) starts a block; the weak
     markers ``-``, ``–`` and ``1.`` only after another list item or a line ending in ``:``,
     or when the item does not start in lower case and the line before does not end
     mid-sentence (comma, hyphen or a function word such as ``am``), because a hard-wrapped
     ``am\\n1. Mai`` or ``kam\\n- wie immer -`` is running text;
   * any other line ends a block when the break was *deliberate*: the line plus the first word
     of the next line would still have fit into the paragraph's widest line, so the writer did
     not wrap for lack of room (hard-wrapped text fills its lines up to the wrap width; titles,
     address lines and one-paragraph-per-line text do not; the width is taken as at least
     ``MIN_WRAP_WIDTH``), and the line does not end mid-sentence, and the next line does not
     start in lower case.

3. **Sentences** inside a block: a candidate is a run of ``.``, ``!``, ``?``, ``…`` plus any
   closing quotes or brackets, followed by whitespace. The word before and the word after decide
   (see ``_is_boundary``). The key German fact: articles, pronouns, conjunctions and most
   adverbs are lower case inside a sentence, so a *capitalised* function word (``Der``, ``Die``,
   ``Er``, ``Doch``, ``Im`` …) after an abbreviation, an ordinal number or an initial signals a
   new sentence, while a capitalised noun or month (``Juni``, ``Jahrhundert``, ``FC``) does not.
   A number is an ordinal, continuing the sentence, after a determiner (``zum 100. Mal``), also
   with an adjective between (``des späten 15. Jahrhunderts``), but may end it after a verb, most
   prepositions or a noun (``stieg auf 15.``, ``im Jahr 2015.``).
   No split inside parentheses unless they have been open for long; no split before a lower-case
   word. Without any punctuation, a sentence ends between a lower-case word and a word that only
   ever starts sentences (``… war teuer Wir kommen wieder``; not articles, which open titles:
   ``berichtete Die Zeit``; see ``UNPUNCTUATED_STARTERS``).
4. **Length guard**: no sentence is longer than ``MAX_SENTENCE_CHARS``; a longer one is cut into
   chunks by the one cut policy of ``translator.chunk`` (clause marks before line breaks before
   other whitespace, near the middle; inside a word only where there is no whitespace at all), the
   same that cuts a sentence too long for the model.

Ambiguous ``Thomas M. Der …``: a single capital letter before a capitalised function word is
taken as a sentence end. Surnames that look like ``Der``/``Er``/``Sie`` are rare, while an
abbreviated surname at a sentence end (court reports, anonymised names) is common in German news.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator

from translator.chunk import split_to_fit, trim
from translator.document import Span
from translator.german import (
    ABBREVIATIONS,
    ATTRIBUTIVE_ENDINGS,
    DETERMINERS,
    FUNCTION_WORDS,
    MONTHS,
    ORDINAL_CUES,
    QUANTIFIER_ADVERBS,
    SENTENCE_STARTERS,
    UNPUNCTUATED_STARTERS,
)

SEGMENTER_VERSION = "de-rules-3"

MAX_SENTENCE_CHARS = 1000
"""Hard upper bound on a sentence's length; longer ones are cut by ``chunk.split_to_fit``."""

MIN_WRAP_WIDTH = 40
"""Hard-wrapped text is wrapped at 40 characters or more; shorter lines end deliberately."""

OPEN_BRACKET_REACH = 250
"""A ``(`` or ``[`` suppresses sentence splits for at most this many characters."""


_VOWELS = frozenset("aeiouäöüyAEIOUÄÖÜY")


# --------------------------------------------------------------------------------------------
# Public interface
# --------------------------------------------------------------------------------------------


def split_paragraphs(text: str) -> list[Span]:
    """Blocks of text separated by blank lines, trimmed of surrounding whitespace."""
    paragraphs: list[Span] = []
    start: int | None = None
    end = 0
    for line_start, line_end in _lines(text, 0, len(text)):
        if text[line_start:line_end].strip():
            if start is None:
                start = line_start
            end = line_end
        elif start is not None:
            paragraphs.append(trim(text, start, end))
            start = None
    if start is not None:
        paragraphs.append(trim(text, start, end))
    return paragraphs


def split_sentences(text: str) -> list[Span]:
    """All sentences of ``text`` in order; none crosses a paragraph boundary."""
    return [sentence for _, sentences in segment(text) for sentence in sentences]


def segment(text: str) -> list[tuple[Span, list[Span]]]:
    """Paragraphs with their sentence spans (absolute offsets into ``text``)."""
    result = []
    for paragraph in split_paragraphs(text):
        sentences: list[Span] = []
        for block in _line_blocks(text, paragraph):
            for sentence in _sentences_in_block(text, block):
                if len(sentence) > MAX_SENTENCE_CHARS:  # cut where the engine cuts: chunk.py
                    sentences.extend(split_to_fit(text, len, MAX_SENTENCE_CHARS, within=sentence))
                else:
                    sentences.append(sentence)
        result.append((paragraph, sentences))
    return result


# --------------------------------------------------------------------------------------------
# Lines and line blocks
# --------------------------------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:\s|$)")
_STRONG_BULLET = re.compile(r"\s*(?:[*•·▪‣◦●○■□➢➤►+]|\d{1,3}\)|[A-Za-z]\))\s+\S")
_WEAK_BULLET = re.compile(r"\s*(?:[-–—]|\d{1,3}\.)\s+(\S)")
_MID_SENTENCE_END = re.compile(r"[,;(\[/&+\-–—]$")


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line in text[start:end], line break excluded."""
    for match in _LINE.finditer(text, start, end):
        line = match.group()
        if not line:
            break
        yield match.start(), match.start() + len(line.rstrip("\r\n"))


def _line_blocks(text: str, paragraph: Span) -> Iterator[Span]:
    """Split a paragraph at the line breaks that start a new block (heading, list, title)."""
    bounds = list(_lines(text, paragraph.start, paragraph.end))
    if len(bounds) == 1:
        yield paragraph
        return
    lines = [text[start:end].rstrip() for start, end in bounds]
    width = max(MIN_WRAP_WIDTH, *(len(line) for line in lines))
    block_start = paragraph.start
    in_list = _is_list_item(lines[0])
    for i in range(len(lines) - 1):
        if _starts_new_block(lines[i], lines[i + 1], width, in_list):
            yield trim(text, block_start, bounds[i][0] + len(lines[i]))
            block_start = bounds[i + 1][0]
            in_list = _is_list_item(lines[i + 1])
    yield trim(text, block_start, paragraph.end)


def _is_list_item(line: str) -> bool:
    return bool(_STRONG_BULLET.match(line) or _WEAK_BULLET.match(line))


def _starts_new_block(line: str, next_line: str, width: int, in_list: bool) -> bool:
    """Whether the break between ``line`` and ``next_line`` is a hard one (see module doc).

    ``in_list`` says that ``line`` belongs to a list item, so a weak marker continues the list.
    """
    if _HEADING.match(line) or _HEADING.match(next_line):
        return True
    if _STRONG_BULLET.match(next_line):
        return True
    ends_mid_sentence = _ends_mid_sentence(line)
    weak = _WEAK_BULLET.match(next_line)
    if weak:
        if in_list or line.endswith(":"):
            return True
        return not (weak.group(1).islower() or ends_mid_sentence)
    next_text = next_line.lstrip()
    if ends_mid_sentence or next_text[:1].islower():
        return False
    first_word = next_text.split(maxsplit=1)[0]
    return len(line) + 1 + len(first_word) <= width


def _ends_mid_sentence(line: str) -> bool:
    stripped = line.rstrip()
    if _MID_SENTENCE_END.search(stripped):
        return True
    last_word = stripped.rsplit(maxsplit=1)[-1] if stripped else ""
    return last_word in FUNCTION_WORDS


# --------------------------------------------------------------------------------------------
# Sentence boundaries inside a block
# --------------------------------------------------------------------------------------------

_CLOSERS = "\"'»«“”‘’)]}´`"
_OPENERS = "\"'»«„“‘‚([{<`´¿¡*-–—•"
_EMOJI = "[\U0001f300-\U0001faff\U0001f000-\U0001f2ff\u2600-\u27bf]+"
_EMOTICON = r"(?:[:;=][-^'o]?[)(\]\[DPpO/|*]+|\^\^|<3|" + _EMOJI + ")"
_CANDIDATE = re.compile(
    rf"(?:(?P<marks>[.!?…]+)[{re.escape(_CLOSERS)}]*|(?<!\S){_EMOTICON})"
    rf"(?:\s+{_EMOTICON}(?=\s|\Z))*(?=\s)"
)
"""Sentence-final punctuation with closing quotes or brackets, or a smiley, then whitespace;
smileys and emoji right after the punctuation stay with the sentence they end."""


def _alternation(words: frozenset[str]) -> str:
    """A regex for any of ``words``, grouped by first letter (far faster than a flat list)."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    groups = (
        re.escape(first) + "(?:" + "|".join(map(re.escape, sorted(rests, key=len)[::-1])) + ")"
        for first, rests in sorted(by_first.items())
    )
    return "(?:" + "|".join(groups) + ")"


_UNPUNCTUATED_START = re.compile(rf" (?<=[^\W\d_] )(?={_alternation(UNPUNCTUATED_STARTERS)}[ \t])")
"""A space between a word and an ``UNPUNCTUATED_STARTERS`` word: a sentence may end there."""
_BRACKET = re.compile(r"(?<![:;=])(?<![:;=][-^'o])[(\[](?=\S)|[)\]]")
"""Opening brackets (not smileys, not followed by a space) and closing ones (a smiley's ``)``
closes too: ``(sehr nett :-)`` is common)."""
_NEXT_WORD = re.compile(r"(?:\s|[" + re.escape(_OPENERS) + r"])*(\w*)")
_NUMBER = re.compile(r"\d+")
_DAY_MONTH = re.compile(r"\d{1,2}\.\d{1,2}")
_ROMAN = re.compile(r"[IVXLCDM]{2,}")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_SHORT_DOTTED_TOKEN = re.compile(r"[^\W\d_]{1,3}\.")
_NOT_SPACE = re.compile(r"\S")


def _has_text(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds anything but whitespace, without copying it: asked once
    per candidate boundary about the sentence so far, a copy would make a long run without a
    boundary ("am 1. 2. 3. …") quadratic."""
    return _NOT_SPACE.search(text, start, end) is not None


def _sentences_in_block(text: str, block: Span) -> Iterator[Span]:
    """Sentences of one block; boundaries come from ``_is_boundary``."""
    open_brackets: list[int] = []
    brackets = _BRACKET.finditer(text, block.start, block.end)
    pending = next(brackets, None)
    start = block.start
    candidates: Iterator[re.Match[str]] = _CANDIDATE.finditer(text, block.start, block.end)
    unpunctuated_starts = list(_UNPUNCTUATED_START.finditer(text, block.start, block.end))
    if unpunctuated_starts:  # rare: merge only when there is something to merge
        candidates = heapq.merge(candidates, unpunctuated_starts, key=lambda match: match.start())
    for candidate in candidates:
        unpunctuated = candidate.re is _UNPUNCTUATED_START
        end = candidate.start() if unpunctuated else candidate.end()
        closed = -1  # where the bracket closed right after the punctuation was opened
        while pending is not None and pending.start() < end:
            if pending.group() in "([":
                open_brackets.append(pending.start())
            elif open_brackets:
                opened = open_brackets.pop()
                closed = opened if pending.start() > candidate.start() else -1
            pending = next(brackets, None)
        if open_brackets and candidate.start() - open_brackets[-1] < OPEN_BRACKET_REACH:
            continue
        open_brackets.clear()
        if unpunctuated:
            if _ends_unpunctuated(text, end, start):
                yield trim(text, start, end)
                start = end
            continue
        if (
            closed > start
            and _has_text(text, start, closed)
            and candidate.start() - closed < 200
            and (candidate.group("marks") or ".") != "."
        ):
            continue  # "Das war (endlich!) Ende": the mark ends a parenthetical remark only
        if _is_boundary(text, candidate, start, block.end):
            yield trim(text, start, end)
            start = end
    if start < block.end:
        span = trim(text, start, block.end)
        if span.start < span.end:
            yield span


def _is_boundary(text: str, candidate: re.Match[str], sent_start: int, limit: int) -> bool:
    """Decide a ``_CANDIDATE`` match from the words around it."""
    next_word = _NEXT_WORD.match(text, candidate.end(), limit).group(1)
    starts_lower = next_word[:1].islower()
    marks = candidate.group("marks")
    if marks is None:  # a smiley without punctuation ends a sentence before a capital
        return next_word[:1].isupper()
    punct_start = candidate.start()
    if "?" in marks or "!" in marks:
        return not starts_lower
    if "…" in marks or ".." in marks:
        bracketed = punct_start > sent_start and text[punct_start - 1] in "(["
        return not bracketed and next_word[:1].isupper()
    if starts_lower:
        return False
    token_start = _token_start(text, punct_start, max(sent_start, punct_start - 100))
    token = text[token_start:punct_start].lstrip(_OPENERS)
    if not token:
        return True
    starter = next_word in SENTENCE_STARTERS
    number = _is_ordinal_like(text, token, token_start)
    if number is not None:
        if not _has_text(text, sent_start, token_start):
            return False  # an enumeration marker: "4. Die Auffassung …"
        if starter:
            return True
        if not next_word or next_word[:1].isdigit() or next_word in MONTHS:
            return False
        return number
    bound = _abbreviation(text, token, token_start)
    if bound is None:
        return True
    return starter and not bound


def _ends_unpunctuated(text: str, end: int, sent_start: int) -> bool:
    """Whether the word ending at ``end`` ends a sentence that has no final punctuation.

    Called before a word that starts sentences only (``UNPUNCTUATED_STARTERS``). The word must be
    lower case and no function word (a sentence does not end in ``und``, ``der``, ``am``), the
    sentence must have begun before it, and it must not be an adjective that opens a noun phrase
    with the capital after it (``das philosophierende Ich``).
    """
    start = _token_start(text, end, max(sent_start, end - 40))
    word = text[start:end]
    return (
        start > sent_start
        and _is_plain_lower(word)
        and word not in ORDINAL_CUES
        and not _after_determiner(text, end)
    )


def _token_start(text: str, end: int, floor: int) -> int:
    """Start of the whitespace-free token ending at ``end``, looking back no further than floor."""
    start = end
    floor = max(floor, 0)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return start


def _is_ordinal_like(text: str, token: str, token_start: int) -> bool | None:
    """None if ``token`` is no ordinal-like number; else whether it may still end a sentence.

    ``27.``, ``XVI.`` and ``3.10.`` read as ordinals or dates. A German ordinal needs an article
    or a preposition before it (``am 27.``, ``seinen 100.``, ``in 2. Instanz``) or stands after
    a noun (``Startnummer 7.``, ``BEIRUT, 5. Juli``); after an abbreviation or any other word a
    number is a cardinal that may end a sentence (``stieg auf 12.``, ``Hauptstr. 12.``).
    """
    if _DAY_MONTH.fullmatch(token) or _ROMAN.fullmatch(token):
        return False
    if not _NUMBER.fullmatch(token):
        return None
    previous_end = token_start - 1
    previous_word = text[_token_start(text, previous_end, previous_end - 20) : previous_end]
    if previous_word.lower() in ORDINAL_CUES or _after_determiner(text, previous_end):
        return False
    if previous_word.endswith("."):
        return True  # a reference number: "Hauptstr. 12.", "Nr. 5."
    if len(token) <= 2:
        return previous_word.isalpha() and previous_word.islower()
    return True


def _after_determiner(text: str, end: int) -> bool:
    """Whether the word ending at ``end`` is an inflected attributive word after a determiner.

    ``des späten``, ``ihr traditionell begangenes``, ``das philosophierende``: a determiner
    (``DETERMINERS``), at most one other lower-case word (an adverb, not ``ein wenig``), then a
    lower-case word with an adjective ending. What follows continues that noun phrase
    (``15. Jahrhunderts``), so it neither ends nor starts a sentence.
    """
    words = []
    position = end
    while len(words) < 3 and position > 0 and text[position - 1] != "\n":
        start = _token_start(text, position, position - 30)
        if start == position:
            break
        words.append(text[start:position])
        position = start - 1
        if position < 0 or not text[position].isspace():
            break
    if not words or not _is_plain_lower(words[0]) or not words[0].endswith(ATTRIBUTIVE_ENDINGS):
        return False
    for word in words[1:]:
        if word.lower() in DETERMINERS:
            return True
        if not _is_plain_lower(word) or word in QUANTIFIER_ADVERBS:
            return False
    return False


def _is_plain_lower(word: str) -> bool:
    """A lower-case word of letters only that is no function word (``und``, ``ist``, ``der`` …)."""
    return word.isalpha() and word.islower() and word not in FUNCTION_WORDS


def _abbreviation(text: str, token: str, token_start: int) -> bool | None:
    """None if ``token`` is no abbreviation; else whether it is never sentence-final."""
    if any(c in token for c in "/@:") or any(c.isdigit() for c in token):
        return None
    compound = _compound_key(text, token, token_start)
    for key in (compound, token, token.rsplit("-", 1)[-1]):  # "Dipl.-Ing." ends in "Ing"
        for spelling in (key, key.lower(), key[:1].lower() + key[1:], key[:1].upper() + key[1:]):
            if spelling in ABBREVIATIONS:
                return ABBREVIATIONS[spelling]
    if "." in token:
        return False if _DOTTED.fullmatch(token) else None
    if not token.isalpha():
        return None
    if len(token) == 1:
        return token in "zdsv"
    if token.lower().endswith("str"):
        return False
    looks_abbreviated = len(token) <= 5 and not token.isupper() and not _VOWELS & set(token)
    return False if looks_abbreviated else None


def _compound_key(text: str, token: str, token_start: int) -> str:
    """``v. Chr.`` -> ``v.chr``: join short dotted tokens before this one into one key."""
    parts = [token]
    position = token_start
    while len(parts) < 4 and position > 0 and text[position - 1].isspace():
        previous_start = _token_start(text, position - 1, position - 6)
        previous = text[previous_start : position - 1]
        if not _SHORT_DOTTED_TOKEN.fullmatch(previous) or previous_start == position - 6:
            break
        parts.append(previous[:-1])
        position = previous_start
    if len(parts) == 1:
        return token
    return ".".join(reversed(parts)).lower()
