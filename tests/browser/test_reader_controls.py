"""The reader's controls in Chromium: switches that translate nothing, new settings that keep the
old view, choosing an alternative, the keyboard, a phone, and the page's small things."""

from __future__ import annotations

import json
from pathlib import Path

from ..fixtures.browser import (
    COMPLETE,
    IDLE,
    PAGE_SECONDS,
    download,
    open_input,
    paragraphs_of,
    translate_in_page,
    upload_file,
    wait_for_document,
    wait_for_reader,
)

# Counts the page's script runs from now on, and marks every row element drawn so far.
WATCH_RUNS = """() => {
    window.__runs = 0;
    const app = document.querySelector('[data-testid=stApp]');
    new MutationObserver(() => {
        if (app.dataset.testScriptState === 'running') window.__runs++;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    for (const row of document.querySelectorAll('.bi-row')) row.__kept = true;
}"""

DECORATION = (
    "e => { const s = getComputedStyle(e);"
    " return `${s.textDecorationStyle} ${s.textDecorationLine}`; }"
)


def focused(page) -> dict:
    """Where keyboard focus is: the element's classes, its sentence, side, word and row."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const s = e.closest && e.closest('.bi-s');
            const row = e.closest && e.closest('.bi-row');
            return {cls: e.className, s: s ? +s.dataset.s : null,
                    side: s ? s.dataset.side : null,
                    w: e.classList.contains('bi-w') ? +e.dataset.w : null,
                    row: row ? +row.dataset.row : null};
        }"""
    )


# -- display switches and settings --------------------------------------------------------------


def test_shading_is_switched_in_the_reader_and_runs_nothing_on_the_server(page, screenshots):
    wait_for_reader(page)
    page.evaluate(WATCH_RUNS)
    word = page.locator(".bi-en .bi-w.bi-low").first
    assert "underline" not in word.evaluate(DECORATION)
    page.get_by_text("Shade low-confidence words").click()
    assert page.locator(".bi-root.bi-shade").count() == 1
    assert word.evaluate(DECORATION) == "wavy underline"
    page.get_by_text("Shade low-confidence words").click()
    assert "underline" not in word.evaluate(DECORATION)
    assert page.evaluate("window.__runs") == 0, "no run of the page, so no translation"
    assert page.evaluate("[...document.querySelectorAll('.bi-row')].every(r => r.__kept)"), (
        "not one row was drawn again"
    )


# Records the first idle moment in which the badge shows: dimmed rows and download buttons.
WATCH_DIMMED = """() => {
    window.__dimmed = null;
    const app = document.querySelector('[data-testid=stApp]');
    new MutationObserver(() => {
        const badge = document.querySelector('.bi-badge');
        if (window.__dimmed || !badge || badge.hidden) return;
        if (app.dataset.testScriptState !== 'notRunning') return;
        window.__dimmed = {
            badge: badge.textContent,
            rows: document.querySelectorAll('.bi-row').length,
            stale: document.querySelectorAll('.bi-row.bi-stale').length,
            waiting: document.querySelectorAll('.bi-en.bi-waiting').length,
            downloads: document.querySelectorAll(
                '.st-key-downloads button, .st-key-download-menu button').length,
        };
    }).observe(document, {childList: true, subtree: true, attributes: true});
}"""


def test_a_new_beam_keeps_the_old_view_dimmed_with_a_badge_and_hides_its_downloads(page):
    wait_for_reader(page)
    before = page.locator(".bi-en").all_text_contents()
    page.evaluate(WATCH_DIMMED)
    beam = page.get_by_role("spinbutton", name="Beam size")
    beam.fill("2")
    beam.press("Enter")
    page.wait_for_function("() => window.__dimmed !== null", timeout=PAGE_SECONDS * 1000)
    dimmed = page.evaluate("window.__dimmed")
    assert dimmed["badge"].startswith("Translating again with beam 2")
    assert dimmed["stale"] >= 1 and dimmed["waiting"] == 0, "old English dimmed, never blanked"
    assert dimmed["downloads"] == 0, "the old downloads are hidden"
    page.wait_for_function(
        "() => document.querySelector('.bi-root').dataset.complete === 'true'"
        " && !document.querySelector('.bi-stale') && document.querySelector('.bi-badge').hidden",
        timeout=PAGE_SECONDS * 1000,
    )
    page.wait_for_selector(".st-key-downloads button")
    assert page.locator(".bi-en").all_text_contents() != before, "the new beam's English"


