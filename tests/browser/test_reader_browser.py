"""The reader in Chromium: hover and focus light the counterpart, text stays text, both themes,
the standalone file, a Word file up and down, and what a first visit sees.

Each test opens a fresh page (a new Streamlit session) on one shared server that runs the test
model. Screenshots go to ``$TRANSLATOR_SCREENSHOTS`` (default ``artifacts/screenshots``).
"""

from __future__ import annotations

import io
import json
import statistics
from pathlib import Path

import docx

from translator.page import DEFAULT_BEAM
from translator.reader.standalone import render_standalone_html

from ..fixtures.browser import (
    CLEAR,
    IDLE,
    PAGE_SECONDS,
    background,
    contrast,
    download,
    luminance,
    move_away,
    translate_in_page,
    upload_file,
    wait_for_document,
    wait_for_reader,
)

XSS = "<script>alert(1)</script> und <img src=x onerror=alert(1)>. Danach kommt ein Satz."

# A German word with links and the English words it lights: [sentence, word, [english words]];
# one linked to a single word if there is one (clearest to look at).
LINKED_WORD = """side => {
    const found = [];
    for (const word of document.querySelectorAll(`.bi-${side} .bi-w`)) {
        if (!word.links.length) continue;
        const s = +word.closest('.bi-s').dataset.s;
        found.push([s, +word.dataset.w, word.links]);
    }
    found.sort((a, b) => (a[2].length !== 1) - (b[2].length !== 1));
    return found[0] || null;
}"""


def word(page, side: str, sentence: int, number: int):
    return page.locator(f'.bi-{side} .bi-s[data-s="{sentence}"] .bi-w[data-w="{number}"]')


def linked(page, side: str = "de"):
    """A linked word of ``side`` and the locators of the words it lights on the other side."""
    found = page.evaluate(LINKED_WORD, side)
    assert found, "the translation has word links to hover"
    sentence, number, links = found
    other = "en" if side == "de" else "de"
    return word(page, side, sentence, number), [word(page, other, sentence, n) for n in links]


# -- first: what a first visit saw (recorded by the server fixture, whichever test ran first) --


def test_a_first_visit_shows_the_german_and_says_the_model_is_prepared_before_any_english(
    visited, screenshots
):
    seen = visited.first_visit
    assert seen["german"] is not None and seen["english"] is not None
    assert seen["german"] < seen["english"], "the German is on screen before the first English"
    assert seen["preparing"] is not None and seen["preparing"] < seen["english"]
    (screenshots.parent / "first-visit.json").write_text(json.dumps(seen, indent=2))


# -- the page -----------------------------------------------------------------------------------


def test_hovering_a_german_word_lights_its_aligned_english_words_until_the_mouse_leaves(
    page, screenshots
):
    wait_for_reader(page)
    german, targets = linked(page, "de")
    before = [background(t) for t in targets]
    assert before == [CLEAR] * len(targets)

    german.hover()
    assert all(background(t) != CLEAR for t in targets), "every aligned English word lights up"
    lit = page.locator(".bi-en .bi-w.bi-hit")
    assert lit.count() == len(targets)
    index = german.evaluate("e => e.closest('.bi-s').dataset.s")
    english_sentence = page.locator(f'.bi-en .bi-s[data-s="{index}"]')
    assert background(english_sentence) != CLEAR, "the sentence pair lights more faintly"
    assert luminance(background(english_sentence)) != luminance(background(targets[0]))
    page.screenshot(path=str(screenshots / "01-word-hover-light.png"))

    move_away(page)
    assert [background(t) for t in targets] == before, "the highlight clears on leave"
    assert background(english_sentence) == CLEAR


def test_hovering_an_english_word_lights_the_german_words_aligned_to_it(page):
    wait_for_reader(page)
    english, targets = linked(page, "en")
    english.hover()
    assert page.locator(".bi-de .bi-w.bi-hit").count() == len(targets)
    assert all(background(t) != CLEAR for t in targets)


def test_a_word_without_links_lights_only_its_sentence(page):
    wait_for_reader(page)
    lonely = page.evaluate(
        "() => { const w = [...document.querySelectorAll('.bi-de .bi-w')]"
        ".find(w => !w.links.length); return [+w.closest('.bi-s').dataset.s, +w.dataset.w]; }"
    )
    word(page, "de", *lonely).hover()
    assert page.locator(".bi-hit").count() == 0
    assert page.locator(".bi-s.bi-on").count() == 2  # the German sentence and its English


