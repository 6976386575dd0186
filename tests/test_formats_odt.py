"""OpenDocument text: paragraphs, headings, lists, tables, frames, notes, comments, headers and
footers in English; spans, links, spaces and every other element kept."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from translator import InputError, Translator
from translator.formats import output_formats, read_bytes, reader_for, write_bytes
from translator.testing import StandInBackend

from .fixtures.office import CLOSE, OPEN, letters, members, part, round_trip, zipped

DATA = Path(__file__).parent / "data" / "odt"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
NS = (
    f'xmlns:office="{OFFICE}" xmlns:text="{TEXT}" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"'
)
URL = "https://example.org/koeln"
BODY = (
    '<text:h text:outline-level="1">Bericht über die Stadt</text:h>'
    '<text:p>Der <text:s/>Dom ist <text:span text:style-name="T1">sehr</text:span> groß.'
    '<text:note text:id="ftn1" text:note-class="footnote">'
    "<text:note-citation>1</text:note-citation>"
    "<text:note-body><text:p>Gebaut ab 1248.</text:p></text:note-body></text:note>"
    f' Mehr steht <text:a xlink:type="simple" xlink:href="{URL}">auf der Seite</text:a>'
    " der Stadt.</text:p>"
    "<text:p>  Eingerückt<text:tab/>nach dem Tabulator<text:line-break/>und neue Zeile."
    "<office:annotation><dc:creator>Anna</dc:creator><text:p>Bitte prüfen.</text:p>"
    "</office:annotation></text:p>"
    '<text:p><draw:frame draw:name="Rahmen" svg:width="5cm" svg:height="2cm"><draw:text-box>'
    "<text:p>Im Rahmen steht Text.</text:p></draw:text-box></draw:frame></text:p>"
    "<table:table><table:table-row><table:table-cell><text:p>Einwohner</text:p>"
    "</table:table-cell><table:table-cell><text:p>1.084.831</text:p></table:table-cell>"
    "</table:table-row></table:table>"
    "<text:list><text:list-item><text:p>Erster Punkt der Liste</text:p></text:list-item>"
    "</text:list>"
)


def make_odt(body: str = BODY, *, pretty: bool = False) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}>'
        '<office:automatic-styles><style:style style:name="T1" style:family="text">'
        '<style:text-properties fo:font-weight="bold" fo:language="de" fo:country="DE"/>'
        "</style:style></office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    if pretty:
        content = content.replace("<text:p>", "<text:p>\n      ").replace(
            "</text:p>", "\n</text:p>"
        )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NS}><office:styles>'
        '<style:default-style style:family="paragraph"><style:text-properties '
        'fo:language="de" fo:country="DE"/></style:default-style></office:styles>'
        '<office:master-styles><style:master-page style:name="Standard"><style:header>'
        "<text:p>Kopfzeile des Berichts</text:p></style:header><style:footer>"
        "<text:p>Seite <text:page-number>1</text:page-number></text:p></style:footer>"
        "</style:master-page></office:master-styles></office:document-styles>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NS}><office:meta>'
        "<dc:title>Bericht über Köln</dc:title><dc:language>de-DE</dc:language>"
        "</office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>'
    )
    return zipped(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": content,
            "styles.xml": styles,
            "meta.xml": meta,
            "META-INF/manifest.xml": manifest,
        },
        first_stored="mimetype",
    )


def shown(element) -> list[str]:
    """A paragraph's text as shown: its own text, spaces and tabs; nested paragraphs apart."""
    out = [element.text or ""]
    for child in element:
        local = etree.QName(child).localname
        if local == "s":
            out.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif local == "tab":
            out.append("\t")
        elif local == "line-break":
            out.append("\n")
        elif local in ("span", "a", "bookmark-ref", "text-input"):
            out.extend(shown(child))
        out.append(child.tail or "")
    return out


