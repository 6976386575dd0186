"""translate() and translate_text(): files in, Documents and files out."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from translator import Document, InputError, translate, translate_text


def test_translate_reads_a_file_and_returns_the_document(model_dir, seed_text, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(seed_text, "utf-8")
    document = translate(path, model=str(model_dir))
    assert document.source == seed_text
    document.check()


def test_translate_writes_the_english_text(model_dir, seed_text, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(seed_text, "utf-8")
    document = translate(str(path), tmp_path / "article.en.txt", model=str(model_dir))
    assert (tmp_path / "article.en.txt").read_text("utf-8") == document.target


def test_translate_writes_the_whole_document_as_json(model_dir, seed_text, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(seed_text, "utf-8")
    document = translate(path, tmp_path / "article.json", model=str(model_dir))
    written = (tmp_path / "article.json").read_text("utf-8")
    assert Document.from_json(written) == document
    assert json.loads(written)["signature"] == document.signature


def test_an_unknown_output_extension_fails_before_any_work(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("Hallo.", "utf-8")
    monkeypatch.setattr("translator.api.translate_text", pytest.fail)
    with pytest.raises(InputError, match=r"\.pdf.*supported: \.txt"):
        translate(path, tmp_path / "a.pdf")


def test_a_missing_input_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        translate(tmp_path / "nowhere.txt")


def test_a_windows_1252_file_is_decoded_not_refused(model_dir, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Größe „zählt“.".encode("cp1252"))
    assert translate(path, model=str(model_dir)).source == "Größe „zählt“."


def test_a_byte_order_mark_is_not_part_of_the_text(model_dir, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffGuten Morgen.".encode())
    assert translate(path, model=str(model_dir)).source == "Guten Morgen."


def test_translate_text_reuses_one_loaded_model(model_dir):
    from translator.api import get_translator

    first = translate_text("Guten Morgen.", model=str(model_dir))
    assert get_translator(str(model_dir)) is get_translator(str(model_dir))
    assert first.signature == get_translator(str(model_dir)).signature()


@pytest.fixture(scope="module")
def markdown_result(model_dir):
    from translator import formats

    source = formats.read_bytes("notiz.md", b"# Titel\n\nEin Satz. Noch einer.\n")
    return source, translate_text(source.text, paragraphs=source.units, model=str(model_dir))


class _FullDisk:
    """A file handle that writes half of what it is given, then finds the disk full."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")


def _writer_fails(monkeypatch, api) -> type[BaseException]:
    def fail(*args, **kwargs):
        raise ValueError("a writer's bug")

    monkeypatch.setattr(api.formats, "write_bytes", fail)
    return ValueError


def _disk_fills_mid_write(monkeypatch, api) -> type[BaseException]:
    real = os.fdopen
    monkeypatch.setattr(api.os, "fdopen", lambda fd, mode: _FullDisk(real(fd, mode)))
    return InputError


def _interrupted_before_rename(monkeypatch, api) -> type[BaseException]:
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api.os, "replace", interrupt)
    return KeyboardInterrupt


@pytest.mark.parametrize("fmt", ["md", "txt", "json", "bilingual-html", "tmx", "xliff"])
@pytest.mark.parametrize(
    "failure", [_writer_fails, _disk_fills_mid_write, _interrupted_before_rename]
)
def test_an_interrupted_write_leaves_the_previous_output_whole_and_no_temporary_file(
    markdown_result, tmp_path, monkeypatch, fmt, failure
):
    from translator import api

    source, document = markdown_result
    target = tmp_path / "ergebnis.out"
    target.write_bytes(b"the previous good output")
    raised = failure(monkeypatch, api)
    with pytest.raises(raised):
        api.write_document(document, target, source=source, format=fmt)
    assert target.read_bytes() == b"the previous good output"
    assert [p.name for p in tmp_path.iterdir()] == ["ergebnis.out"]


def test_a_full_disk_is_one_clear_error(markdown_result, tmp_path, monkeypatch):
    from translator import api

    source, document = markdown_result
    _disk_fills_mid_write(monkeypatch, api)
    with pytest.raises(InputError, match=r"can't write .*out\.txt: No space left on device"):
        api.write_document(document, tmp_path / "out.txt", source=source)


def test_an_output_gets_the_permissions_of_any_new_file_or_keeps_its_own(markdown_result, tmp_path):
    from translator import api

    source, document = markdown_result
    (tmp_path / "plain").write_bytes(b"")  # made as every program makes files: umask applies
    api.write_document(document, tmp_path / "neu.txt", source=source)
    assert (tmp_path / "neu.txt").stat().st_mode == (tmp_path / "plain").stat().st_mode
    kept = tmp_path / "alt.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    api.write_document(document, kept, source=source)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() != b"old"


def test_translate_reads_a_word_document_and_writes_nothing_without_output(model_dir, tmp_path):
    import docx

    word = docx.Document()
    word.add_paragraph("Guten Morgen. Wie geht es?")
    word.add_paragraph("Zweiter Absatz.")
    path = tmp_path / "brief.docx"
    word.save(str(path))
    document = translate(path, model=str(model_dir))
    assert document.source == "Guten Morgen. Wie geht es?\n\nZweiter Absatz."
    assert [p.name for p in tmp_path.iterdir()] == ["brief.docx"]


@pytest.mark.parametrize("fmt", ["tmx", "xliff", "json", "txt"])
def test_translate_writes_any_document_format_by_name(model_dir, tmp_path, fmt):
    path = tmp_path / "notiz.md"
    path.write_text("# Titel\n\nEin Satz.\n", "utf-8")
    out = tmp_path / "ergebnis.out"
    document = translate(path, out, format=fmt, model=str(model_dir))
    data = out.read_bytes()
    if fmt == "json":
        assert Document.from_json(data.decode("utf-8")) == document
    elif fmt == "txt":
        assert data.decode("utf-8") == document.target
    else:
        from lxml import etree

        texts = set(etree.fromstring(data).itertext())
        assert {text for pair in document.pairs() for text in pair} <= texts


def test_translate_never_overwrites_its_input(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_text("Hallo.", "utf-8")
    monkeypatch.setattr("translator.api.translate_text", pytest.fail)
    with pytest.raises(InputError, match="is the input file"):
        translate(path, path)
    with pytest.raises(InputError, match="is the input file"):
        translate(path, tmp_path / "." / "a.md")
    assert path.read_text("utf-8") == "Hallo."


def test_a_same_format_output_for_another_input_fails_before_any_work(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_text("Hallo.", "utf-8")
    monkeypatch.setattr("translator.api.translate_text", pytest.fail)
    with pytest.raises(InputError, match=r"only from a \.docx input"):
        translate(path, tmp_path / "a.docx")
