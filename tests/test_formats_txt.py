"""Plain text: encodings decoded right (umlauts!), the English written as UTF-8."""

from __future__ import annotations

import codecs

import pytest

from translator import InputError, translate
from translator.formats import read_bytes

GERMAN = "Größe, Übermut und Ärger – „Straße“ für 5 €.\n\nZweiter Absatz: öffentlich."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (GERMAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + GERMAN.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be"), "utf-16"),
        (GERMAN.encode("utf-16-le"), "utf-16-le"),
        (GERMAN.encode("cp1252"), "cp1252"),
    ],
)
def test_text_files_decode_in_every_common_encoding(data, encoding):
    source = read_bytes("artikel.txt", data)
    assert source.text == GERMAN
    assert source.encoding == encoding


def test_a_latin1_file_decodes_its_umlauts():
    german = "Grüße aus Köln, Maß und Öl."
    assert read_bytes("a.txt", german.encode("latin-1")).text == german
    with_c1 = "Größe\x81"  # a byte Windows-1252 leaves undefined: Latin-1 it is
    assert read_bytes("a.txt", with_c1.encode("latin-1")).text == with_c1


def test_a_binary_file_is_refused():
    with pytest.raises(InputError, match="binary"):
        read_bytes("bild.txt", bytes(range(256)) * 4)


def test_a_legacy_file_comes_out_as_utf8_english(model_dir, tmp_path):
    path = tmp_path / "alt.txt"
    path.write_bytes(GERMAN.encode("cp1252"))
    document = translate(path, tmp_path / "alt.en.txt", model=str(model_dir))
    assert document.source == GERMAN
    assert (tmp_path / "alt.en.txt").read_bytes() == document.target.encode("utf-8")