# -- choosing an alternative --------------------------------------------------------------------

WATCH_ALIGNING = """() => {
    window.__aligning = null;
    new MutationObserver(() => {
        const note = document.querySelector('.bi-note');
        if (window.__aligning || !note) return;
        const sentence = note.previousElementSibling;
        window.__aligning = {note: note.textContent, text: sentence.textContent,
                             words: sentence.querySelectorAll('.bi-w').length};
    }).observe(document, {childList: true, subtree: true});
}"""


def test_choosing_an_alternative_swaps_at_once_aligns_marks_the_change_and_keeps_focus(
    page, tmp_path, screenshots
):
    wait_for_reader(page)
    page.evaluate(WATCH_ALIGNING)
    button = page.locator(".bi-en .bi-alt").first
    index = button.get_attribute("data-s")
    english = page.locator(f'.bi-en .bi-s[data-s="{index}"]')
    before = english.text_content()
    button.click()
    options = page.locator(".bi-menu .bi-choice")
    assert 1 <= options.count() <= 3
    for i in range(options.count()):
        assert options.nth(i).locator("mark.bi-mark").count() >= 1, "where it differs is marked"
    choice = options.first.text_content()
    assert choice != before
    page.screenshot(path=str(screenshots / "05-alternatives-menu.png"))
    options.first.click()
    page.wait_for_function("() => window.__aligning !== null")
    swapped = page.evaluate("window.__aligning")
    assert swapped == {"note": "aligning…", "text": choice, "words": 0}, "at once, marked"
    page.wait_for_function(
        """([i, text]) => {
            const s = document.querySelector(`.bi-en .bi-s[data-s='${i}']`);
            return s && s.textContent === text && s.querySelector('.bi-w')
                && !document.querySelector('.bi-note');
        }""",
        arg=[index, choice],
        timeout=PAGE_SECONDS * 1000,
    )
    assert english.locator(".bi-w.bi-diff").count() >= 1, "the words that changed are marked"
    assert focused(page)["s"] == int(index) and focused(page)["side"] == "en", "focus is back"
    page.screenshot(path=str(screenshots / "05b-alternative-chosen.png"))
    page.wait_for_selector(IDLE)
    document = json.loads(download(page, "JSON", tmp_path).read_text("utf-8"))
    assert choice in document["target"], "the downloads follow the choice"


# -- the keyboard -------------------------------------------------------------------------------


def test_one_tab_stop_per_row_and_arrows_move_between_sentences_and_words(page, seed_text):
    wait_for_reader(page)
    rows = len(paragraphs_of(seed_text))
    stops = page.evaluate(
        "[...document.querySelectorAll('.bi-grid *')].filter(e => e.tabIndex >= 0).length"
    )
    assert stops == rows, "one tab stop per row"
    page.locator(".bi-row[data-row='1'] .bi-de .bi-s").first.focus()
    start = focused(page)
    page.keyboard.press("Tab")
    assert focused(page)["row"] == 2, "Tab goes to the next row"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == start
    page.keyboard.press("ArrowDown")
    assert focused(page)["s"] == start["s"] + 1 and focused(page)["side"] == "de"
    page.keyboard.press("ArrowUp")
    assert focused(page)["s"] == start["s"]
    page.keyboard.press("ArrowRight")
    assert focused(page)["w"] == 0, "Right: into the sentence's words"
    page.keyboard.press("ArrowRight")
    assert focused(page)["w"] == 1
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert focused(page)["w"] is None and focused(page)["s"] == start["s"]
    page.keyboard.press("Enter")
    assert focused(page)["side"] == "en" and focused(page)["s"] == start["s"], "the other side"
    page.keyboard.press("Enter")
    assert focused(page)["side"] == "de", "and back"
    row = focused(page)["row"]
    assert page.evaluate(
        "r => [...document.querySelectorAll(`.bi-row[data-row='${r}'] *`)]"
        ".filter(e => e.tabIndex >= 0).map(e => e === document.activeElement)",
        row,
    ) == [True], "the row's one tab stop follows the focus"


