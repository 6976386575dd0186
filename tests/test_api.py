"""translate() and translate_text(): files in, Documents and files out."""

from __future__ import annotations

import json

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


def test_an_interrupted_write_leaves_no_partial_file(model_dir, tmp_path, monkeypatch):
    from translator import api

    document = translate_text("Guten Morgen.", model=str(model_dir))
    target = tmp_path / "out.txt"
    target.write_text("old", "utf-8")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(api.os, "replace", fail)
    with pytest.raises(OSError):
        api.write_document(document, target)
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


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
    translate(path, out, format=fmt, model=str(model_dir))
    assert out.read_bytes()


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
