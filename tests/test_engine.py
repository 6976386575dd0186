from __future__ import annotations

import random
import threading
import time
from collections import Counter

import pytest

from tests.fixtures.compare import (
    TRICKY,
    assert_invariants,
    assert_same_document,
    assert_words_and_links_valid,
)
from tests.fixtures.recording import RecordingBackend
from translator import Translator
from translator.config import DEFAULT_MODEL, MODEL
from translator.decode import RETRY_MIN_BEAM, RETRY_NO_REPEAT
from translator.describe import has_text, plan
from translator.document import COPIED, DEGENERATE, RETRIED, SPLIT, Document
from translator.engine import resolve_model_name
from translator.errors import InputError
from translator.reader.payload import build_payload
from translator.signature import Signature


def test_target_mirrors_the_paragraph_structure(translator, seed_text):
    text = "\n\n  " + seed_text.replace("\n\n", "\n\n\n") + "\n"
    document = translator.translate_text(text)
    assert document.target.startswith("\n\n  ")
    assert document.target.endswith("\n")
    assert document.target.count("\n\n\n") == text.count("\n\n\n")
    for paragraph in document.paragraphs:
        assert "\n\n" not in paragraph.target.of(document.target)


def test_batches_are_length_sorted_and_within_the_token_budget(translator, seed_text):
    one_paragraph = seed_text.replace("\n\n", " ")
    recording = RecordingBackend(translator.backend)
    engine = Translator(backend=recording, batch_tokens=200)
    list(engine.stream(one_paragraph, first_window=64))  # one window: one sorted run of batches
    lengths = [len(ids) for batch in recording.batches for ids in batch]
    assert lengths == sorted(lengths)
    for batch in recording.batches:
        assert len(batch) == 1 or max(map(len, batch)) * len(batch) <= 200


def test_identical_sentences_are_translated_once(translator):
    recording = RecordingBackend(translator.backend)
    document = Translator(backend=recording).translate_text("Ja. Nein. Ja.\n\nJa.")
    assert sorted(recording.sent_texts()) == ["Ja.", "Nein."]
    english = [en for _, en in document.pairs()]
    assert english[0] == english[2] == english[3]


def test_segments_without_letters_or_digits_never_reach_the_model(translator):
    recording = RecordingBackend(translator.backend)
    text = "Erster Satz.\n\n***\n\n– – –\n\n…\n\nZweiter Satz."
    document = Translator(backend=recording).translate_text(text)
    assert_invariants(document, text)
    assert sorted(recording.sent_texts()) == ["Erster Satz.", "Zweiter Satz."]
    copied = [s for s in document.sentences if COPIED in s.flags]
    assert [s.target.of(document.target) for s in copied] == ["***", "– – –", "…"]


def test_a_sentence_too_long_for_the_model_is_split_and_loses_nothing(translator):
    rng = random.Random(3)
    clauses = [
        " ".join("".join(rng.choices("bcdfgklmnprstvwzäöü", k=rng.randint(2, 6))) for _ in range(8))
        for _ in range(20)
    ]
    sentence = "Er sagte, " + ", ".join(clauses) + "."
    codec = translator.backend.codec
    assert codec.count(sentence) > translator.backend.max_source_positions, "must exceed 512"
    recording = RecordingBackend(translator.backend)
    document = Translator(backend=recording).translate_text(sentence)
    assert_invariants(document, sentence)
    (only,) = list(document.sentences)
    assert SPLIT in only.flags
    sent = recording.sent_texts()
    assert len(sent) > 1
    assert all(len(ids) - 1 <= 200 for batch in recording.batches for ids in batch)
    assert Counter("".join(sent).replace(" ", "")) == Counter(sentence.replace(" ", ""))


def test_the_quality_limit_is_configurable(translator):
    sentence = "Der Machthaber, der Präsident und die Regierung trafen sich im Juni in Vietnam."
    recording = RecordingBackend(translator.backend)
    document = Translator(backend=recording, max_sentence_tokens=10).translate_text(sentence)
    assert SPLIT in next(document.sentences).flags
    assert all(len(ids) - 1 <= 10 for batch in recording.batches for ids in batch)


