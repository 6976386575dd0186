"""In-page links follow the translated headings: GitHub's anchor of each heading, German and
English, duplicates numbered as GitHub numbers them."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote, unquote

from .markdown_units import State, parser, visible_text


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading's text: lower case; letters, digits, ``-``, ``_`` and
    spaces kept; each space a hyphen."""
    import unicodedata

    kept = []
    for char in text.strip().lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LMN":
            kept.append(char)
    return "".join(kept)


def _numbered(texts: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for text in texts:
        base = github_slug(text)
        out.append(base if not seen[base] else f"{base}-{seen[base]}")
        seen[base] += 1
    return out


def slug_map(state: State, english: dict[int, str]) -> dict[str, str]:
    """Each in-page fragment that named a German heading → the English heading's fragment."""
    anchors = [a for unit in state.units for a in unit.anchors]
    if not anchors:
        return {}
    german = _numbered(state.headings)
    translated = _numbered([english.get(k, text) for k, text in enumerate(state.headings)])
    slugs = dict(zip(german, translated, strict=True))
    out: dict[str, str] = {}
    for anchor in anchors:
        fragment = anchor.fragment
        name = unquote(fragment)
        if name in state.ids or fragment in state.ids:
            continue
        new = slugs.get(name, slugs.get(name.lower()))
        if new is None or new == name:
            continue
        out[fragment] = quote(new, safe="-_") if "%" in fragment else new
    return out


def heading_text(rendered: str, env: dict) -> str:
    """A heading's visible text, as GitHub takes it for the anchor."""
    tokens = parser().parseInline(rendered, dict(env))
    return visible_text(tokens[0].children or [] if tokens else [])
