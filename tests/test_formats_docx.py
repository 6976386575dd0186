"""Word: paragraphs, headings, lists, cells, headers and footers translated; formatting kept."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from translator import InputError, translate
from translator.formats import read_bytes, word

from .fixtures.documents import make_document, upper, upper_aligned
from .fixtures.office import (
    CLOSE,
    OPEN,
    letters,
    make_docx,
    members,
    p,
    part,
    round_trip,
    run,
    w_texts,
    zipped,
)


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
        "Seite 1",  # the PAGE field's result is part of the text (kept as it is: no letters)
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
    with pytest.raises(InputError, match="not a Word document"):
        read_bytes("kaputt.docx", b"PK\x03\x04 not really a zip")


# ---------------------------------------------------------------- every part, translated once

DATA = Path(__file__).parent / "data" / "docx"
W_T = qn("w:t")


def visible(data: bytes, member: str) -> list[str]:
    return w_texts(part(data, member))


def note(kind: str, number: int, text: str) -> str:
    return (
        f'<w:{kind} w:id="{number}"><w:p><w:r><w:rPr><w:rStyle w:val="FootnoteReference"/>'
        f"</w:rPr><w:{kind}Ref/></w:r>{run(' ' + text)}</w:p></w:{kind}>"
    )


def noted() -> bytes:
    reference = (
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        '<w:footnoteReference w:id="1"/></w:r>'
    )
    return make_docx(
        p(run("Der Dom ist groß."), reference, run(" Er steht in Köln.")),
        footnotes=note("footnote", 1, "Gebaut ab 1248 nach Plänen aus Frankreich."),
        endnotes=note("endnote", 1, "Siehe auch das Stadtarchiv."),
    )


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_docx_footnotes_and_endnotes_come_back_in_english(order):
    source, _, output = round_trip("noten.docx", noted(), order)
    assert "Gebaut ab 1248" in source.text and "Stadtarchiv" in source.text
    for member in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml"):
        counts = letters(visible(output, member))
        assert counts["left"] == 0 and counts["twice"] == 0 and counts["once"] > 0, member
    notes = part(output, "word/footnotes.xml")
    assert len(list(notes.iter(qn("w:footnoteRef")))) == 1  # the note's own number stays
    body = part(output, "word/document.xml")
    assert len(list(body.iter(qn("w:footnoteReference")))) == 1


@pytest.mark.parametrize("name", ["mammoth-footnotes.docx", "mammoth-endnotes.docx"])
def test_docx_real_notes_are_translated(name):
    data = (DATA / name).read_bytes()
    _, _, output = round_trip(name, data, "reverse")
    kind = "footnotes" if "foot" in name else "endnotes"
    counts = letters(visible(output, f"word/{kind}.xml"))
    assert counts["left"] == 0 and counts["twice"] == 0 and counts["once"] > 20


def test_docx_comments_are_translated_and_keep_their_authors():
    data = (DATA / "mammoth-comments.docx").read_bytes()
    _, _, output = round_trip("comments.docx", data, "reverse")
    comments = part(output, "word/comments.xml")
    assert letters(w_texts(comments)) == {"once": letters(w_texts(comments))["once"], "left": 0,
                                           "twice": 0}  # fmt: skip
    authors = [c.get(qn("w:author")) for c in comments.iter(qn("w:comment"))]
    original = [
        c.get(qn("w:author")) for c in part(data, "word/comments.xml").iter(qn("w:comment"))
    ]
    assert authors == original


def text_box(text: str) -> str:
    """A text box as Word writes one: a DrawingML Choice and a VML Fallback of the same text."""
    content = f"<w:txbxContent>{p(run(text))}</w:txbxContent>"
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        "<a:graphic><a:graphicData><wps:wsp><wps:txbx>" + content + "</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback>"
        "<w:pict><v:shape><v:textbox>" + content + "</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_docx_text_box_choice_and_fallback_are_read_once_and_both_translated(order):
    data = make_docx(p(run("Vor dem Kasten. "), text_box("Im Kasten steht Text.")))
    source, _, output = round_trip("kasten.docx", data, order)
    assert source.text.count("Im Kasten steht Text.") == 1  # one unit, not two
    root = part(output, "word/document.xml")
    boxes = ["".join(w_texts(box)) for box in root.iter(qn("w:txbxContent"))]
    assert len(boxes) == 2 and boxes[0] == boxes[1]  # Choice and Fallback agree
    counts = letters(w_texts(root))
    assert counts["left"] == 0 and counts["twice"] == 0


def test_docx_real_text_box_is_translated_in_both_forms():
    data = (DATA / "mammoth-text-box.docx").read_bytes()
    _, _, output = round_trip("box.docx", data, "reverse")
    root = part(output, "word/document.xml")
    boxes = ["".join(w_texts(box)) for box in root.iter(qn("w:txbxContent"))]
    assert len(boxes) == 2 and boxes[0] == boxes[1]
    assert letters(w_texts(root))["left"] == 0


def sectioned() -> bytes:
    """Two sections, each with default, first-page and even-page headers and footers."""
    stems = [f"{kind}{i}" for kind in ("header", "footer") for i in range(1, 7)]
    parts = {stem: p(run(f"Kopf und Fuß {stem} der Seite")) for stem in stems}

    def section(offset: int) -> str:
        refs = "".join(
            f'<w:{kind}Reference w:type="{t}" r:id="rId{kind}{offset + i}"/>'
            for kind in ("header", "footer")
            for i, t in enumerate(("default", "first", "even"), start=1)
        )
        return f"<w:sectPr>{refs}<w:titlePg/></w:sectPr>"

    body = (
        f"<w:p><w:pPr>{section(0)}</w:pPr>{run('Erster Abschnitt.')}</w:p>"
        + p(run("Zweiter Abschnitt."))
        + section(3)
    )
    return make_docx(
        body,
        headers={s: v for s, v in parts.items() if s.startswith("header")},
        footers={s: v for s, v in parts.items() if s.startswith("footer")},
    )


def test_docx_every_sections_first_even_and_default_headers_and_footers_are_translated():
    _, _, output = round_trip("abschnitte.docx", sectioned(), "reverse")
    for kind in ("header", "footer"):
        for i in range(1, 7):
            counts = letters(visible(output, f"word/{kind}{i}.xml"))
            assert counts["left"] == 0 and counts["once"] > 10, f"{kind}{i}"


@pytest.mark.parametrize(
    "name", ["python-docx-odd-even-hdrs.docx", "python-docx-first-page-hdrftr.docx"]
)
def test_docx_real_headers_and_footers_are_translated(name):
    data = (DATA / name).read_bytes()
    _, _, output = round_trip(name, data, "reverse")
    with zipfile.ZipFile(io.BytesIO(output)) as archive:
        names = [n for n in archive.namelist() if re.match(r"word/(header|footer)\d+\.xml", n)]
    assert len(names) >= 2
    for member in names:
        assert letters(visible(output, member))["left"] == 0, member


def hyperlink_field(url: str, shown: list[str]) -> str:
    runs = "".join(run(text, '<w:rStyle w:val="Hyperlink"/>') for text in shown)
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> HYPERLINK "{url}" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + runs
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def field_order(paragraph) -> list[str]:
    out = []
    for element in paragraph.iter(qn("w:fldChar"), qn("w:instrText"), W_T):
        if element.tag == qn("w:fldChar"):
            out.append(element.get(qn("w:fldCharType")))
        elif element.tag == qn("w:instrText"):
            out.append("code")
        elif out and out[-1] != "text":
            out.append("text")
    return out


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_hyperlink_field_shows_english_and_keeps_its_code(order):
    url = "https://example.org/stadt?x=1"
    data = make_docx(
        p(
            run("Mehr steht auf "),
            hyperlink_field(url, ["der Seite ", "der Stadt"]),
            run(" im Netz."),
        )
    )
    source, _, output = round_trip("feld.docx", data, order)
    assert "der Seite der Stadt" in source.text  # the shown text is read, the code is not
    assert "HYPERLINK" not in source.text
    paragraph = next(part(output, "word/document.xml").iter(qn("w:p")))
    codes = [e.text for e in paragraph.iter(qn("w:instrText"))]
    assert codes and all(c == f' HYPERLINK "{url}" ' for c in codes)
    sequence = field_order(paragraph)
    assert sequence.count("begin") == sequence.count("end") >= 1
    for start in (i for i, x in enumerate(sequence) if x == "begin"):  # each field whole
        assert sequence[start : start + 5] == ["begin", "code", "separate", "text", "end"]
    german = sum(c.isalpha() for c in "Mehr steht auf der Seite der Stadt im Netz.")
    assert letters(w_texts(paragraph)) == {"once": german, "left": 0, "twice": 0}


def test_docx_real_hyperlink_fields_and_tracked_changes():
    data = (DATA / "poi-delins.docx").read_bytes()
    _, _, output = round_trip("delins.docx", data, "reverse")
    before, after = part(data, "word/document.xml"), part(output, "word/document.xml")
    codes = {e.text for e in before.iter(qn("w:instrText"))}
    assert {e.text for e in after.iter(qn("w:instrText"))} == codes  # split fields: copies
    assert letters(w_texts(after))["left"] == 0
    deleted = [e.text for e in before.iter(qn("w:delText"))]
    assert [e.text for e in after.iter(qn("w:delText"))] == deleted  # deletions stay as they were


def test_docx_simple_field_result_is_translated_and_its_instruction_kept():
    data = (DATA / "poi-FldSimple.docx").read_bytes()
    _, _, output = round_trip("fld.docx", data, "keep")
    before, after = part(data, "word/document.xml"), part(output, "word/document.xml")
    instructions = [e.get(qn("w:instr")) for e in before.iter(qn("w:fldSimple"))]
    assert instructions and [e.get(qn("w:instr")) for e in after.iter(qn("w:fldSimple"))] == (
        instructions
    )
    assert letters(w_texts(after))["left"] == 0


def test_docx_with_several_bodies_reads_them_all():
    data = (DATA / "poi-MultipleBodyBug.docx").read_bytes()
    source, _, output = round_trip("bodies.docx", data, "reverse")
    for number in (1, 2, 3):
        assert f"START BODY {number}" in source.text
    bodies = list(part(output, "word/document.xml").iter(qn("w:body")))
    assert len(bodies) == 3
    for body in bodies:
        counts = letters(w_texts(body))
        assert counts["left"] == 0 and counts["once"] > 30


def test_docx_adjacent_hyperlinks_stay_apart_each_with_its_own_words():
    links = {"rIdA": "https://example.org/a", "rIdB": "https://example.org/b"}
    body = p(
        run("Schlagworte: "),
        '<w:hyperlink r:id="rIdA">'
        + run("Grundeinkommen", '<w:rStyle w:val="Hyperlink"/>')
        + "</w:hyperlink>",
        run(", "),
        '<w:hyperlink r:id="rIdB">'
        + run("Berlin", '<w:rStyle w:val="Hyperlink"/>')
        + "</w:hyperlink>",
    )
    _, _, output = round_trip("links.docx", make_docx(body, links=links), "keep")
    found = {
        h.get(qn("r:id")): "".join(w_texts(h))
        for h in part(output, "word/document.xml").iter(qn("w:hyperlink"))
    }
    # each link holds its own word (the stand-in's brackets may stand just outside it)
    assert {k: v.strip(OPEN + CLOSE) for k, v in found.items()} == {
        "rIdA": "Grundeinkommen",
        "rIdB": "Berlin",
    }


def test_docx_parts_without_text_are_written_back_byte_for_byte():
    data = noted()
    extra = members(data)
    extra["word/media/bild.bin"] = bytes(range(256)) * 4
    data = zipped(extra)
    _, _, output = round_trip("bytes.docx", data, "reverse")
    before, after = members(data), members(output)
    assert list(after) == list(before)
    for name in ("word/media/bild.bin", "[Content_Types].xml", "_rels/.rels"):
        assert after[name] == before[name]


def test_docx_marks_split_into_pieces_each_keep_their_container():
    """A link whose words land apart (a transfer may split a mark) is written as two links."""
    from translator.formats.inline import Mark
    from translator.formats.word import units

    body = p(run("Sieh "), '<w:hyperlink r:id="rIdA">' + run("hier nach", "<w:b/>")
             + "</w:hyperlink>", run(" bitte."))  # fmt: skip
    _, found = units(make_docx(body, links={"rIdA": "https://example.org"}), "x.docx")
    unit = found[0]
    base, marks, owners = unit.marks()
    assert len(marks) == 1
    link = marks[0].key
    english = "HERE please look AFTER"
    unit.rebuild(english, [Mark(0, 4, key=link, essential=True),
                           Mark(17, 22, key=link, essential=True)], base, owners)  # fmt: skip
    paragraph = unit.paragraph
    pieces = [(h.get(qn("r:id")), "".join(w_texts(h))) for h in paragraph.iter(qn("w:hyperlink"))]
    assert pieces == [("rIdA", "HERE"), ("rIdA", "AFTER")]
    assert "".join(w_texts(paragraph)) == english


def test_docx_bomb_is_refused_before_it_is_inflated():
    bomb = members(noted())
    bomb["word/document.xml"] = (
        bomb["word/document.xml"][:-30] + b" " * (40 * 2**20) + bomb["word/document.xml"][-30:]
    )
    data = zipped(bomb)
    assert len(data) < 200_000
    with pytest.raises(InputError, match="zip bomb"):
        read_bytes("bombe.docx", data)


@pytest.mark.parametrize("member", ["word/document.xml", "word/footnotes.xml"])
def test_docx_malformed_xml_part_is_a_one_line_input_error(member, tmp_path):
    broken = members(noted())
    broken[member] = broken[member][:-20]
    path = tmp_path / "kaputt.docx"
    path.write_bytes(zipped(broken))
    with pytest.raises(InputError, match=re.escape(f"damaged: {member} is not well-formed XML")):
        read_bytes("kaputt.docx", path.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "translator.cli", str(path), "-o", str(tmp_path / "out.docx")],
        capture_output=True,
        timeout=120,
        env={**os.environ, "TRANSLATOR_MODEL": str(tmp_path / "no-model")},
    )
    assert result.returncode == 1
    message = result.stderr.decode().strip()
    assert message.count("\n") == 0 and "not well-formed XML" in message
    assert "unexpected" not in message


def test_docx_password_protected_file_says_so():
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    with pytest.raises(InputError, match="password-protected"):
        read_bytes("geheim.docx", encrypted)


def test_docx_real_hyperlinks_to_bookmarks_and_urls_keep_their_targets():
    data = (DATA / "python-docx-hlink-frags.docx").read_bytes()
    _, _, output = round_trip("frags.docx", data, "keep")

    def targets(root) -> list:
        return sorted(
            (h.get(qn("r:id")) or "", h.get(qn("w:anchor")) or "")
            for h in root.iter(qn("w:hyperlink"))
        )

    before, after = part(data, "word/document.xml"), part(output, "word/document.xml")
    assert targets(after) == targets(before)
    counts = letters(w_texts(after))
    assert counts["left"] == 0 and counts["twice"] == 0
    for link in after.iter(qn("w:hyperlink")):
        assert any(c.isalpha() for c in "".join(w_texts(link)))


def with_chunks(chunks: dict[str, bytes]) -> bytes:
    """A document that imports whole files where it stands (``w:altChunk``), as tools write."""
    ids = {name: f"rIdChunk{i}" for i, name in enumerate(chunks)}
    body = p(run("Vorwort des Berichts.")) + "".join(
        f'<w:altChunk r:id="{rid}"/>' for rid in ids.values()
    )
    files = members(make_docx(body))
    rels = "".join(
        f'<Relationship Id="{rid}" Target="{name}" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/aFChunk"/>'
        for name, rid in ids.items()
    )
    files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", rels.encode() + b"</Relationships>"
    )
    for name, data in chunks.items():
        files[f"word/{name}"] = data
    return zipped(files)


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_docx_imported_html_and_text_chunks_are_translated_in_their_own_format(order):
    html = (
        "<html><head><title>Anhang</title></head><body><h1>Anhang zum Bericht</h1>"
        "<p>Die Stadt hat <b>viele</b> Brücken.</p></body></html>"
    ).encode()
    text = b"Erste Zeile der Notiz.\n\nZweiter Absatz der Notiz.\n"
    data = with_chunks({"afchunk.htm": html, "notiz.txt": text})
    source, _, output = round_trip("chunks.docx", data, order)
    assert "Anhang zum Bericht" in source.text and "Zweiter Absatz der Notiz." in source.text
    files = members(output)
    english = files["word/afchunk.htm"].decode()
    assert "<h1>" in english and "<b>" in english
    shown = re.sub(r"<[^>]+>", " ", english.split("<body>")[1])
    assert letters([shown])["left"] == 0
    assert letters([files["word/notiz.txt"].decode()]) == {
        "once": sum(c.isalpha() for c in text.decode()),
        "left": 0,
        "twice": 0,
    }
    assert letters(w_texts(part(output, "word/document.xml")))["left"] == 0


def test_docx_link_placed_without_text_holds_the_word_where_it_stands():
    """Whatever the transfer gives back, a written link is never empty (an invisible link)."""
    from translator.formats.inline import Mark
    from translator.formats.word import units

    body = p(run("Sieh "), '<w:hyperlink r:id="rIdA">' + run("hier nach", "<w:b/>")
             + "</w:hyperlink>", run(" bitte."))  # fmt: skip
    _, found = units(make_docx(body, links={"rIdA": "https://example.org"}), "x.docx")
    unit = found[0]
    base, marks, owners = unit.marks()
    english = "Please look HERE."
    unit.rebuild(english, [Mark(12, 12, key=marks[0].key, essential=True)], base, owners)
    links = ["".join(w_texts(h)) for h in unit.paragraph.iter(qn("w:hyperlink"))]
    assert links == ["HERE."]
    assert "".join(w_texts(unit.paragraph)) == english


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_link_cut_by_proofing_marks_stays_one_link_with_its_words(order):
    """Word puts spell-check marks between a link's runs: they don't cut the link in two, nor
    leave a piece of it holding only a quotation mark (a link no one can see)."""
    start, end = '<w:proofErr w:type="spellStart"/>', '<w:proofErr w:type="spellEnd"/>'
    body = p(
        '<w:hyperlink r:id="rIdA">'
        + run('Die "')
        + start
        + run("Stadtwerke")
        + end
        + run('"')
        + "</w:hyperlink>",
        run(" sind gut."),
    )
    data = make_docx(body, links={"rIdA": "https://example.org"})
    _, _, output = round_trip("proof.docx", data, order)
    root = part(output, "word/document.xml")
    links = ["".join(w_texts(h)) for h in root.iter(qn("w:hyperlink"))]
    assert all(any(c.isalpha() for c in text) for text in links), links
    if order != "first-to-end":  # there the stand-in parts the link's words
        assert len(links) == 1
    assert "Stadtwerke" in "".join(links) and "Die" in "".join(links)
    assert letters(w_texts(root)) == {"once": 20, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_link_piece_without_letters_is_written_outside_the_link_in_its_own_font(order):
    """A link over ``M☉`` (the sun's mass, the symbol in a font of its own): where reordering
    parts the symbol from the letter, the symbol isn't left as a link of its own that no one can
    see or click; it keeps its font."""
    symbol = '<w:rFonts w:ascii="MS Mincho" w:hAnsi="MS Mincho"/>'
    body = p(
        run("Die Masse beträgt 4,31 Millionen "),
        '<w:hyperlink r:id="rIdA">' + run("M") + run("☉", symbol) + "</w:hyperlink>",
        run(" laut Messung."),
    )
    data = make_docx(body, links={"rIdA": "https://example.org/sonnenmasse"})
    _, _, output = round_trip("masse.docx", data, order)
    root = part(output, "word/document.xml")
    links = ["".join(w_texts(h)) for h in root.iter(qn("w:hyperlink"))]
    assert links and all(any(c.isalnum() for c in text) for text in links), links
    assert "M" in "".join(links)
    fonts = [
        "".join(t.text for t in r.iter(qn("w:t")))
        for r in root.iter(qn("w:r"))
        if r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}") is not None
    ]
    assert any("☉" in text for text in fonts)
    assert letters(w_texts(root))["left"] == 0


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_docx_ruby_base_and_its_reading_are_each_translated_in_place(order):
    """A ruby (a reading or gloss set over a word, as Japanese furigana) keeps its shape; the
    word and the text over it are both read, each on its own, and come back translated once."""
    ruby = (
        '<w:r><w:ruby><w:rubyPr><w:hps w:val="10"/><w:lid w:val="de-DE"/></w:rubyPr>'
        + "<w:rt>" + run("alter Weg") + "</w:rt>"
        + "<w:rubyBase>" + run("Hohlweg") + "</w:rubyBase></w:ruby></w:r>"
    )  # fmt: skip
    body = p(run("Wir gehen den "), ruby, run(" entlang."))
    source, _, output = round_trip("ruby.docx", make_docx(body), order)
    assert "Hohlweg" in source.text and "alter Weg" in source.text
    root = part(output, "word/document.xml")
    (found,) = root.iter(qn("w:ruby"))
    assert [etree.QName(c).localname for c in found] == ["rubyPr", "rt", "rubyBase"]
    assert "".join(w_texts(found.find(qn("w:rubyBase")))) == OPEN + "Hohlweg" + CLOSE
    assert letters(w_texts(found.find(qn("w:rt")))) == {"once": 8, "left": 0, "twice": 0}
    assert letters(w_texts(root)) == {"once": 33, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_formatted_tab_before_a_page_number_stays_a_tab(order):
    """A table of contents line: the tab to the page number is a run of its own formatting;
    wherever the words go, the paragraph keeps that tab (not a plain space) in that formatting."""
    tab = "<w:r><w:rPr><w:webHidden/></w:rPr><w:tab/></w:r>"
    body = p(run("Einleitung und Ziel der Arbeit"), tab, run("15"))
    _, _, output = round_trip("toc.docx", make_docx(body), order)
    root = part(output, "word/document.xml")
    tabs = list(root.iter(qn("w:tab")))
    assert len(tabs) == 1
    assert tabs[0].getparent().find(f"{qn('w:rPr')}/{qn('w:webHidden')}") is not None
    assert letters(w_texts(root)) == {"once": 26, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_two_formatted_tabs_at_one_place_both_stay_tabs_in_their_formatting(order):
    """A table of contents line with two tabs of different formatting before the page number:
    the English has one space there, and each tab keeps its place and formatting (neither
    takes the other's, nor is lost)."""
    hidden = "<w:r><w:rPr><w:webHidden/></w:rPr><w:tab/></w:r>"
    bold = "<w:r><w:rPr><w:b/></w:rPr><w:tab/></w:r>"
    body = p(run("Einleitung"), hidden, bold, run("3"))
    _, _, output = round_trip("toc.docx", make_docx(body), order)
    root = part(output, "word/document.xml")
    tabs = [t.getparent().find(qn("w:rPr")) for t in root.iter(qn("w:tab"))]
    formats = sorted(etree.QName(props[0]).localname for props in tabs if props is not None)
    assert len(tabs) == 2 and formats == ["b", "webHidden"]
    assert letters(w_texts(root)) == {"once": 10, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_symbol_parted_from_its_words_stays_inside_the_tracked_insertion(order):
    """A tracked insertion ends in a superscript asterisk: where reordering parts the asterisk
    from the inserted words, it is still inserted text (a copy of the insertion holds it), not
    text the document had before, and it keeps its superscript."""
    inserted = (
        '<w:ins w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">'
        + run("neue Regel")
        + run("*", '<w:vertAlign w:val="superscript"/>')
        + "</w:ins>"
    )
    body = p(run("Die "), inserted, run(" gilt."))
    _, _, output = round_trip("ins.docx", make_docx(body), order)
    root = part(output, "word/document.xml")
    insertions = "".join("".join(w_texts(ins)) for ins in root.iter(qn("w:ins")))
    assert "*" in insertions and "Regel" in insertions and "neue" in insertions
    for run_ in root.iter(qn("w:r")):
        if run_.find(f"{qn('w:rPr')}/{qn('w:vertAlign')}") is not None:
            assert any(a.tag == qn("w:ins") for a in run_.iterancestors())
    assert letters(w_texts(root)) == {"once": 16, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_docx_content_control_with_part_of_a_word_bold_stays_one_control(order):
    """A content control holding ``Straße und Hausnummer`` with ``nummer`` in bold: wherever
    the words go, the control stays one (its words, and the space and brackets between them,
    inside it, not two copies with one id) and ``nummer`` stays bold."""
    control = (
        '<w:sdt><w:sdtPr><w:id w:val="7"/></w:sdtPr><w:sdtContent>'
        + run("Straße und Haus")
        + run("nummer", "<w:b/>")
        + "</w:sdtContent></w:sdt>"
    )
    _, _, output = round_trip("feld.docx", make_docx(p(run("Bitte "), control)), order)
    root = part(output, "word/document.xml")
    (found,) = root.iter(qn("w:sdt"))
    bold = [
        "".join(w_texts(r)) for r in root.iter(qn("w:r")) if r.find(f"{qn('w:rPr')}/{qn('w:b')}")
        is not None
    ]  # fmt: skip
    assert bold == ["nummer"]
    assert all(any(a is found for a in r.iterancestors()) for r in root.iter(qn("w:r"))
               if "nummer" in "".join(w_texts(r)))  # fmt: skip
    assert letters(w_texts(root)) == {"once": 24, "left": 0, "twice": 0}
