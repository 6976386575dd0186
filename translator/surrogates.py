"""Lone surrogates: code points a Python str can hold but no UTF-8 file, model or XML can.

They reach the program only through the Python API (text from ``os.fsdecode``, from
``surrogateescape`` decoding, or cut out of a UTF-16 pair). A Document keeps its ``source``
exactly as given; everywhere else each lone surrogate is U+FFFD, the replacement character: in
what the model reads, in the English (copied sentences, the whitespace between sentences), and
in every file written. One code point for one, so every offset stays true.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD (the same length: offsets hold)."""
    if _SURROGATE.search(text) is None:  # the usual case: no copy
        return text
    return _SURROGATE.sub(REPLACEMENT, text)
