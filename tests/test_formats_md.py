"""Markdown: prose translated, every other byte kept; emphasis, links and code survive."""

from __future__ import annotations

import re

from translator import translate
from translator.formats import markdown, read_bytes

from .fixtures.documents import make_document, upper, upper_aligned

# ("keep", text) must come out byte-identical; ("prose", text) is translated.
CHUNKS = [
    ("keep", "---\ntitle: Über uns\ntags: [Stadt, Fluss]\n---\n\n# "),
    ("prose", "Überschrift des Artikels"),
    ("keep", " #\n\n"),
    ("prose", "Der erste Absatz erzählt von der Stadt. Er hat zwei Sätze."),
    ("keep", '\n\n```python\nprint("nicht übersetzen")\n```\n\n- '),
    ("prose", "Ein Punkt der Liste"),
    ("keep", "\n- "),
    ("prose", "Noch ein Punkt"),
    ("keep", "\n\n1. "),
    ("prose", "Erster Schritt"),
    ("keep", "\n\n> "),
    ("prose", "Ein Zitat aus dem Buch."),
    ("keep", "\n\n| "),
    ("prose", "Spalte"),
    ("keep", " | "),
    ("prose", "Wert"),
    ("keep", " |\n|:---|---:|\n| "),
    ("prose", "Zelle eins"),
    ("keep", " | 42 |\n\n"),
    ("keep", '<div class="kasten">\nHTML bleibt, wie es ist.\n</div>\n\n'),
    ("keep", "    eingerückter Code bleibt\n\n---\n\n[ref]: https://example.com/seite\n"),
]
SOURCE = "".join(text for _, text in CHUNKS)
PROSE = [text for kind, text in CHUNKS if kind == "prose"]


def skeleton_pattern() -> re.Pattern[str]:
    """The file with each prose chunk replaced by a marker that matches any translation."""
    parts = [re.escape(t) if kind == "keep" else "(.+?)" for kind, t in CHUNKS]
    return re.compile("".join(parts), re.S)


def test_markdown_reader_finds_exactly_the_prose():
    source = read_bytes("note.md", SOURCE.encode())
    assert source.format == "md"
    assert [unit.of(source.text) for unit in source.units] == PROSE


def test_markdown_keeps_every_byte_outside_the_prose(model_dir, tmp_path):
    path = tmp_path / "note.md"
    path.write_text(SOURCE, "utf-8")
    document = translate(path, tmp_path / "note.en.md", model=str(model_dir))
    written = (tmp_path / "note.en.md").read_text("utf-8")
    match = skeleton_pattern().fullmatch(written)
    assert match, written
    translated = match.groups()
    assert len(translated) == len(PROSE)
    assert all(t.strip() for t in translated)
    assert sum(t != p for t, p in zip(translated, PROSE, strict=True)) >= len(PROSE) - 1
    assert document.source == "\n\n".join(PROSE)


def test_inline_code_and_link_targets_survive_byte_identical(translator):
    text = (
        'Rufe `pip install -e .` auf und lies die [Anleitung](https://example.com/a_b "Titel").\n'
    )
    source = read_bytes("a.md", text.encode())
    document = translator.translate_text(source.text, paragraphs=source.units)
    written = markdown.write(document, source).decode()
    assert written.count("`pip install -e .`") == 1
    assert written.count('](https://example.com/a_b "') >= 1  # the title is translated
    assert written.index("`pip") < written.index("](https://")
    assert written != text


def test_emphasis_moves_onto_the_aligned_english_words():
    text = "Das ist **sehr** wichtig und *schön*.\n"
    source = read_bytes("a.md", text.encode())
    document = make_document(source.text, source.units, upper_aligned)
    assert markdown.write(document, source).decode() == "DAS IST **SEHR** WICHTIG UND *SCHÖN*.\n"


def test_without_alignment_emphasis_stays_only_where_it_covers_a_sentence():
    text = "**Achtung!** Das ist *sehr* wichtig.\n"
    source = read_bytes("a.md", text.encode())
    document = make_document(source.text, source.units, upper)
    assert markdown.write(document, source).decode() == "**ACHTUNG!** DAS IST SEHR WICHTIG.\n"


def test_without_alignment_a_link_keeps_its_target_near_its_words():
    text = "Mehr dazu [hier](https://example.com) im Text.\n"
    source = read_bytes("a.md", text.encode())
    document = make_document(source.text, source.units, upper)
    assert markdown.write(document, source).decode() == (
        "MEHR DAZU [HIER](https://example.com) IM TEXT.\n"
    )


def test_quoted_and_listed_lines_keep_their_markers():
    text = "> Zeile eins geht\n> weiter hier.\n\n- Punkt eins\n  geht weiter.\n"
    source = read_bytes("a.md", text.encode())
    document = make_document(source.text, source.units, lambda g: (g.upper(), None))
    written = markdown.write(document, source).decode()
    assert written == "> ZEILE EINS GEHT\n> WEITER HIER.\n\n- PUNKT EINS\n  GEHT WEITER.\n"


def test_english_that_looks_like_markup_is_escaped():
    text = "# Titel\n\nEin Satz.\n\n| A |\n|---|\n| Zelle |\n"
    source = read_bytes("a.md", text.encode())
    english = {"Titel": "# not a heading", "Ein Satz.": "1. *not* a list", "Zelle": "a | b"}
    document = make_document(source.text, source.units, lambda g: (english.get(g, g), None))
    written = markdown.write(document, source).decode()
    assert written == "# \\# not a heading\n\n1\\. \\*not\\* a list\n\n| A |\n|---|\n| a \\| b |\n"


def test_windows_line_endings_and_legacy_encoding_come_back_as_they_came():
    text = "# Größe\r\n\r\nÄrger über Öl.\r\n"
    source = read_bytes("a.md", text.encode("cp1252"))
    assert source.text == "Größe\n\nÄrger über Öl."
    document = make_document(source.text, source.units, upper)
    assert markdown.write(document, source) == "# GRÖSSE\r\n\r\nÄRGER ÜBER ÖL.\r\n".encode("cp1252")
