"""Markdown: prose translated, every other byte kept; marks, anchors, escapes and encodings hold."""

from __future__ import annotations

import codecs
import json
import re
import time
from pathlib import Path

import pytest

from translator import Translator, translate
from translator.formats import markdown, read_bytes
from translator.testing import StandInBackend

from .fixtures import skeleton_md as sk
from .fixtures.documents import make_document, upper, upper_aligned
from .fixtures.format_figures import mirrored

DATA = Path(__file__).parent / "data" / "markdown"

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


# -- under a stand-in engine that reorders words ------------------------------------------------

TRANSLATORS: dict[tuple[str, bool], Translator] = {}


def stand_in(text: str | bytes, order: str = "keep", mirror: bool = False) -> bytes:
    """The file through the real pipeline with the word-by-word stand-in (capitals; ``mirror``:
    each word backwards too, so that headings' anchors change)."""
    if (order, mirror) not in TRANSLATORS:
        engine = StandInBackend(order, transform=mirrored if mirror else str.upper)
        TRANSLATORS[order, mirror] = Translator(backend=engine, cache=False, retry_degenerate=False)
    data = text.encode() if isinstance(text, str) else text
    source = read_bytes("a.md", data)
    document = TRANSLATORS[order, mirror].translate_text(source.text, paragraphs=source.units)
    return markdown.write(document, source)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("keep", "**GESTERN** HAT ER DAS [BUCH](url) GELESEN.\n"),
        ("first-to-end", "HAT ER DAS [BUCH](url) GELESEN. **GESTERN**\n"),
        ("reverse", ". GELESEN [BUCH](url) DAS ER HAT **GESTERN**\n"),
    ],
)
def test_bold_and_link_follow_their_words_when_the_english_reorders(order, expected):
    assert stand_in("**Gestern** hat er das [Buch](url) gelesen.\n", order).decode() == expected


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_adjacent_links_stay_two_links_each_with_its_text(order):
    text = "Themen: [Grundeinkommen](/a)[Berlin](/b) und [foo][bar][baz].\n\n[baz]: /c\n[bar]: /d\n"
    written = stand_in(text, order).decode()
    assert "[GRUNDEINKOMMEN](/a)[BERLIN](/b)" in written
    assert sk.count_marks(written)["link"] == sk.count_marks(text)["link"] == 4
    assert sk.links_without_text(written) == 0


def test_shortcut_and_collapsed_references_keep_their_target():
    text = (
        "Lies die [Anleitung] und die [Hilfe][] und sieh ![Logo der Firma].\n\n"
        "[anleitung]: https://example.com/a\n[Hilfe]: https://example.com/h\n"
        "[Logo der Firma]: logo.png\n"
    )
    written = stand_in(text, mirror=True).decode()
    assert "][Anleitung]" in written and "][Hilfe]" in written and "][Logo der Firma]" in written
    assert sk.same_structure(text, written)
    hrefs = re.findall(r'(?:href|src)="([^"]+)"', sk.render(written))
    assert hrefs == ["https://example.com/a", "https://example.com/h", "logo.png"]


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_sub_word_formatting_stays_on_its_characters(order):
    text = "Die Fläche ist 20 m<sup>2</sup> groß, so Freeman<sup>1</sup> in abc**de**fg.\n"
    written = stand_in(text, order).decode()
    assert "M<sup>2</sup>" in written and "FREEMAN<sup>1</sup>" in written
    assert "ABC**DE**FG" in written


@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_a_link_around_only_code_keeps_its_spacing(order):
    written = stand_in("Nutze screen oder [`tmux`](https://x.y), um weiterzuarbeiten.\n", order)
    text = written.decode()
    assert "[`tmux`](https://x.y)" in text
    assert "[ " not in text and ") ," not in text and re.search(r"\w\[`tmux", text) is None


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_a_link_over_a_sentence_leaves_its_full_stop_outside(order):
    written = stand_in("[Dieses Projekt steht unter der MIT-Lizenz](LICENSE).\n", order).decode()
    assert "LIZENZ](LICENSE)" in written or "DIESES](LICENSE)" in written
    assert ".](LICENSE)" not in written and written.count(".") == 1


