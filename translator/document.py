"""The data model: a source text, its translation, and spans that tie the two together.

Everything points into an owning text by character offsets (the spaCy/Bergamot habit), so nothing
is copied, nothing drifts, and the gaps between spans keep the original whitespace. Standard
library only: the model loads and validates without torch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range ``[start, end)`` into an owning text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def shift(self, offset: int) -> Span:
        return Span(self.start + offset, self.end + offset)


@dataclass(frozen=True, slots=True)
class Link:
    """An alignment link between a source word and a target word of one sentence (indices)."""

    source: int
    target: int
    weight: float


@dataclass(slots=True)
class Sentence:
    """One source sentence and its translation.

    ``source`` spans ``Document.source`` and ``target`` spans ``Document.target``; word spans
    are in the same document coordinates, so ``word.of(document.source)`` is the word.
    """

    source: Span
    target: Span
    source_words: list[Span] = field(default_factory=list)
    target_words: list[Span] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    word_scores: list[float] = field(default_factory=list)
    uncertain: list[int] = field(default_factory=list)
    score: float | None = None
    flags: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)


# Flags a Sentence can carry, and why.
COPIED = "copied"  # no letters or digits: copied through, never sent to the model
SPLIT = "split"  # too long for the model: translated in clause-sized chunks and joined
UNTRANSLATED = "untranslated"  # the model gave back nothing: the source is shown instead
RETRIED = "retried"  # the first output looked degenerate: decoded again more safely, better kept
DEGENERATE = "degenerate"  # output looked degenerate (loop, length, copy); kept as is after retry
FLAGS = frozenset({COPIED, SPLIT, UNTRANSLATED, RETRIED, DEGENERATE})


@dataclass(slots=True)
class Paragraph:
    source: Span
    target: Span
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    source: str
    target: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    signature: str = ""
    # Where the text came from, for every output to carry: ``title``, ``url``, ``author``,
    # ``date`` (of a web article, a PDF's or an e-book's own metadata). Empty for typed text.
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def sentences(self) -> Iterator[Sentence]:
        for paragraph in self.paragraphs:
            yield from paragraph.sentences

    def pairs(self) -> Iterator[tuple[str, str]]:
        """(German, English) text of every sentence, in document order."""
        for sentence in self.sentences:
            yield sentence.source.of(self.source), sentence.target.of(self.target)

    # -- invariants ---------------------------------------------------------------------------

    def check(self) -> None:
        """Raise ``ValueError`` if a span or link breaks the data model's invariants."""
        covered = [0] * len(self.source)
        for p, paragraph in enumerate(self.paragraphs):
            _within(paragraph.source, len(self.source), f"paragraph {p} source")
            _within(paragraph.target, len(self.target), f"paragraph {p} target")
            for s, sentence in enumerate(paragraph.sentences):
                where = f"paragraph {p} sentence {s}"
                _inside(sentence.source, paragraph.source, f"{where} source")
                _inside(sentence.target, paragraph.target, f"{where} target")
                for i in range(sentence.source.start, sentence.source.end):
                    covered[i] += 1
                for w in sentence.source_words:
                    _inside(w, sentence.source, f"{where} source word")
                for w in sentence.target_words:
                    _inside(w, sentence.target, f"{where} target word")
                for link in sentence.links:
                    if not (
                        0 <= link.source < len(sentence.source_words)
                        and 0 <= link.target < len(sentence.target_words)
                    ):
                        raise ValueError(f"{where}: link {link} points at no word")
                if sentence.word_scores and len(sentence.word_scores) != len(sentence.target_words):
                    raise ValueError(f"{where}: one word score per target word expected")
                has_text = any(c.isalnum() for c in sentence.source.of(self.source))
                if has_text and not sentence.target.of(self.target).strip():
                    raise ValueError(f"{where}: a sentence with text has no translation")
        for i, char in enumerate(self.source):
            if covered[i] > 1:
                raise ValueError(f"character {i} lies in {covered[i]} sentences")
            if covered[i] == 0 and not char.isspace():
                raise ValueError(f"character {i} ({char!r}) lies in no sentence")

    def with_translation(self, index: int, english: str, **fields: Any) -> Document:
        """A copy with sentence ``index`` (document order) translated as ``english``.

        Later target spans shift by the change in length. ``fields`` replace the sentence's other
        attributes; ``target_words`` are given relative to ``english`` and placed here.
        """
        located = [
            (p, s) for p, para in enumerate(self.paragraphs) for s in range(len(para.sentences))
        ]
        if not 0 <= index < len(located):
            raise IndexError(f"no sentence {index} (the document has {len(located)})")
        p_index, s_index = located[index]
        old = self.paragraphs[p_index].sentences[s_index]
        start, delta = old.target.start, len(english) - len(old.target)
        target = self.target[:start] + english + self.target[old.target.end :]

        def moved(span: Span) -> Span:
            if span.start >= old.target.end:  # after the sentence
                return span.shift(delta)
            if span.end >= old.target.end:  # around it: its paragraph
                return Span(span.start, span.end + delta)
            return span

        words = [w.shift(start) for w in fields.pop("target_words", [])]
        paragraphs = []
        for p, paragraph in enumerate(self.paragraphs):
            sentences = []
            for s, sentence in enumerate(paragraph.sentences):
                if (p, s) == (p_index, s_index):
                    changed = replace(sentence, target=Span(start, start + len(english)))
                    changed.target_words = words
                    for name, value in fields.items():
                        setattr(changed, name, value)
                    sentences.append(changed)
                else:
                    sentences.append(
                        replace(
                            sentence,
                            target=moved(sentence.target),
                            target_words=[moved(w) for w in sentence.target_words],
                        )
                    )
            paragraphs.append(Paragraph(paragraph.source, moved(paragraph.target), sentences))
        return Document(self.source, target, paragraphs, self.signature, dict(self.metadata))

    # -- JSON ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "signature": self.signature,
            "metadata": dict(self.metadata),
            "source": self.source,
            "target": self.target,
            "paragraphs": [
                {
                    "source": _span_out(p.source),
                    "target": _span_out(p.target),
                    "sentences": [sentence_to_dict(s) for s in p.sentences],
                }
                for p in self.paragraphs
            ],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        schema = data.get("schema")
        if schema != SCHEMA_VERSION:
            raise ValueError(f"unsupported document schema {schema!r} (expected {SCHEMA_VERSION})")
        return cls(
            source=data["source"],
            target=data["target"],
            signature=data["signature"],
            metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
            paragraphs=[
                Paragraph(
                    source=_span_in(p["source"]),
                    target=_span_in(p["target"]),
                    sentences=[sentence_from_dict(s) for s in p["sentences"]],
                )
                for p in data["paragraphs"]
            ],
        )

    @classmethod
    def from_json(cls, text: str) -> Document:
        return cls.from_dict(json.loads(text))


