"""A Document as the rows the reader's JavaScript draws: sentences, words, and what lights up.

Everything the browser needs to decide is decided here, so it is unit-testable without a
browser: per word the words of the other language it lights up, the low-confidence English
words, what each sentence's label says, and where an alternative differs from the English shown.

A row is one paragraph and stands on its own (word numbers and links are local to a sentence),
so a long document can be sent a few rows at a time and each row replaced in place.

Text travels as plain strings cut at the Document's own character offsets: the JavaScript puts
each string into a text node (never parsed as HTML), so a selection copies back exactly the
original text.

A row::

    {"de": [item, …], "en": [item, …] | None, "g": generation, "more": bool}

``en`` is None while the paragraph waits for its translation (the German is then one string);
``more`` marks a paragraph translated only up to some sentence, the rest of its German following
as a string. An ``item`` is a string (whitespace, or German still waiting) or a sentence
``{"s": sentence index, "t": [piece, …]}``; English sentences also carry ``label`` (what the
sentence bar says), ``flags``, ``alts`` (alternatives: ``{"text", "marks": [[start, end], …]}``,
marks where it differs from the English shown) and, after a choice, ``diff`` (the English words
that differ from the translation it replaced). A ``piece`` is a string (text between words) or a
word ``[text, number in its sentence, [numbers of the linked words of the other side]]``, with a
fourth element ``1`` on a low-confidence English word.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..document import (
    COPIED,
    DEGENERATE,
    RETRIED,
    UNTRANSLATED,
    Document,
    Paragraph,
    Sentence,
    Span,
)

PAYLOAD_VERSION = 2
MAX_ALTERNATIVES = 3

Item = str | dict[str, Any]
_WORD = re.compile(r"\w+|[^\w\s]")


def build_row(
    document: Document,
    paragraph: Paragraph,
    first_sentence: int,
    *,
    generation: int = 0,
    waiting: str = "",
    replaced: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """One paragraph of ``document`` as a row; its sentences are numbered from ``first_sentence``.

    ``waiting``: German of the paragraph that is not translated yet (a paragraph that arrives in
    parts). ``replaced``: sentence index → the English a chosen alternative replaced, so the
    words that changed can be marked.
    """
    de_items: list[Item] = []
    en_items: list[Item] = []
    de_cursor, en_cursor = paragraph.source.start, paragraph.target.start
    for k, sentence in enumerate(paragraph.sentences):
        index = first_sentence + k
        _gap(de_items, document.source[de_cursor : sentence.source.start])
        _gap(en_items, document.target[en_cursor : sentence.target.start])
        de_drawn = _drawable(sentence.source, sentence.source_words)
        en_drawn = _drawable(sentence.target, sentence.target_words)
        de_links: dict[int, list[int]] = {i: [] for i in de_drawn}
        en_links: dict[int, list[int]] = {i: [] for i in en_drawn}
        for link in sentence.links:
            d, e = link.source, link.target
            if d not in de_links or e not in en_links:
                continue
            if e not in de_links[d]:
                de_links[d].append(e)
            if d not in en_links[e]:
                en_links[e].append(d)
        low = set(sentence.uncertain) & set(en_drawn)
        english = sentence.target.of(document.target)
        de_items.append(
            {
                "s": index,
                "t": _pieces(document.source, sentence.source, sentence.source_words, de_links),
            }
        )
        item: dict[str, Any] = {
            "s": index,
            "t": _pieces(document.target, sentence.target, sentence.target_words, en_links, low),
            "label": sentence_label(sentence),
            "flags": list(sentence.flags),
            "alts": [
                {"text": a, "marks": differing_spans(english, a)}
                for a in alternatives_of(sentence, english)
            ],
        }
        if replaced and index in replaced:
            words = [w.of(document.target) for w in sentence.target_words]
            item["diff"] = differing_words(replaced[index], words, en_drawn)
        en_items.append(item)
        de_cursor, en_cursor = sentence.source.end, sentence.target.end
    _gap(de_items, document.source[de_cursor : paragraph.source.end])
    _gap(en_items, document.target[en_cursor : paragraph.target.end])
    row: dict[str, Any] = {"de": de_items, "en": en_items, "g": generation}
    if waiting:
        de_items.append(waiting)
        row["more"] = True
    return row


def waiting_row(german: str) -> dict[str, Any]:
    """A paragraph whose translation has not arrived: its German, and a place for the English."""
    return {"de": [german], "en": None, "g": 0}


def build_payload(document: Document, *, alternatives: bool = False) -> dict[str, Any]:
    """The whole of ``document`` as one message (the standalone file, and a first draw).

    ``alternatives``: offer each sentence's alternatives for choosing (the Streamlit page; the
    standalone file is read-only).
    """
    rows = []
    first = 0
    for i, paragraph in enumerate(document.paragraphs):
        rows.append([i, build_row(document, paragraph, first)])
        first += len(paragraph.sentences)
    return message(
        view="document",
        seq=1,
        base=None,
        total=len(rows),
        rows=rows,
        state={"g": 0, "complete": True, "choose": bool(alternatives)},
    )


def message(
    *,
    view: str,
    seq: int,
    base: int | None,
    total: int,
    rows: Sequence[Sequence[Any]],
    state: Mapping[str, Any],
) -> dict[str, Any]:
    """What one redraw sends: rows ``[[index, row], …]`` that changed after ``base``.

    ``view`` names what is shown (a new one starts over); ``seq`` counts changes; ``base`` None
    means the rows are all there is; ``total`` is the number of rows; ``state`` says how to show
    them (generation ``g``, ``complete``, ``choose``, ``badge``, ``focus``, ``downloads``).
    """
    return {
        "version": PAYLOAD_VERSION,
        "view": view,
        "seq": seq,
        "base": base,
        "total": total,
        "rows": [list(pair) for pair in rows],
        "state": dict(state),
    }


def alternatives_of(sentence: Sentence, english: str) -> list[str]:
    """The sentence's alternatives worth offering: not blank, not the English shown, at most 3."""
    seen: list[str] = []
    for alternative in sentence.alternatives:
        if alternative.strip() and alternative != english and alternative not in seen:
            seen.append(alternative)
    return seen[:MAX_ALTERNATIVES]


