"""Naming a binary file by its first bytes, so "not text" can say what it is instead.

Only signatures that hold a byte no text file starts with (a control character or a byte above
ASCII that no German text begins with) decide on their own: ``looks_binary`` trusts those
whatever follows, because an image may hold long runs of bytes that decode as Windows-1252
letters.
Signatures made of printable ASCII (``%PDF-``, ``GIF89a``, ``BM``) only name a file already found
to be binary, so a text that starts with "BMW" is still text. A table of two dozen entries is
all that is needed; the libraries that guess file types (filetype, puremagic) match the weak
ASCII signatures too, which would turn such text away.
"""

from __future__ import annotations

from typing import NamedTuple


class Signature(NamedTuple):
    offset: int
    magic: bytes
    kind: str


SIGNATURES: tuple[Signature, ...] = (
    Signature(0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    Signature(0, b"\xff\xd8\xff", "a JPEG image"),
    Signature(0, b"GIF87a", "a GIF image"),
    Signature(0, b"GIF89a", "a GIF image"),
    Signature(0, b"II*\x00", "a TIFF image"),
    Signature(0, b"MM\x00*", "a TIFF image"),
    Signature(0, b"\x00\x00\x01\x00", "an icon"),
    Signature(8, b"WEBP", "a WebP image"),
    Signature(8, b"WAVE", "a WAV recording"),
    Signature(8, b"AVI ", "an AVI video"),
    Signature(4, b"ftyp", "an MP4 video or audio file"),
    Signature(0, b"\x1aE\xdf\xa3", "a Matroska or WebM video"),
    Signature(0, b"OggS\x00", "an Ogg audio or video file"),
    Signature(0, b"fLaC", "a FLAC recording"),
    Signature(0, b"ID3", "an MP3 recording"),
    Signature(0, b"%PDF-", "a PDF document (convert it to .docx or .txt first)"),
    Signature(
        0,
        b"PK\x03\x04",
        "a ZIP archive (a Word .docx is one too: give it its .docx name)",
    ),
    Signature(0, b"PK\x05\x06", "an empty ZIP archive"),
    Signature(0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc, .xls)"),
    Signature(0, b"\x1f\x8b", "a gzip archive"),
    Signature(0, b"BZh", "a bzip2 archive"),
    Signature(0, b"\xfd7zXZ\x00", "an xz archive"),
    Signature(0, b"7z\xbc\xaf'\x1c", "a 7-Zip archive"),
    Signature(0, b"Rar!\x1a\x07", "a RAR archive"),
    Signature(0, b"(\xb5/\xfd", "a Zstandard archive"),
    Signature(257, b"ustar", "a tar archive"),
    Signature(0, b"SQLite format 3\x00", "an SQLite database"),
    Signature(0, b"\x7fELF", "a program (ELF)"),
    Signature(0, b"MZ", "a Windows program"),
    Signature(0, b"\xca\xfe\xba\xbe", "a Java class or macOS program"),
    Signature(0, b"\xcf\xfa\xed\xfe", "a macOS program"),
    Signature(0, b"\x00asm", "a WebAssembly module"),
    Signature(0, b"BM", "a BMP image"),
)

_TEXT_BYTES = frozenset(b"\t\n\r\x0c" + bytes(range(0x20, 0x7F)))


def _matches(data: bytes, signature: Signature) -> bool:
    return data[signature.offset : signature.offset + len(signature.magic)] == signature.magic


def _is_strong(signature: Signature) -> bool:
    """At the very start, and holding a control character or a byte above ASCII."""
    return signature.offset == 0 and any(b not in _TEXT_BYTES for b in signature.magic)


def binary_kind(data: bytes) -> str | None:
    """What a file that is known not to be text looks like ("a PNG image"), if it is known."""
    return next((s.kind for s in SIGNATURES if _matches(data, s)), None)


def looks_binary(data: bytes) -> str | None:
    """The kind of a file whose first bytes alone say it is not text, else None."""
    return next((s.kind for s in SIGNATURES if _is_strong(s) and _matches(data, s)), None)
