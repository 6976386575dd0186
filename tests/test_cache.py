from __future__ import annotations

import logging
import sqlite3
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures.cli import run
from tests.fixtures.compare import assert_same_document
from tests.fixtures.recording import RecordingBackend
from translator import Translator
from translator.cache import (
    FILE_NAME,
    TABLE,
    SentenceCache,
    cache_key,
    default_cache_path,
    enabled_by_default,
)

EDITED = "Der Besuch ist abgesagt."


@pytest.fixture()
def cache(tmp_path: Path) -> SentenceCache:
    return SentenceCache(tmp_path / FILE_NAME)


def cached(translator, cache: SentenceCache, **settings) -> tuple[Translator, RecordingBackend]:
    recording = RecordingBackend(translator.backend)
    return Translator(backend=recording, cache=cache, **settings), recording


def first_sentence(text: str) -> str:
    return text[: text.index(".") + 1]


def hold_exclusive_lock(path: Path) -> sqlite3.Connection:
    """Another process's connection that keeps every other one out until it is closed."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE IF NOT EXISTS held (x)")
    return holder


# -- the store ------------------------------------------------------------------------------------


def test_stored_values_come_back_by_key(cache):
    cache.put_many({"a": {"english": "Good morning."}, "b": [1, 2.5, None]})
    assert cache.get_many(["a", "b", "missing"]) == {
        "a": {"english": "Good morning."},
        "b": [1, 2.5, None],
    }
    assert SentenceCache(cache.path).get_many(["a"]) == {"a": {"english": "Good morning."}}


def test_the_key_ignores_spacing_and_composition_but_not_words_or_settings():
    composed = "Über  die\nBrücke."
    decomposed = unicodedata.normalize("NFD", "Über die Brücke.")
    assert cache_key(composed, "beam:4") == cache_key(decomposed, "beam:4")
    assert cache_key(composed, "beam:4") != cache_key("Über die Straße.", "beam:4")
    assert cache_key(composed, "beam:4") != cache_key(composed, "beam:1")


def test_the_default_file_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATOR_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_path() == tmp_path / "mine" / FILE_NAME
    monkeypatch.delenv("TRANSLATOR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == tmp_path / "xdg" / "translator" / FILE_NAME
    monkeypatch.setenv("TRANSLATOR_CACHE", "off")
    assert not enabled_by_default()
    monkeypatch.setenv("TRANSLATOR_CACHE", "on")
    assert enabled_by_default()


def test_a_file_of_garbage_is_rebuilt_with_a_warning(cache, caplog):
    cache.path.write_bytes(b"this is no database \x00\xff" * 100)
    with caplog.at_level(logging.WARNING, logger="translator.cache"):
        assert cache.get_many(["a"]) == {}
    assert "damaged" in caplog.text
    cache.put_many({"a": 1})
    assert SentenceCache(cache.path).get_many(["a"]) == {"a": 1}


def test_a_locked_database_is_bypassed_and_used_again_once_free(cache, caplog):
    cache.put_many({"a": 1})
    cache.close()
    holder = hold_exclusive_lock(cache.path)
    try:
        with caplog.at_level(logging.WARNING, logger="translator.cache"):
            assert cache.get_many(["a"]) == {}
            cache.put_many({"b": 2})  # skipped, not raised
        assert "locked" in caplog.text
    finally:
        holder.close()
    assert cache.get_many(["a", "b"]) == {"a": 1}


def test_a_cache_directory_that_cannot_be_made_is_bypassed(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = SentenceCache(blocker / "translator" / FILE_NAME)
    with caplog.at_level(logging.WARNING, logger="translator.cache"):
        cache.put_many({"a": 1})
        assert cache.get_many(["a"]) == {}
        assert cache.clear() == 0
    assert "sentence cache" in caplog.text


def test_clear_removes_every_sentence_and_says_how_many(cache):
    cache.put_many({"a": 1, "b": 2})
    assert cache.clear() == 2
    assert cache.get_many(["a", "b"]) == {}


def test_clearing_a_cache_that_was_never_written_creates_nothing(cache):
    assert cache.clear() == 0
    assert not cache.path.exists()


def test_threads_store_and_read_through_one_cache_at_once(cache):
    def work(thread: int) -> dict:
        keys = {f"{thread}-{i}": [thread, i] for i in range(50)}
        for key, value in keys.items():
            cache.put_many({key: value})
        return cache.get_many(keys) == keys

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(8)))


# -- the cache in the engine ---------------------------------------------------------------------


def test_second_translation_of_the_same_text_calls_the_model_for_no_sentence(
    translator, cache, seed_text
):
    first_engine, first = cached(translator, cache)
    before = first_engine.translate_text(seed_text)
    assert first.batches
    engine, recording = cached(translator, cache)
    again = engine.translate_text(seed_text)
    assert recording.batches == [] and recording.retries == []
    uncached = Translator(backend=translator.backend, cache=False).translate_text(seed_text)
    assert again.to_json() == before.to_json() == uncached.to_json()


def test_an_edited_document_translates_only_the_changed_sentences(translator, cache, seed_text):
    cached(translator, cache)[0].translate_text(seed_text)
    edited = seed_text.replace(first_sentence(seed_text), EDITED, 1)
    engine, recording = cached(translator, cache)
    document = engine.translate_text(edited)
    assert recording.sent_texts() == [EDITED]
    assert_same_document(document, Translator(backend=translator.backend).translate_text(edited))


def test_rewrapped_sentences_come_from_the_cache_on_their_own_words(translator, cache, seed_text):
    cached(translator, cache)[0].translate_text(seed_text)
    sentence = first_sentence(seed_text)
    changed = sentence.replace(" nicht ", " nicht\n").replace(" Trump ", "  Trump ")
    changed = changed.replace("Präsident", unicodedata.normalize("NFD", "Präsident"))
    rewrapped = seed_text.replace(sentence, changed)
    engine, recording = cached(translator, cache)
    document = engine.translate_text(rewrapped)
    assert recording.batches == []
    document.check()
    assert_same_document(document, Translator(backend=translator.backend).translate_text(rewrapped))


def test_another_beam_or_other_options_miss_the_cache(translator, cache):
    text = "Guten Morgen. Wie geht es dir heute?"
    cached(translator, cache)[0].translate_text(text)
    for settings, call in [
        ({}, {"beam": 1}),
        ({}, {"alternatives": 2}),
        ({"details": False}, {}),
        ({"max_output_ratio": 1.1}, {}),
    ]:
        engine, recording = cached(translator, cache, **settings)
        engine.translate_text(text, **call)
        assert len(recording.sent_texts()) == 2, (settings, call)


def test_the_cache_can_be_turned_off_per_translator_and_per_call(translator, cache):
    assert Translator(backend=translator.backend, cache=False).cache is None
    engine, recording = cached(translator, cache)
    engine.translate_text("Guten Morgen.", cache=False)
    engine.translate_text("Guten Morgen.", cache=False)
    assert len(recording.batches) == 2
    assert not cache.path.exists()


def test_a_corrupted_cache_file_is_rebuilt_during_translation(translator, cache, seed_text):
    cache.path.write_bytes(b"\x00garbage" * 1000)
    engine, _ = cached(translator, cache)
    document = engine.translate_text(seed_text)
    assert_same_document(document, Translator(backend=translator.backend).translate_text(seed_text))
    engine, recording = cached(translator, cache)
    engine.translate_text(seed_text)
    assert recording.batches == []


def test_a_locked_cache_is_bypassed_during_translation(translator, cache):
    cache.put_many({"x": 1})
    cache.close()
    holder = hold_exclusive_lock(cache.path)
    try:
        engine, recording = cached(translator, cache)
        document = engine.translate_text("Guten Morgen. Wie geht es?")
    finally:
        holder.close()
    assert recording.sent_texts() and document.target.strip()


def test_streaming_with_a_partly_filled_cache_yields_in_document_order(
    translator, cache, seed_text
):
    paragraphs = seed_text.strip().split("\n\n")
    cached(translator, cache)[0].translate_text("\n\n".join(paragraphs[1::2]))
    engine, recording = cached(translator, cache)
    calls: list[tuple[int, int]] = []
    partials = list(engine.stream(seed_text, progress=lambda d, t: calls.append((d, t))))
    final = partials[-1]
    counts = [len(p.paragraphs) for p in partials]
    assert len(partials) > 2 and counts == sorted(counts)
    assert all(final.target.startswith(p.target) for p in partials)
    assert_same_document(final, Translator(backend=translator.backend).translate_text(seed_text))
    total = sum(1 for _ in final.sentences)
    assert 0 < len(recording.sent_texts()) < total
    assert calls[-1] == (total, total) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_several_threads_translate_through_one_cache(translator, cache, seed_text):
    texts = seed_text.strip().split("\n\n")[:4]
    engine, _ = cached(translator, cache)
    alone = [Translator(backend=translator.backend).translate_text(t) for t in texts]
    with ThreadPoolExecutor(len(texts)) as pool:
        together = list(pool.map(engine.translate_text, texts))
        again = list(pool.map(engine.translate_text, texts))
    for a, b, c in zip(alone, together, again, strict=True):
        assert_same_document(a, b)
        assert c.to_json() == b.to_json()


# -- the command line ----------------------------------------------------------------------------


def test_the_command_caches_unless_told_not_to_and_clears_on_request(model_dir, tmp_path):
    env = {"TRANSLATOR_CACHE": "on", "TRANSLATOR_CACHE_DIR": str(tmp_path / "cache")}
    path = tmp_path / "cache" / FILE_NAME
    text = "Guten Morgen. Wie geht es?\n"
    result = run("-", "--model", str(model_dir), "--no-cache", stdin=text, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert not path.exists()
    result = run("-", "--model", str(model_dir), stdin=text, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert len(SentenceCache(path).get_many(_keys_in(path))) == 2
    result = run("--clear-cache", env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert "cleared 2 cached sentences" in result.stderr.decode()
    assert _keys_in(path) == []


def test_the_command_still_wants_an_input_unless_clearing(tmp_path):
    result = run(env={"TRANSLATOR_CACHE_DIR": str(tmp_path)})
    assert result.returncode == 2 and b"input" in result.stderr


def _keys_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [key for (key,) in connection.execute(f"SELECT key FROM {TABLE}")]


def _empty_english(value: dict) -> None:
    value["english"] = ""
    value["record"].update(target=[0, 0], target_words=[], links=[], word_scores=[])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda v: v["record"].update(flags="copied"), id="flags-as-a-string"),
        pytest.param(lambda v: v["record"].update(flags=["bogus"]), id="unknown-flag"),
        pytest.param(lambda v: v["record"].update(score=float("nan")), id="nan-score"),
        pytest.param(lambda v: v["record"].update(word_scores=["x"]), id="word-score-not-a-number"),
        pytest.param(lambda v: v.update(english="Good " * 2_000_000), id="ten-mb-english"),
        pytest.param(lambda v: v.update(english=v["english"] + "\0"), id="nul-in-english"),
        pytest.param(lambda v: v["record"].update(links=[[0, 99, 1.0]]), id="link-to-no-word"),
        pytest.param(lambda v: v["record"].update(target=[0, 3]), id="target-span-off"),
        pytest.param(lambda v: v.pop("record"), id="no-record"),
        pytest.param(_empty_english, id="empty-english"),
        pytest.param(
            lambda v: v["record"].update(target_words=v["record"]["target_words"][::-1]),
            id="words-out-of-order",
        ),
        pytest.param(lambda v: v["record"].update(flags=["copied"]), id="copied-never-stored"),
        pytest.param(
            lambda v: v["record"].update(alternatives=["Good."] * 1000), id="many-alternatives"
        ),
        pytest.param(
            lambda v: v["record"].update(alternatives=["Good " * 2_000_000]), id="huge-alternative"
        ),
        pytest.param(
            lambda v: v["record"].update(alternatives=["Go\0od."]), id="nul-in-alternative"
        ),
    ],
)
def test_a_stored_row_that_does_not_fit_is_a_miss(translator, cache, damage):
    """Guards the cache's rows: each kind of misfit is a miss, so the sentence is translated
    again (an empty English, words out of order, a copied flag and bad alternatives were
    accepted before)."""
    engine, _ = cached(translator, cache)
    engine.translate_text(EDITED)
    (key,) = cache.get_many(_keys_in(cache.path))
    value = cache.get_many([key])[key]
    damage(value)
    cache.put_many({key: value})
    again, recording = cached(translator, cache)
    document = again.translate_text(EDITED)
    assert recording.batches, "the damaged row was used instead of translating"
    document.check()
    fresh = Translator(backend=translator.backend, cache=False).translate_text(EDITED)
    assert document.to_json() == fresh.to_json()
