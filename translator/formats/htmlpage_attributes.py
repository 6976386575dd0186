"""Attributes: the values people read (each a unit of its own, translated), and the edits that
make the page say it is English and name the encoding it is written in (``lang``,
``content-language``, ``<meta>`` and XML encoding declarations)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from .encoding import WebText, encoding_name
from .htmlpage_run import SPACE, Unit
from .htmltokens import Token

READ_ATTRIBUTES = (
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
)
LABELLED = frozenset("option optgroup track menuitem".split())
BUTTON_TYPES = frozenset(("submit", "reset", "button"))
META_TEXT = frozenset(
    "description og:title og:description og:image:alt twitter:title twitter:description "
    "twitter:image:alt".split()
)
GERMAN = ("de", "gsw")
_LOOKS_LIKE_A_NAME = re.compile(
    r"""(?:[a-z][a-z0-9+.-]*://|www\.|/|\#)\S*$      # a URL or a path
      | [^\s@]+@[^\s@]+\.\w+$                      # an e-mail address
      | [\w.-]+\.(?:jpe?g|png|gif|svg|webp|avif|pdf|html?|php|aspx?|mp[34]|docx?)$  # a file
    """,
    re.I | re.X,
)


def readable_attributes(name: str, attrs: Mapping[str, str]) -> list[str]:
    """The attributes of an element whose values people read (and so are translated)."""
    found = [a for a in READ_ATTRIBUTES if a in attrs]
    rel = attrs.get("rel", "").lower().split()
    if name in ("style", "meta") or (
        name == "link" and ("alternate" not in rel or "stylesheet" in rel)
    ):  # the title of a style sheet names it for scripts; a feed's is read
        found = [a for a in found if a != "title"]
    if name in LABELLED and "label" in attrs:
        found.append("label")
    if name == "input" and attrs.get("type", "").strip().lower() in BUTTON_TYPES:
        found.append("value")
    if name == "meta":
        key = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        if key in META_TEXT and "content" in attrs:
            found.append("content")
    return found


def looks_like_a_name(value: str) -> bool:
    """An address, a path or a file name (``IMG_2041.jpg``): a value not to translate."""
    return _LOOKS_LIKE_A_NAME.match(value) is not None


def german(lang: str) -> bool:
    """Whether a ``lang`` value names German (or Swiss German)."""
    return lang.strip().lower().replace("_", "-").split("-")[0] in GERMAN


def attribute_units(token: Token, page: WebText) -> list[Unit]:
    """Units for the attribute values of ``token`` that people read."""
    attrs = token.attrs
    units: list[Unit] = []
    for attribute in readable_attributes(token.name, attrs):
        span = token.values.get(attribute)
        if span is None:
            continue
        value = " ".join(SPACE.split(page.readable(attrs[attribute]))).strip(" ")
        if not any(c.isalpha() for c in value) or looks_like_a_name(value):
            continue
        start, end, quote = span
        units.append(Unit(start, end, value, quote=quote))
    return units


def lang_edits(token: Token) -> list[tuple[int, int, str]]:
    """``lang="en"`` where the element is marked German (and on ``<html>``, added if missing)."""
    edits: list[tuple[int, int, str]] = []
    for attribute in ("lang", "xml:lang"):
        value = token.attrs.get(attribute)
        span = token.values.get(attribute)
        if value is None:
            continue
        if german(value) or (token.name == "html" and not value.strip()):
            if span is None:
                continue
            start, end, _ = span
            edits.append((start, end, "en"))
    if token.name == "html" and "lang" not in token.attrs:
        at = token.start + len("<html")
        edits.append((at, at, ' lang="en"'))
    return edits


def meta_edits(token: Token, output: str) -> list[tuple[int, int, str]]:
    """A ``<meta>`` charset or content type names ``output``; a German content language: en."""
    edits: list[tuple[int, int, str]] = []
    attrs = token.attrs
    if "charset" in attrs and encoding_name(attrs["charset"]) != output:
        span = token.values.get("charset")
        if span is not None:
            start, end, quote = span
            edits.append((start, end, output if quote else f'"{output}"'))
    equiv = attrs.get("http-equiv", "").strip().lower()
    content = attrs.get("content")
    span = token.values.get("content")
    if content is None or span is None:
        return edits
    start, end, quote = span
    new = content
    if equiv == "content-type":
        found = _CONTENT_CHARSET.search(content)
        label = found and (found.group(2) or found.group(3) or found.group(4))
        if found and encoding_name(label or "") != output:
            new = content[: found.start()] + found.group(1) + output + content[found.end() :]
    elif equiv == "content-language" and german(content) and "," not in content:
        new = "en"
    if new != content:
        value = html.escape(new, quote=True)
        edits.append((start, end, value if quote else f'"{value}"'))
    return edits


_XML_ENCODING = re.compile(r"""encoding[\x00-\x20]*=[\x00-\x20]*(["'])([^"'>]*)\1""")


def xml_declaration_edits(token: Token, page: WebText) -> list[tuple[int, int, str]]:
    """``<?xml … encoding="…"?>`` names the encoding the page is written in."""
    found = _XML_ENCODING.search(page.text, token.start, token.end)
    if found and encoding_name(found.group(2)) != page.output:
        return [(found.start(2), found.end(2), page.output)]
    return []


def declared_label(attrs: dict[str, str]) -> str | None:
    """The encoding label a ``<meta>`` declares (``charset``, or a content type's), if any."""
    if "charset" in attrs:
        return attrs["charset"]
    if attrs.get("http-equiv", "").strip().lower() == "content-type" and "content" in attrs:
        found = _CONTENT_CHARSET.search(attrs["content"])
        if found:
            return found.group(2) or found.group(3) or found.group(4)
    return None


_CONTENT_CHARSET = re.compile(
    r"""(charset[\t\n\f\r ]*=[\t\n\f\r ]*)(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r ;"']+))""", re.I
)