def test_progress_counts_sentences_up_to_the_total(translator, seed_text):
    calls: list[tuple[int, int]] = []
    document = translator.translate_text(seed_text, progress=lambda d, t: calls.append((d, t)))
    total = sum(1 for _ in document.sentences)
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_empty_and_blank_text_give_empty_documents(translator):
    assert translator.translate_text("").paragraphs == []
    document = translator.translate_text(" \n\n\t")
    assert document.paragraphs == [] and document.target == " \n\n\t"


def test_json_round_trip_of_a_translated_document(translator):
    document = translator.translate_text(TRICKY)
    assert Document.from_json(document.to_json()) == document


def test_beam_defaults_to_the_models_generation_config(translator):
    assert translator.beam == 4
    assert "beam:4" in translator.signature()
    assert "beam:1" in translator.translate_text("Guten Morgen.", beam=1).signature


def test_signature_names_model_engine_and_segmenter(translator, model_dir):
    signature = translator.signature()
    assert signature.startswith(f"model:{model_dir.name}@local-")
    assert str(model_dir.parent) not in signature  # where the model lies is nobody's business
    assert "engine:torch-float32" in signature and "seg:" in signature


def test_signature_records_every_setting_that_changes_the_english(translator):
    parts = Signature.parse(translator.signature())
    assert (parts.retry, parts.output_ratio, parts.max_tokens) == ("off", 1.5, 200)
    retrying = Translator(backend=translator.backend, retry_degenerate=True, max_output_ratio=2)
    assert Signature.parse(retrying.signature()).retry.startswith("nr")
    assert Signature.parse(retrying.signature()).output_ratio == 2


def test_bad_settings_are_refused(translator):
    with pytest.raises(InputError):
        Translator(backend=translator.backend, beam=0)
    with pytest.raises(InputError):
        translator.translate_text(b"bytes")  # type: ignore[arg-type]


def test_model_resolution_prefers_argument_then_environment(monkeypatch):
    monkeypatch.delenv(MODEL, raising=False)
    assert resolve_model_name(None) == DEFAULT_MODEL
    monkeypatch.setenv(MODEL, "/models/opus")
    assert resolve_model_name(None) == "/models/opus"
    assert resolve_model_name("org/model") == "org/model"


def test_has_text_needs_a_letter_or_digit():
    assert has_text("ä") and has_text("7") and not has_text("*** – …")


def test_given_paragraphs_are_kept_even_without_blank_lines(translator):
    from translator.document import Span

    text = "Zelle eins. Noch ein Satz.\nZelle zwei\n\n  "
    cells, start = [], 0
    for cell in text.split("\n"):
        cells.append(Span(start, start + len(cell)))
        start += len(cell) + 1
    document = translator.translate_text(text, paragraphs=cells)
    assert_invariants(document, text)
    assert [p.source for p in document.paragraphs] == cells[:2]
    assert [len(p.sentences) for p in document.paragraphs] == [2, 1]
    assert document.target[document.paragraphs[0].target.end] == "\n"


def test_overlapping_given_paragraphs_are_refused(translator):
    from translator.document import Span

    with pytest.raises(InputError, match="overlaps"):
        translator.translate_text("abc def", paragraphs=[Span(0, 5), Span(3, 7)])


# -- words, links, confidence, alternatives, streaming -------------------------------------------


def test_links_never_join_punctuation_and_words(translator, seed_text):
    from translator.words import is_punctuation

    document = translator.translate_text(seed_text)
    for sentence in document.sentences:
        for link in sentence.links:
            german = sentence.source_words[link.source].of(document.source)
            english = sentence.target_words[link.target].of(document.target)
            assert is_punctuation(german) == is_punctuation(english)
            assert link.weight >= translator.alignment.threshold


