"""Bytes to text: web pages decoded as browsers decode them, written back safely; a byte-order
mark is no proof of text."""

from __future__ import annotations

import codecs
from pathlib import Path

import html5lib
import pytest

from translator import InputError, Translator
from translator.formats import htmlpage, read_bytes
from translator.formats.encoding import decode, decode_web, encoding_name, prescan
from translator.testing import StandInBackend

from .fixtures.skeleton import html_skeleton

SUITE = Path(__file__).parent / "data" / "html" / "html5lib-tests" / "encoding"


def _prescan_cases():
    for path in sorted(SUITE.glob("*.dat")):
        for number, block in enumerate(path.read_bytes().split(b"#data\n")[1:]):
            data, _, expected = block.partition(b"\n#encoding\n")
            label = expected.strip().split(b"\n")[0].decode()
            yield pytest.param(data, encoding_name(label), id=f"{path.stem}-{number}")


@pytest.mark.parametrize(("data", "expected"), list(_prescan_cases()))
def test_the_prescan_finds_what_browsers_find_in_the_first_1024_bytes(data, expected):
    if data.startswith(codecs.BOM_UTF8):
        assert decode_web(data, "p.html").encoding == expected
    elif len(data) > 1024 and expected != "windows-1252":  # a browser's second look (below)
        assert decode_web(data, "p.html", prescan(data)).encoding == expected
    else:
        assert (prescan(data[:1024]) or "windows-1252") == expected


def translated(data: bytes) -> tuple[str, bytes]:
    source = read_bytes("seite.html", data)
    translator = Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)
    document = translator.translate_text(source.text, paragraphs=source.units)
    return source.text, htmlpage.write(document, source)


ATTACK = b"<p>Ein Satz +ADw-img src=x onerror=alert(1)+AD4- hier.</p>"


@pytest.mark.parametrize(
    "declaration",
    [
        b'<meta charset="utf-7">',
        b'<meta http-equiv="Content-Type" content="text/html; charset=UTF-7">',
        b'<meta charset="unicode_escape">',
        b'<meta charset="raw_unicode_escape"><meta charset="utf-7">',
        b'<?xml version="1.0" encoding="utf-7"?>',
    ],
)
def test_a_declared_utf7_or_python_codec_never_turns_text_into_markup(declaration):
    page = declaration + ATTACK
    text, written = translated(page)
    assert "+ADw-img" in text  # read as the ASCII it is
    elements = {item[1] for item in html_skeleton(written) if item[0] == "start"}
    assert "img" not in elements
    assert b"+ADW-IMG SRC=X ONERROR=ALERT(1)+AD4-" in written
    assert b"utf-7" not in written.lower() and b"unicode_escape" not in written
    escaped = b'<meta charset="unicode_escape"><p>\\u003cimg src=x onerror=alert(1)\\u003e</p>'
    assert b"<img" not in translated(escaped)[1].lower()


def test_a_meta_that_says_utf16_on_8_bit_bytes_means_utf8():
    page = '<meta charset="utf-16"><p>Grüße aus Köln.</p>'.encode()
    text, written = translated(page)
    assert text == "Grüße aus Köln."
    assert written == '<meta charset="utf-8"><p>GRÜSSE AUS KÖLN.</p>'.encode()


def test_the_byte_order_mark_decides_over_the_meta():
    page = codecs.BOM_UTF16_LE + '<meta charset="windows-1252"><p>Grüße</p>'.encode("utf-16-le")
    text, written = translated(page)
    assert text == "Grüße"
    assert written.startswith(codecs.BOM_UTF16_LE)
    assert "<p>GRÜSSE</p>" in written[2:].decode("utf-16-le")


def test_east_asian_pages_come_back_in_their_encoding_and_iso_2022_jp_as_utf8():
    page = '<meta charset="shift_jis"><p>Hallo 日本語 Welt.</p>'
    _, written = translated(page.encode("cp932"))
    assert written == page.replace("Hallo", "HALLO").replace("Welt", "WELT").encode("cp932")
    page = '<meta charset="iso-2022-jp"><p>Hallo 日本語 Welt.</p>'
    _, written = translated(page.encode("iso2022_jp"))
    assert written == '<meta charset="utf-8"><p>HALLO 日本語 WELT.</p>'.encode()