def _within(span: Span, length: int, what: str) -> None:
    if span.end > length:
        raise ValueError(f"{what} {span} runs past the end of its text ({length})")


def _inside(inner: Span, outer: Span, what: str) -> None:
    if not (outer.start <= inner.start and inner.end <= outer.end):
        raise ValueError(f"{what} {inner} lies outside {outer}")


def _span_out(span: Span) -> list[int]:
    return [span.start, span.end]


def _span_in(pair: Any) -> Span:
    if not isinstance(pair, list) or len(pair) != 2:
        raise ValueError(f"a span is [start, end], not {pair!r}")
    return Span(_whole(pair[0]), _whole(pair[1]))


def sentence_to_dict(s: Sentence) -> dict[str, Any]:
    """A sentence as JSON-ready data (the Document's layout; also the sentence cache's)."""
    return {
        "source": _span_out(s.source),
        "target": _span_out(s.target),
        "source_words": [_span_out(w) for w in s.source_words],
        "target_words": [_span_out(w) for w in s.target_words],
        "links": [[link.source, link.target, link.weight] for link in s.links],
        "word_scores": list(s.word_scores),
        "uncertain": list(s.uncertain),
        "score": s.score,
        "flags": list(s.flags),
        "alternatives": list(s.alternatives),
    }


def sentence_from_dict(d: dict[str, Any]) -> Sentence:
    """A sentence from ``sentence_to_dict``'s data; ``ValueError`` for anything of the wrong
    type or value (a string where a list belongs, a score that is not a finite number, …)."""
    if not isinstance(d, dict):
        raise ValueError("a sentence must be an object")
    score = d.get("score")
    return Sentence(
        source=_span_in(d["source"]),
        target=_span_in(d["target"]),
        source_words=[_span_in(w) for w in _list(d, "source_words")],
        target_words=[_span_in(w) for w in _list(d, "target_words")],
        links=[_link_in(link) for link in _list(d, "links")],
        word_scores=[_number(x) for x in _list(d, "word_scores")],
        uncertain=[_whole(x) for x in _list(d, "uncertain")],
        score=None if score is None else _number(score),
        flags=[_text(x) for x in _list(d, "flags")],
        alternatives=[_text(x) for x in _list(d, "alternatives")],
    )


def _list(d: dict[str, Any], key: str) -> list:
    value = d.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list, not {type(value).__name__}")
    return value


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _link_in(value: Any) -> Link:
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError(f"a link is [source, target, weight], not {value!r}")
    source, target, weight = value
    return Link(_whole(source), _whole(target), _number(weight))