def test_a_split_sentence_aligns_every_piece_into_the_joined_sentence(translator):
    clause = "der nordkoreanische Machthaber hat den Präsidenten nach Pjöngjang eingeladen"
    sentence = ", ".join([clause] * 6) + "."
    engine = Translator(backend=translator.backend, max_sentence_tokens=40)
    document = engine.translate_text(sentence)
    (only,) = list(document.sentences)
    assert SPLIT in only.flags
    assert_words_and_links_valid(document)
    # each chunk's links stay inside its own German and its own English
    chunks = plan(sentence, translator.backend.codec.count, engine.token_limit).chunks
    assert len(chunks) > 1
    english_ends, end = [], -1
    for chunk in chunks:
        end += 1 + len(engine.translate_text(chunk.of(sentence)).target)
        english_ends.append(end)
    assert english_ends[-1] == len(only.target.of(document.target))

    def chunk_of(position: int, ends: list[int]) -> int:
        return next(k for k, e in enumerate(ends) if position < e)

    german_ends = [c.end for c in chunks]
    pairs = [
        (
            chunk_of(only.source_words[k.source].start, german_ends),
            chunk_of(only.target_words[k.target].start - only.target.start, english_ends),
        )
        for k in only.links
    ]
    assert all(a == b for a, b in pairs)
    assert {a for a, _ in pairs} == set(range(len(chunks))), "every chunk links"


def test_copied_segments_link_to_themselves(translator):
    document = translator.translate_text("Satz eins.\n\n*** – ***")
    copied = next(s for s in document.sentences if COPIED in s.flags)
    assert [w.of(document.target) for w in copied.target_words] == ["*", "*", "*", "–"] + ["*"] * 3
    assert [(k.source, k.target) for k in copied.links] == [(i, i) for i in range(7)]


def test_the_first_streamed_window_is_the_first_sentence_alone(translator):
    text = "Erster Satz hier. Zweiter Satz dort. Dritter Satz.\n\nNeuer Absatz. Noch einer."
    recording = RecordingBackend(translator.backend)
    partials = list(Translator(backend=recording).stream(text))
    assert len(recording.batches[0]) == 1, "the first batch is one sentence"
    first = partials[0]
    (paragraph,) = first.paragraphs
    assert [s.source.of(text) for s in paragraph.sentences] == ["Erster Satz hier."]
    assert paragraph.source.of(text) == "Erster Satz hier."
    final = {s.source: s.target.of(partials[-1].target) for s in partials[-1].sentences}
    for partial in partials:
        assert partials[-1].target.startswith(partial.target)
        for p in partial.paragraphs:
            assert all(
                p.source.start <= s.source.start <= s.source.end <= p.source.end
                for s in p.sentences
            )
        assert all(final[s.source] == s.target.of(partial.target) for s in partial.sentences)
    last = partials[-1]
    assert [len(p.sentences) for p in last.paragraphs] == [3, 2]
    assert_same_document(last, translator.translate_text(text))


