"""Zip-based inputs are opened with limits: a bomb is refused before anything inflates it."""

from __future__ import annotations

import io
import zipfile

import pytest

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
