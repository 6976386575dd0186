"""The data model's invariants (DESIGN.md) on generated German-like text, end to end on the test
model: punctuation, quotes, numbers, odd whitespace and the Unicode that real files hold.

Hypothesis runs derandomized (the same examples on every machine) and a few dozen examples, so
the module takes well under a minute; ``HYPOTHESIS_PROFILE=thorough`` runs ten times as many
with fresh random examples, for hunting rather than CI.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.fixtures.recording import RecordingBackend
from translator import Translator, translate_text
from translator.document import SPLIT, Document

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

WORDS = (
    "Der die das Haus Straße Größe Übermut ärgerlich Öl groß Maß ﬁnden Aﬀe Café Cafe\u0301 "
    "z.B. Dr. usw. bzw. ca. Nr. St. Jh. GmbH & Co. KG 3. 12. 1.084.831 3,14 2024 10:30 "
    "5€ 20 % §4 Abs. 2 E-Mail https://example.de/a?b=c x@y.de 🙂 👍🏽 ❤️ ∑ α"
).split()
PUNCTUATION = [*".!?…,;:–—-()[]{}/\\*#„“”»«'\"‚‘", "...", "?!", ". . .", "!!!"]
SPACES = [" ", "  ", "\t", "\u00a0", "\u2009", "\u3000", "\n", "\r\n", "\n\n", "\r\n\r\n", " \n \n"]

tokens = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.upper),
    st.sampled_from(PUNCTUATION),
    st.integers(min_value=-(10**6), max_value=10**9).map(str),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3),
)
gaps = st.one_of(st.just(" "), st.just(""), st.sampled_from(SPACES))
runs = st.lists(st.tuples(tokens, gaps).map("".join), min_size=1, max_size=12).map("".join)
german_like = st.lists(runs, max_size=8).map("".join)


@pytest.fixture(scope="module")
def brief(translator) -> Translator:
    """The test model with short outputs: its random weights loop up to the output limit, and
    the invariants are about spans, not about how long the English is."""
    return Translator(backend=translator.backend, max_output_ratio=0.25)


def covered_by_one_sentence(document: Document) -> None:
    """Invariant 1, said directly: each non-whitespace character lies in exactly one sentence."""
    owners = [0] * len(document.source)
    for sentence in document.sentences:
        for i in range(sentence.source.start, sentence.source.end):
            owners[i] += 1
    for i, char in enumerate(document.source):
        assert owners[i] <= 1
        assert owners[i] == 1 or char.isspace(), f"{char!r} at {i} lies in no sentence"


def words_and_links_in_range(document: Document) -> None:
    """Invariant 5: words are non-empty, in order, inside their sentence; links point at words."""
    for sentence in document.sentences:
        for words, outer in (
            (sentence.source_words, sentence.source),
            (sentence.target_words, sentence.target),
        ):
            previous = outer.start
            for word in words:
                assert outer.start <= word.start < word.end <= outer.end
                assert word.start >= previous, "words in order, not overlapping"
                previous = word.end
        for link in sentence.links:
            assert 0 <= link.source < len(sentence.source_words)
            assert 0 <= link.target < len(sentence.target_words)


def english_mirrors_the_layout(document: Document) -> None:
    """Putting each sentence's German back in place of its English gives the input exactly:
    everything between sentences (whitespace, paragraph breaks, symbols) is copied through."""
    rebuilt, cursor = [], 0
    for sentence in document.sentences:
        rebuilt.append(document.target[cursor : sentence.target.start])
        rebuilt.append(sentence.source.of(document.source))
        cursor = sentence.target.end
    rebuilt.append(document.target[cursor:])
    assert "".join(rebuilt) == document.source


def every_sentence_with_text_is_translated(document: Document) -> None:
    """Invariant 2."""
    for german, english in document.pairs():
        if any(c.isalnum() for c in german):
            assert english.strip(), f"{german!r} has no English"


@settings(settings.get_profile(PROFILE))
@given(text=german_like)
@example(text="")
@example(text=" \r\n\t\u00a0 ")
@example(text="Er sagte: „Komm!“ Sie kam.\r\n\r\nDann ging sie – ohne ein Wort.")
@example(text="e\u0301\u0301 ﬁ 👍🏽\u200d x\x07y \ufeff")
def test_every_invariant_holds_on_generated_text(brief, text):
    document = translate_text(text, translator=brief, beam=1)
    event(f"sentences: {min(len(list(document.sentences)), 10)}")
    assert document.source == text
    document.check()
    covered_by_one_sentence(document)
    words_and_links_in_range(document)
    english_mirrors_the_layout(document)
    every_sentence_with_text_is_translated(document)
    assert Document.from_json(document.to_json()) == document


@settings(settings.get_profile(PROFILE), max_examples=15)
@given(text=german_like)
@example(text="*** – … ***\n\n§ ¶\n\n🙂")
def test_only_sentences_with_letters_or_digits_reach_the_model(brief, text):
    recording = RecordingBackend(brief.backend)
    document = Translator(backend=recording, max_output_ratio=0.25).translate_text(text, beam=1)
    with_text = {g for g, _ in document.pairs() if any(c.isalnum() for c in g)}
    sent = [ids for batch in recording.batches for ids in batch]
    if not with_text:
        assert sent == [], "nothing to translate, yet the model was called"
    elif not any(SPLIT in s.flags for s in document.sentences):
        assert len(sent) <= len(with_text), "each distinct sentence with text goes once"
    for sentence in document.sentences:
        german = sentence.source.of(document.source)
        assert german == german.strip(), "sentences are trimmed; whitespace stays between them"
