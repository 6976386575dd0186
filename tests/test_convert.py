"""Converting for CTranslate2: on first use, into a cache keyed by what changes it, atomically."""

from __future__ import annotations

import json
import os
import shutil

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


# -- the vocabulary map's corpus ----------------------------------------------------------------


def test_the_vocabulary_map_corpus_ships_and_never_holds_the_held_out_text():
    from pathlib import Path

    from translator.backends.vmap import CORPUS, corpus_sentences

    sentences = corpus_sentences()
    assert len(sentences) > 1000 and len(set(sentences)) == len(sentences)
    assert sum(any(c in s for c in "äöüß") for s in sentences) > len(sentences) // 3
    assert "CC BY-SA 4.0" in (CORPUS.parent / "README.md").read_text("utf-8")
    held_out = Path(__file__).resolve().parent.parent / "benchmarks" / "data"
    unseen = (held_out / "vmap_heldout.de.txt").read_text("utf-8").splitlines()
    assert unseen and not set(unseen) & set(sentences)


def test_the_map_is_built_from_the_shipped_corpus_when_no_corpus_is_given(
    model_dir, tmp_path, monkeypatch
):
    from translator.backends import load_backend, vmap

    monkeypatch.setenv("TRANSLATOR_CT2_CACHE", str(tmp_path))
    backend = load_backend(str(model_dir), device="cpu", backend="ctranslate2:float32")
    few = vmap.corpus_sentences()[:6]
    monkeypatch.setattr(vmap, "corpus_sentences", lambda: few)
    path = vmap.build_vmap(backend, beam=1)
    lines = path.read_text("utf-8").splitlines()
    codec = backend.codec
    pieces = {codec.pieces[i] for s in few for i in codec.encode(s).ids[:-1]}
    assert {line.split("\t")[0] for line in lines[1:]} <= pieces
    assert len(lines) > 10


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


# -- a damaged conversion is converted again ---------------------------------------------------


