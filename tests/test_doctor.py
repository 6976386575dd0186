"""``translator doctor`` on the small model: healthy, an unwritable cache, a broken model folder."""

from __future__ import annotations

import shutil

import pytest

from tests.fixtures.cli import run


def doctor(*args: str, env: dict[str, str] | None = None):
    result = run("doctor", *args, env=env)
    return result.returncode, result.stdout.decode()


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_a_healthy_setup_translates_the_sample_and_says_how(model_dir, ct2_cache, backend):
    code, out = doctor("--model", str(model_dir), "--backend", backend)
    assert code == 0, out
    assert "PROBLEM" not in out and "All is well" in out
    engine = next(line for line in out.splitlines() if "engine:" in line)
    assert backend in engine and ("int8" in engine if backend == "ctranslate2" else "float32")
    assert "sentences in" in out and "peak memory" in out
    signature = next(line for line in out.splitlines() if "signature:" in line)
    assert f"engine:{backend}-" in signature and f"model:{model_dir.name}@local-" in signature


def test_a_sentence_cache_that_cannot_be_written_is_named_with_its_fix(model_dir, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    code, out = doctor(
        "--model", str(model_dir), "--backend", "torch",
        env={"TRANSLATOR_CACHE_DIR": str(blocker / "cache")},
    )  # fmt: skip
    assert code == 1
    (problem,) = [line for line in out.splitlines() if "PROBLEM" in line]
    assert "sentence cache" in problem and "TRANSLATOR_CACHE_DIR" in problem
    assert "1 problem(s) found." in out


def test_a_converted_models_folder_that_cannot_be_written_is_named(model_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out = doctor(
        "--model", str(model_dir), "--backend", "ctranslate2",
        env={"TRANSLATOR_CT2_CACHE": str(blocker / "ct2")},
    )  # fmt: skip
    assert code == 1
    assert "converted models" in out and "TRANSLATOR_CT2_CACHE" in out


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: (d / "vocab.json").unlink(), "lacks vocab.json"),
        (lambda d: (d / "config.json").write_text("{ not json"), "config.json"),
        (lambda d: None, None),  # the copy itself is healthy
    ],
    ids=["missing-vocabulary", "broken-config", "intact-copy"],
)
def test_a_broken_model_folder_is_one_problem_line(model_dir, tmp_path, damage, expected):
    broken = tmp_path / "opus-mt-de-en"
    shutil.copytree(model_dir, broken)
    damage(broken)
    code, out = doctor("--model", str(broken), "--backend", "torch")
    if expected is None:
        assert code == 0, out
        return
    assert code == 1, out
    problems = [line for line in out.splitlines() if "PROBLEM" in line]
    assert len(problems) == 1 and expected in problems[0], out
    assert "Traceback" not in out
