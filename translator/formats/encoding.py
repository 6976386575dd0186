"""Bytes → text: files that say nothing of their encoding (UTF-8, UTF-16, Windows-1252), and pages.

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

Web pages say their encoding, and a browser believes them only so far (``decode_web``): the
HTML standard's sniffing (byte-order mark, then the ``<meta>`` prescan of the first 1024 bytes or
a ``<meta>`` found later), with WHATWG encoding labels only (``webencodings``), so that bytes are
never read in an encoding no browser would use (UTF-7, ``unicode_escape``): text a browser shows
as text must not become markup here. Between UTF-8 and the 8-bit encodings, in which markup reads
alike, the bytes decide as above. The page keeps every byte it had (bytes its encoding can't read
are carried as U+DC80–U+DCFF) and is written back in its own encoding where that is safe.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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
            raise _binary(name, data, why)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as error:
            raise _binary(name, data, why) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
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
        raise _binary(
            name, data, f"it holds NUL characters, the first at character {text.index(chr(0))}"
        )
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 100):
        raise _binary(name, data, f"it holds {controls} control characters")


def _binary(name: str, data: bytes, why: str) -> InputError:
    kind = binary_kind(data)
    if kind is not None:
        return InputError(f"{name} is a binary file, not text: it looks like {kind}")
    return InputError(f"{name} is a binary file, not text ({why})")


_HIGH_BYTES = bytes(range(0x80, 0x100))
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mostly_utf8(data: bytes) -> bool:
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


# -- web pages: decoded as a browser decodes them --------------------------------------------------

# Encodings in which every ASCII byte is that ASCII character, whatever surrounds it: a page read
# in one of them has the same markup in any other, so choosing among them is only about the text.
SINGLE_BYTE = frozenset(
    "ibm866 iso-8859-2 iso-8859-3 iso-8859-4 iso-8859-5 iso-8859-6 iso-8859-7 iso-8859-8 "
    "iso-8859-8-i iso-8859-10 iso-8859-13 iso-8859-14 iso-8859-15 iso-8859-16 koi8-r koi8-u "
    "macintosh windows-874 windows-1250 windows-1251 windows-1252 windows-1253 windows-1254 "
    "windows-1255 windows-1256 windows-1257 windows-1258 x-mac-cyrillic".split()
)
ASCII_SAFE = SINGLE_BYTE | {"utf-8"}
# Written back as they were read (when the bytes come back unchanged); any other is written UTF-8.
KEPT = ASCII_SAFE | {
    "utf-16le",
    "utf-16be",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "gbk",
    "gb18030",
    "big5",
}
_WEB_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)
PRESCAN_BYTES = 1024


def encoding_name(label: str) -> str | None:
    """The WHATWG Encoding Standard's name for a label (``"latin1"`` → ``"windows-1252"``), or None
    for a label browsers don't know (``utf-7``, Python codec names such as ``unicode_escape``)."""
    import webencodings

    found = webencodings.lookup(label)
    return None if found is None else found.name


def _codec(name: str) -> str:
    import webencodings

    return {"utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}.get(
        name, webencodings.lookup(name).codec_info.name
    )


@dataclass(frozen=True, slots=True)
class WebText:
    """A web page's text and how to write it back.

    ``text`` keeps every byte: bytes its encoding can't read are the characters U+DC80–U+DCFF
    (Python's ``surrogateescape``), so ``encode`` gives back the very same bytes outside whatever
    was replaced. ``readable`` shows such a stretch as a reader sees it.
    """

    text: str
    encoding: str  # WHATWG name of the encoding it was read in
    output: str  # WHATWG name of the encoding it is written in
    bom: bytes = b""
    declared: str | None = None  # what the page itself declares, if anything
    certain: bool = False  # a byte-order mark or a declaration decided, not a guess

    def encode(self, text: str) -> bytes:
        """``text`` in the output encoding; characters it lacks become character references."""
        bom = self.bom if self.output == self.encoding else b""
        return bom + text.encode(_codec(self.output), errors=_WEB_ERRORS)

    def readable(self, text: str) -> str:
        """``text`` with unreadable bytes as a reader would take them: in a UTF-8 page, as
        Windows-1252 (a legacy snippet pasted in); in Windows-1252, its five undefined bytes as
        the control characters browsers make of them; else U+FFFD."""
        if not _ESCAPED.search(text):
            return text
        return _ESCAPED.sub(lambda m: self._byte(ord(m.group()) - 0xDC00), text)

    def _byte(self, byte: int) -> str:
        if self.encoding == "utf-8":
            try:
                return bytes([byte]).decode("cp1252")
            except UnicodeDecodeError:
                return chr(byte)
        if self.encoding == "windows-1252":
            return chr(byte)
        return "\ufffd"


