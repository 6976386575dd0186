"""XLIFF 2.1: valid against the OASIS core schema, the English as targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from translator.document import UNTRANSLATED
from translator.formats import read_bytes, write_bytes, xliff

from .fixtures.documents import make_document, upper

SCHEMA = etree.XMLSchema(
    etree.parse(str(Path(__file__).parent / "fixtures" / "schemas" / "xliff_core_2.0.xsd"))
)
NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


def valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert SCHEMA.validate(root), SCHEMA.error_log.filter_from_errors()
    assert root.get("version") == "2.1"
    assert (root.get("srcLang"), root.get("trgLang")) == ("de", "en")
    ids = [e.get("id") for e in root.iterfind(".//x:unit", NS)]
    assert len(ids) == len(set(ids))  # unit ids unique in the file
    segments = [e.get("id") for e in root.iterfind(".//x:segment", NS)]
    assert len(segments) == len(set(segments))  # segment ids unique in each unit (and file)
    return root


def test_xliff_units_are_paragraphs_and_segments_are_sentences(translator):
    data = "<h1>Über Köln</h1><p>Der Dom ist groß. Der Rhein fließt.</p><p>Ende.</p>"
    source = read_bytes("koeln.html", data.encode())
    document = translator.translate_text(source.text, paragraphs=source.units)
    root = valid(write_bytes(document, source, "xliff"))
    assert root.find("x:file", NS).get("original") == "koeln.html"
    units = root.findall(".//x:unit", NS)
    assert len(units) == len(document.paragraphs) == 3
    for unit, paragraph in zip(units, document.paragraphs, strict=True):
        joined = "".join(e.findtext("x:source", "", NS) for e in unit)
        assert joined == paragraph.source.of(document.source)
        targets = [s.findtext("x:target", None, NS) for s in unit.iterfind("x:segment", NS)]
        assert targets == [s.target.of(document.target) for s in paragraph.sentences]


def test_an_untranslated_sentence_has_no_target_and_initial_state():
    document = make_document("Eins. Zwei.", None, upper)
    document.paragraphs[0].sentences[1].flags.append(UNTRANSLATED)
    root = valid(xliff.write(document))
    segments = root.findall(".//x:segment", NS)
    assert [s.get("state") for s in segments] == ["translated", "initial"]
    assert segments[1].find("x:target", NS) is None


def test_the_schema_check_rejects_a_segment_without_source():
    root = etree.fromstring(xliff.write(make_document("Eins.", None, upper)))
    segment = root.find(".//x:segment", NS)
    segment.remove(segment.find("x:source", NS))
    with pytest.raises(AssertionError):
        valid(etree.tostring(root))


@pytest.mark.parametrize(
    "name", ["bericht\x01.txt", "bericht\udcff.txt", "bericht\x1b[31m.txt", "tab\tname.txt"]
)
def test_an_odd_file_name_still_gives_a_well_formed_file(name):
    """Guards the file's attributes: a name with a control character (or a surrogate standing
    for an undecodable byte of a file system name) made the XLIFF not well-formed."""
    source = read_bytes(name, b"Eins. Zwei.")
    document = make_document(source.text, source.units, upper)
    root = valid(write_bytes(document, source, "xliff"))
    original = root.find("x:file", NS).get("original")
    assert original.startswith("bericht") or original.startswith("tab")
    assert original.endswith("name.txt") or original.endswith(".txt")


def test_the_original_is_a_file_name_never_a_path():
    """Guards exports: a Source named by a path (the API allows it) put that path in the file."""
    source = read_bytes("brief.txt", b"Eins.")
    source.name = "/home/alice/private/brief.txt"
    root = valid(write_bytes(make_document(source.text, None, upper), source, "xliff"))
    assert root.find("x:file", NS).get("original") == "brief.txt"