README = """# Mein Projekt

## Inhalt

- [Über uns](#über-uns)
- [Installation](#installation)
- [Nutzung](#nutzung) und [noch einmal Nutzung](#nutzung-1)
- [Lizenz][lizenz-link] und [Kodiert](#%C3%BCber-uns)
- <a href="#installation">Installation (HTML)</a>

## Über uns

Wir bauen Werkzeuge.

## Installation

Mit `pip` installieren.

## Nutzung

Starte das Programm.

## Nutzung

Noch mehr Text.

<a name="lizenz"></a>
## Lizenz

[lizenz-link]: #lizenz
"""


def test_in_page_links_follow_the_translated_headings():
    written = stand_in(README, mirror=True).decode()
    assert sk.broken_anchors(README) == []
    assert sk.broken_anchors(written) == []
    assert "(#rebü-snu)" in written and "(#noitallatsni)" in written
    assert "(#gnuztun)" in written and "(#gnuztun-1)" in written
    assert "(#reb%C3%BC-snu)" in written  # percent-encoded as it was
    assert 'href="#noitallatsni"' in written
    assert "[lizenz-link]: #lizenz" in written  # an explicit anchor is kept


# (markdown, an English that looks like markup where the German didn't)
ESCAPES = [
    ("Ein Satz\nund noch einer.\n", {"und noch einer.": "---"}),
    ("Ein Satz\nund noch einer.\n", {"und noch einer.": "==="}),
    ("Ein Satz\nund noch einer.\n", {"und noch einer.": "- a list?"}),
    ("Ein Satz\nund noch einer.\n", {"und noch einer.": "> a quote?"}),
    ("Ein Satz\nund noch einer.\n", {"und noch einer.": "2. a list?"}),
    ("Ein Satz\nund noch einer.\n", {"und noch einer.": "# a heading?"}),
    ("Ein Satz\nund noch einer.\n", {"Ein Satz\nund noch einer.": "Trailing  \nspaces"}),
    ("# Titel\n", {"Titel": "C ###"}),
    ("Text [Link](/x).\n", {"Text": "Wow!"}),
    ("Ein Satz.\n", {"Ein Satz.": "*star* and _under_ `tick` <b> [link](x) &amp; \\"}),
    ("| A |\n|---|\n| Zelle |\n", {"Zelle": "a | b"}),
]


@pytest.mark.parametrize(("text", "english"), ESCAPES)
def test_english_that_looks_like_markup_renders_as_text(text, english):
    source = read_bytes("a.md", text.encode())

    def translate(german: str):
        return english.get(german, german.upper()), None

    document = make_document(source.text, source.units, translate)
    written = markdown.write(document, source).decode()
    assert sk.same_structure(text, written), written


@pytest.mark.parametrize(
    "text",
    [
        "foo&#10;&#10;bar\n",
        "&#9;foo\n",
        "Foo\n    ---\n",
        "# foo \\###\n",
        "### foo \\###\n",
        "*(*foo*)*\n",
        "_(_foo_)_\n",
        "**foo*bar*baz**\n",
        "Erste Zeile\\\nzweite Zeile\n",
        "Erste Zeile  \nzweite Zeile\n",
        "\\![foo]\n\n[foo]: /url\n",
    ],
)
@pytest.mark.parametrize("order", ["keep", "first-to-end", "reverse"])
def test_escapes_entities_and_nested_emphasis_keep_the_rendered_structure(text, order):
    written = stand_in(text, order).decode()
    assert sk.same_structure(text, written), written
    assert sk.block_letters(text) == sk.block_letters(written)


def test_alt_texts_and_titles_are_translated():
    text = (
        "![Ein Bild vom Haus](haus.png \"Das Haus\") und [mehr](https://x.y 'Mehr lesen') und "
        '[Verweis][v] und <img src="a.png" alt="Ein Hund" title="Der Hund">.\n\n'
        '<p align="center"><img src="b.png" alt="Eine Katze"></p>\n\n'
        '[v]: https://v.w "Der Verweis"\n'
    )
    written = stand_in(text).decode()
    for german in ("Ein Bild vom Haus", "Das Haus", "Mehr lesen", "Ein Hund", "Der Hund"):
        assert german.upper() in written and german not in written
    assert "EINE KATZE" in written and '"DER VERWEIS"' in written
    assert sk.same_structure(text, written)
    assert "](haus.png " in written and "](https://x.y '" in written


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_task_list_boxes_stay_boxes(order):
    text = "- [ ] Aufgabe eins erledigen\n- [x] Aufgabe zwei\n"
    written = stand_in(text, order).decode()
    assert written.startswith("- [ ] ") and "\n- [x] " in written
    assert "\\[" not in written