def _damage(path, how: str) -> None:
    if how == "truncated model.bin":
        with (path / "model.bin").open("r+b") as handle:
            handle.truncate((path / "model.bin").stat().st_size // 2)
    elif how == "rewritten config.json":
        size = (path / "config.json").stat().st_size
        (path / "config.json").write_bytes(b"{" + b" " * (size - 1))  # same size, not JSON
    elif how == "missing vocabulary":
        for vocabulary in path.glob("*vocabulary*"):
            vocabulary.unlink()


@pytest.mark.parametrize(
    "how", ["truncated model.bin", "rewritten config.json", "missing vocabulary"]
)
def test_a_damaged_conversion_is_converted_again_once_with_a_warning(
    resolved, tmp_path, how, caplog
):
    """Guards the converted model: complete meant "the files exist", so a truncated model.bin,
    a bad config.json or a missing vocabulary failed every later run."""
    convert = Counting()
    options = {"precision": "int8", "layer": 1, "head_count": 1, "cache": tmp_path}
    path = ensure_converted(resolved, convert=convert, **options)
    _damage(path, how)
    with caplog.at_level("WARNING"):
        assert ensure_converted(resolved, convert=convert, **options) == path
        assert ensure_converted(resolved, convert=convert, **options) == path
    assert convert.calls == 2
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "is damaged" in warning and "converting it again" in warning
    assert is_complete(path)


def test_a_conversion_that_fails_to_load_is_converted_again(model_dir, tmp_path, caplog):
    """A damage its record can't show (here: a conversion recorded by an earlier version,
    without file sizes) is found by loading it: converted again, once, and loaded."""
    from translator.backends import load_backend

    first = load_backend(str(model_dir), device="cpu", backend="ctranslate2:float32")
    copy = tmp_path / first.model_dir.name
    shutil.copytree(first.model_dir, copy)
    marker = json.loads((copy / MARKER).read_text())
    del marker["files"]
    (copy / MARKER).write_text(json.dumps(marker))
    (copy / "model.bin").write_bytes(b"\0" * 100)
    with pytest.MonkeyPatch.context() as patch, caplog.at_level("WARNING"):
        patch.setenv("TRANSLATOR_CT2_CACHE", str(tmp_path))
        backend = load_backend(str(model_dir), device="cpu", backend="ctranslate2:float32")
    assert backend.model_dir == copy and is_complete(copy)
    assert (copy / "model.bin").stat().st_size > 100
    assert any("can't be loaded" in r.getMessage() for r in caplog.records)


# -- a cache folder that can't be written ---------------------------------------------------------


def _under_a_file(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_bytes(b"")
    return blocked / "ct2"  # mkdir fails, as root too (chmod stops no root)


def test_an_unwritable_cache_converts_into_a_temporary_folder(model_dir, tmp_path, caplog):
    """Guards the read-only cache: the default engine could not translate, and blamed the
    model ("broken or incompatible … download it")."""
    from translator import Translator

    with pytest.MonkeyPatch.context() as patch, caplog.at_level("WARNING"):
        patch.setenv("TRANSLATOR_CT2_CACHE", str(_under_a_file(tmp_path)))
        translator = Translator(model=str(model_dir), backend="ctranslate2")
        assert translator.translate_text("Guten Morgen.", cache=False).target
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "can't write the CTranslate2 cache" in warning and "Not a directory" in warning
    assert "temporary folder" in warning
    temporary = translator.backend.model_dir
    assert temporary.exists() and not str(temporary).startswith(str(tmp_path))
    del translator
    import gc

    gc.collect()
    assert not temporary.exists()  # nothing left behind


def test_a_full_disk_while_converting_is_said_so(model_dir, tmp_path, monkeypatch, caplog):
    import errno

    from translator import Translator
    from translator.backends import convert

    cache = tmp_path / "cache"
    real = convert.convert_model

    def full_disk(source, target, *args):
        if str(target).startswith(str(cache)):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target, *args)

    monkeypatch.setattr(convert, "convert_model", full_disk)
    monkeypatch.setenv("TRANSLATOR_CT2_CACHE", str(cache))
    with caplog.at_level("WARNING"):
        Translator(model=str(model_dir), backend="ctranslate2")
    assert any("No space left on device" in r.getMessage() for r in caplog.records)
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_no_folder_to_convert_into_is_said_so_or_means_the_torch_engine(
    model_dir, tmp_path, monkeypatch, caplog
):
    import tempfile

    from translator import Translator
    from translator.backends import load_backend
    from translator.errors import CacheError

    monkeypatch.setenv("TRANSLATOR_CT2_CACHE", str(_under_a_file(tmp_path)))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "a-file" / "tmp"))
    with pytest.raises(CacheError, match=r"neither the cache .* nor a temporary folder") as caught:
        Translator(model=str(model_dir), backend="ctranslate2")
    assert "broken" not in str(caught.value)
    monkeypatch.delenv("TRANSLATOR_BACKEND")
    with caplog.at_level("WARNING"):
        backend = load_backend(str(model_dir), device="cpu", backend="auto")
    assert backend.name == "torch"
    assert any("torch engine instead" in r.getMessage() for r in caplog.records)


def test_translator_convert_into_an_unwritable_cache_fails_saying_why(model_dir, tmp_path):
    env = {"TRANSLATOR_CT2_CACHE": str(_under_a_file(tmp_path))}
    result = run("convert", str(model_dir), env=env)
    assert result.returncode == 1
    message = result.stderr.decode()
    assert message.startswith("translator: can't write the converted model into")
    assert "Not a directory" in message and "TRANSLATOR_CT2_CACHE" in message
    assert message.count("\n") == 1 and "broken" not in message


def test_the_command_with_a_read_only_cache_warns_in_one_line_and_translates(model_dir, tmp_path):
    from tests.fixtures.cli import run_process

    env = {
        "TRANSLATOR_CT2_CACHE": str(_under_a_file(tmp_path)),
        "TRANSLATOR_BACKEND": "ctranslate2",
    }
    result = run_process("-", "--model", str(model_dir), env=env, stdin=b"Guten Morgen.")
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "can't write the CTranslate2 cache" in lines[0]
    assert result.stdout.strip()
