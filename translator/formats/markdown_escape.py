"""English written as Markdown: escaped where it would read as markup, and emphasis put where
``*``/``_`` can delimit it (else written as HTML tags, which render the same)."""

from __future__ import annotations

import re
from dataclasses import replace

from .inline import Mark
from .markdown_units import Unit, parser

_EMPHASIS_HTML = {
    "em": ("<em>", "</em>"),
    "strong": ("<strong>", "</strong>"),
    "s": ("<s>", "</s>"),
}
_BANG = "\x00!"
_SPECIAL = re.compile(r"([\\`*_\[\]<~])")
_SPECIAL_TABLE = re.compile(r"([\\`*_\[\]<~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(
    r"""^([ \t]*)(?:
          (?P<mark>\#{1,6}|[+\-])(?=[ \t]|$)        # a heading or a list item
        | (?P<quote>>)                            # a block quote
        | (?P<number>\d{1,9})(?=[.)](?:[ \t]|$))   # an ordered list item
        | (?P<rule>([-=])[ \t]*(?:\6[ \t]*)*$)     # a setext underline or a rule
        | (?P<pipe>\|)
    )""",
    re.M | re.X,
)


def escape_chunk(chunk: str, line_start: bool, table: bool) -> str:
    """A piece of English text between marks, escaped (``line_start``: it begins a line)."""
    chunk = (_SPECIAL_TABLE if table else _SPECIAL).sub(r"\\\1", chunk)
    if chunk.endswith("!"):  # before a link's "[" it would make an image: see unmark
        chunk = chunk[:-1] + _BANG
    chunk = _ENTITY_LIKE.sub("\\&", chunk)
    chunk = re.sub(r"[ \t]+(?=\n)", "", chunk)  # trailing spaces would break the line
    chunk = re.sub(r"\n(?:[ \t]*\n)+", "\n", chunk)  # a blank line would end the paragraph

    def block(match: re.Match[str]) -> str:
        if match.start() == 0 and not line_start:
            return match.group(0)
        indent = match.group(1)
        if match.group("number") is not None:  # "1." → "1\." keeps it from starting a list
            number = match.group("number")
            return indent + number + "\\"
        return indent + "\\" + match.group(0)[len(indent) :]

    return _LINE_START.sub(block, chunk)


def unmark(rendered: str) -> str:
    """The ``!`` that ``escape_chunk`` set aside: escaped before a ``[``, else as it was."""
    return rendered.replace(_BANG + "[", "\\![").replace(_BANG, "!")


def escape_title(text: str, quote: str) -> str:
    special = '\\"' if quote == '"' else "\\'" if quote == "'" else "\\()"
    text = re.sub(r"\s*\n\s*", " ", text)
    text = "".join("\\" + c if c in special else c for c in text)
    return _ENTITY_LIKE.sub("\\&", text)


def finish(rendered: str, unit: Unit) -> str:
    """Escapes that need the whole unit: a closing ``#`` run of an ATX heading, a ``!`` before
    a link's ``[``."""
    rendered = unmark(rendered)
    if unit.kind == "atx":
        match = re.search(r"(?:^|(?<=[ \t]))(#+)[ \t]*\Z", rendered)
        if match:
            rendered = rendered[: match.start(1)] + "\\" + rendered[match.start(1) :]
    return rendered


def delimitable(english: str, marks: list[Mark]) -> list[Mark]:
    """Emphasis pieces that ``*``/``_`` can delimit where they landed: punctuation at a piece's
    edge next to a letter outside is left outside; ``_`` next to a letter becomes ``*``."""
    out = list(marks)
    first_child: dict[int, int] = {}
    last_child: dict[int, int] = {}
    for mark in out:
        if mark.parent is not None:
            p = mark.parent
            first_child[p] = min(first_child.get(p, mark.start), mark.start)
            last_child[p] = max(last_child.get(p, mark.end), mark.end)
    for i, mark in enumerate(out):
        if mark.atom or mark.key not in _EMPHASIS_HTML or mark.end <= mark.start:
            continue
        start, end = mark.start, mark.end
        if start > 0 and english[start - 1].isalnum():
            limit = first_child.get(i, end)
            while start < limit and _is_punctuation(english[start]):
                start += 1
            while start < limit and english[start].isspace():
                start += 1
        if end < len(english) and english[end].isalnum():
            limit = last_child.get(i, start)
            while end > max(start, limit) and _is_punctuation(english[end - 1]):
                end -= 1
            while end > max(start, limit) and english[end - 1].isspace():
                end -= 1
        if end <= start:
            start, end = mark.start, mark.end
        opening, closing = mark.open, mark.close
        touching = (start > 0 and english[start - 1].isalnum()) or (
            end < len(english) and english[end].isalnum()
        )
        if touching and "_" in opening:
            opening, closing = opening.replace("_", "*"), closing.replace("_", "*")
        if (start, end, opening) != (mark.start, mark.end, mark.open):
            out[i] = replace(mark, start=start, end=end, open=opening, close=closing)
    return out


def _is_punctuation(char: str) -> bool:
    return not char.isalnum() and not char.isspace()


def emphasis_as_html(mark: Mark) -> Mark:
    if mark.key in _EMPHASIS_HTML and not mark.atom:
        opening, closing = _EMPHASIS_HTML[mark.key]
        return replace(mark, open=opening, close=closing)
    return mark


_TAG_AS_TOKEN = {
    tag: f"{name}_{side}"
    for name, pair in _EMPHASIS_HTML.items()
    for tag, side in zip(pair, ("open", "close"), strict=True)
}


def structure(content: str, env: dict) -> list[str]:
    """The inline tokens of written content, text aside (emphasis tags read as emphasis)."""
    tokens = parser().parseInline(content, dict(env))
    out = []
    for token in tokens[0].children or [] if tokens else []:
        if token.type in ("text", "text_special", "softbreak"):
            continue
        if token.type == "html_inline":
            out.append(_TAG_AS_TOKEN.get(token.content, "html_inline"))
        else:
            out.append(token.type)
    return out
