"""A web page's article as Markdown: trafilatura finds it, and its XML is written as Markdown.

Title, byline and date go into front matter; headings, paragraphs, lists, quotes, tables and code
are written as Markdown blocks, emphasis and links inline; navigation, ads and comments are left
out (trafilatura). Text is escaped so that it reads back as that same text: the page's words never
become Markdown or HTML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .web_fetch import is_url


@dataclass(slots=True)
class Article:
    markdown: str  # front matter, "# title", then the body
    plain: str  # the body's text alone (to tell an article from a login wall)
    metadata: dict[str, str]


def extract(html: str, url: str) -> Article | None:
    """The page's main article (trafilatura), or None when it finds none."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if not xml:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    main = root.find("main")
    if main is None:
        return None
    metadata = {"url": url}
    for key in ("title", "author", "date", "sitename", "description"):
        value = " ".join((root.get(key) or "").split())
        if value:
            metadata[key] = value
    title = metadata.get("title", "")
    first = main[0] if len(main) else None
    if (
        first is not None
        and first.tag == "head"
        and " ".join(first.itertext()).split() == title.split()
    ):
        main.remove(first)  # the title is written once, as the "# " heading
    blocks = list(_blocks(main, ""))
    plain = " ".join(" ".join(e.itertext()) for e in main)
    front = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in metadata.items()]
    front.append("---")
    parts = ["\n".join(front)]
    if title:
        parts.append("# " + _escape(title))
    parts.extend(blocks)
    return Article("\n\n".join(parts) + "\n", " ".join(plain.split()), metadata)


_HEAD_LEVEL = re.compile(r"h([1-6])")


def _blocks(element, prefix: str):
    """Markdown blocks for trafilatura's XML (``head``, ``p``, ``list``, ``quote``, ``table``,
    ``code``), each line starting with ``prefix`` (quote markers, list indentation)."""
    for child in element:
        tag = child.tag
        if tag == "head":
            match = _HEAD_LEVEL.fullmatch(child.get("rend") or "")
            level = max(2, int(match.group(1))) if match else 2
            text = _inline(child)
            if text:
                yield prefix + "#" * level + " " + text
        elif tag == "p":
            text = _inline(child)
            if text:
                yield prefix + text
        elif tag == "list":
            ordered = (child.get("rend") or "").lower() == "ol"
            items = []
            for number, item in enumerate(child.findall("item"), 1):
                marker = f"{number}. " if ordered else "- "
                nested = [n for n in item if n.tag in ("list", "p", "quote")]
                text = _inline(item, skip=("list", "p", "quote"))
                lines = [prefix + marker + text] if text else []
                inner = prefix + " " * len(marker)
                lines.extend(_blocks(nested, inner))
                if lines:
                    items.append("\n".join(lines))
            if items:
                yield "\n".join(items)
        elif tag == "quote":
            inner = list(_blocks(child, prefix + "> "))
            text = _inline(child, skip=("p", "list", "head", "quote", "table"))
            if text:
                inner.insert(0, prefix + "> " + text)
            if inner:
                yield f"\n{prefix}>\n".join(inner)
        elif tag == "table":
            table = _table(child, prefix)
            if table:
                yield table
        elif tag == "code":
            code = "".join(child.itertext()).strip("\n")
            if code.strip():
                fence = "~~~~" if "```" in code else "```"
                body = "\n".join(prefix + line for line in code.split("\n"))
                yield f"{prefix}{fence}\n{body}\n{prefix}{fence}"
        else:  # div and the like: their children
            yield from _blocks(child, prefix)


def _table(table, prefix: str) -> str:
    rows = []
    for row in table.iter("row"):
        cells = [_inline(cell, table=True) or " " for cell in row.findall("cell")]
        if cells:
            rows.append(cells)
    if not rows or not any(any(c.strip() for c in r) for r in rows):
        return ""
    width = max(len(r) for r in rows)
    lines = []
    for i, row in enumerate(rows):
        row = row + [" "] * (width - len(row))
        lines.append(prefix + "| " + " | ".join(row) + " |")
        if i == 0:
            lines.append(prefix + "|" + "---|" * width)
    return "\n".join(lines)


_EMPHASIS = {"#b": "**", "#i": "*", "#u": "*", "#t": "`"}


def _inline(element, *, skip: tuple[str, ...] = (), table: bool = False) -> str:
    """An element's text as one line of Markdown: ``hi`` → emphasis, ``ref`` → a link."""
    out: list[str] = []

    def text(chunk: str | None) -> None:
        if chunk:
            out.append(_escape(chunk, line_start=False, table=table))

    def walk(node) -> None:
        text(node.text)
        for child in node:
            if child.tag in skip:
                pass
            elif child.tag == "lb":
                out.append(" ")
            elif child.tag == "hi" and _EMPHASIS.get(child.get("rend") or "") in ("**", "*"):
                inner = _inline(child, table=table).strip()
                if inner:
                    mark = _EMPHASIS[child.get("rend")]
                    out.append(f"{mark}{inner}{mark}")
            elif child.tag == "ref" and is_url(child.get("target") or ""):
                inner = _inline(child, table=table).strip()
                target = (child.get("target") or "").replace(" ", "%20").replace(")", "%29")
                if inner:
                    out.append(f"[{inner}]({target.replace('(', '%28')})")
            elif child.tag in ("list", "p", "quote", "head", "table"):
                out.append(" " + _inline(child, table=table) + " ")
            else:
                walk(child)
            text(child.tail)

    walk(element)
    line = " ".join("".join(out).split())
    return _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), line)


_SPECIAL = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"\A(\s*)([#>+=-]|\d+[.)])")


def _escape(text: str, *, line_start: bool = True, table: bool = False) -> str:
    """Plain text as Markdown that reads back as that same text (no markup, no HTML)."""
    escaped = _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
    if table:
        escaped = escaped.replace("|", "\\|")
    if line_start:
        escaped = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), escaped)
    return escaped


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1]