def all_shown(data: bytes) -> list[str]:
    out = []
    for member in ("content.xml", "styles.xml"):
        root = part(data, member)
        for paragraph in root.iter(f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
            out.extend(shown(paragraph))
    return out


def test_odt_is_registered_with_its_own_writer():
    fmt = reader_for("bericht.odt")
    assert fmt.name == "odt" and fmt.binary and fmt.same_format
    assert fmt.mime == "application/vnd.oasis.opendocument.text"
    assert output_formats(read_bytes("bericht.odt", make_odt()))[0].name == "odt"


def test_odt_reader_takes_every_paragraph_in_reading_order():
    source = read_bytes("bericht.odt", make_odt())
    units = [u.of(source.text) for u in source.units]
    assert units == [
        "Bericht über die Stadt",
        "Der  Dom ist sehr groß. Mehr steht auf der Seite der Stadt.",
        "Gebaut ab 1248.",
        "Eingerückt\tnach dem Tabulator\nund neue Zeile.",
        "Bitte prüfen.",
        "Im Rahmen steht Text.",
        "Einwohner",
        "Erster Punkt der Liste",
        "Kopfzeile des Berichts",
        "Seite ",  # the page number is a field: the office program fills it in
        "Bericht über Köln",
    ]


def test_odt_reads_white_space_as_office_suites_show_it():
    pretty = read_bytes("bericht.odt", make_odt(pretty=True))
    plain = read_bytes("bericht.odt", make_odt())
    assert [u.of(pretty.text) for u in pretty.units] == [u.of(plain.text) for u in plain.units]


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_odt_everything_people_read_is_translated_once(order):
    _, _, output = round_trip("bericht.odt", make_odt(), order)
    counts = letters(all_shown(output))
    assert counts["left"] == 0 and counts["twice"] == 0 and counts["once"] > 150
    title = part(output, "meta.xml").find(f".//{{{'http://purl.org/dc/elements/1.1/'}}}title")
    assert letters([title.text]) == {"once": len("BerichtüberKöln"), "left": 0, "twice": 0}


def skeleton(root) -> list[str]:
    inline = {f"{{{TEXT}}}{t}" for t in ("span", "s", "tab", "line-break")}
    return [e.tag for e in root.iter() if isinstance(e.tag, str) and e.tag not in inline]


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_odt_keeps_every_element_link_note_frame_and_field(order):
    data = make_odt()
    _, _, output = round_trip("bericht.odt", data, order)
    for member in ("content.xml", "styles.xml"):
        assert skeleton(part(output, member)) == skeleton(part(data, member)), member
    content = part(output, "content.xml")
    link = next(content.iter(f"{{{TEXT}}}a"))
    assert link.get("{http://www.w3.org/1999/xlink}href") == URL
    assert "".join(link.itertext()).strip(OPEN + CLOSE) in (
        "auf⟧ ⟦der⟧ ⟦Seite",
        "Seite⟧ ⟦der⟧ ⟦auf",
    )
    assert next(content.iter(f"{{{TEXT}}}note-citation")).text == "1"
    assert next(part(output, "styles.xml").iter(f"{{{TEXT}}}page-number")).text == "1"
    assert "Anna" in "".join(content.itertext())  # the comment's author stays


def test_odt_spaces_tabs_and_breaks_between_sentences_come_back_as_they_were():
    body = (
        '<text:p><text:s text:c="3"/>Eingerückt.<text:s text:c="2"/>Zwei Leerzeichen davor.'
        "<text:tab/>Danach.<text:line-break/>Neue Zeile.</text:p>"
    )
    data = make_odt(body)
    source = read_bytes("bericht.odt", data)
    assert source.text.startswith("   Eingerückt.  Zwei Leerzeichen davor.\tDanach.\nNeue")
    same = Translator(backend=StandInBackend(transform=str), cache=False, retry_degenerate=False)
    document = same.translate_text(source.text, paragraphs=source.units)
    output = write_bytes(document, source, "odt")
    paragraph = next(part(output, "content.xml").iter(f"{{{TEXT}}}p"))
    assert "".join(shown(paragraph)) == "".join(shown(next(part(data, "content.xml").iter(
        f"{{{TEXT}}}p"))))  # fmt: skip
    assert [etree.QName(e).localname for e in paragraph] == ["s", "s", "tab", "line-break"]


def test_odt_package_keeps_its_mimetype_first_and_other_parts_byte_for_byte():
    data = make_odt()
    _, _, output = round_trip("bericht.odt", data, "reverse")
    with zipfile.ZipFile(io.BytesIO(output)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    before, after = members(data), members(output)
    assert list(after) == list(before)
    assert after["META-INF/manifest.xml"] == before["META-INF/manifest.xml"]


def test_odt_german_language_becomes_english():
    _, _, output = round_trip("bericht.odt", make_odt())
    fo = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
    for member in ("content.xml", "styles.xml"):
        languages = {
            (e.get(f"{{{fo}}}language"), e.get(f"{{{fo}}}country"))
            for e in part(output, member).iter()
            if e.get(f"{{{fo}}}language")
        }
        assert languages == {("en", "US")}
    language = part(output, "meta.xml").find(".//{http://purl.org/dc/elements/1.1/}language")
    assert language.text == "en-US"


@pytest.mark.parametrize(
    "name",
    [
        "odfpy-headerfooter.odt",
        "odfpy-simpletable.odt",
        "odfpy-twolevellist.odt",
        "odfpy-Electra.odt",
    ],
)
def test_odt_real_files_come_back_translated_with_their_structure(name):
    data = (DATA / name).read_bytes()
    _, _, output = round_trip(name, data, "reverse")
    for member in ("content.xml", "styles.xml"):
        assert skeleton(part(output, member)) == skeleton(part(data, member)), member
    counts = letters(all_shown(output))
    assert counts["left"] == 0 and counts["twice"] == 0 and counts["once"] > 10


def test_odt_bomb_damage_and_other_kinds_are_input_errors():
    files = members(make_odt())
    bomb = dict(files)
    bomb["content.xml"] = bomb["content.xml"] + b" " * (40 * 2**20)
    with pytest.raises(InputError, match="zip bomb"):
        read_bytes("bombe.odt", zipped(bomb, first_stored="mimetype"))
    broken = dict(files)
    broken["styles.xml"] = broken["styles.xml"][:-12]
    with pytest.raises(InputError, match=r"styles\.xml is not well-formed XML"):
        read_bytes("kaputt.odt", zipped(broken, first_stored="mimetype"))
    sheet = dict(files)
    sheet["mimetype"] = b"application/vnd.oasis.opendocument.spreadsheet"
    with pytest.raises(InputError, match="OpenDocument spreadsheet, not a text document"):
        read_bytes("tabelle.odt", zipped(sheet, first_stored="mimetype"))
    locked = dict(files)
    locked["META-INF/manifest.xml"] = locked["META-INF/manifest.xml"].replace(
        b"</manifest:manifest>", b"<manifest:encryption-data/></manifest:manifest>"
    )
    with pytest.raises(InputError, match="password-protected"):
        read_bytes("geheim.odt", zipped(locked, first_stored="mimetype"))


def test_odt_written_by_libreoffice_keeps_its_link_note_and_shape_text():
    data = (DATA / "libreoffice-bericht.odt").read_bytes()
    source, _, output = round_trip("bericht.odt", data, "reverse")
    units = [u.of(source.text).strip() for u in source.units]
    for german in ("Gebaut ab 1248.", "Im Kasten steht ein Hinweis.", "Kopfzeile des Berichts"):
        assert german in units
    content = part(output, "content.xml")
    link = next(content.iter(f"{{{TEXT}}}a"))
    assert link.get("{http://www.w3.org/1999/xlink}href") == "https://www.stadt-koeln.de/"
    assert sorted(w.strip(OPEN + CLOSE + " ") for w in "".join(link.itertext()).split("⟧ ⟦")) == [
        "Seite", "Stadt", "auf", "der", "der",
    ]  # fmt: skip
    assert next(content.iter(f"{{{TEXT}}}note-citation")).text == "1"


def test_odt_form_input_and_cross_reference_show_english_fields_the_program_fills_stay():
    body = (
        '<text:h text:outline-level="1"><text:bookmark-start text:name="b1"/>Die Brücken'
        '<text:bookmark-end text:name="b1"/></text:h>'
        '<text:p>Siehe <text:bookmark-ref text:reference-format="text" text:ref-name="b1">'
        "Die Brücken</text:bookmark-ref> auf Seite <text:page-number>2</text:page-number>. "
        '<text:text-input text:description="Name">Hier den Namen eintragen</text:text-input>'
        "</text:p>"
    )
    _, _, output = round_trip("felder.odt", make_odt(body), "reverse")
    content = part(output, "content.xml")
    reference = next(content.iter(f"{{{TEXT}}}bookmark-ref"))
    assert reference.get(f"{{{TEXT}}}ref-name") == "b1"
    assert sorted("".join(reference.itertext()).strip(OPEN + CLOSE).split("⟧ ⟦")) == [
        "Brücken",
        "Die",
    ]  # its own words, in English order (the stand-in's brackets may stand outside)
    typed = next(content.iter(f"{{{TEXT}}}text-input"))
    assert typed.get(f"{{{TEXT}}}description") == "Name"
    paragraph = next(content.iter(f"{{{TEXT}}}p"))
    assert letters(shown(paragraph)) == {"once": 44, "left": 0, "twice": 0}
    assert next(content.iter(f"{{{TEXT}}}page-number")).text == "2"


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_odt_two_tabs_in_spans_of_their_own_at_one_place_both_stay_in_their_spans(order):
    """A table of contents line with two tabs, each in a span of its own, before the page
    number: the English has one space there, and each tab keeps its place and its span."""
    body = (
        '<text:p>Einleitung<text:span text:style-name="T1"><text:tab/></text:span>'
        '<text:span text:style-name="T2"><text:tab/></text:span>5</text:p>'
    )
    _, _, output = round_trip("inhalt.odt", make_odt(body), order)
    paragraph = next(part(output, "content.xml").iter(f"{{{TEXT}}}p"))
    tabs = list(paragraph.iter(f"{{{TEXT}}}tab"))
    assert sorted(t.getparent().get(f"{{{TEXT}}}style-name") for t in tabs) == ["T1", "T2"]
    assert letters(shown(paragraph)) == {"once": 10, "left": 0, "twice": 0}
