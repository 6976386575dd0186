"""Lone surrogates from the API: the source kept as given, the English and every file valid."""

from __future__ import annotations

import json

import pytest

from translator import Document, Translator, formats
from translator.cache import SentenceCache
from translator.surrogates import has_surrogates, replace_surrogates
from translator.testing import StandInBackend

TEXT = "Gut. \ud800 Ende.\n\n\ud800\n\nNoch ein \udcff Satz."


def test_replacement_keeps_every_offset():
    assert replace_surrogates("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert has_surrogates("x\udc80") and not has_surrogates("x\U0001f600")
    plain = "ohne"
    assert replace_surrogates(plain) is plain


@pytest.fixture(scope="module")
def document() -> Document:
    engine = Translator(backend=StandInBackend(), cache=False, retry_degenerate=False)
    return engine.translate_text(TEXT)


def test_the_english_holds_no_lone_surrogate(document):
    assert document.source == TEXT
    assert not has_surrogates(document.target)
    document.check()


@pytest.mark.parametrize("fmt", ["txt", "json", "bilingual-html", "tmx", "xliff"])
def test_every_writer_writes_valid_utf8(document, fmt):
    """Guards the writers: a copied surrogate-only sentence made txt, JSON and the bilingual
    page raise UnicodeEncodeError."""
    data = formats.write_bytes(document, formats.text_source(TEXT), fmt)
    text = data.decode("utf-8")  # strict: valid UTF-8
    assert "\ufffd" in text or fmt in ("tmx", "xliff")  # XML drops what it can't hold


def test_the_json_file_reads_back_with_the_same_offsets(document):
    data = formats.write_bytes(document, None, "json")
    again = Document.from_json(data.decode("utf-8"))
    assert again.source == replace_surrogates(document.source)
    assert again.paragraphs == document.paragraphs
    again.check()
    assert json.loads(data)["target"] == document.target


def test_the_sentence_cache_keeps_and_finds_a_sentence_with_one(tmp_path):
    """Guards the cache: the key and the stored row couldn't be encoded as UTF-8."""
    cache = SentenceCache(tmp_path / "c.sqlite3")
    engine = Translator(backend=StandInBackend(), cache=cache, retry_degenerate=False)
    first = engine.translate_text(TEXT)
    keys, found = cache.lookup({0: "Gut.", 1: "\ud800 Ende."}, engine._cache_context(1, 0))
    assert engine.translate_text(TEXT).to_json() == first.to_json()
    assert len(keys) == 2 and set(found) == {0, 1}