def test_a_word_jumps_to_its_linked_word_and_the_menu_opens_by_keyboard(page):
    wait_for_reader(page)
    sentence, number, links = page.evaluate(
        """() => { const w = [...document.querySelectorAll('.bi-de .bi-w')]
            .find(w => w.links.length);
            return [+w.closest('.bi-s').dataset.s, +w.dataset.w, w.links]; }"""
    )
    page.locator(f'.bi-de .bi-s[data-s="{sentence}"] .bi-w[data-w="{number}"]').focus()
    page.keyboard.press("Enter")
    assert focused(page) == {**focused(page), "side": "en", "s": sentence, "w": links[0]}
    with_alternatives = page.locator(".bi-en .bi-alt").first.get_attribute("data-s")
    page.locator(f'.bi-en .bi-s[data-s="{with_alternatives}"]').focus()
    page.keyboard.press("m")
    assert page.locator(".bi-menu").count() == 1
    assert "bi-menu-item" in focused(page)["cls"]
    page.keyboard.press("Escape")
    assert page.locator(".bi-menu").count() == 0
    assert focused(page)["s"] == int(with_alternatives), "focus back on the sentence"
    for _ in range(400):  # Right through the words reaches the "⋯"
        page.keyboard.press("ArrowRight")
        if "bi-alt" in focused(page)["cls"]:
            break
    assert "bi-alt" in focused(page)["cls"]
    page.keyboard.press("Enter")
    assert page.locator(".bi-menu .bi-choice").count() >= 1


def test_a_skip_link_goes_to_the_downloads(page):
    wait_for_reader(page)
    page.locator(".bi-row[data-row='0'] .bi-de .bi-s").first.focus()
    page.keyboard.press("Shift+Tab")
    for _ in range(5):
        if "bi-skip" in focused(page)["cls"]:
            break
        page.keyboard.press("Shift+Tab")
    assert "bi-skip" in focused(page)["cls"], "the skip link is a tab stop before the rows"
    assert page.locator(".bi-skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("!!document.activeElement.closest('.st-key-downloads')"), (
        "focus is on the first download"
    )


# -- a phone ------------------------------------------------------------------------------------