def test_footnotes_are_kept_and_their_text_translated():
    text = "Ein Satz mit Fußnote[^1] hier.\n\n[^1]: Die Fußnote.\n    Sie geht weiter.\n"
    written = stand_in(text).decode()
    assert (
        written == "EIN SATZ MIT FUSSNOTE[^1] HIER.\n\n[^1]: DIE FUSSNOTE.\n    SIE GEHT WEITER.\n"
    )
    assert sk.same_structure(text, written)


def test_mixed_line_endings_are_kept_exactly_inside_code_too():
    text = "# Titel\r\n\r\nErste Zeile.\nZweite Zeile.\r\nDritte Zeile.\r\rZweiter Absatz."
    code = "\n\n```\r\ncode\r\n```\n"
    written = stand_in((text + code).encode()).decode()
    assert written == text.upper() + code


@pytest.mark.parametrize("codec", ["cp1252", "utf-8-sig", "utf-16", "utf-16-be", "utf-8"])
def test_a_file_comes_back_in_the_encoding_it_came_in(codec):
    text = "# Größe\n\nÄrger über Öl.\n"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    source = read_bytes("a.md", data)
    document = make_document(source.text, source.units, lambda g: (g.upper() + " →", None))
    written = markdown.write(document, source)
    expected = "# GRÖSSE →\n\nÄRGER ÜBER ÖL. →\n"
    if codec == "cp1252":
        expected = expected.replace("→", "&#8594;")
    assert written == (codecs.BOM_UTF16_BE if codec == "utf-16-be" else b"") + expected.encode(
        codec
    )


@pytest.mark.parametrize(
    "pattern", ["<b>Wort ", "*Wort ", "[Wort ", "![Wort ", "`x` Wort ", "<span>Wort "]
)
def test_the_reader_is_linear_in_unclosed_inline_markup(pattern):
    def cost(n: int) -> float:
        data = ("Ein Absatz " + pattern * n + "Ende.\n").encode()
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            read_bytes("a.md", data)
            best = min(best, time.process_time() - start)
        return best

    small, large = cost(500), cost(2000)
    assert large < 12 * max(small, 1e-3)  # linear: about 4; quadratic: about 16


SPEC = json.loads((DATA / "commonmark-spec.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("order", "least"), [("keep", 1.0), ("first-to-end", 0.97), ("reverse", 0.97)]
)
def test_commonmark_spec_examples_render_to_the_same_structure(order, least):
    kept = letters = 0
    lost = marks = empty = 0
    for example in SPEC:
        text = example["markdown"]
        written = stand_in(text, order).decode()
        kept += sk.same_structure(text, written)
        letters += sk.block_letters(text) == sk.block_letters(written)
        n_lost, n_marks = sk.marks_lost(text, written)
        lost, marks = lost + n_lost, marks + n_marks
        empty += sk.links_without_text(written) - sk.links_without_text(text)
    assert kept >= least * len(SPEC)
    assert letters == len(SPEC)  # every character translated once, in its block
    assert lost == 0 and empty <= 0


REAL = sorted(p for p in DATA.glob("*.md") if p.name != "README.md")


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_german_files_keep_structure_code_anchors_and_marks(path):
    data = path.read_bytes()
    text = data.decode("utf-8")
    written = stand_in(data, mirror=True).decode("utf-8")
    assert sk.same_structure(text, written)
    assert sk.block_letters(text) == sk.block_letters(written)
    assert sk.code_texts(text) == sk.code_texts(written)
    assert sk.broken_anchors(written) == sk.broken_anchors(text) == []
    assert sk.letters_left(written) <= 0.001 * sum(len(b) for b in sk.block_letters(text))
    reordered = stand_in(data, "reverse", mirror=True).decode("utf-8")
    lost, total = sk.marks_lost(text, reordered)
    assert lost <= 0.02 * total
    assert sk.links_without_text(reordered) == 0
    assert sk.broken_anchors(reordered) == []