def test_a_sentence_lights_its_translation_on_hover_and_on_keyboard_focus_both_ways(
    page, screenshots
):
    wait_for_reader(page)
    german = page.locator('.bi-de .bi-s[data-s="2"]')
    english = page.locator('.bi-en .bi-s[data-s="2"]')
    assert background(german) == CLEAR and background(english) == CLEAR

    english.hover()
    assert background(german) != CLEAR, "hovering English lights the German sentence"
    page.screenshot(path=str(screenshots / "02-sentence-hover-english.png"))
    move_away(page)
    assert background(german) == CLEAR

    german.hover()
    assert background(english) != CLEAR, "hovering German lights the English sentence"
    move_away(page)
    assert background(english) == CLEAR

    german.focus()
    assert background(english) != CLEAR, "keyboard focus on German lights the English"
    bar = page.locator(".bi-bar-text")
    assert bar.text_content().startswith("Sentence 3: ")
    assert "Model confidence: about " in bar.text_content(), "the score, said plainly, off the text"
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.className")
    assert "bi-w" in focused, "arrow keys move from the sentence to its words"
    page.screenshot(path=str(screenshots / "03-sentence-focus-keyboard.png"))
    english.focus()
    assert background(german) != CLEAR, "keyboard focus on English lights the German"


def test_rows_are_one_grid_of_paragraphs_german_left_english_right(page, seed_text):
    wait_for_reader(page)
    rows = page.locator(".bi-row")
    assert rows.count() == len(seed_text.strip().split("\n\n"))
    for i in range(rows.count()):
        de = rows.nth(i).locator(".bi-de").bounding_box()
        en = rows.nth(i).locator(".bi-en").bounding_box()
        assert de["x"] < en["x"] and abs(de["y"] - en["y"]) < 1, "German and English share a row"


def test_a_document_of_html_shows_the_characters_and_runs_nothing(page, screenshots):
    wait_for_reader(page)
    translate_in_page(page, XSS)
    german = page.locator(".bi-de").first
    assert german.text_content() == XSS
    assert page.locator(".bi-root script, .bi-root img").count() == 0
    german.locator(".bi-s").first.hover()
    page.screenshot(path=str(screenshots / "04-xss-shown-as-text.png"))
    assert page.dialogs == [], f"a script ran: {page.dialogs}"


def test_selecting_a_paragraph_copies_exactly_its_text(page, seed_text):
    wait_for_reader(page)
    first_paragraph = seed_text.split("\n\n")[1]
    copied = (
        page.locator(".bi-de")
        .nth(1)
        .evaluate(
            """cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return selection.toString();
        }"""
        )
    )
    assert copied == first_paragraph


def test_dark_theme_keeps_the_reader_readable_and_highlighted(dark_page, screenshots):
    page = dark_page
    wait_for_reader(page)
    app_background = page.locator("[data-testid='stApp']").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    text_colour = page.locator(".bi-root").evaluate("e => getComputedStyle(e).color")
    assert luminance(app_background) < 0.1, "the page is dark"
    assert contrast(text_colour, app_background) > 7, "the text reads well on it"
    german, targets = linked(page, "de")
    german.hover()
    assert background(targets[0]) != CLEAR
    page.screenshot(path=str(screenshots / "06-dark-theme-word-hover.png"))


# -- the standalone file --------------------------------------------------------------------------