_ESCAPED = re.compile("[\udc80-\udcff]")


def _web_errors(error: UnicodeError) -> tuple[str | bytes, int]:
    """Encoding: escaped bytes go back as those bytes; other characters as character references."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    if "\udc80" <= chunk[0] <= "\udcff":
        count = 1
        while count < len(chunk) and "\udc80" <= chunk[count] <= "\udcff":
            count += 1
        return bytes(ord(c) - 0xDC00 for c in chunk[:count]), error.start + count
    if "\ud800" <= chunk[0] <= "\udfff":  # a lone surrogate of any other kind: nothing to keep
        return "&#65533;", error.start + 1
    return f"&#{ord(chunk[0])};", error.start + 1


_WEB_ERRORS = "translator-web"
codecs.register_error(_WEB_ERRORS, _web_errors)


def decode_web(
    data: bytes, name: str, declared: str | None = None, *, transport: str | None = None
) -> WebText:
    """A web page's bytes as a browser decodes them (the HTML standard's encoding sniffing).

    A byte-order mark decides; else ``transport`` (the charset of an HTTP ``Content-Type``);
    else the ``<meta>`` (or XML declaration) the prescan finds in the first 1024 bytes, or
    ``declared`` (a ``<meta>`` found later, by the caller's tokenizer); only WHATWG labels count,
    so ``utf-7`` and codec names are never honoured, and a ``<meta>`` that says UTF-16 means
    UTF-8 (the HTTP header may say UTF-16: it was not written in the bytes). Where the choice
    lies between UTF-8 and an 8-bit encoding (the markup reads the same in all of them), the
    bytes decide: valid UTF-8 is UTF-8, even where the page or the header says otherwise. Binary
    data and pages declared in the "replacement" encoding (which browsers show as one U+FFFD)
    are an ``InputError``.
    """
    for bom, encoding in _WEB_BOMS:
        if data.startswith(bom):
            if data.startswith(codecs.BOM_UTF32_LE):
                raise InputError(f"{name} is UTF-32, which browsers don't read: save it as UTF-8")
            text = data[len(bom) :].decode(_codec(encoding), errors="surrogateescape")
            check_text(text, data[len(bom) :], name)
            return WebText(text, encoding, encoding, bom, certain=True)
    sent = encoding_name(transport) if transport else None
    if sent in ("utf-16le", "utf-16be"):
        text = data.decode(_codec(sent), errors="surrogateescape")
        check_text(text, data, name)
        return WebText(text, sent, sent, declared=sent, certain=True)
    kind = looks_binary(data)
    if kind is not None:
        raise InputError(f"{name} is a binary file, not text: it looks like {kind}")
    found = sent or prescan(data[:PRESCAN_BYTES])
    if found is None and declared is not None:
        found = _as_meta(encoding_name(declared))
    if found == "replacement":
        raise InputError(
            f"{name} declares an encoding browsers refuse to read (they show nothing of it): "
            f"save it as UTF-8"
        )
    if found is not None and found not in ASCII_SAFE:
        text = data.decode(_codec(found), errors="surrogateescape")
        check_text(text, data, name)
        output = found if found in KEPT and _round_trips(text, data, found) else "utf-8"
        return WebText(text, found, output, declared=found, certain=True)
    if b"\x00" in data:
        raise _binary(name, data, f"it holds NUL bytes, the first at byte {data.index(0)}")
    if data.isascii():  # any of them reads it alike: the declared one, else a browser's default
        encoding = found or "windows-1252"
    elif _is_utf8(data) or _mostly_utf8(data):
        encoding = "utf-8"
    else:
        encoding = found if found in SINGLE_BYTE else "windows-1252"
    text = data.decode(_codec(encoding), errors="surrogateescape")
    check_text(text, data, name)
    output = encoding if _round_trips(text, data, encoding) else "utf-8"
    return WebText(text, encoding, output, declared=found, certain=found is not None)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _round_trips(text: str, data: bytes, encoding: str) -> bool:
    try:
        return text.encode(_codec(encoding), errors="surrogateescape") == data
    except UnicodeEncodeError:
        return False


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
    return _as_meta(found)


def _as_meta(name: str | None) -> str | None:
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
