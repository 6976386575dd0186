"""A Document as the JSON the reader's JavaScript draws: rows, sentences, words, and what lights up.

Everything the browser needs to decide is decided here, so it is unit-testable without a
browser: per German word the English words it lights up (``de_links``), per English word the
German words (``en_links``), the low-confidence English words (``en_low``), each sentence's label.

Text travels as plain strings cut at the Document's own character offsets: the JavaScript puts
each string into a text node (never parsed as HTML), so a selection copies back exactly the
original text.

Shape (``version`` 1)::

    {"version": 1, "shade": bool, "alternatives": bool, "complete": bool,
     "rows": [{"de": [item, …], "en": [item, …]}, …],        # one row per paragraph
     "sentences": [{"label": str, "flags": [str], "alternatives": [str]}, …],
     "de_links": [[english word id, …], …],                 # by German word id
     "en_links": [[german word id, …], …],                  # by English word id
     "en_low": [english word id, …]}

A row side's ``item`` is a string (whitespace between sentences) or a sentence
``{"s": sentence index, "t": [piece, …]}``, whose ``piece`` is a string (text between words) or a
word ``[text, word id]``. Word ids count the words of one side through the whole document.
"""

from __future__ import annotations

import math
from typing import Any

from ..document import COPIED, DEGENERATE, RETRIED, UNTRANSLATED, Document, Sentence, Span

PAYLOAD_VERSION = 1

Item = str | dict[str, Any]


def build_payload(
    document: Document,
    *,
    shade: bool = False,
    alternatives: bool = False,
    complete: bool = True,
) -> dict[str, Any]:
    """The reader's JSON for ``document``.

    ``shade`` turns on low-confidence shading; ``alternatives`` offers each sentence's n-best
    alternatives for choosing (the Streamlit page; the standalone file is read-only); ``complete``
    is False while a document is still being translated.
    """
    rows: list[dict[str, list[Item]]] = []
    sentences: list[dict[str, Any]] = []
    de_links: list[list[int]] = []
    en_links: list[list[int]] = []
    en_low: list[int] = []
    for paragraph in document.paragraphs:
        de_items: list[Item] = []
        en_items: list[Item] = []
        de_cursor, en_cursor = paragraph.source.start, paragraph.target.start
        for sentence in paragraph.sentences:
            index = len(sentences)
            _gap(de_items, document.source[de_cursor : sentence.source.start])
            _gap(en_items, document.target[en_cursor : sentence.target.start])
            de_ids = _word_ids(sentence.source, sentence.source_words, len(de_links))
            en_ids = _word_ids(sentence.target, sentence.target_words, len(en_links))
            de_links.extend([] for _ in sentence.source_words)
            en_links.extend([] for _ in sentence.target_words)
            for link in sentence.links:
                d, e = de_ids.get(link.source), en_ids.get(link.target)
                if d is None or e is None:
                    continue
                if e not in de_links[d]:
                    de_links[d].append(e)
                if d not in en_links[e]:
                    en_links[e].append(d)
            for local in sentence.uncertain:
                if local in en_ids:
                    en_low.append(en_ids[local])
            de_text = _sentence(document.source, sentence.source, sentence.source_words, de_ids)
            en_text = _sentence(document.target, sentence.target, sentence.target_words, en_ids)
            de_items.append({"s": index, "t": de_text})
            en_items.append({"s": index, "t": en_text})
            sentences.append(
                {
                    "label": sentence_label(sentence),
                    "flags": list(sentence.flags),
                    "alternatives": [
                        a
                        for a in sentence.alternatives
                        if a.strip() and a != sentence.target.of(document.target)
                    ][:3],
                }
            )
            de_cursor, en_cursor = sentence.source.end, sentence.target.end
        _gap(de_items, document.source[de_cursor : paragraph.source.end])
        _gap(en_items, document.target[en_cursor : paragraph.target.end])
        rows.append({"de": de_items, "en": en_items})
    for ids in (*de_links, *en_links):
        ids.sort()
    return {
        "version": PAYLOAD_VERSION,
        "shade": bool(shade),
        "alternatives": bool(alternatives),
        "complete": bool(complete),
        "rows": rows,
        "sentences": sentences,
        "de_links": de_links,
        "en_links": en_links,
        "en_low": sorted(en_low),
    }


def sentence_label(sentence: Sentence) -> str:
    """What hovering a sentence shows: how it was made, or its score."""
    if UNTRANSLATED in sentence.flags:
        return "not translated: the German is shown"
    if COPIED in sentence.flags:
        return "copied through: nothing to translate"
    score = score_label(sentence.score)
    if DEGENERATE in sentence.flags:
        return " · ".join(
            filter(None, ["doubtful: looks like a loop, a copy or a wrong length", score])
        )
    if RETRIED in sentence.flags:
        return " · ".join(
            filter(None, ["decoded twice: the first output looked degenerate", score])
        )
    return score


def score_label(score: float | None) -> str:
    """A sentence's mean token log-probability, and the per-token probability that means."""
    if score is None or not math.isfinite(score):
        return ""
    return f"score {score:.2f} · ≈{math.exp(min(score, 0.0)):.0%} per token".replace("-", "−")


def _word_ids(sentence: Span, words: list[Span], base: int) -> dict[int, int]:
    """Local word index → document-wide word id, for the words that can be drawn.

    A word that lies outside its sentence or overlaps the word before it (which the data model
    forbids) is left out rather than drawn twice: its links then point nowhere.
    """
    ids: dict[int, int] = {}
    end = sentence.start
    for local in sorted(range(len(words)), key=lambda i: (words[i].start, words[i].end)):
        word = words[local]
        if word.start < end or word.end > sentence.end or not len(word):
            continue
        ids[local] = base + local
        end = word.end
    return ids


def _sentence(text: str, span: Span, words: list[Span], ids: dict[int, int]) -> list[Any]:
    """The sentence's text cut into gaps (strings) and words (``[text, word id]``)."""
    pieces: list[str | list[Any]] = []
    cursor = span.start
    for local in sorted(ids, key=lambda i: words[i].start):
        word = words[local]
        _gap(pieces, text[cursor : word.start])
        pieces.append([word.of(text), ids[local]])
        cursor = word.end
    _gap(pieces, text[cursor : span.end])
    return pieces


def _gap(items: list[Any], text: str) -> None:
    if text:
        items.append(text)
