"""The translator command, run as a user runs it: real files, in this process (the model loads
once), and as a real process where starting one is the point."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import SEED
from tests.fixtures.cli import run, run_process


@pytest.fixture(scope="module")
def seed_result(model_dir, tmp_path_factory):
    """The seed article into a file, by a real process: the way a user runs the command."""
    out = tmp_path_factory.mktemp("cli") / "article.en.txt"
    result = run_process(str(SEED), "-o", str(out), "--model", str(model_dir), "--progress")
    return result, out


def test_cli_translates_the_seed_article_into_a_file(seed_result, seed_text):
    result, out = seed_result
    assert result.returncode == 0, result.stderr.decode()
    english = out.read_text("utf-8")
    assert english.count("\n\n") == seed_text.count("\n\n")
    assert english.strip()


def test_cli_shows_a_progress_bar_on_stderr(seed_result):
    result, _ = seed_result
    assert b"sentence" in result.stderr and b"100%" in result.stderr


def test_cli_reads_stdin_and_writes_stdout(model_dir):
    result = run("-", "--model", str(model_dir), stdin="Guten Morgen. Wie geht es?\n")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip()
    assert result.stderr == b""  # two sentences: no progress bar


def test_cli_json_output_is_the_whole_document(model_dir):
    result = run("-", "--json", "--model", str(model_dir), stdin="Guten Morgen.")
    data = json.loads(result.stdout)
    assert data["source"] == "Guten Morgen."
    assert data["paragraphs"][0]["sentences"][0]["source"] == [0, 13]


def test_cli_takes_the_model_from_the_environment(model_dir):
    result = run("-", stdin="Hallo.", env={"TRANSLATOR_MODEL": str(model_dir)})
    assert result.returncode == 0, result.stderr.decode()


def test_cli_reports_a_missing_model_in_one_line_without_traceback(tmp_path):
    result = run("-", "--model", str(tmp_path / "missing"), stdin="Hallo.")
    assert result.returncode != 0
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1
    assert stderr.startswith("translator: Could not load the translation model")
    assert "--model ./opus-mt-de-en" in stderr


def test_cli_uses_a_model_from_the_hugging_face_cache_offline(model_dir, tmp_path):
    snapshot = tmp_path / "models--Helsinki-NLP--opus-mt-de-en" / "snapshots" / "abc123"
    snapshot.parent.mkdir(parents=True)
    (tmp_path / "models--Helsinki-NLP--opus-mt-de-en" / "refs").mkdir()
    (tmp_path / "models--Helsinki-NLP--opus-mt-de-en" / "refs" / "main").write_text("abc123")
    import shutil

    shutil.copytree(model_dir, snapshot)
    # a real process: huggingface_hub reads HF_HUB_CACHE when it is first imported
    result = run_process(
        "-",
        "--json",
        stdin="Hallo.",
        env={"HF_HUB_CACHE": str(tmp_path), "HF_HUB_OFFLINE": "1", "TRANSLATOR_MODEL": ""},
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["signature"].startswith(
        "model:Helsinki-NLP/opus-mt-de-en@abc123|"
    )


def test_cli_reports_a_missing_input_file(model_dir, tmp_path):
    result = run(str(tmp_path / "nope.txt"), "--model", str(model_dir))
    assert result.returncode == 1
    assert "does not exist" in result.stderr.decode() and b"Traceback" not in result.stderr


def test_cli_refuses_json_into_a_text_file(model_dir, tmp_path):
    result = run("-", "--json", "-o", str(tmp_path / "x.txt"), stdin="Hallo.")
    assert result.returncode == 1 and b"--json" in result.stderr


def test_cli_writes_a_word_document_beside_its_input(model_dir, tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("Bericht", 1)
    word.add_paragraph("Der Dom ist groß.")
    path = tmp_path / "bericht.docx"
    word.save(str(path))
    before = path.read_bytes()
    result = run(str(path), "--model", str(model_dir))
    assert result.returncode == 0, result.stderr.decode()
    assert path.read_bytes() == before
    english = docx.Document(str(tmp_path / "bericht.en.docx"))
    assert [p.style.name for p in english.paragraphs] == ["Heading 1", "Normal"]
    assert english.paragraphs[1].text != "Der Dom ist groß."
    assert b"bericht.en.docx" in result.stderr


def test_cli_refuses_to_overwrite_its_input(model_dir, tmp_path):
    path = tmp_path / "notiz.md"
    path.write_text("# Titel\n", "utf-8")
    result = run(str(path), "-o", str(path), "--model", str(model_dir))
    assert result.returncode == 1 and b"is the input file" in result.stderr
    assert b"Traceback" not in result.stderr
    assert path.read_text("utf-8") == "# Titel\n"


def test_cli_format_writes_tmx_to_stdout(model_dir):
    from lxml import etree

    result = run(
        "-", "--format", "tmx", "--model", str(model_dir), stdin="Guten Morgen. Wie geht es?"
    )
    assert result.returncode == 0, result.stderr.decode()
    root = etree.fromstring(result.stdout)
    assert [tu.findtext("tuv/seg") for tu in root.iter("tu")] == ["Guten Morgen.", "Wie geht es?"]


# -- the machine's own problems are one line, rc 1 ---------------------------------------------


def test_a_full_standard_output_is_one_line_not_a_bug(model_dir):
    """Guards `translator - > /dev/full`: it was "unexpected error", rc 2."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "translator.cli", "-", "--model", str(model_dir)],
            input=b"Guten Morgen.",
            stdout=full,
            stderr=subprocess.PIPE,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            timeout=900,
        )
    assert done.returncode == 1
    assert done.stderr == b"translator: can't write to standard output: No space left on device\n"


def test_a_closed_standard_output_is_said_before_any_work(tmp_path):
    """Guards `translator - >&-`: it was "unexpected error", rc 2, after the translation."""
    done = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m translator.cli - --model {tmp_path}/none >&-'],
        input=b"Guten Morgen.",
        stderr=subprocess.PIPE,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
        timeout=900,
    )
    assert done.returncode == 1
    assert done.stderr == b"translator: standard output is closed: give an output file with -o\n"


@pytest.mark.parametrize("device", ["bogus", "cuda:x", "gpu", ""])
def test_an_unknown_device_is_one_line(model_dir, device):
    """Guards `--device bogus`: it was "unexpected error", rc 2."""
    result = run("-", "--model", str(model_dir), "--device", device, stdin="Guten Morgen.")
    assert result.returncode == 1
    assert result.stderr == (
        f"translator: unknown device {device!r}; choose auto, cpu, cuda or cuda:N\n".encode()
    )


@pytest.mark.parametrize("backend", ["torch", "ctranslate2"])
def test_cuda_without_cuda_is_one_line(model_dir, backend):
    """Guards `--device cuda` on a machine without CUDA: it was "unexpected error", rc 2."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run(
        "-", "--model", str(model_dir), "--device", "cuda", "--backend", backend,
        stdin="Guten Morgen.",
    )  # fmt: skip
    assert result.returncode == 1
    message = result.stderr.decode()
    assert message.startswith("translator: device 'cuda' was asked for, but ")
    assert "sees no CUDA device: use cpu or auto" in message and message.count("\n") == 1
