"""``translator batch`` and ``translate_many()``: folders, lists and corpora, resumable and safe.

Most tests run the stand-in engine in this process (exact outputs, no model); a few use the
small random model, and the interruption test kills a real ``translator batch`` process.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures import batch as fx
from tests.fixtures.cli import run
from translator import formats, translate
from translator.api import translate_source
from translator.batch import translate_many
from translator.engine import Translator
from translator.errors import InputError
from translator.testing import StandInBackend

ROOT = Path(__file__).resolve().parent.parent


def one_by_one(path: Path, fmt: str | None = None) -> bytes:
    """What translating the file alone gives (the single-file command's path)."""
    source = formats.read_path(path)
    name = fmt or (source.format if source.format in formats.writers else "md")
    translator = Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)
    return formats.write_bytes(translate_source(source, translator=translator), source, name)


EXPECTED = {
    "brief0.en.txt": "brief0.txt",
    "brief1.en.txt": "brief1.txt",
    "brief2.en.txt": "brief2.txt",
    "sub/notiz.en.md": "sub/notiz.md",
    "sub/seite.en.html": "sub/seite.html",
    "sub/bericht.en.docx": "sub/bericht.docx",
    "sub/deeper/film.en.srt": "sub/deeper/film.srt",
}


# -- folders, lists, formats ------------------------------------------------------------------


