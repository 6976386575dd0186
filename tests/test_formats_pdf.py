"""PDF in: reading order across columns, paragraphs rebuilt, line-end hyphens undone only where
they split a word, running headers and page numbers dropped, footnotes apart; out as text,
Markdown, a new Word document and every generic format; bad PDFs one clear line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from translator import Translator, translate
from translator.errors import InputError
from translator.formats import output_formats, pdf, pdf_layout, read_bytes, write_bytes
from translator.testing import StandInBackend

from .fixtures import pdfs
from .fixtures.cli import run_cli

DATA = Path(__file__).parent / "data" / "pdf"


@pytest.fixture(scope="module")
def report() -> pdfs.Built:
    return pdfs.report()


@pytest.fixture(scope="module")
def source(report):
    return read_bytes("bericht.pdf", report.data)


def blocks(source, kind=None):
    return [b.text for b in source.state.blocks if kind is None or b.kind == kind]


def test_pdf_paragraphs_come_back_whole_in_reading_order(report, source):
    body = [b.text for b in source.state.blocks if b.kind != "footnote"]
    assert body == report.paragraphs  # two columns read one after the other, never across


def test_pdf_paragraph_goes_on_into_the_next_column(source):
    assert any("bis zum Ende des Sommers erwartet. Der Aufsichtsrat" in t for t in blocks(source))


def test_pdf_line_end_hyphens_are_undone_only_inside_words(report, source):
    text = source.text
    for word in report.hyphens_joined:  # Verhand- | lungen
        assert word in text, word
    assert "Verhand-" not in text and "Versorgungs-sicherheit" not in text
    for compound in report.hyphens_kept:  # Süd- | Ost: upper case goes on, the hyphen stays
        assert compound in text, compound
    assert "Nord-Süd-Leitung" in text
    assert "Die Ein- und Ausgänge" in text  # a suspended compound keeps hyphen and space


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["schwierigen Verhand-", "lungen über"], "schwierigen Verhandlungen über"),
        (["Richtung Süd-", "Ost fertig"], "Richtung Süd-Ost fertig"),
        (["die Nord-", "Süd-Leitung"], "die Nord-Süd-Leitung"),
        (["Vor-", "oder Nachteile"], "Vor- oder Nachteile"),
        (["Stand 2023-", "2024"], "Stand 2023-2024"),
        (["Versorgungs\u00ad", "sicherheit"], "Versorgungssicherheit"),
        (["Ende –", "und weiter"], "Ende – und weiter"),
    ],
)
def test_pdf_join_rule(lines, joined):
    text = ""
    for line in lines:
        text = pdf_layout._join(text, line)
    assert text == joined


def test_pdf_running_header_footer_and_page_numbers_are_dropped(report, source):
    for line in report.running:
        assert line not in source.text, line
    assert "Seite" not in source.text


def test_pdf_footnotes_are_units_of_their_own_after_the_body(report, source):
    assert blocks(source, "footnote") == report.footnotes
    assert source.state.blocks[-1].kind == "footnote"
    for paragraph in blocks(source, "paragraph"):
        assert "Ohne die Erlöse" not in paragraph


def test_pdf_headings_and_metadata(source):
    assert [b.text for b in source.state.blocks if b.kind == "heading"] == [
        "Bericht des Vorstands",
        "Ausblick auf das Jahr 2024",
    ]
    assert source.metadata == {"title": "Jahresbericht 2023", "author": "Stadtwerke Beispielstadt"}


def translated(source):
    engine = Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)
    document = engine.translate_text(source.text, paragraphs=source.units)
    document.check()
    return document


def test_pdf_writes_markdown_with_headings_and_footnotes_after_a_rule(source):
    markdown = write_bytes(translated(source), source, "md").decode()
    assert markdown.startswith("## BERICHT DES VORSTANDS\n\nDAS GESCHÄFTSJAHR 2023")
    assert "\n## AUSBLICK AUF DAS JAHR 2024\n" in markdown
    note = "¹ OHNE DIE ERLÖSE AUS DEM VERKAUF DER BETEILIGUNG AN DER NETZGESELLSCHAFT."
    assert markdown.endswith(f"\n---\n\n{note}\n")
    assert "VERHANDLUNGEN" in markdown and "SÜD-OST" in markdown


def test_pdf_writes_a_new_word_document(source):
    import docx

    data = write_bytes(translated(source), source, "docx")
    written = docx.Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in written.paragraphs if p.text.strip("_")]
    assert paragraphs[0] == ("Heading 2", "BERICHT DES VORSTANDS")
    assert ("Normal", blocks(source, "paragraph")[0].upper()) in paragraphs
    assert paragraphs[-1][1].startswith("¹ OHNE DIE ERLÖSE")
    assert written.core_properties.title == "Jahresbericht 2023"


def test_pdf_offers_text_markdown_word_and_the_generic_formats(source):
    names = [f.name for f in output_formats(source)]
    assert names[:2] == ["md", "docx"]
    assert {"txt", "json", "bilingual-html", "tmx", "xliff"} <= set(names)
    assert "html" not in names and "srt" not in names


def test_pdf_translate_writes_docx_and_text(tmp_path, report):
    path = tmp_path / "bericht.pdf"
    path.write_bytes(report.data)
    engine = Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)
    document = translate(path, tmp_path / "bericht.en.docx", translator=engine)
    assert document.metadata["title"] == "Jahresbericht 2023"
    assert (tmp_path / "bericht.en.docx").read_bytes()[:2] == b"PK"
    translate(path, tmp_path / "bericht.en.txt", translator=engine)
    assert (tmp_path / "bericht.en.txt").read_text("utf-8").startswith("BERICHT DES VORSTANDS")


def test_pdf_scanned_without_text_layer_is_a_clear_message():
    with pytest.raises(InputError, match=r"no text layer \(a scanned PDF.*OCR"):
        read_bytes("scan.pdf", pdfs.scanned())


def test_pdf_encrypted_with_a_password_is_a_clear_message():
    built = pdfs.build(pdfs.REPORT_PAGES[:1], encrypt="geheim")
    with pytest.raises(InputError, match="encrypted with a password"):
        read_bytes("geheim.pdf", built.data)


def test_pdf_real_encrypted_libreoffice_file_is_a_clear_message():
    data = (DATA / "libreoffice-writer-password.pdf").read_bytes()
    with pytest.raises(InputError, match="encrypted with a password"):
        read_bytes("libreoffice-writer-password.pdf", data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged"),
        (b"just some text, not a PDF at all", "not a PDF"),
    ],
)
def test_pdf_damaged_or_fake_is_a_clear_message(data, message):
    with pytest.raises(InputError, match=message) as caught:
        read_bytes("kaputt.pdf", data)
    assert "\n" not in str(caught.value)


def test_pdf_over_the_size_limit_is_refused_before_parsing(monkeypatch, report):
    monkeypatch.setattr(pdf, "MAX_PDF_BYTES", len(report.data) - 1)
    with pytest.raises(InputError, match=r"larger than .* split the PDF"):
        read_bytes("gross.pdf", report.data)


def test_pdf_with_too_many_pages_is_refused_before_reading_them(monkeypatch, report):
    monkeypatch.setattr(pdf, "MAX_PAGES", 1)
    with pytest.raises(InputError, match="has 2 pages, more than 1"):
        read_bytes("dick.pdf", report.data)


def test_pdf_real_libreoffice_file_reads(tmp_path):
    source = read_bytes("trivial.pdf", (DATA / "002-trivial-libre-office-writer.pdf").read_bytes())
    assert source.text.strip()
    assert all(b.kind in ("heading", "paragraph", "footnote") for b in source.state.blocks)


def test_cli_writes_a_pdf_as_markdown_beside_it(tmp_path, report):
    (tmp_path / "bericht.pdf").write_bytes(report.data)
    done = run_cli("bericht.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bericht.en.md").read_text("utf-8").startswith("## BERICHT DES VORSTANDS")
    done = run_cli("bericht.pdf", "-o", "bericht.en.docx", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "bericht.en.docx").exists(), done.stderr


def test_cli_scanned_pdf_is_one_line(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(pdfs.scanned())
    done = run_cli("scan.pdf", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "no text layer" in done.stderr
