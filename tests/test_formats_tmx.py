"""TMX 1.4b: well-formed, valid against the LISA DTD, one unit per translated sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from translator.document import COPIED
from translator.formats import text_source, tmx, write_bytes

from .fixtures.documents import make_document, upper

DTD = etree.DTD(str(Path(__file__).parent / "fixtures" / "schemas" / "tmx14.dtd"))
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    assert DTD.validate(root), DTD.error_log.filter_from_errors()
    return root


def test_tmx_has_one_unit_per_sentence_with_german_and_english(translator, seed_text):
    document = translator.translate_text(seed_text)
    root = valid(write_bytes(document, text_source(seed_text), "tmx"))
    assert root.get("version") == "1.4"
    assert root.find("header").get("srclang") == "de"
    units = root.findall("body/tu")
    pairs = [
        (de, en)
        for s, (de, en) in zip(document.sentences, document.pairs(), strict=True)
        if COPIED not in s.flags
    ]
    assert len(units) == len(pairs) >= 20
    for unit, (german, english) in zip(units, pairs, strict=True):
        variants = unit.findall("tuv")
        assert [v.get(XML_LANG) for v in variants] == ["de", "en"]
        assert [v.findtext("seg") for v in variants] == [german, english]


def test_sentences_without_text_and_control_characters_stay_out():
    text = "Hallo\x0b Welt.\n\n***\n\nTschüss."
    document = make_document(text, None, upper)
    assert document.paragraphs[1].sentences[0].flags == [COPIED]
    root = valid(tmx.write(document))
    assert [tu.findtext("tuv/seg") for tu in root.iter("tu")] == ["Hallo Welt.", "Tschüss."]


def test_the_dtd_check_rejects_a_unit_without_language():
    document = make_document("Hallo Welt.", None, upper)
    root = etree.fromstring(tmx.write(document))
    del root.find("body/tu/tuv").attrib[XML_LANG]
    with pytest.raises(AssertionError):
        valid(etree.tostring(root))
