"""PowerPoint: every text frame, table cell, grouped shape and speaker note, in English."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from lxml import etree

from translator import InputError
from translator.formats import output_formats, read_bytes, reader_for

from .fixtures.office import CLOSE, OPEN, letters, members, part, round_trip, texts, zipped

pptx = pytest.importorskip("pptx")
from pptx.util import Inches, Pt  # noqa: E402

DATA = Path(__file__).parent / "data" / "pptx"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
A_T = f"{{{A}}}t"
URL = "https://example.org/koeln"


def build() -> bytes:
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Bericht über die Stadt"
    body = first.placeholders[1].text_frame
    body.text = "Der Dom ist alt."
    body.add_paragraph().text = "Der Rhein fließt vorbei."
    box = first.shapes.add_textbox(Inches(1), Inches(5), Inches(6), Inches(1)).text_frame
    paragraph = box.paragraphs[0]
    paragraph.add_run().text = "Mehr steht "
    linked = paragraph.add_run()
    linked.text = "auf der Seite"
    linked.hyperlink.address = URL
    bold = paragraph.add_run()
    bold.text = " der Stadt."
    bold.font.bold = True
    box.add_paragraph().text = "Erste Zeile.\vZweite Zeile."
    second = deck.slides.add_slide(deck.slide_layouts[6])
    table = second.shapes.add_table(2, 2, Inches(1), Inches(1), Inches(6), Inches(2)).table
    for (row, column), text in {
        (0, 0): "Einwohner",
        (0, 1): "1.084.831",
        (1, 0): "Fluss",
        (1, 1): "Der Rhein",
    }.items():
        table.cell(row, column).text = text
    group = second.shapes.add_group_shape()
    for i, text in enumerate(("Erste Gruppe", "Zweite Gruppe")):
        shape = group.shapes.add_textbox(Inches(1 + 3 * i), Inches(4), Inches(2), Inches(1))
        shape.text_frame.text = text
    second.notes_slide.notes_text_frame.text = "Sprechernotizen für die zweite Folie."
    for slide in deck.slides:  # German as PowerPoint tags it
        for run in slide.shapes._spTree.iter(f"{{{A}}}rPr"):
            run.set("lang", "de-DE")
    out = io.BytesIO()
    deck.save(out)
    return _with_slide_number(out.getvalue())


def _with_slide_number(data: bytes) -> bytes:
    """A slide-number field after the table's first cell, as PowerPoint writes one."""
    files = members(data)
    root = etree.fromstring(files["ppt/slides/slide2.xml"])
    paragraph = next(root.iter(f"{{{A}}}p"))
    field = etree.SubElement(paragraph, f"{{{A}}}fld", id="{B6F15528-1A2B-4C3D-8E9F-0123456789AB}")
    field.set("type", "slidenum")
    etree.SubElement(field, f"{{{A}}}t").text = "‹#›"
    end = paragraph.find(f"{{{A}}}endParaRPr")
    if end is not None:
        paragraph.remove(end)
        paragraph.append(end)
    files["ppt/slides/slide2.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return zipped(files)


def slide_texts(data: bytes, member: str) -> list[str]:
    return texts(part(data, member), A_T)


def test_pptx_is_registered_with_its_own_writer():
    fmt = reader_for("folien.pptx")
    assert fmt.name == "pptx" and fmt.binary and fmt.same_format
    assert fmt.mime.endswith("presentationml.presentation")
    source = read_bytes("folien.pptx", build())
    assert output_formats(source)[0].name == "pptx"


def test_pptx_reader_takes_slides_in_order_then_their_notes():
    source = read_bytes("folien.pptx", build())
    units = [u.of(source.text) for u in source.units]
    assert units[:9] == [
        "Bericht über die Stadt",
        "Der Dom ist alt.",
        "Der Rhein fließt vorbei.",
        "Mehr steht auf der Seite der Stadt.",
        "Erste Zeile.\nZweite Zeile.",
        "Einwohner",  # the slide number beside it is a field: kept, not read
        "Fluss",
        "Der Rhein",
        "Erste Gruppe",
    ]
    assert units.index("Sprechernotizen für die zweite Folie.") == 10
    assert "1.084.831" not in units  # numbers alone stay as they are


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_pptx_every_text_on_slides_and_notes_is_translated_once(order):
    data = build()
    _, _, output = round_trip("folien.pptx", data, order)
    for member in ("ppt/slides/slide1.xml", "ppt/slides/slide2.xml"):
        counts = letters(slide_texts(output, member))
        assert counts["left"] == 0 and counts["twice"] == 0 and counts["once"] > 20, member
    notes = [n for n in members(output) if n.startswith("ppt/notesSlides/notesSlide")]
    assert notes
    counts = letters(slide_texts(output, notes[0]))
    assert counts == {"once": sum(c.isalpha() for c in "Sprechernotizen für die zweite Folie."),
                      "left": 0, "twice": 0}  # fmt: skip


def skeleton(root) -> list:
    inline = {f"{{{A}}}{t}" for t in ("r", "rPr", "t", "br", "hlinkClick")}
    return [e.tag for e in root.iter() if isinstance(e.tag, str) and e.tag not in inline]


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_pptx_keeps_shapes_tables_groups_fields_and_link(order):
    data = build()
    _, _, output = round_trip("folien.pptx", data, order)
    for member in ("ppt/slides/slide1.xml", "ppt/slides/slide2.xml"):
        assert skeleton(part(output, member)) == skeleton(part(data, member))
    slide = part(output, "ppt/slides/slide1.xml")
    linked = [
        "".join(texts(r, A_T))
        for r in slide.iter(f"{{{A}}}r")
        if r.find(f"{{{A}}}rPr/{{{A}}}hlinkClick") is not None
    ]
    assert [t.strip(OPEN + CLOSE + " ") for t in linked] in (
        ["auf⟧ ⟦der⟧ ⟦Seite"],
        ["Seite⟧ ⟦der⟧ ⟦auf"],
    )
    field = next(part(output, "ppt/slides/slide2.xml").iter(f"{{{A}}}fld"))
    assert field.get("type") == "slidenum" and field.findtext(A_T) == "‹#›"
    table = part(output, "ppt/slides/slide2.xml")
    assert "1.084.831" in texts(table, A_T)
    lines = next(p for p in slide.iter(f"{{{A}}}p") if p.find(f"{{{A}}}br") is not None)
    assert len(lines.findall(f"{{{A}}}br")) == 1  # a break between sentences stays


def test_pptx_german_language_tags_become_english():
    _, _, output = round_trip("folien.pptx", build())
    langs = {e.get("lang") for e in part(output, "ppt/slides/slide1.xml").iter() if e.get("lang")}
    assert langs == {"en-US"}


def test_pptx_parts_without_text_are_written_back_byte_for_byte():
    data = build()
    _, _, output = round_trip("folien.pptx", data, "reverse")
    before, after = members(data), members(output)
    assert list(after) == list(before)
    changed = {n for n in before if before[n] != after[n]}
    assert changed and all(n.endswith(".xml") for n in changed)
    assert not any(n.startswith(("ppt/theme/", "ppt/media/", "docProps/app")) for n in changed)


@pytest.mark.parametrize(
    "name", ["python-pptx-groupshape.pptx", "python-pptx-tbl-cell.pptx", "poi-bar-chart.pptx"]
)
def test_pptx_real_files_come_back_translated_with_their_structure(name):
    data = (DATA / name).read_bytes()
    _, _, output = round_trip(name, data, "reverse")
    before, after = members(data), members(output)
    assert list(after) == list(before)
    for member in before:
        if member.startswith(("ppt/slides/slide", "ppt/charts/chart")) and member.endswith("xml"):
            root = part(output, member)
            assert skeleton(root) == skeleton(part(data, member)), member
            assert letters(texts(root, A_T))["left"] == 0, member


def test_pptx_real_speaker_notes_are_translated():
    data = (DATA / "python-pptx-sld-notes.pptx").read_bytes()
    _, _, output = round_trip("notes.pptx", data, "reverse")
    notes = [n for n in members(output) if n.startswith("ppt/notesSlides/notesSlide")]
    assert notes
    for member in notes:
        assert letters(slide_texts(output, member))["left"] == 0


def test_pptx_diagram_text_is_read_once_and_drawn_in_english_too():
    data = (DATA / "poi-smartart-simple.pptx").read_bytes()
    source, _, output = round_trip("smartart.pptx", data, "keep")
    units = [u.of(source.text) for u in source.units]
    assert units.count("abc") == 1  # the drawing's copy is the data's twin
    data_texts = slide_texts(output, "ppt/diagrams/data1.xml")
    drawn = slide_texts(output, "ppt/diagrams/drawing1.xml")
    assert (
        [t for t in data_texts if t.strip()]
        == [t for t in drawn if t.strip()]
        == [
            "⟦abc⟧",
            "⟦def⟧",
            "⟦ghi⟧",
        ]
    )


def test_pptx_bomb_and_damaged_xml_are_input_errors():
    files = members(build())
    bomb = dict(files)
    bomb["ppt/slides/slide1.xml"] = bomb["ppt/slides/slide1.xml"] + b" " * (40 * 2**20)
    with pytest.raises(InputError, match="zip bomb"):
        read_bytes("bombe.pptx", zipped(bomb))
    broken = dict(files)
    broken["ppt/slides/slide2.xml"] = broken["ppt/slides/slide2.xml"][:-15]
    with pytest.raises(InputError, match=r"slide2\.xml is not well-formed XML"):
        read_bytes("kaputt.pptx", zipped(broken))
    with pytest.raises(InputError, match="not a PowerPoint presentation"):
        read_bytes("leer.pptx", zipped({"[Content_Types].xml": files["[Content_Types].xml"]}))


def test_pptx_a_word_file_named_pptx_is_refused_clearly():
    from .fixtures.office import make_docx, p

    with pytest.raises(InputError, match="not a PowerPoint presentation"):
        read_bytes("falsch.pptx", make_docx(p("Hallo Welt.")))


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_pptx_two_formatted_tabs_at_one_place_both_stay_tabs_in_their_formatting(order):
    """An agenda line with two tabs of their own formatting before a number: the English has
    one space there, and each tab keeps its place and formatting (neither is lost)."""
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    paragraph = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    paragraph = paragraph.text_frame.paragraphs[0]
    for text, style in (("Einleitung", None), ("\t", "b"), ("\t", "i"), ("5", None)):
        run = paragraph.add_run()
        run.text = text
        if style:
            setattr(run.font, {"b": "bold", "i": "italic"}[style], True)
    data = io.BytesIO()
    deck.save(data)
    _, _, output = round_trip("agenda.pptx", data.getvalue(), order)
    root = part(output, "ppt/slides/slide1.xml")
    tabs = []
    for run in root.iter(f"{{{A}}}r"):
        props = run.find(f"{{{A}}}rPr")
        for char in "".join(run.itertext()):
            if char == "\t":
                tabs.append(sorted(k for k in ("b", "i") if props is not None and props.get(k)))
    assert sorted(tabs) == [["b"], ["i"]]
    assert letters(texts(root, A_T)) == {"once": 10, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_pptx_line_break_keeps_its_own_formatting(order):
    """A line break with properties of its own (the height of the line it ends) after a bold
    sentence keeps them, wherever the bold words go."""
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    paragraph = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    paragraph = paragraph.text_frame.paragraphs[0]
    bold = paragraph.add_run()
    bold.text = "Ideen erfolgreich umsetzen."
    bold.font.bold = True
    paragraph.add_run().text = "Mit Strategie begeistern wir alle Menschen."
    br = etree.SubElement(paragraph._p, f"{{{A}}}br")
    etree.SubElement(br, f"{{{A}}}rPr", sz="4000")
    bold._r.addnext(br)
    data = io.BytesIO()
    deck.save(data)
    _, _, output = round_trip("folie.pptx", data.getvalue(), order)
    root = part(output, "ppt/slides/slide1.xml")
    breaks = [b.find(f"{{{A}}}rPr") for b in root.iter(f"{{{A}}}br")]
    assert [None if p is None else p.get("sz") for p in breaks] == ["4000"]
    assert letters(texts(root, A_T)) == {"once": 61, "left": 0, "twice": 0}


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_pptx_formatted_spaces_and_a_line_break_at_one_place_give_one_line_break(order):
    """Spaces of their own formatting between the words of a line, and the line break after
    it in the same formatting: where a space and the break land on the English break, the
    break is written once (the line count stays)."""
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    paragraph = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    paragraph = paragraph.text_frame.paragraphs[0]
    for text in ("Gesten", " ", "für", " ", "Abstraktes"):
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(24) if text == " " else Pt(20)
    br = etree.SubElement(paragraph._p, f"{{{A}}}br")
    br.append(copy.deepcopy(paragraph.runs[1]._r.find(f"{{{A}}}rPr")))
    paragraph.add_run().text = "Unser Gehirn bildet Abstraktes räumlich ab!"
    data = io.BytesIO()
    deck.save(data)
    _, _, output = round_trip("gesten.pptx", data.getvalue(), order)
    root = part(output, "ppt/slides/slide1.xml")
    assert len(list(root.iter(f"{{{A}}}br"))) == 1
    assert letters(texts(root, A_T)) == {"once": 56, "left": 0, "twice": 0}