def test_on_a_phone_each_paragraph_stacks_german_over_english_with_large_targets(
    phone, screenshots
):
    page = phone
    wait_for_reader(page)
    de = page.locator(".bi-row[data-row='1'] .bi-de").bounding_box()
    en = page.locator(".bi-row[data-row='1'] .bi-en").bounding_box()
    assert en["y"] >= de["y"] + de["height"] - 1, "English under its German"
    assert abs(en["x"] - de["x"]) < 20 and de["width"] > 300, "one column, the whole width"
    for cell in (page.locator(".bi-de").first, page.locator(".bi-en").first):
        assert cell.evaluate("e => getComputedStyle(e).hyphens") == "auto"
        assert cell.get_attribute("lang") in ("de", "en")
    page.screenshot(path=str(screenshots / "20-phone-dark.png"))
    page.locator(".bi-en .bi-s").nth(1).tap()
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '.bi-tool, .bi-switch, .st-key-download-menu button, [data-testid=stExpander] summary')]
            .filter(e => e.offsetParent !== null)
            .map(e => e.getBoundingClientRect())
            .filter(r => r.height < 44 || r.width < 44).length"""
    )
    assert small == 0, "every control is at least 44 px"
    menu = page.locator(".st-key-download-menu button").first
    assert menu.is_visible() and not page.locator(".st-key-downloads").is_visible()
    assert menu.bounding_box()["y"] < page.locator(".bi-grid").bounding_box()["y"], "at the top"
    page.screenshot(path=str(screenshots / "21-phone-sentence-bar.png"))
    menu.tap()
    page.get_by_role("button", name="English .txt").last.wait_for()
    page.screenshot(path=str(screenshots / "22-phone-downloads-menu.png"))


# -- the small things -----------------------------------------------------------------------------


def test_a_failed_file_and_its_message_go_on_the_next_try(page, tmp_path):
    wait_for_reader(page)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    upload_file(page, scan)
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for()
    assert page.locator("[data-testid='stFileChip']").count() == 1
    page.get_by_role("button", name="Translate").click()
    page.wait_for_selector("[data-testid='stAlertContentError']", state="detached")
    page.wait_for_selector(IDLE)
    assert page.locator("[data-testid='stFileChip']").count() == 0


def test_ctrl_enter_translates_and_a_changed_text_says_press_translate(page):
    wait_for_reader(page)
    open_input(page)
    box = page.get_by_label("German text", exact=True)
    box.fill("Der Text ist neu.")
    box.press("Tab")  # leave the box: its text reaches the page
    page.get_by_text("The text was changed").wait_for()
    box.fill("Ein anderer Text ist das.")
    box.press("Control+Enter")
    wait_for_document(page, ["Ein anderer Text ist das."])
    page.wait_for_selector("text=The text was changed", state="detached")


def test_a_model_that_fails_to_load_keeps_the_current_view(page):
    wait_for_reader(page)
    before = page.locator(".bi-row .bi-en").all_text_contents()
    model = page.get_by_label("Model (hub id or local folder)", exact=True)
    model.fill("/no/such/model")
    model.press("Enter")
    error = page.locator("[data-testid='stAlertContentError']")
    error.wait_for(timeout=PAGE_SECONDS * 1000)
    assert "Could not load the translation model '/no/such/model'" in error.text_content()
    assert page.locator(".bi-row .bi-en").all_text_contents() == before
    assert page.locator(".bi-row.bi-stale").count() == len(before), "dimmed: not of that model"
    top = error.bounding_box()["y"]
    assert top < page.locator(".bi-grid").bounding_box()["y"], "the message above the rows"


def test_the_score_is_said_plainly_in_the_sentence_bar_off_the_text(page):
    wait_for_reader(page)
    sentence = page.locator(".bi-en .bi-s").nth(2)
    sentence.click()
    bar = page.locator(".bi-bar-text")
    assert "Model confidence: about " in bar.text_content()
    assert page.evaluate(
        "() => [...document.querySelectorAll('.bi-s')]"
        ".every(s => getComputedStyle(s, '::after').content === 'none')"
    ), "nothing is drawn over the text"


def test_copy_buttons_copy_a_column_and_a_sentence(page):
    wait_for_reader(page)
    button = page.get_by_role("button", name="Copy the whole English text")
    button.click()
    page.wait_for_function("b => b.textContent !== 'Copy English'", arg=button.element_handle())
    assert button.text_content() == "Copied ✓"
    english = page.evaluate("navigator.clipboard.readText()")
    rows = page.locator(".bi-row .bi-en").all_text_contents()
    assert english == "\n\n".join(rows)
    sentence = page.locator(".bi-de .bi-s").nth(3)
    sentence.click()
    page.locator(".bi-bar").get_by_role("button", name="Copy German").click()
    assert page.evaluate("navigator.clipboard.readText()") == sentence.text_content()


def test_the_developer_toolbar_is_hidden(page):
    wait_for_reader(page)
    assert page.locator("[data-testid='stAppDeployButton']").count() == 0
    assert page.get_by_role("button", name="Deploy").count() == 0


def test_the_reader_draws_a_new_document_whole_not_the_previous_one(page, tmp_path: Path):
    wait_for_reader(page)
    translate_in_page(page, "Erster Absatz hier.\n\nZweiter Absatz dort.")
    assert page.locator(COMPLETE).count() == 1
    assert page.locator(".bi-row").count() == 2
