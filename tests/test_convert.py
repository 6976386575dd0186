"""Converting for CTranslate2: on first use, into a cache keyed by what changes it, atomically."""

from __future__ import annotations

import json
import os

import pytest

from tests.fixtures.cli import run

pytest.importorskip("ctranslate2")

from translator.backends.convert import (
    MARKER,
    VMAP_FILE,
    cache_key,
    convert_model,
    ensure_converted,
    is_complete,
)
from translator.backends.hub import resolve_model


@pytest.fixture()
def resolved(model_dir):
    return resolve_model(str(model_dir))


class Counting:
    """The real converter, counted; optionally interrupted after writing part of its files."""

    def __init__(self, interrupt: bool = False) -> None:
        self.calls = 0
        self.interrupt = interrupt

    def __call__(self, source, target, precision, layer, heads):
        self.calls += 1
        if self.interrupt:
            target.mkdir(parents=True)
            (target / "model.bin").write_bytes(b"half a model")
            raise KeyboardInterrupt
        convert_model(source, target, precision, layer, heads)


def test_conversion_happens_once_and_is_reused(resolved, tmp_path):
    convert = Counting()
    first = ensure_converted(
        resolved, precision="int8", layer=1, head_count=1, cache=tmp_path, convert=convert
    )
    stamp = (first / "model.bin").stat().st_mtime_ns
    again = ensure_converted(
        resolved, precision="int8", layer=1, head_count=1, cache=tmp_path, convert=convert
    )
    assert again == first and convert.calls == 1
    assert (first / "model.bin").stat().st_mtime_ns == stamp
    assert is_complete(first)
    marker = json.loads((first / MARKER).read_text())
    assert marker["revision"] == resolved.revision and marker["precision"] == "int8"
    assert [p.name for p in tmp_path.iterdir() if ".part-" in p.name] == []


def test_the_key_names_model_revision_precision_alignment_and_version(resolved):
    import ctranslate2

    key = cache_key(resolved, "int8", 1, 1)
    assert resolved.revision in key and "int8" in key and "L1H1" in key
    assert ctranslate2.__version__ in key
    assert len({key, cache_key(resolved, "float32", 1, 1), cache_key(resolved, "int8", 0, 1)}) == 3
    assert cache_key(resolved, "int8", 1, 0).endswith(f"L1Hall--ct2-{ctranslate2.__version__}")


def test_an_interrupted_conversion_leaves_nothing_under_the_final_name(resolved, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        ensure_converted(
            resolved,
            precision="int8",
            layer=1,
            head_count=1,
            cache=tmp_path,
            convert=Counting(interrupt=True),
        )
    key = cache_key(resolved, "int8", 1, 1)
    assert not (tmp_path / key).exists()
    assert [p.name for p in tmp_path.iterdir() if ".part-" in p.name] == []
    convert = Counting()
    path = ensure_converted(
        resolved, precision="int8", layer=1, head_count=1, cache=tmp_path, convert=convert
    )
    assert convert.calls == 1 and is_complete(path)


def test_a_killed_conversion_and_a_broken_directory_are_replaced(resolved, tmp_path):
    key = cache_key(resolved, "int8", 1, 1)
    leftover = tmp_path / f"{key}.part-killed"  # what `kill -9` during a conversion leaves
    (leftover / "model").mkdir(parents=True)
    (leftover / "model" / "model.bin").write_bytes(b"x")
    broken = tmp_path / key  # e.g. copied by hand, half-way
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"x")
    convert = Counting()
    path = ensure_converted(
        resolved, precision="int8", layer=1, head_count=1, cache=tmp_path, convert=convert
    )
    assert path == broken and convert.calls == 1 and is_complete(path)
    assert not leftover.exists()
    assert (path / "model.bin").stat().st_size > 100


def test_the_backend_converts_on_first_use_into_the_configured_cache(
    model_dir, tmp_path, monkeypatch
):
    from translator.backends import load_backend

    monkeypatch.setenv("TRANSLATOR_CT2_CACHE", str(tmp_path))
    backend = load_backend(str(model_dir), device="cpu", backend="ctranslate2")
    assert backend.model_dir.parent == tmp_path and is_complete(backend.model_dir)
    again = load_backend(str(model_dir), device="cpu", backend="ctranslate2")
    assert again.model_dir == backend.model_dir
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1


def test_translator_convert_prepares_the_model_and_its_vocabulary_map(
    model_dir, tmp_path, seed_text
):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(seed_text, "utf-8")
    cache = tmp_path / "cache"
    env = {"TRANSLATOR_CT2_CACHE": str(cache)}
    result = run(
        "convert", str(model_dir), "--precision", "float32", "--vmap", str(corpus), env=env
    )
    assert result.returncode == 0, result.stderr.decode()
    path = result.stdout.decode().strip()
    assert path.startswith(str(cache)) and "float32" in path
    lines = (cache / os.path.basename(path) / VMAP_FILE).read_text("utf-8").splitlines()
    assert lines[0].startswith("\t") and len(lines) > 10
    assert all("\t" in line for line in lines)
    # the shortlist is an engine option of its own, recorded in the signature
    translated = run(
        "-",
        "--json",
        "--model",
        str(model_dir),
        "--backend",
        "ctranslate2:float32+vmap",
        "--fast",
        env=env,
        stdin=b"Guten Morgen. Wie geht es Ihnen?",
    )
    assert translated.returncode == 0, translated.stderr.decode()
    document = json.loads(translated.stdout)
    assert len(document["paragraphs"][0]["sentences"]) == 2
    signature = document["signature"]
    assert "engine:ctranslate2+vmap-float32" in signature and "beam:1" in signature


def test_translator_convert_explains_a_missing_map(model_dir, tmp_path):
    env = {"TRANSLATOR_CT2_CACHE": str(tmp_path)}
    result = run(
        "-",
        "--model",
        str(model_dir),
        "--backend",
        "ctranslate2+vmap",
        env=env,
        stdin=b"Guten Morgen.",
    )
    assert result.returncode == 1
    assert b"translator convert" in result.stderr and b"Traceback" not in result.stderr


def test_fast_and_a_beam_contradict(model_dir, tmp_path):
    result = run(
        "-", "--model", str(model_dir), "--fast", "--beam", "4", env={}, stdin=b"Guten Morgen."
    )
    assert result.returncode == 1 and b"--fast" in result.stderr


def test_a_corpus_that_is_a_device_is_refused_before_any_conversion(model_dir, monkeypatch):
    """Guards unbounded reads: `translator convert MODEL --vmap /dev/zero` read until the
    memory ran out, after converting the model."""
    monkeypatch.setattr("translator.backends.load_backend", pytest.fail)
    result = run("convert", str(model_dir), "--vmap", "/dev/null")
    assert result.returncode == 1
    assert result.stderr == b"translator: the corpus /dev/null is a device, not a file\n"


def test_a_corpus_past_the_input_limit_is_refused(model_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("translator.formats.MAX_INPUT_BYTES", 2048)
    monkeypatch.setattr("translator.backends.load_backend", pytest.fail)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Ein Satz. " * 500, "utf-8")
    result = run("convert", str(model_dir), "--vmap", str(corpus))
    assert result.returncode == 1 and b"is larger than 2 KB" in result.stderr