def test_one_translator_serves_several_threads_at_once(translator, seed_text):
    from concurrent.futures import ThreadPoolExecutor

    paragraphs = seed_text.strip().split("\n\n")
    texts = ["\n\n".join(paragraphs[i:] + paragraphs[:i]) for i in range(4)]
    alone = [translator.translate_text(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(translator.translate_text, texts))
    for a, b in zip(alone, together, strict=True):
        assert_same_document(a, b)


# -- degenerate outputs ---------------------------------------------------------------------------

SCRIPTED = "Trump will Kim im Juni nicht besuchen."
GOOD = "Trump will not visit Kim in June."
LOOP = " ".join(["des"] * 25)  # a loop, and far too long
COPY = SCRIPTED


class Scripted:
    """A backend that answers chosen English, scored and aligned by the real model (``force``):
    ``first`` for a German text's first decoding, ``retry`` for its safer second one."""

    def __init__(self, inner, first: str, retry: str | None = None) -> None:
        self.inner = inner
        self.answers = {False: first, True: retry}

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def generate(self, batch, **options):
        english = self.answers[bool(options.get("no_repeat_ngram_size"))]
        assert english is not None, "no answer scripted for this decoding"
        targets = [self.inner.codec.encode_target(english) for _ in batch]
        return self.inner.force(batch, targets)


def scripted(translator, first: str, retry: str | None = None, **settings):
    recording = RecordingBackend(Scripted(translator.backend, first, retry))
    engine = Translator(backend=recording, **{"retry_degenerate": True, **settings})
    return engine, recording


def test_a_looping_output_is_decoded_again_more_safely_and_the_better_kept(translator):
    engine, recording = scripted(translator, LOOP, GOOD, beam=1)
    document = engine.translate_text(SCRIPTED)
    ((_, options, _),) = recording.retries
    assert options["no_repeat_ngram_size"] == RETRY_NO_REPEAT
    assert options["beam"] == RETRY_MIN_BEAM  # greedy search loops most: the retry searches
    (sentence,) = document.sentences
    assert document.target == GOOD
    assert sentence.flags == [RETRIED]
    assert sentence.target_words and sentence.links and sentence.score is not None
    document.check()
    assert Document.from_json(document.to_json()) == document


def test_an_output_still_degenerate_after_the_retry_is_flagged_for_the_reader(translator):
    engine, _ = scripted(translator, LOOP, COPY)  # a copy has fewer problems than a long loop
    document = engine.translate_text(SCRIPTED)
    (sentence,) = document.sentences
    assert document.target == COPY
    assert sentence.flags == [RETRIED, DEGENERATE]
    (row,) = build_payload(document)["rows"]
    assert row[1]["en"][0]["flags"] == [RETRIED, DEGENERATE]
    assert Document.from_json(document.to_json()).paragraphs[0].sentences[0].flags == [
        RETRIED,
        DEGENERATE,
    ]


def test_a_retry_that_is_worse_than_the_first_output_is_discarded(translator):
    engine, recording = scripted(translator, COPY, LOOP)
    document = engine.translate_text(SCRIPTED)
    assert len(recording.retries) == 1
    assert document.target == COPY
    assert next(document.sentences).flags == [RETRIED, DEGENERATE]


def test_a_normal_translation_is_not_retried(translator):
    engine, recording = scripted(translator, GOOD)
    document = engine.translate_text(SCRIPTED)
    assert recording.retries == [] and len(recording.batches) == 1
    assert document.target == GOOD and next(document.sentences).flags == []


def test_retrying_can_be_turned_off(translator):
    engine, recording = scripted(translator, LOOP, GOOD, retry_degenerate=False)
    document = engine.translate_text(SCRIPTED)
    assert recording.retries == [] and document.target == LOOP
    assert next(document.sentences).flags == []


def test_choosing_another_translation_drops_the_retry_flags(translator):
    engine, _ = scripted(translator, LOOP, COPY)
    document = engine.replace_translation(engine.translate_text(SCRIPTED), 0, GOOD)
    assert document.target == GOOD and next(document.sentences).flags == []


@pytest.mark.parametrize("backend", ["torch", "ctranslate2:float32"])
def test_retried_outputs_never_say_a_three_piece_phrase_twice(translator, model_dir, backend):
    inner = (
        translator.backend
        if backend == "torch"
        else Translator(model=str(model_dir), backend=backend, cache=False).backend
    )
    recording = RecordingBackend(inner)
    text = "Doch der scheint dafür momentan wenig übrig zu haben. Neue Verhandlungen sind möglich."
    document = Translator(backend=recording, retry_degenerate=True).translate_text(text)
    assert recording.retries, "the random model loops, so its outputs are retried"
    for _, options, outputs in recording.retries:
        assert options["no_repeat_ngram_size"] == RETRY_NO_REPEAT
        for ids in outputs:
            phrases = [tuple(ids[i : i + 3]) for i in range(len(ids) - 2)]
            assert len(phrases) == len(set(phrases))
    document.check()
    assert all(RETRIED in s.flags for s in document.sentences if DEGENERATE in s.flags)
    assert any(RETRIED in s.flags for s in document.sentences)


# -- several users --------------------------------------------------------------------------------


class Overlaps:
    """Wraps a backend and counts the most model calls that ever ran at the same time."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.running = 0
        self.most = 0
        self._count = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def generate(self, batch, **options):
        with self._count:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.05)  # widens the window in which calls that don't take turns overlap
            return self.inner.generate(batch, **options)
        finally:
            with self._count:
                self.running -= 1


def test_threads_translating_at_once_take_turns_at_the_model_only(translator, seed_text):
    from concurrent.futures import ThreadPoolExecutor

    texts = seed_text.strip().split("\n\n")[:4]
    alone = [translator.translate_text(t) for t in texts]
    overlaps = Overlaps(translator.backend)
    shared = Translator(backend=overlaps)
    with ThreadPoolExecutor(len(texts)) as pool:
        together = list(pool.map(shared.translate_text, texts))
    assert overlaps.most == 1
    for a, b in zip(alone, together, strict=True):
        assert_same_document(a, b)
