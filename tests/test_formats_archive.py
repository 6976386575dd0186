"""Zip-based inputs are opened with limits: a bomb is refused before anything inflates it."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from translator.errors import InputError
from translator.formats import archive


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_open_zip_reads_an_ordinary_archive():
    data = zipped({"word/document.xml": b"<w:document/>" * 100})
    with archive.open_zip(data, "a.docx", "a Word document") as z:
        assert archive.read_member(z, "word/document.xml", "a.docx") == b"<w:document/>" * 100


def test_open_zip_refuses_a_member_that_inflates_too_much(monkeypatch):
    monkeypatch.setattr(archive, "MAX_MEMBER", 2**20)
    data = zipped({"word/document.xml": b" " * (2**20 + 1)})
    with pytest.raises(InputError, match="zip bomb"):
        archive.open_zip(data, "bomb.docx", "a Word document")


def test_open_zip_refuses_a_high_ratio_member():
    data = zipped({"word/document.xml": b"a" * (8 * 2**20)})  # ~1000× smaller when deflated
    with pytest.raises(InputError, match="zip bomb"):
        archive.check_zip(data, "bomb.docx", "a Word document")


def test_open_zip_refuses_too_much_in_all(monkeypatch):
    monkeypatch.setattr(archive, "MAX_INFLATED", 300_000)
    members = {f"part{i}.xml": bytes(range(256)) * 500 for i in range(3)}
    with pytest.raises(InputError, match="zip bomb"):
        archive.open_zip(zipped(members), "many.epub", "an EPUB book")


def test_open_zip_says_what_a_non_zip_is():
    with pytest.raises(InputError, match="not a readable zip archive"):
        archive.open_zip(b"PK\x03\x04 not really", "x.docx", "a Word document")


def test_zip_package_writes_back_unchanged_members_byte_for_byte_in_their_order():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        z.writestr("Pictures/", b"")
        z.writestr("content.xml", b"<a><b>Hallo</b></a>", zipfile.ZIP_DEFLATED)
        z.writestr("Pictures/bild.png", bytes(range(256)), zipfile.ZIP_DEFLATED)
    package = archive.ZipPackage(out.getvalue(), "x.odt", "an OpenDocument text")
    package.xml("content.xml")[0].text = "Hello"
    package.touch("content.xml")
    saved = zipfile.ZipFile(io.BytesIO(package.save()))
    assert [i.filename for i in saved.infolist()] == [
        "mimetype",
        "Pictures/",
        "content.xml",
        "Pictures/bild.png",
    ]
    assert saved.infolist()[0].compress_type == zipfile.ZIP_STORED
    assert saved.read("Pictures/bild.png") == bytes(range(256))
    assert b"<b>Hello</b>" in saved.read("content.xml")


def test_zip_package_finds_parts_whatever_their_case_and_parses_without_entities():
    data = zipped(
        {
            "Word/Document.xml": b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        }
    )
    package = archive.ZipPackage(data, "x.docx", "a Word document")
    assert package.member("/word/document.xml") == "Word/Document.xml"
    root = package.xml("word/document.xml")
    assert "root:" not in "".join(root.itertext())
    package.touch("word/document.xml")  # written back well-formed, the reference dropped
    saved = zipfile.ZipFile(io.BytesIO(package.save())).read("Word/Document.xml")
    assert etree.fromstring(saved).tag == "a" and b"&e;" not in saved


def test_zip_package_refuses_a_damaged_member_when_it_is_opened():
    data = bytearray(zipped({"a.xml": b"<a>" + b"Hallo Welt " * 200 + b"</a>"}))
    start = data.index(b"a.xml") + len("a.xml")
    data[start + 10] ^= 0xFF  # a byte of the compressed data
    with pytest.raises(InputError, match="damaged"):
        archive.ZipPackage(bytes(data), "x.docx", "a Word document")


def test_zip_package_says_an_encrypted_office_file_is_password_protected():
    with pytest.raises(InputError, match="password-protected"):
        archive.ZipPackage(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "x.docx", ".docx")
