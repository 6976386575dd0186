"""Finding the model: local directories, the Hugging Face cache, and clear errors."""

from __future__ import annotations

import os
import shutil
import struct

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


# -- the folder's files are read safely -------------------------------------------------------


def test_a_model_file_that_is_a_device_is_refused_not_read(tmp_path, model_dir):
    """Guards unbounded reads: a file of the folder that is a device (a link to /dev/zero or
    /dev/null) was skipped by the checks and then read by the engine."""
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "special_tokens_map.json").unlink(missing_ok=True)
    (broken / "special_tokens_map.json").symlink_to("/dev/null")
    with pytest.raises(ModelLoadError, match=r"special_tokens_map\.json is not a regular file"):
        resolve_model(str(broken))


def test_a_huge_small_file_is_refused_before_it_is_read(tmp_path, model_dir):
    """Guards unbounded reads: a 100 MB config.json was read whole (any size was)."""
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    with (broken / "config.json").open("r+b") as handle:
        handle.truncate(100 * 2**20)  # sparse: costs no disk
    with pytest.raises(ModelLoadError, match=r"config\.json is 100 MB, more than any model's"):
        Translator(model=str(broken), backend="ctranslate2")


# -- the fingerprint: what decides the weights ------------------------------------------------


def _fake_model(folder, model_dir, size: int = 5 * 2**20):
    """The model's small files and 5 MB of stand-in weights (resolving never loads them)."""
    folder.mkdir()
    for name in ("config.json", "source.spm", "target.spm", "vocab.json"):
        shutil.copy(model_dir / name, folder / name)
    (folder / "model.safetensors").write_bytes(os.urandom(size))
    return folder


def test_weights_changed_in_place_with_the_same_size_get_a_new_fingerprint(tmp_path, model_dir):
    """Guards the fingerprint: it read a weights file's size and its first and last MB only,
    so weights changed in the middle kept the old conversion and cached sentences."""
    folder = _fake_model(tmp_path / "model", model_dir)
    before = resolve_model(str(folder)).revision
    weights = folder / "model.safetensors"
    stamp = weights.stat()
    with weights.open("r+b") as handle:
        handle.seek(stamp.st_size // 2)
        byte = handle.read(1)
        handle.seek(stamp.st_size // 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(weights, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # even with its time kept
    assert weights.stat().st_size == stamp.st_size
    after = resolve_model(str(folder)).revision
    assert after != before and after.startswith("local-") and len(after) == len("local-") + 16


def test_unchanged_weights_are_hashed_once(tmp_path, model_dir, monkeypatch):
    from translator.backends import hub

    folder = _fake_model(tmp_path / "model", model_dir)
    first = resolve_model(str(folder)).revision
    hashed = []
    real = hub._hash_file
    monkeypatch.setattr(hub, "_hash_file", lambda file: hashed.append(file.name) or real(file))
    assert resolve_model(str(folder)).revision == first and hashed == []
    (folder / "vocab.json").write_text((folder / "vocab.json").read_text() + " ", "utf-8")
    assert resolve_model(str(folder)).revision != first and hashed == ["vocab.json"]


def test_a_read_only_cache_folder_only_costs_hashing_again(tmp_path, model_dir, monkeypatch):
    folder = _fake_model(tmp_path / "model", model_dir, size=1000)
    blocked = tmp_path / "a-file"
    blocked.write_bytes(b"")
    monkeypatch.setenv("TRANSLATOR_CACHE_DIR", str(blocked / "cache"))  # under a file: no folder
    assert resolve_model(str(folder)).revision == resolve_model(str(folder)).revision


def test_the_signature_records_the_weights_fingerprint(tmp_path, model_dir):
    """A model rewritten in place is a new model: a new signature, so the sentence cache and
    the CTranslate2 conversion (both keyed by it) are new too."""
    copy = tmp_path / "opus-mt-de-en"
    shutil.copytree(model_dir, copy)
    before = Translator(model=str(copy), backend="torch").signature()
    weights = copy / "model.safetensors"
    with weights.open("r+b") as handle:  # the lowest bit of the first weight: still a model
        (header,) = struct.unpack("<Q", handle.read(8))
        handle.seek(8 + header)
        byte = handle.read(1)[0]
        handle.seek(8 + header)
        handle.write(bytes([byte ^ 1]))
    after = Translator(model=str(copy), backend="torch").signature()
    assert before != after
    assert after.startswith("model:opus-mt-de-en@local-") and str(tmp_path) not in after