def test_the_standalone_page_lights_aligned_words_offline_and_runs_no_text(
    browser, translator, screenshots
):
    document = translator.translate_text(
        f"{XSS}\n\nGuten Morgen. Wie geht es dir heute?", beam=DEFAULT_BEAM, alternatives=3
    )
    context = browser.new_context(viewport={"width": 1200, "height": 700}, offline=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    path = screenshots.parent / "standalone.bilingual.html"
    path.write_text(render_standalone_html(document), "utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(".bi-root .bi-row")
    assert page.locator(".bi-de").first.text_content() == XSS
    german, targets = linked(page, "de")
    german.hover()
    assert all(background(t) != CLEAR for t in targets)
    page.get_by_text("Shade low-confidence words").click()
    assert page.locator(".bi-root.bi-shade").count() == 1, "the file shades too"
    page.screenshot(path=str(screenshots / "07-standalone-file.png"))
    context.close()
    assert dialogs == []
    assert requests == [path.as_uri()], "the file fetches nothing"


# -- a Word file: upload, read, download, and its bilingual page ------------------------------

HEADING = "Ein Bericht über den Hafen"
BOLD = "Die alte Brücke ist sehr schön."
CELL = "Der Hafen liegt am Ufer."


def german_docx(path: Path) -> Path:
    """A Word file with a heading, a paragraph whose second sentence is bold, and a table."""
    d = docx.Document()
    d.add_heading(HEADING, 1)
    paragraph = d.add_paragraph("Die Stadt hat einen Fluss. ")
    paragraph.add_run(BOLD).bold = True
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = CELL
    table.cell(0, 1).text = "1.234"
    d.save(str(path))
    return path


def test_a_word_file_goes_up_comes_back_as_english_word_and_as_a_bilingual_page(
    page, browser, tmp_path, screenshots
):
    wait_for_reader(page)
    upload_file(page, german_docx(tmp_path / "bericht.docx"))
    wait_for_document(page, [HEADING, f"Die Stadt hat einen Fluss. {BOLD}", CELL])
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, "no error"
    german = page.locator(".bi-de").evaluate_all("es => es.map(e => e.textContent)")
    assert german == [HEADING, f"Die Stadt hat einen Fluss. {BOLD}", CELL], "a row per unit"
    english = page.locator(".bi-en").evaluate_all("es => es.map(e => e.textContent)")
    assert len(english) == 3 and all(e.strip() for e in english)
    assert page.get_by_label("German text", exact=True).input_value().startswith(HEADING)
    page.locator(".st-key-downloads").get_by_role(
        "button", name="English .docx"
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "09-docx-upload-rows-and-downloads.png"))

    path = download(page, "English .docx", tmp_path)
    assert path.name == "bericht.en.docx"
    word = docx.Document(io.BytesIO(path.read_bytes()))
    heading, body = word.paragraphs[0], word.paragraphs[1]
    assert heading.style.name == "Heading 1" and heading.text == english[0]
    assert body.text == english[1] and body.text != f"Die Stadt hat einen Fluss. {BOLD}"
    assert any(run.bold for run in body.runs), "the bold sentence's English stays bold"
    assert len(word.tables) == 1 and len(word.tables[0].columns) == 2
    assert word.tables[0].cell(0, 0).text == english[2] != CELL
    assert word.tables[0].cell(0, 1).text == "1.234", "a cell of numbers stays as it is"

    bilingual = download(page, "Bilingual .html", tmp_path)
    assert bilingual.name == "bericht.bilingual.html"
    context = browser.new_context(viewport={"width": 1200, "height": 600}, offline=True)
    try:
        opened = context.new_page()
        requests: list[str] = []
        opened.on("request", lambda r: requests.append(r.url))
        opened.goto(bilingual.as_uri())
        opened.wait_for_selector(".bi-root .bi-row")
        rows = opened.locator(".bi-de").evaluate_all("es => es.map(e => e.textContent)")
        assert rows == german
        german_word, targets = linked(opened, "de")
        assert [background(t) for t in targets] == [CLEAR] * len(targets)
        german_word.hover()
        assert all(background(t) != CLEAR for t in targets), "its English words light up"
        opened.screenshot(path=str(screenshots / "10-docx-bilingual-file-hover.png"))
        assert requests == [bilingual.as_uri()], "the downloaded page fetches nothing"
    finally:
        context.close()


def test_an_unreadable_upload_says_why_and_keeps_the_translation(page, tmp_path, screenshots):
    wait_for_reader(page)
    before = page.locator(".bi-de").evaluate_all("es => es.map(e => e.textContent)")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    upload_file(page, scan)
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=PAGE_SECONDS * 1000)
    assert error.count() == 1
    assert "scan.pdf" in error.text_content() and "is damaged" in error.text_content()
    assert page.locator(".bi-de").evaluate_all("es => es.map(e => e.textContent)") == before
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "11-unreadable-upload.png"))


# -- hover cost on a long document (recorded, never asserted) ---------------------------------


def test_hover_on_a_2000_word_document_lights_the_counterpart_and_is_timed(
    page, seed_text, screenshots
):
    wait_for_reader(page)
    page.get_by_text("Fast mode (greedy)").click()  # quicker: the hover is what is measured
    wait_for_reader(page)
    long = "\n\n".join([seed_text.strip()] * 6)
    translate_in_page(page, long)
    counts = page.evaluate(
        "() => [document.querySelectorAll('.bi-de .bi-w').length,"
        " document.querySelectorAll('.bi-en .bi-w').length]"
    )
    assert counts[0] >= 2000
    timings = page.evaluate(
        """() => {
            const words = [...document.querySelectorAll('.bi-de .bi-w')];
            const times = [];
            for (let i = 0; i < 200; i++) {
                const word = words[(i * 37) % words.length];
                const start = performance.now();
                word.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
                document.body.offsetHeight;  // force the style recalculation and layout
                times.push(performance.now() - start);
            }
            return times;
        }"""
    )
    assert page.locator(".bi-s.bi-on").count() == 2, "the last hover lit its sentence pair"
    record = {
        "german_words": counts[0],
        "english_words": counts[1],
        "hovers": len(timings),
        "median_ms": statistics.median(timings),
        "p95_ms": sorted(timings)[int(0.95 * len(timings))],
    }
    (screenshots.parent / "hover-timing.json").write_text(json.dumps(record, indent=2))
    print("hover timing:", record)
    page.screenshot(path=str(screenshots / "08-2000-words.png"))
