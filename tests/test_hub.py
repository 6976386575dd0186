"""Finding the model: local directories, the Hugging Face cache, and clear errors."""

from __future__ import annotations

import shutil

import pytest

from translator import ModelLoadError, Translator
from translator.backends.hub import resolve_model


def assert_actionable(error: ModelLoadError, model: str) -> None:
    message = str(error)
    assert f"'{model}'" in message
    assert "hf download Helsinki-NLP/opus-mt-de-en" in message
    assert "--model" in message and "TRANSLATOR_MODEL" in message


def test_a_missing_directory_names_the_model_and_the_offline_fix(tmp_path):
    missing = str(tmp_path / "opus-mt-de-en")
    with pytest.raises(ModelLoadError) as caught:
        Translator(model=missing)
    assert "does not exist" in str(caught.value)
    assert_actionable(caught.value, missing)


def test_a_file_is_not_a_model_directory(tmp_path):
    file = tmp_path / "model.bin"
    file.write_bytes(b"\0")
    with pytest.raises(ModelLoadError, match="is a file"):
        Translator(model=str(file))


def test_a_directory_without_model_files_says_what_is_missing(tmp_path):
    with pytest.raises(ModelLoadError, match=r"lacks config\.json, source\.spm") as caught:
        Translator(model=str(tmp_path))
    assert_actionable(caught.value, str(tmp_path))


def test_broken_weights_give_the_same_clear_error(tmp_path, model_dir):
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelLoadError, match="broken or incompatible") as caught:
        Translator(model=str(broken))
    assert_actionable(caught.value, str(broken))


def test_a_hub_id_offline_and_not_cached_fails_at_once(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="not in the local cache") as caught:
        Translator(model="translator-tests/no-such-model")
    assert_actionable(caught.value, "translator-tests/no-such-model")


def test_a_local_directory_is_fingerprinted_by_its_files(tmp_path, model_dir):
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy)
    assert resolve_model(str(copy)).revision == resolve_model(str(model_dir)).revision
    (copy / "vocab.json").write_text((copy / "vocab.json").read_text() + " ", "utf-8")
    assert resolve_model(str(copy)).revision != resolve_model(str(model_dir)).revision
