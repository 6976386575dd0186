"""A sentence's English replaced by the user's choice (an alternative, an edit), force-aligned.

The model scores and aligns the new English as if it had produced it, so its words, links and
scores are as trustworthy as a translation's own; the previous translation becomes an
alternative. English the model cannot read in one pass is shown as given, without word links.
"""

from __future__ import annotations

from .decode import Decoder
from .document import DEGENERATE, RETRIED, SPLIT, Document
from .errors import InputError
from .surrogates import replace_surrogates

UNALIGNED = {"target_words": [], "links": [], "word_scores": [], "uncertain": []}


def replace_translation(document: Document, index: int, english: str, decoder: Decoder) -> Document:
    """A copy of ``document`` whose sentence ``index`` reads ``english``."""
    if not isinstance(english, str):
        raise InputError(f"the English must be a str, not {type(english).__name__}")
    sentences = list(document.sentences)
    if isinstance(index, bool) or not isinstance(index, int):
        raise InputError(f"the sentence index must be a whole number, not {index!r}")
    if not 0 <= index < len(sentences):
        raise InputError(f"no sentence {index}: the document has {len(sentences)}")
    sentence = sentences[index]
    english = replace_surrogates(english)
    german = sentence.source.of(document.source)
    previous = sentence.target.of(document.target)
    others = [a for a in sentence.alternatives if a != english]
    flags = [f for f in sentence.flags if f not in (RETRIED, DEGENERATE)]  # not this text's
    fields: dict = {"alternatives": [previous, *others], "flags": flags}
    if SPLIT in sentence.flags or not english.strip() or not _fits_one_pass(decoder, english):
        return document.with_translation(index, english, score=None, **UNALIGNED, **fields)
    forced = decoder.force(german, english)
    if forced.english != english:  # the text didn't survive re-encoding: show it unaligned
        return document.with_translation(index, english, score=None, **UNALIGNED, **fields)
    local = forced.sentence
    return document.with_translation(
        index,
        english,
        source_words=[w.shift(sentence.source.start) for w in local.source_words],
        target_words=local.target_words,
        links=local.links,
        word_scores=local.word_scores,
        uncertain=local.uncertain,
        score=local.score,
        **fields,
    )


def _fits_one_pass(decoder: Decoder, english: str) -> bool:
    """Whether the model's decoder can read ``english`` (and ``</s>``) in one forced pass."""
    backend = decoder.backend
    return len(backend.codec.encode_target(english)) + 1 < backend.max_source_positions
