"""One inline content of a Markdown file read into a unit: its plain text for the translator,
its markup as marks (see ``inline``), the readable texts inside its literals (alt texts, titles,
HTML attributes) and its in-page links, each with its place in the file."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from .inline import Mark
from .markdown_units import Anchor, Inner, Unit, Unlocatable, Where

_VOID_HTML = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "area", "col", "embed"}
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)>\Z", re.S)
_CLOSE_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>\Z")
_HREF = re.compile(r"""\bhref\s*=\s*(["']?)#([^"'\s>]*)""", re.I)
_TITLE_AT_END = re.compile(
    r"""[ \t\n]+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))[ \t\n]*\)\Z""", re.S
)
_WHITESPACE_ENTITY = set("\n\r\t\x0b\x0c")


def scan(content: str, children, where: Where | None, task: bool = False) -> Unit:
    """The plain text of an inline content, its markup as marks (see ``inline``), the texts
    inside its literals (alt texts, titles) and its in-page links. ``task``: it starts with a
    task list item's box, kept as an atom."""
    plain: list[str] = []
    length = 0
    marks: list[Mark] = []
    stack: list[int] = []
    links: list[tuple[int, int, object]] = []  # (mark index, "[" position, link_open token)
    inner: list[Inner] = []
    anchors: list[Anchor] = []
    position = 0

    def find(needle: str, start: int) -> int:
        at = content.find(needle, start)
        if at < 0:
            raise Unlocatable
        return at

    def add(text: str) -> None:
        nonlocal length
        plain.append(text)
        length += len(text)

    def atom(literal: str, essential: bool = True) -> int:
        parent = stack[-1] if stack else None
        marks.append(Mark(length, length, literal, atom=True, essential=essential, parent=parent))
        return len(marks) - 1

    def open_mark(literal: str, essential: bool, key: object = None) -> None:
        parent = stack[-1] if stack else None
        marks.append(Mark(length, length, literal, essential=essential, parent=parent, key=key))
        stack.append(len(marks) - 1)

    def file_at(x: int) -> int:
        return where(x) if where is not None else x

    box = 3 if task else 0  # characters of the box still to pass in the text
    if task:
        atom(content[:3])
    skip_until_close = False
    for token in children:
        kind = token.type
        if skip_until_close:
            if kind == "link_close":
                skip_until_close = False
            continue
        if kind == "text" and box:
            at = find(token.content, position)
            cut = min(box, len(token.content))
            box -= cut
            add(token.content[cut:])
            position = at + len(token.content)
        elif kind == "text":
            if token.content:
                at = find(token.content, position)
                add(token.content)
                position = at + len(token.content)
        elif kind == "text_special":
            at = find(token.markup, position)
            # a decoded newline or tab is written as a space: as a character it would break
            # the paragraph or start a code block
            add(" " if token.content in _WHITESPACE_ENTITY else token.content)
            position = at + len(token.markup)
        elif kind == "softbreak":
            position = find("\n", position) + 1
            add("\n")
        elif kind == "hardbreak":
            end = find("\n", position) + 1
            atom(content[position:end])
            add(" ")
            position = end
        elif kind in ("em_open", "strong_open", "s_open"):
            at = find(token.markup, position)
            open_mark(token.markup, essential=False, key=kind[:-5])
            position = at + len(token.markup)
        elif kind in ("em_close", "strong_close", "s_close"):
            at = find(token.markup, position)
            _close(marks, stack, token.markup, length)
            position = at + len(token.markup)
        elif kind == "code_inline":
            at = find(token.markup, position)
            tick = re.compile(r"(?<!`)" + re.escape(token.markup) + r"(?!`)")
            close = tick.search(content, at + len(token.markup))
            if close is None:
                raise Unlocatable
            atom(content[at : close.end()])
            position = close.end()
        elif kind == "link_open" and token.markup == "autolink":
            at = find("<", position)
            end = find(">", at) + 1
            atom(content[at:end])
            position = end
            skip_until_close = True
        elif kind == "link_open":
            at = find("[", position)
            open_mark("[", essential=True, key="link")
            links.append((stack[-1], at, token))
            position = at + 1
        elif kind == "link_close":
            at = find("]", position)
            end = _link_tail(content, at + 1)
            literal = content[at:end]
            if not links:
                raise Unlocatable
            index, opened, opener = links.pop()
            if literal in ("]", "][]"):  # shortcut or collapsed: name the definition
                label = content[opened + 1 : at]
                if _is_label(label):
                    literal = "][" + label + "]"
            else:
                _literal_extras(opener, literal, index, "close", at, file_at, inner, anchors)
            _close(marks, stack, literal, length)
            position = end
        elif kind == "image":
            at = find("![", position)
            close = _matching_bracket(content, at + 1)
            end = _link_tail(content, close + 1)
            literal = content[at:end]
            label = content[at + 2 : close]
            suffix = None
            if end - close - 1 in (0, 2) and _is_label(label):
                # a shortcut or collapsed reference: once the alt text is English, name the label
                literal = content[at : close + 1] + "[" + label + "]"
                if end == close + 1:
                    suffix = (file_at(close) + 1, "[" + label + "]")
                else:
                    suffix = (file_at(close) + 2, label)
            index = atom(literal)
            try:
                alt: Unit | None = scan(content[at + 2 : close], token.children or [], None)
            except Unlocatable:
                alt = None
            if alt is not None and alt.translate:
                inner.append(
                    Inner(
                        "alt",
                        index,
                        "open",
                        2,
                        close - at,
                        file_at(at + 2),
                        file_at(close),
                        alt.plain,
                        alt.marks,
                        suffix=suffix,
                    )
                )
            _literal_extras(token, content[close:end], index, "open", close, file_at, inner, [])
            for item in inner[-1:]:
                if item.mark == index and item.kind == "title":
                    item.start += close - at
                    item.end += close - at
            position = end
        elif kind == "footnote_ref":
            at = find("[^", position)
            end = find("]", at) + 1
            atom(content[at:end])
            position = end
        elif kind == "html_inline":
            at = find(token.content, position)
            literal = token.content
            position = at + len(literal)
            opening, closing = _OPEN_TAG.match(literal), _CLOSE_TAG.match(literal)
            if opening and not opening.group(2) and opening.group(1).lower() not in _VOID_HTML:
                name = opening.group(1).lower()
                open_mark(literal, essential=name == "a", key=("html", name))
                html_extras(literal, len(marks) - 1, "open", at, file_at, inner, anchors)
            elif closing and stack and marks[stack[-1]].key == ("html", closing.group(1).lower()):
                _close(marks, stack, literal, length)
            else:
                index = atom(literal)
                html_extras(literal, index, "open", at, file_at, inner, anchors)
        else:  # anything else this parser may produce: keep its text as it is
            if token.content:
                at = find(token.content, position)
                atom(token.content)
                position = at + len(token.content)
    _unclosed_to_atoms(marks, stack)
    text = "".join(plain)
    unit = Unit(
        file_at(0),
        file_at(len(content) - 1) + 1 if content else file_at(0),
        marks,
        "",
        "text",
        any(c.isalpha() for c in text),
        inner,
        anchors,
    )
    unit.plain = text
    return unit


def _is_label(label: str) -> bool:
    """Whether a link's raw text can serve as a reference label (no unescaped brackets)."""
    if not label.strip() or len(label) > 999:
        return False
    return re.search(r"(?<!\\)(?:\\\\)*[\[\]]", label) is None


def _literal_extras(
    token,
    literal: str,
    index: int,
    name: str,
    origin: int,
    file_at: Callable[[int], int],
    inner: list[Inner],
    anchors: list[Anchor],
) -> None:
    """A link's or image's title (to translate) and in-page destination inside ``literal``, the
    ``name`` literal of mark ``index``, found at ``origin`` in the content."""
    if not literal.startswith("]("):
        return
    title = token.attrs.get("title") if token.attrs else None
    if title and any(c.isalpha() for c in title):
        match = _TITLE_AT_END.search(literal)
        if match:
            a, b = match.start(1) + 1, match.end(1) - 1
            inner.append(
                Inner(
                    "title",
                    index,
                    name,
                    a,
                    b,
                    file_at(origin + a),
                    file_at(origin + b),
                    str(title),
                    [],
                    match.group(1)[0],
                )
            )
    href = token.attrs.get("href") if token.attrs else None
    if isinstance(href, str) and href.startswith("#") and len(href) > 1:
        match = re.match(r"\]\([ \t\n]*<?#", literal)
        if match:
            a = match.end()
            b = a
            while b < len(literal) and literal[b] not in " \t\n>)":
                b += 1
            if b > a:
                anchors.append(
                    Anchor(
                        literal[a:b], index, name, a, b, file_at(origin + a), file_at(origin + b)
                    )
                )


_HTML_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<[A-Za-z][^>]*>", re.S)
_READABLE = re.compile(
    r"""\s(?:alt|title|aria-label|placeholder)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)


def html_extras(
    literal: str,
    index: int,
    name: str,
    origin: int,
    file_at: Callable[[int], int],
    inner: list[Inner],
    anchors: list[Anchor],
) -> None:
    """In inline HTML or an HTML block: in-page links, and attribute values people read."""
    for tag in _HTML_TAG.finditer(literal):
        if tag.group(0).startswith("<!--"):
            continue
        for match in _HREF.finditer(literal, tag.start(), tag.end()):
            if match.group(2):
                a, b = match.start(2), match.end(2)
                file_a, file_b = file_at(origin + a), file_at(origin + b)
                anchors.append(Anchor(match.group(2), index, name, a, b, file_a, file_b))
        for match in _READABLE.finditer(literal, tag.start(), tag.end()):
            group = 1 if match.group(1) is not None else 2
            value = html.unescape(match.group(group))
            if not any(c.isalpha() for c in value):
                continue
            a, b = match.start(group), match.end(group)
            quote = literal[a - 1]
            file_a, file_b = file_at(origin + a), file_at(origin + b)
            inner.append(Inner("attribute", index, name, a, b, file_a, file_b, value, [], quote))


def _close(marks: list[Mark], stack: list[int], literal: str, length: int) -> None:
    if not stack:
        raise Unlocatable
    index = stack.pop()
    marks[index].end = length
    marks[index].close = literal


def _unclosed_to_atoms(marks: list[Mark], stack: list[int]) -> None:
    """Inline HTML opened and never closed: a lone tag, kept where it was (its children move up
    to its parent)."""
    if not stack:
        return
    lone = set(stack)
    for index in stack:
        mark = marks[index]
        mark.atom, mark.end = True, mark.start
    for mark in marks:
        parent = mark.parent
        while parent is not None and parent in lone:
            parent = marks[parent].parent
        mark.parent = parent


def _matching_bracket(content: str, start: int) -> int:
    """The index of the ``]`` that closes the ``[`` at ``start``."""
    depth = 0
    i = start
    while i < len(content):
        c = content[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":  # a code span: its brackets don't count
            run = len(content) - len(content[i:].lstrip("`"))
            ticks = run - i
            close = re.compile(r"(?<!`)" + "`" * ticks + r"(?!`)").search(content, run)
            i = close.end() if close else run
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Unlocatable


def _link_tail(content: str, start: int) -> int:
    """The end of ``](destination "title")`` or ``][label]`` after a link text's ``]``."""
    if start < len(content) and content[start] == "(":
        depth = 0
        quote = ""
        i = start
        while i < len(content):
            c = content[i]
            if c == "\\":
                i += 2
                continue
            if quote:
                if c == quote:
                    quote = ""
            elif c in "\"'" and depth == 1 and content[i - 1] in " \t\n":
                quote = c
            elif c == "<" and depth == 1:
                close = content.find(">", i)
                i = close if close > 0 else i
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise Unlocatable
    if start < len(content) and content[start] == "[":
        end = content.find("]", start)
        if end < 0:
            raise Unlocatable
        return end + 1
    return start