def differing_spans(shown: str, alternative: str) -> list[list[int]]:
    """Character ranges of ``alternative`` whose words are not in ``shown`` at that place."""
    mine = [(m.start(), m.end()) for m in _WORD.finditer(alternative)]
    theirs = [m.group() for m in _WORD.finditer(shown)]
    matcher = difflib.SequenceMatcher(
        a=theirs, b=[alternative[a:b] for a, b in mine], autojunk=False
    )
    spans: list[list[int]] = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert") and j1 < j2:
            spans.append([mine[j1][0], mine[j2 - 1][1]])
    return spans


def differing_words(previous: str, words: Sequence[str], drawn: Sequence[int]) -> list[int]:
    """Numbers of the (drawn) words that a chosen alternative changed against ``previous``."""
    before = _WORD.findall(previous)
    matcher = difflib.SequenceMatcher(a=before, b=list(words), autojunk=False)
    changed: list[int] = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.extend(j for j in range(j1, j2) if j in drawn)
    return changed


def sentence_label(sentence: Sentence) -> str:
    """What the sentence bar says about a sentence: how it was made, and the model's confidence."""
    if UNTRANSLATED in sentence.flags:
        return "Not translated: the model gave nothing back, so the German is shown."
    if COPIED in sentence.flags:
        return "Copied as it is: there is nothing to translate."
    confidence = score_label(sentence.score)
    if DEGENERATE in sentence.flags:
        why = "Doubtful: this looks like a loop, a copy or the wrong length."
        return " ".join(filter(None, [why, confidence]))
    if RETRIED in sentence.flags:
        why = "Translated twice: the first try looked broken."
        return " ".join(filter(None, [why, confidence]))
    return confidence


def score_label(score: float | None) -> str:
    """A sentence's mean token log-probability, said plainly: the model's confidence per piece."""
    if score is None or not math.isfinite(score):
        return ""
    chance = math.exp(min(score, 0.0))
    text = f"Model confidence: about {chance:.0%} per word piece (score {score:.2f})."
    return text.replace("-", "−")


def _drawable(sentence: Span, words: list[Span]) -> list[int]:
    """Numbers of the words that can be drawn, in text order.

    A word that lies outside its sentence or overlaps the word before it (which the data model
    forbids) is left out rather than drawn twice: its links then point nowhere.
    """
    drawn: list[int] = []
    end = sentence.start
    for local in sorted(range(len(words)), key=lambda i: (words[i].start, words[i].end)):
        word = words[local]
        if word.start < end or word.end > sentence.end or not len(word):
            continue
        drawn.append(local)
        end = word.end
    return drawn


def _pieces(
    text: str,
    span: Span,
    words: list[Span],
    links: dict[int, list[int]],
    low: set[int] | None = None,
) -> list[Any]:
    """The sentence's text cut into gaps (strings) and words (``[text, number, links(, 1)]``)."""
    pieces: list[Any] = []
    cursor = span.start
    for local in links:  # in text order (``_drawable``)
        word = words[local]
        _gap(pieces, text[cursor : word.start])
        piece: list[Any] = [word.of(text), local, sorted(links[local])]
        if low and local in low:
            piece.append(1)
        pieces.append(piece)
        cursor = word.end
    _gap(pieces, text[cursor : span.end])
    return pieces


def _gap(items: list[Any], text: str) -> None:
    if text:
        items.append(text)
