"""Word: paragraphs, headings, lists, cells, headers and footers translated; formatting kept."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from translator import translate
from translator.formats import read_bytes, word

from .fixtures.documents import make_document, upper, upper_aligned


def build() -> docx.document.Document:
    d = docx.Document()
    d.add_heading("Bericht über die Stadt", 1)
    p = d.add_paragraph("Der Dom ist ")
    p.add_run("sehr").bold = True
    p.add_run(" groß.")
    d.add_paragraph("Erster Punkt der Liste", style="List Bullet")
    d.add_paragraph("Zweiter Punkt der Liste", style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Einwohner"
    table.cell(0, 1).text = "1.084.831"
    table.cell(1, 0).text = "Fluss"
    table.cell(1, 1).text = "Der Rhein"
    section = d.sections[0]
    section.header.paragraphs[0].text = "Kopfzeile des Berichts"
    footer = section.footer.paragraphs[0]
    footer.add_run("Seite ")
    add_page_field(footer)
    return d


def add_page_field(paragraph) -> None:
    """A PAGE field (begin, instruction, separate, result, end), as Word writes one."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def as_bytes(d) -> bytes:
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def shape(d) -> dict:
    return {
        "styles": [p.style.name for p in d.paragraphs],
        "tables": [(len(t.rows), len(t.columns)) for t in d.tables],
        "fields": [
            len(p._p.findall(".//" + qn("w:fldChar"))) for p in d.sections[0].footer.paragraphs
        ],
        "instructions": [e.text for e in d.sections[0].footer._element.iter(qn("w:instrText"))],
    }


def test_docx_reader_takes_paragraphs_cells_headers_and_footers():
    source = read_bytes("bericht.docx", as_bytes(build()))
    units = [u.of(source.text) for u in source.units]
    assert units == [
        "Bericht über die Stadt",
        "Der Dom ist sehr groß.",
        "Erster Punkt der Liste",
        "Zweiter Punkt der Liste",
        "Einwohner",
        "Fluss",
        "Der Rhein",
        "Kopfzeile des Berichts",
        "Seite ",
    ]


def test_docx_comes_back_in_english_with_its_structure(model_dir, tmp_path):
    original = build()
    path = tmp_path / "bericht.docx"
    path.write_bytes(as_bytes(original))
    document = translate(path, tmp_path / "bericht.en.docx", model=str(model_dir))
    english = docx.Document(str(tmp_path / "bericht.en.docx"))
    assert shape(english) == shape(docx.Document(str(path)))
    german = [p.text for p in original.paragraphs]
    assert all(e != g for e, g in zip((p.text for p in english.paragraphs), german, strict=True))
    assert english.tables[0].cell(0, 1).text == "1.084.831"  # numbers alone stay
    assert english.tables[0].cell(1, 1).text != "Der Rhein"
    assert english.sections[0].header.paragraphs[0].text != "Kopfzeile des Berichts"
    assert english.sections[0].footer.paragraphs[0].text.endswith("1")  # the field's result
    paragraph = next(p for p in document.paragraphs if "Dom" in p.source.of(document.source))
    assert english.paragraphs[1].text == paragraph.target.of(document.target)


def runs(data: bytes, index: int) -> list[tuple[str, bool | None]]:
    return [(r.text, r.bold) for r in docx.Document(io.BytesIO(data)).paragraphs[index].runs]


def formatted() -> bytes:
    d = docx.Document()
    p = d.add_paragraph("Das ist ")
    p.add_run("sehr").bold = True
    p.add_run(" wichtig.")
    p = d.add_paragraph()
    p.add_run("Alles fett.").bold = True
    p.add_run(" Nicht fett.")
    p = d.add_paragraph()
    p.add_run("Kursiv").italic = True
    return as_bytes(d)


def test_bold_words_stay_bold_when_alignment_links_them():
    source = read_bytes("f.docx", formatted())
    written = word.write(make_document(source.text, source.units, upper_aligned), source)
    assert runs(written, 0) == [("DAS IST ", None), ("SEHR", True), (" WICHTIG.", None)]
    assert runs(written, 1) == [("ALLES FETT.", True), (" NICHT FETT.", None)]


def test_without_alignment_only_whole_sentences_keep_their_formatting():
    source = read_bytes("f.docx", formatted())
    written = word.write(make_document(source.text, source.units, upper), source)
    assert runs(written, 0) == [("DAS IST SEHR WICHTIG.", None)]
    assert runs(written, 1) == [("ALLES FETT.", True), (" NICHT FETT.", None)]
    italic = docx.Document(io.BytesIO(written)).paragraphs[2].runs
    assert [(r.text, r.italic) for r in italic] == [("KURSIV", True)]


def test_english_longer_than_its_runs_gets_more_runs_with_the_same_formatting():
    source = read_bytes("f.docx", formatted())
    english = {"Das ist sehr wichtig.": "That is very, very important.", "Kursiv": "In italics"}

    def translate_(german: str):
        out = english.get(german, german.upper())
        links = [(0, 0), (1, 1), (2, 2), (2, 3), (3, 4)] if german.startswith("Das") else None
        return out, links

    written = word.write(make_document(source.text, source.units, translate_), source)
    assert runs(written, 0) == [("That is ", None), ("very, very", True), (" important.", None)]


def test_german_language_tags_become_english():
    d = docx.Document()
    run = d.add_paragraph().add_run("Hallo Welt.")
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "de-DE")
    run._r.get_or_add_rPr().append(lang)
    source = read_bytes("l.docx", as_bytes(d))
    written = word.write(make_document(source.text, source.units, upper), source)
    values = [
        e.get(qn("w:val")) for e in docx.Document(io.BytesIO(written)).element.iter(qn("w:lang"))
    ]
    assert values == ["en-US"]


def test_a_file_that_is_not_a_word_document_is_a_clear_error():
    from translator import InputError

    with pytest.raises(InputError, match="not a Word document"):
        read_bytes("kaputt.docx", b"PK\x03\x04 not really a zip")
