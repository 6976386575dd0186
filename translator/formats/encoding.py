"""Bytes → text for files that don't say their encoding: UTF-8, UTF-16/32, or legacy Windows-1252.

The rule is fixed, not guessed: a byte-order mark decides; else valid UTF-8 is UTF-8; else the
text is Windows-1252 (a superset of Latin-1's printable characters, and what German files from
Windows editors are), and the five bytes Windows-1252 leaves undefined fall back to Latin-1. UTF-16
without a mark is recognised by its zero bytes. A statistical detector (charset-normalizer) was
tried and rejected: on short German text it answers EBCDIC or Shift-JIS ("Größe" → cp037), while
this rule decodes every umlaut right in UTF-8, Windows-1252 and Latin-1 files.
"""

from __future__ import annotations

import codecs

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """``(text, encoding)``: the text without a byte-order mark, and the codec that writes it back.

    Raises ``InputError`` for binary data.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), label
            except UnicodeDecodeError as error:
                raise InputError(
                    f"{name} starts with a {label} byte-order mark but isn't {label} "
                    f"(byte {error.start + len(bom)})"
                ) from error
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec is None:
            raise InputError(f"{name} is a binary file, not text")
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as error:
            raise InputError(f"{name} is a binary file, not text") from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text, codec = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, codec = data.decode("latin-1"), "latin-1"
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):
        raise InputError(f"{name} is a binary file, not text")
    return text, codec


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: most characters of a German text have a zero high byte."""
    if len(data) % 2:
        return None
    pairs = len(data) // 2
    odd_zeros = sum(1 for b in data[1::2] if b == 0)
    even_zeros = sum(1 for b in data[0::2] if b == 0)
    if odd_zeros >= 0.5 * pairs and even_zeros <= 0.05 * pairs:
        return "utf-16-le"
    if even_zeros >= 0.5 * pairs and odd_zeros <= 0.05 * pairs:
        return "utf-16-be"
    return None