def test_a_meta_found_after_the_first_1024_bytes_counts_too():
    page = "<!--" + "x" * 2000 + '--><meta charset="shift_jis"><p>Hallo 日本語.</p>'
    text, written = translated(page.encode("cp932"))
    assert text == "Hallo 日本語."
    assert written.decode("cp932").endswith("<p>HALLO 日本語.</p>")


@pytest.mark.parametrize(
    ("page", "encoding", "text"),
    [  # the markup reads the same either way: the bytes decide, and the page says so after
        ('<meta charset="iso-8859-1"><p>Grüße</p>'.encode(), "utf-8", "Grüße"),
        ('<meta charset="utf-8"><p>Grüße</p>'.encode("cp1252"), "windows-1252", "Grüße"),
        ('<?xml version="1.0" encoding="utf-8"?><p>Grüße</p>'.encode("cp1252"), "windows-1252", ""),
    ],
)
def test_a_declaration_the_bytes_contradict_is_corrected(page, encoding, text):
    source = read_bytes("p.html", page)
    assert source.state.page.encoding == encoding
    _, written = translated(page)
    assert f'"{encoding}"'.encode() in written
    assert html_skeleton(written)[-3:] == html_skeleton(page)[-3:]


def test_unreadable_bytes_outside_the_text_come_back_unchanged():
    german = "Grüße aus Köln, schöne Größe: ".encode()
    page = b'<meta charset="utf-8"><p data-x="a\xff\xfeb">' + german + b"\x84hier\x93.</p>"
    text, written = translated(page)
    assert text == "Grüße aus Köln, schöne Größe: „hier“."  # a stray byte read as Windows-1252
    english = "GRÜSSE AUS KÖLN, SCHÖNE GRÖSSE: „HIER“.".encode()
    assert written == b'<meta charset="utf-8"><p data-x="a\xff\xfeb">' + english + b"</p>"


def test_browsers_refuse_utf32_and_the_replacement_encoding_and_so_does_the_reader():
    with pytest.raises(InputError, match="UTF-32"):
        read_bytes("p.html", codecs.BOM_UTF32_LE + "<p>Hallo</p>".encode("utf-32-le"))
    with pytest.raises(InputError, match="refuse to read"):
        read_bytes("p.html", b'<meta charset="iso-2022-kr"><p>Hallo</p>')


@pytest.mark.parametrize("name", ["text.txt", "notiz.md", "film.srt", "seite.html"])
@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"Hallo\x00\x00\x00\x01\x02 Welt",
        codecs.BOM_UTF16_LE + b"H\x00a\x00\x00\x00\x00\x00l\x00",
        codecs.BOM_UTF8 + b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
    ids=["utf8-nul", "utf16-nul", "utf8-png"],
)
def test_a_byte_order_mark_followed_by_nul_bytes_is_still_binary(name, data):
    with pytest.raises(InputError, match="binary file, not text"):
        read_bytes(name, data)


def test_text_with_a_byte_order_mark_is_still_text():
    assert decode(codecs.BOM_UTF8 + "Größe".encode(), "a.txt") == ("Größe", "utf-8-sig")
    assert decode(codecs.BOM_UTF16_LE + "Größe".encode("utf-16-le"), "a.txt") == (
        "Größe",
        "utf-16",
    )


def test_characters_the_encoding_lacks_become_character_references():
    page = decode_web("<p>Grüße</p>".encode("cp1252"), "p.html")
    assert page.output == "windows-1252"
    assert page.encode("<p>✓ Köln</p>") == b"<p>&#10003; K\xf6ln</p>"
    parsed = html5lib.parse(page.encode("<p>✓ Köln</p>"), treebuilder="etree")
    assert "✓ Köln" in "".join(parsed.itertext())
