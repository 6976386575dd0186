"""What a page's first bytes declare its encoding to be: the HTML standard's prescan.

A browser looks for ``<meta charset>`` or ``<meta http-equiv=content-type content="…charset=…">``
in the first 1024 bytes, outside comments, before it parses anything, and then for an XML
declaration's ``encoding``. These are the standard's steps, byte for byte, so that a page is read
in the encoding a browser reads it in; only WHATWG labels count (``webencodings``), so a page can
never have itself read as UTF-7 or a Python codec.
"""

from __future__ import annotations

import re

PRESCAN_BYTES = 1024


def encoding_name(label: str) -> str | None:
    """The WHATWG Encoding Standard's name for a label (``"latin1"`` → ``"windows-1252"``), or None
    for a label browsers don't know (``utf-7``, Python codec names such as ``unicode_escape``)."""
    import webencodings

    found = webencodings.lookup(label)
    return None if found is None else found.name


def prescan(data: bytes) -> str | None:
    """The encoding (WHATWG name) that ``data`` declares, as the HTML standard's prescan finds it:
    the first ``<meta charset>`` or ``<meta http-equiv=content-type content="…charset=…">``
    outside comments, then an XML declaration's ``encoding``. Running out of bytes inside a tag
    finds nothing there."""
    if data.startswith(b"<\x00?\x00x\x00"):
        return "utf-16le"
    if data.startswith(b"\x00<\x00?\x00x"):
        return "utf-16be"
    try:
        found = _prescan_markup(data)
    except _OutOfBytes:
        found = None
    if found is None:
        found = _xml_encoding(data)
    return as_meta(found)


def as_meta(name: str | None) -> str | None:
    """What a browser reads a page in that declares ``name``: a declaration could not have been
    read in UTF-16, so it means UTF-8; x-user-defined means Windows-1252."""
    if name in ("utf-16le", "utf-16be"):
        return "utf-8"
    if name == "x-user-defined":
        return "windows-1252"
    return name


class _OutOfBytes(Exception):
    pass


_SPACES = b"\t\n\x0c\r "


def _at(data: bytes, i: int) -> int:
    if i >= len(data):
        raise _OutOfBytes
    return data[i]


def _prescan_markup(data: bytes) -> str | None:
    i = 0
    n = len(data)
    while i < n:
        if data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 2)
            if end < 0:
                raise _OutOfBytes
            i = end + 3
            continue
        if data[i : i + 5].lower() == b"<meta" and _at(data, i + 5) in _SPACES + b"/":
            found, i = _meta(data, i + 6)
            if found is not None:
                return found
            i += 1
            continue
        letter_at = i + 2 if data.startswith(b"</", i) else i + 1
        if data[i] == 0x3C and i + 1 < n and (data[letter_at : letter_at + 1].isalpha()):
            i = letter_at
            while _at(data, i) not in _SPACES + b">":
                i += 1
            while True:
                attribute, i = _attribute(data, i)
                if attribute is None:
                    break
            i += 1
            continue
        if data.startswith((b"<!", b"</", b"<?"), i):
            end = data.find(b">", i + 2)
            if end < 0:
                raise _OutOfBytes
            i = end + 1
            continue
        i += 1
    return None


def _meta(data: bytes, i: int) -> tuple[str | None, int]:
    """The prescan's steps for one ``<meta``: what it declares, and where its attributes end."""
    seen: set[bytes] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    failure = False  # a charset attribute named no encoding: this <meta> declares none
    while True:
        attribute, i = _attribute(data, i)
        if attribute is None:
            break
        key, value = attribute
        if key in seen:
            continue
        seen.add(key)
        if key == b"http-equiv":
            got_pragma = got_pragma or value == b"content-type"
        elif key == b"content" and charset is None and not failure:
            label = _charset_in_content(value)
            found = None if label is None else encoding_name(label.decode("latin-1"))
            if found is not None:
                charset, need_pragma = found, True
        elif key == b"charset":
            charset = encoding_name(value.decode("latin-1"))
            failure, need_pragma = charset is None, False
    if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
        return None, i
    return charset, i


def _attribute(data: bytes, i: int) -> tuple[tuple[bytes, bytes] | None, int]:
    """The HTML standard's "get an attribute": ``((name, value), position)``, lower-cased, or
    ``(None, position)`` at the ``>`` that ends the tag."""
    while _at(data, i) in _SPACES + b"/":
        i += 1
    if data[i] == 0x3E:
        return None, i
    name = bytearray()
    value = bytearray()
    while True:
        byte = _at(data, i)
        if byte == 0x3D and name:
            i += 1
            break
        if byte in _SPACES:
            while _at(data, i) in _SPACES:
                i += 1
            if data[i] != 0x3D:
                return (bytes(name), b""), i
            i += 1
            break
        if byte in b"/>":
            return (bytes(name), b""), i
        name.append(byte + 0x20 if 0x41 <= byte <= 0x5A else byte)
        i += 1
    while _at(data, i) in _SPACES:
        i += 1
    byte = data[i]
    if byte in b"\"'":
        end = data.find(bytes([byte]), i + 1)
        if end < 0:
            raise _OutOfBytes
        return (bytes(name), data[i + 1 : end].lower()), end + 1
    if byte == 0x3E:
        return (bytes(name), b""), i
    while True:
        byte = _at(data, i)
        if byte in _SPACES + b">":
            return (bytes(name), bytes(value)), i
        value.append(byte + 0x20 if 0x41 <= byte <= 0x5A else byte)
        i += 1


_CONTENT_CHARSET = re.compile(rb"charset[\t\n\x0c\r ]*=[\t\n\x0c\r ]*", re.I)


def _charset_in_content(value: bytes) -> bytes | None:
    """The HTML standard's "extracting a character encoding from a meta element"."""
    position = 0
    while True:
        found = value.lower().find(b"charset", position)
        if found < 0:
            return None
        i = found + 7
        while i < len(value) and value[i] in _SPACES:
            i += 1
        if i >= len(value) or value[i] != 0x3D:
            position = i
            continue
        i += 1
        while i < len(value) and value[i] in _SPACES:
            i += 1
        if i >= len(value):
            return None
        quote = value[i]
        if quote in b"\"'":
            end = value.find(bytes([quote]), i + 1)
            return None if end < 0 else value[i + 1 : end]
        end = i
        while end < len(value) and value[end] not in _SPACES + b";":
            end += 1
        return value[i:end]


def _xml_encoding(data: bytes) -> str | None:
    """The HTML standard's "get an XML encoding": ``<?xml … encoding="…"`` at the very start."""
    if not data.startswith(b"<?xml"):
        return None
    end = data.find(b">")
    if end < 0:
        return None
    at = data.find(b"encoding", 0, end)
    if at < 0:
        return None
    i = at + 8
    while i < end and data[i] <= 0x20:
        i += 1
    if i >= end or data[i] != 0x3D:
        return None
    i += 1
    while i < end and data[i] <= 0x20:
        i += 1
    if i >= end or data[i] not in b"\"'":
        return None
    close = data.find(bytes([data[i]]), i + 1, end)
    if close < 0:
        return None
    return encoding_name(data[i + 1 : close].decode("latin-1"))
