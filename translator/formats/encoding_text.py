"""Bytes → text for files that say nothing of their encoding (UTF-8, UTF-16, Windows-1252).

The rule is fixed, not guessed: a byte-order mark decides; else valid UTF-8 is UTF-8; else the
text is Windows-1252 (a superset of Latin-1's printable characters, and what German files from
Windows editors are), and the five bytes Windows-1252 leaves undefined fall back to Latin-1. UTF-16
without a mark is recognised by its zero bytes. A statistical detector (charset-normalizer) was
tried and rejected: on short German text it answers EBCDIC or Shift-JIS ("Größe" → cp037), while
this rule decodes every umlaut right in UTF-8, Windows-1252 and Latin-1 files.

A UTF-8 file with a few stray legacy bytes (a Windows-1252 snippet pasted in) is mostly UTF-8:
reading it all as Windows-1252 would garble every umlaut ("GrÃ¶ÃŸe"), so only the stray bytes are
read as Windows-1252. Nothing is dropped: every byte becomes a character. Files that are not text
at all (NUL bytes, many control characters, or a known binary signature) are refused with a
message that says what they look like, whether or not they start with a byte-order mark.
"""

from __future__ import annotations

import codecs
import re

from ..errors import InputError
from .sniff import binary_kind, looks_binary

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
            kind = looks_binary(data[len(bom) :])
            if kind is not None:  # a mark is no proof of text
                raise InputError(f"{name} is a binary file, not text: it looks like {kind}")
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as error:
                raise InputError(
                    f"{name} starts with a {label} byte-order mark but isn't {label} "
                    f"(byte {error.start + len(bom)})"
                ) from error
            check_text(text, data[len(bom) :], name)
            return text, label
    kind = looks_binary(data)
    if kind is not None:
        raise InputError(f"{name} is a binary file, not text: it looks like {kind}")
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        why = f"it holds NUL bytes, the first at byte {data.index(0)}"
        if codec is None:
            raise binary_error(name, data, why)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as error:
            raise binary_error(name, data, why) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if mostly_utf8(data):
        return data.decode("utf-8", errors=_LEGACY_BYTES), "utf-8"
    try:
        text, codec = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, codec = data.decode("latin-1"), "latin-1"
    check_text(text, data, name)
    return text, codec


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def check_text(text: str, data: bytes, name: str) -> None:
    """Refuse decoded ``text`` that is not text: a binary signature, NUL characters or more than
    a few control characters (``InputError``)."""
    kind = looks_binary(data)
    if kind is not None:
        raise InputError(f"{name} is a binary file, not text: it looks like {kind}")
    if "\x00" in text:
        raise binary_error(
            name, data, f"it holds NUL characters, the first at character {text.index(chr(0))}"
        )
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 100):
        raise binary_error(name, data, f"it holds {controls} control characters")


def binary_error(name: str, data: bytes, why: str) -> InputError:
    kind = binary_kind(data)
    if kind is not None:
        return InputError(f"{name} is a binary file, not text: it looks like {kind}")
    return InputError(f"{name} is a binary file, not text ({why})")


_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def mostly_utf8(data: bytes) -> bool:
    """At least as many well-formed UTF-8 characters beyond ASCII as bytes that fit none, and
    more than one: a Windows-1252 text forms one by chance at most now and then ("ß“")."""
    sequences = _UTF8_SEQUENCE.findall(data)
    inside = sum(len(s) for s in sequences)
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    return len(sequences) >= max(2, high - inside)


def _read_as_legacy(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: the bytes UTF-8 can't read, each read as Windows-1252 (or Latin-1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chars = []
    for byte in error.object[error.start : error.end]:
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars), error.end


_LEGACY_BYTES = "translator-legacy-bytes"
codecs.register_error(_LEGACY_BYTES, _read_as_legacy)


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
