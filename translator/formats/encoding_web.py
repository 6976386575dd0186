"""Bytes → text for web pages, decoded as a browser decodes them, and written back.

Web pages say their encoding, and a browser believes them only so far (``decode_web``): the
HTML standard's sniffing (byte-order mark, then the ``<meta>`` prescan of the first 1024 bytes or
a ``<meta>`` found later), with WHATWG encoding labels only (``webencodings``), so that bytes are
never read in an encoding no browser would use (UTF-7, ``unicode_escape``): text a browser shows
as text must not become markup here. Between UTF-8 and the 8-bit encodings, in which markup reads
alike, the bytes decide as for text files (``encoding_text``). The page keeps every byte it had
(bytes its encoding can't read are carried as U+DC80–U+DCFF) and is written back in its own
encoding where that is safe.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import InputError
from .encoding_prescan import PRESCAN_BYTES, as_meta, encoding_name, prescan
from .encoding_text import binary_error, check_text, mostly_utf8
from .sniff import looks_binary

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
        found = as_meta(encoding_name(declared))
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
        raise binary_error(name, data, f"it holds NUL bytes, the first at byte {data.index(0)}")
    if data.isascii():  # any of them reads it alike: the declared one, else a browser's default
        encoding = found or "windows-1252"
    elif _is_utf8(data) or mostly_utf8(data):
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
