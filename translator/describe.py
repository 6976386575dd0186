"""From the model's output to a translated sentence: English words, links and scores.

Everything here is in a sentence's own coordinates: a ``Translation`` holds the English of one
stretch of German and a ``Sentence`` whose spans point into that German (from 0) and into that
English (from 0). The assembler later moves it to its place in the Document, so this one record
serves the model's output, a sentence joined from chunks, the sentence cache and the Document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .align import (
    AlignmentConfig,
    links_from_matrix,
    sentence_score,
    target_rows,
    word_matrix,
    word_scores,
)
from .backends.base import Hypothesis
from .chunk import split_to_fit
from .document import COPIED, SPLIT, UNTRANSLATED, Link, Sentence, Span
from .surrogates import replace_surrogates
from .words import is_punctuation, pieces_to_words, word_spans


def has_text(text: str) -> bool:
    """Whether a segment holds letters or digits, i.e. anything worth sending to the model."""
    return any(c.isalnum() for c in text)


@dataclass(slots=True)
class Plan:
    """How one source sentence is translated: whole, in chunks (spans of it), or copied."""

    chunks: list[Span]
    flags: list[str] = field(default_factory=list)


def plan(sentence: str, count: Callable[[str], int], limit: int) -> Plan:
    """Copy a sentence without letters or digits; cut one of more than ``limit`` pieces."""
    if not has_text(sentence):
        return Plan(chunks=[], flags=[COPIED])
    if count(sentence) <= limit:
        lead = len(sentence) - len(sentence.lstrip())
        return Plan(chunks=[Span(lead, len(sentence.rstrip()))])
    return Plan(chunks=split_to_fit(sentence, count, limit), flags=[SPLIT])


@dataclass(slots=True)
class Translation:
    """The English of one stretch of German, and its Sentence in local coordinates.

    ``logprobs`` are the output's token log-probabilities (``</s>`` last): a sentence joined from
    chunks is scored over all of its chunks' tokens.
    """

    english: str
    sentence: Sentence
    logprobs: list[float] = field(default_factory=list)


def _bare(german: str, english: str, flags: Sequence[str] = ()) -> Sentence:
    return Sentence(source=Span(0, len(german)), target=Span(0, len(english)), flags=list(flags))


def uncertain(scores: Sequence[float], config: AlignmentConfig) -> list[int]:
    """The English words whose confidence is below the configured bar."""
    return [i for i, s in enumerate(scores) if s < config.uncertain_below]


def describe(
    german: str,
    offsets: Sequence[tuple[int, int]],
    hypothesis: Hypothesis,
    codec,
    config: AlignmentConfig,
) -> Translation:
    """English text, words on both sides, links and scores of one translated chunk."""
    decoded = codec.decode_with_offsets(hypothesis.ids)
    alternatives = [codec.decode(ids) for ids in hypothesis.alternatives]
    sentence = _bare(german, decoded.text)
    sentence.alternatives = [a for a in dict.fromkeys(alternatives) if a and a != decoded.text]
    result = Translation(decoded.text, sentence)
    if hypothesis.attention is None or not decoded.text:
        return result
    source_words = word_spans(german)
    target_words = word_spans(decoded.text)
    target_owner = pieces_to_words(decoded.offsets, target_words)
    source_owner = pieces_to_words(offsets, source_words)
    rows = target_rows(hypothesis.attention, len(hypothesis.ids), len(offsets), config.shifted)
    matrix = word_matrix(rows, target_owner, source_owner, len(target_words), len(source_words))
    sentence.source_words = source_words
    sentence.target_words = target_words
    sentence.links = [
        Link(s, t, w)
        for s, t, w in links_from_matrix(
            matrix,
            [is_punctuation(w.of(decoded.text)) for w in target_words],
            [is_punctuation(w.of(german)) for w in source_words],
            rule=config.rule,
            threshold=config.threshold,
        )
    ]
    result.logprobs = list(hypothesis.logprobs)
    sentence.word_scores = word_scores(hypothesis.logprobs, target_owner, len(target_words))
    sentence.uncertain = uncertain(sentence.word_scores, config)
    sentence.score = sentence_score(result.logprobs)
    return result


def copied(german: str) -> Translation:
    """A sentence without letters or digits, passed through with each mark linked to itself."""
    words = word_spans(german)
    sentence = _bare(german, german, [COPIED])
    sentence.source_words, sentence.target_words = words, list(words)
    sentence.links = [Link(i, i, 1.0) for i in range(len(words))]
    return Translation(replace_surrogates(german), sentence)


def join(
    german: str, plan: Plan, chunks: Sequence[Translation], config: AlignmentConfig
) -> Translation:
    """One sentence from its chunks: English joined by spaces, words and links offset."""
    if COPIED in plan.flags:
        return copied(german)
    english = ""
    sentence = _bare(german, "", plan.flags)
    logprobs: list[float] = []
    for span, chunk in zip(plan.chunks, chunks, strict=True):
        if not chunk.english:
            continue
        if english:
            english += " "
        part = chunk.sentence
        base_source, base_target = len(sentence.source_words), len(sentence.target_words)
        offset = len(english)
        english += chunk.english
        sentence.source_words += [w.shift(span.start) for w in part.source_words]
        sentence.target_words += [w.shift(offset) for w in part.target_words]
        sentence.links += [
            Link(base_source + k.source, base_target + k.target, k.weight) for k in part.links
        ]
        sentence.word_scores += part.word_scores
        logprobs += chunk.logprobs
    for chunk in chunks:
        sentence.flags += [f for f in chunk.sentence.flags if f not in sentence.flags]
    if len(chunks) == 1:
        sentence.alternatives = chunks[0].sentence.alternatives
    if not english.strip():
        english = replace_surrogates(german.strip())
        flags = [*sentence.flags, UNTRANSLATED]
        return Translation(english, _bare(german, english, flags))
    sentence.target = Span(0, len(english))
    sentence.score = sentence_score(logprobs)
    sentence.uncertain = uncertain(sentence.word_scores, config)
    return Translation(english, sentence, logprobs)