def test_batch_mirrors_the_folder_tree_and_writes_what_one_file_at_a_time_writes(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    summary = translate_many(source, tmp_path / "out", translator_factory=fx.stand_in)
    assert summary.ok and not summary.skipped
    got = fx.outputs(tmp_path / "out")
    assert set(got) == set(EXPECTED)  # no .png, no hidden file
    expected = {key: one_by_one(source / name) for key, name in EXPECTED.items()}
    assert fx.same_outputs(got, expected)
    assert summary.sentences == sum(r["sentences"] for r in fx.manifest(tmp_path / "out").values())


def test_batch_writes_every_document_in_the_format_chosen(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    summary = translate_many(source, tmp_path / "out", format="tmx", translator_factory=fx.stand_in)
    assert summary.ok
    got = fx.outputs(tmp_path / "out")
    assert set(got) == {k.replace(".en", "").rsplit(".", 1)[0] + ".tmx" for k in EXPECTED}

    def undated(tmx: bytes) -> bytes:  # TMX headers carry the time they were written
        return re.sub(rb'creationdate="[0-9TZ]+"', b"", tmx)

    assert undated(got["sub/notiz.tmx"]) == undated(one_by_one(source / "sub/notiz.md", "tmx"))


def test_batch_takes_a_list_of_files_and_folders(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    inputs = [source / "brief0.txt", source / "sub" / "deeper", source / "sub" / "notiz.md"]
    summary = translate_many(inputs, tmp_path / "out", translator_factory=fx.stand_in)
    assert summary.ok
    assert set(fx.outputs(tmp_path / "out")) == {"brief0.en.txt", "film.en.srt", "notiz.en.md"}


def test_include_and_exclude_globs_match_paths_and_names(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    translate_many(
        source,
        tmp_path / "a",
        include=["*.txt", "sub/deeper/*"],
        exclude=["brief1*"],
        translator_factory=fx.stand_in,
    )
    assert set(fx.outputs(tmp_path / "a")) == {
        "brief0.en.txt",
        "brief2.en.txt",
        "sub/deeper/film.en.srt",
    }


def test_an_output_folder_inside_the_input_folder_is_not_read_as_input(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    first = translate_many(source, source / "english", translator_factory=fx.stand_in)
    second = translate_many(source, source / "english", translator_factory=fx.stand_in)
    assert len(first.done) == len(EXPECTED)
    assert not second.done and len(second.skipped) == len(EXPECTED)


def test_the_input_folder_as_output_folder_is_refused(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    with pytest.raises(InputError, match="is the output folder too"):
        translate_many(source, source, translator_factory=fx.stand_in)
    assert not list(source.rglob("*.en.*"))


def test_the_progress_estimate_counts_what_is_known_and_scales_the_rest_by_size():
    from translator.batch.progress import BatchProgress

    progress = BatchProgress({"a": 100, "b": 100, "c": 200}, enabled=False)
    assert progress.estimate() == 4  # a first guess: a sentence per 100 bytes
    progress("a", 0, 10)
    assert progress.estimate() == 10 + 30  # 0.1 sentences per byte for the 300 bytes to come
    progress("b", 5, 30)
    assert progress.estimate() == 40 + 40  # 0.2 per byte now
    progress.finished("a", 10)
    progress.finished("c", 7)
    assert progress.estimate() == 47 and progress.done_sentences == 22


def test_two_inputs_that_would_make_one_output_are_an_error_before_any_work(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Eins.", "utf-8")
    (tmp_path / "in" / "a.text").write_text("Zwei.", "utf-8")
    with pytest.raises(InputError, match=r"would both be written to a\.en\.txt"):
        translate_many(tmp_path / "in", tmp_path / "out", translator_factory=fx.stand_in)
    assert not fx.outputs(tmp_path / "out")


def test_a_second_run_into_the_same_folder_at_once_is_refused(tmp_path):
    from translator.batch.manifest import Manifest

    fx.make_folder(tmp_path / "in")
    with (
        Manifest(tmp_path / "out"),
        pytest.raises(InputError, match="another `translator batch` is writing"),
    ):
        translate_many(tmp_path / "in", tmp_path / "out", translator_factory=fx.stand_in)


# -- resumable and safe -----------------------------------------------------------------------


def test_a_rerun_skips_finished_work_and_redoes_what_changed(tmp_path, monkeypatch):
    source = fx.make_folder(tmp_path / "in")
    out = tmp_path / "out"
    log = tmp_path / "log"
    monkeypatch.setenv(fx.LOG, str(log))
    translate_many(source, out, translator_factory=fx.logged_stand_in)
    first = fx.outputs(out)
    log.unlink()

    (source / "brief0.txt").write_text("Ein ganz neuer Brief.\n", "utf-8")  # changed input
    (out / "brief1.en.txt").unlink()  # output gone
    (out / "brief2.en.txt").write_text("von Hand geändert", "utf-8")  # output not ours any more
    summary = translate_many(source, out, translator_factory=fx.logged_stand_in)

    assert sorted(summary.done) == [str(source / f"brief{n}.txt") for n in range(3)]
    assert len(summary.skipped) == len(EXPECTED) - 3
    translated = fx.logged(log)
    assert "Ein ganz neuer Brief." in translated
    assert not [s for s in translated if "Notiz" in s or "Abend" in s]  # the rest untouched
    again = fx.outputs(out)
    assert again["brief0.en.txt"] == b"EIN GANZ NEUER BRIEF.\n"
    assert {k: v for k, v in again.items() if k != "brief0.en.txt"} == {
        k: v for k, v in first.items() if k != "brief0.en.txt"
    }


def test_other_settings_redo_the_work(tmp_path):
    source = fx.make_folder(tmp_path / "in")
    translate_many(source, tmp_path / "out", translator_factory=fx.stand_in)
    other = translate_many(source, tmp_path / "out", translator_factory=reverse_stand_in)
    assert len(other.done) == len(EXPECTED) and not other.skipped
    assert fx.outputs(tmp_path / "out")["brief0.en.txt"].startswith(b". 0 NUMMER FRAU GEEHRTE SEHR")


def reverse_stand_in(settings) -> Translator:
    return Translator(backend=StandInBackend("reverse"), cache=False, retry_degenerate=False)


def test_a_corrupt_file_among_good_ones_is_reported_and_skipped(tmp_path, model_dir):
    source = fx.make_folder(tmp_path / "in", files=1)
    (source / "kaputt.docx").write_bytes(b"PK\x03\x04 this is not a Word document")
    (source / "kaputt.pdf").write_bytes(b"%PDF-1.7\n%garbage without objects\n")
    (source / "leer.txt").write_bytes(b"")
    args = ["batch", str(source), "--out", str(tmp_path / "out"), "--model", str(model_dir)]
    result = run(*args)
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert lines[0].startswith("translator batch: 5 done, 0 skipped (done before), 3 failed;")
    failed = sorted(line.split(": ")[2] for line in lines[1:])
    assert failed == [str(source / n) for n in ("kaputt.docx", "kaputt.pdf", "leer.txt")]
    assert "leer.txt has no text to translate: it is empty" in result.stderr.decode()
    assert set(fx.outputs(tmp_path / "out")) == {
        k for k in EXPECTED if not k.startswith(("brief1", "brief2"))
    }
    rerun = run(*args)
    assert rerun.returncode == 1
    assert "0 done, 5 skipped (done before), 3 failed" in rerun.stderr.decode()


def test_a_file_that_breaks_the_engine_fails_alone(tmp_path):
    source = fx.make_folder(tmp_path / "in", files=1)
    (source / "absturz.txt").write_text("Hier kommt ABSTURZ vor.", "utf-8")
    summary = translate_many(source, tmp_path / "out", translator_factory=fx.logged_stand_in)
    assert summary.failed == [
        (
            str(source / "absturz.txt"),
            "unexpected error (RuntimeError: the engine broke on ABSTURZ)",
        )
    ]
    assert len(summary.done) == 5


@pytest.mark.slow
def test_a_worker_process_that_dies_fails_its_file_alone_and_is_replaced(tmp_path, monkeypatch):
    source = fx.make_folder(tmp_path / "in", files=2)
    (source / "absturz.txt").write_text("Hier kommt ABSTURZ vor.", "utf-8")
    monkeypatch.setenv("BATCH_TEST_CRASH", "exit")
    summary = translate_many(
        source, tmp_path / "out", workers=2, translator_factory=fx.logged_stand_in
    )
    ((name, why),) = summary.failed
    assert name == str(source / "absturz.txt")
    assert why.startswith("the worker stopped while translating it") and "exit status 3" in why
    assert len(summary.done) == 6
    local = tmp_path / "one"
    translate_many(source, local, exclude=["absturz.txt"], translator_factory=fx.stand_in)
    assert fx.same_outputs(fx.outputs(tmp_path / "out"), fx.outputs(local))


KILL_SCRIPT = (
    "import sys, functools, translator.batch as b; from tests.fixtures import batch as fx;"
    "b.translate_many = functools.partial(b.translate_many, translator_factory=fx.logged_stand_in);"
    "from translator import cli; sys.exit(cli.main(sys.argv[1:]))"
)


@pytest.mark.slow
def test_a_killed_run_continues_where_it_stopped_and_does_nothing_twice(tmp_path):
    """SIGKILL a real ``translator batch`` (two worker processes) mid-run, run it again, and
    compare with an uninterrupted run: equal outputs, finished files not translated again."""
    source = tmp_path / "in"
    source.mkdir()
    files = 14
    for n in range(files):
        text = "\n\n".join(f"Datei {n} sagt Satz {k}." for k in range(3))
        (source / f"datei{n:02}.txt").write_text(text, "utf-8")
    out, log1, log2 = tmp_path / "out", tmp_path / "log1", tmp_path / "log2"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        fx.LOG: str(log1),
        fx.DELAY: "0.4",
    }
    command = [sys.executable, "-c", KILL_SCRIPT, "batch", str(source), "--out", str(out)]
    process = subprocess.Popen([*command, "--workers", "2"], env=env, stderr=subprocess.PIPE)
    manifest = out / ".translator-batch" / "manifest.jsonl"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if manifest.exists() and len(manifest.read_text("utf-8").splitlines()) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, process.stderr.read().decode()
    process.send_signal(signal.SIGKILL)
    process.wait()
    recorded = set(fx.manifest(out)) if manifest.exists() else set()
    assert 3 <= len(recorded) < files, "the run was not stopped in the middle"
    time.sleep(2)  # the workers notice that the driver is gone and stop
    size = log1.stat().st_size
    time.sleep(1.5)
    assert log1.stat().st_size == size, "a worker went on translating after the kill"

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(fx.LOG, str(log2))
        summary = translate_many(source, out, translator_factory=fx.logged_stand_in)
    assert summary.ok
    assert len(summary.skipped) == len(recorded) and len(summary.done) == files - len(recorded)

    clean = tmp_path / "clean"
    translate_many(source, clean, translator_factory=fx.stand_in)
    assert fx.outputs(out) == fx.outputs(clean)
    assert not list(out.rglob("*.part"))

    def files_in(log: Path) -> set[str]:
        return {f"datei{int(s.split()[1]):02}.en.txt" for s in fx.logged(log)}

    assert not files_in(log2) & recorded  # finished before the kill: not translated again
    assert files_in(log1) | files_in(log2) == set(fx.outputs(clean))
    assert len(files_in(log1) & files_in(log2)) <= 2  # at most the two in flight, again


# -- one machine: sentences once, progress ----------------------------------------------------


def test_sentences_repeated_across_files_are_translated_once_through_the_cache(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("TRANSLATOR_CACHE", "on")
    monkeypatch.setenv("TRANSLATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(fx.LOG, str(tmp_path / "log"))
    source = tmp_path / "in"
    source.mkdir()
    for n in range(4):
        (source / f"meldung{n}.txt").write_text(
            f"Die Lage ist ruhig. Meldung {n} folgt.\n\nFoto: Archiv.\n", "utf-8"
        )
    summary = translate_many(source, tmp_path / "out", translator_factory=fx.logged_stand_in)
    assert summary.ok
    sent = fx.logged(tmp_path / "log")
    assert sorted(sent) == sorted(
        ["Die Lage ist ruhig.", "Foto: Archiv.", *(f"Meldung {n} folgt." for n in range(4))]
    )


def test_the_command_shows_sentences_per_second_and_the_summary(tmp_path, model_dir):
    source = fx.make_folder(tmp_path / "in", files=1)
    out = tmp_path / "out"
    result = run("batch", str(source), "--out", str(out), "--model", str(model_dir), "--progress")
    assert result.returncode == 0, result.stderr.decode()
    stderr = result.stderr.decode()
    assert "sentence/s" in stderr and "5/5 tasks" in stderr
    assert stderr.splitlines()[-1].startswith("translator batch: 5 done, 0 skipped")


def test_the_model_translates_each_file_as_translate_does(tmp_path, model_dir):
    source = fx.make_folder(tmp_path / "in", files=2)
    summary = translate_many(
        source, tmp_path / "out", include=["*.txt", "*.md"], model=model_dir, backend="torch"
    )
    assert summary.ok and len(summary.done) == 3
    for key in ("brief0.en.txt", "brief1.en.txt", "sub/notiz.en.md"):
        alone = tmp_path / "alone" / key
        alone.parent.mkdir(parents=True, exist_ok=True)
        translate(source / EXPECTED[key], alone, model=model_dir, backend="torch")
        assert (tmp_path / "out" / key).read_bytes() == alone.read_bytes()


# -- corpora ----------------------------------------------------------------------------------


def test_a_jsonl_corpus_gets_an_english_field_and_keeps_the_others(tmp_path):
    data = fx.rows(12)
    corpus = fx.write_jsonl(tmp_path / "korpus.jsonl", data)
    summary = translate_many(corpus, tmp_path / "out", shard_rows=5, translator_factory=fx.stand_in)
    assert summary.ok and summary.done == [str(corpus)]
    got = [json.loads(line) for line in (tmp_path / "out" / "korpus.en.jsonl").open()]
    assert [{k: v for k, v in r.items() if k != "english"} for r in got] == data
    assert [list(r) for r in got] == [["id", "text", "label", "english"]] * 12
    assert got[2]["english"] is None and got[3]["english"] == "   "
    assert got[0]["english"] == "SATZ NUMMER 0 IST HIER. UND NOCH EINER."
    assert all(r["english"] == r["text"].upper() for r in got if r["text"])
    assert not (tmp_path / "out" / ".translator-batch" / "parts").exists() or not list(
        (tmp_path / "out" / ".translator-batch" / "parts").rglob("*.jsonl")
    )


def test_corpus_details_give_each_rows_words_and_links_in_its_own_text(tmp_path):
    corpus = fx.write_jsonl(tmp_path / "k.jsonl", fx.rows(6))
    translate_many(corpus, tmp_path / "out", details=True, translator_factory=fx.stand_in)
    for row in map(json.loads, (tmp_path / "out" / "k.en.jsonl").open()):
        info = row["english_details"]
        if not (row["text"] or "").strip():
            assert info is None
            continue
        assert len(info["sentences"]) == 2 - (row["text"].count(".") == 1)
        for sentence in info["sentences"]:
            german = row["text"][slice(*sentence["source"])]
            english = row["english"][slice(*sentence["target"])]
            assert english == german.upper()
            for source, target, _ in sentence["links"]:
                a = row["text"][slice(*sentence["source_words"][source])]
                b = row["english"][slice(*sentence["target_words"][target])]
                assert b == a.upper()


def test_shard_boundaries_do_not_change_a_corpus(tmp_path):
    corpus = fx.write_jsonl(tmp_path / "k.jsonl", fx.rows(9))
    translate_many(corpus, tmp_path / "a", shard_rows=1, translator_factory=fx.stand_in)
    translate_many(corpus, tmp_path / "b", shard_rows=256, translator_factory=fx.stand_in)
    assert fx.outputs(tmp_path / "a") == fx.outputs(tmp_path / "b")


def test_a_csv_corpus_keeps_its_columns_and_delimiter(tmp_path):
    (tmp_path / "k.csv").write_text(
        'id;titel;inhalt\n1;"A; B";Guten Tag. Wie geht es?\n2;C;\n3;D;"Zeile eins\nZeile zwei."\n',
        "utf-8",
    )
    translate_many(
        tmp_path / "k.csv",
        tmp_path / "out",
        text_column="inhalt",
        english_column="englisch",
        translator_factory=fx.stand_in,
    )
    assert (tmp_path / "out" / "k.en.csv").read_text("utf-8") == (
        'id;titel;inhalt;englisch\n1;"A; B";Guten Tag. Wie geht es?;GUTEN TAG. WIE GEHT ES?\n'
        '2;C;;\n3;D;"Zeile eins\nZeile zwei.";"ZEILE EINS\nZEILE ZWEI."\n'
    )


def test_a_parquet_corpus_keeps_its_types_and_gets_an_english_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = fx.rows(7)
    table = pa.table(
        {
            "id": pa.array([r["id"] for r in data], pa.int32()),
            "text": [r["text"] for r in data],
            "score": [0.5 * r["id"] for r in data],
        }
    )
    pq.write_table(table, tmp_path / "k.parquet")
    summary = translate_many(
        tmp_path / "k.parquet", tmp_path / "out", details=True, translator_factory=fx.stand_in
    )
    assert summary.ok
    got = pq.read_table(tmp_path / "out" / "k.en.parquet")
    assert got.column_names == ["id", "text", "score", "english", "english_details"]
    assert got.schema.field("id").type == pa.int32()
    assert got.select(["id", "text", "score"]).equals(table)
    english = got.column("english").to_pylist()
    assert english[2] is None and english[0] == data[0]["text"].upper()
    assert json.loads(got.column("english_details")[0].as_py())["sentences"]


def test_a_corpus_without_its_text_column_fails_with_the_columns_it_has(tmp_path):
    corpus = fx.write_jsonl(tmp_path / "k.jsonl", [{"satz": "Hallo."}])
    summary = translate_many(corpus, tmp_path / "out", translator_factory=fx.stand_in)
    assert summary.failed == [
        (
            str(corpus),
            "k.jsonl has no column 'text' (its columns: satz): name the German text's column "
            "with --text-column",
        )
    ]


def test_a_corpus_resumes_shard_by_shard(tmp_path, monkeypatch):
    """A shard that fails leaves the others done; the rerun translates only that shard."""
    data = fx.rows(10)
    data[7]["text"] = "Hier ABSTURZ im Satz."
    corpus = fx.write_jsonl(tmp_path / "k.jsonl", data)
    log = tmp_path / "log"
    monkeypatch.setenv(fx.LOG, str(log))
    out = tmp_path / "out"
    first = translate_many(corpus, out, shard_rows=3, translator_factory=fx.logged_stand_in)
    assert first.failed == [
        (str(corpus), "unexpected error (RuntimeError: the engine broke on ABSTURZ)")
    ]
    assert not (out / "k.en.jsonl").exists()
    log.unlink()

    data[7]["text"] = "Hier geht es weiter."
    fx.write_jsonl(corpus, data)
    second = translate_many(corpus, out, shard_rows=3, translator_factory=fx.logged_stand_in)
    assert second.ok and second.done == [str(corpus)]
    assert sorted(fx.logged(log)) == sorted(
        [
            "Satz Nummer 6 ist hier.",
            "Und noch einer.",  # rows 6 and 8 both end with it: sent once
            "Hier geht es weiter.",
            "Satz Nummer 8 ist hier.",
        ]
    )  # shard 2 (rows 6–8) alone
    clean = tmp_path / "clean"
    translate_many(corpus, clean, shard_rows=3, translator_factory=fx.stand_in)
    assert fx.outputs(out) == fx.outputs(clean)
    assert set(fx.manifest(out)) == {"k.en.jsonl"}  # the shards' records are gone


def test_csv_rows_wider_than_the_header_are_refused(tmp_path):
    (tmp_path / "k.csv").write_text("text\nEins.\nZwei.,zu viel\n", "utf-8")
    summary = translate_many(tmp_path / "k.csv", tmp_path / "out", translator_factory=fx.stand_in)
    assert summary.failed == [
        (str(tmp_path / "k.csv"), "k.csv, row 3, has 2 cells but the header only 1")
    ]


def test_corpus_bytes_round_trip_through_parts():
    from translator.batch import corpus

    results = [["HALLO", None], [None, None], ["  ", {"sentences": []}]]
    assert corpus.part_rows(corpus.part_bytes(results)) == results
    assert corpus.shards(["a" * 10, "b", "c", None, "d"], rows=2, characters=12) == [
        (0, 2),
        (2, 4),
        (4, 5),
    ]
    assert corpus.shards(["x" * 50, "y" * 50], rows=10, characters=40) == [(0, 1), (1, 2)]
