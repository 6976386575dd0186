"""Long documents in Chromium while they stream (the server redraws as often as it can): nothing is
lost at the end, each redraw carries only the rows that changed, rows are replaced in place, and
the reader keeps its place, can scroll and can hover while the rest arrives."""

from __future__ import annotations

import json
import time

from ..fixtures.browser import (
    COMPLETE,
    IDLE,
    PAGE_SECONDS,
    ROW_PROBE,
    Messages,
    download,
    open_input,
    paragraphs_of,
    translate_in_page,
    wait_for_document,
    wait_for_reader,
)


def numbered(count: int) -> str:
    """``count`` one-sentence paragraphs, each its own (a marker no other document has)."""
    return "\n\n".join(f"Absatz {i}: Der Hafen liegt am Ufer." for i in range(count))


def fast_mode(page) -> None:
    page.get_by_text("Fast mode (greedy)").click()
    page.wait_for_function(
        "() => document.querySelector('.bi-root')?.dataset.complete === 'true'"
        " && !document.querySelector('.bi-stale')",
        timeout=PAGE_SECONDS * 1000,
    )
    # the page reruns once more when the translation ends: text typed during that run is lost
    page.wait_for_selector(IDLE, timeout=PAGE_SECONDS * 1000)


def watched(browser, url: str):
    """A page whose reader messages are read off its WebSocket from the start, and whose rows
    are counted (``ROW_PROBE``)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_SECONDS * 1000)
    page.add_init_script(ROW_PROBE)
    messages = Messages(page)
    page.goto(url)
    return context, page, messages


def test_a_400_paragraph_document_streams_to_the_end_and_keeps_everything(
    browser, visited, tmp_path, screenshots
):
    server = visited
    context, page, messages = watched(browser, server.url)
    wait_for_reader(page)
    fast_mode(page)
    log_before = server.log.stat().st_size
    text = numbered(400)
    translate_in_page(page, text, timeout=3 * PAGE_SECONDS)  # a busy machine: minutes
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.locator(".bi-en .bi-s").count() == 400
    assert page.locator(".bi-en.bi-waiting").count() == 0
    shown = json.loads(download(page, "JSON", tmp_path).read_text("utf-8"))
    assert len(shown["paragraphs"]) == 400 and shown["source"] == text
    view = page.locator(".bi-root").get_attribute("data-view")
    streamed = [m for m in messages.of_view(view) if m["base"] is not None]
    assert streamed, "the rows came in redraws"
    sent = sum(len(m["rows"]) for m in streamed)
    assert sent <= 2 * 400 + len(streamed), "each redraw with its new rows only, not them all"
    log = server.log.read_bytes()[log_before:].decode("utf-8", errors="replace")
    assert "DuplicateElement" not in log and "Traceback" not in log, log[-3000:]
    page.screenshot(path=str(screenshots / "12-400-paragraphs-complete.png"))
    context.close()


def test_a_2000_paragraph_document_keeps_its_place_and_can_be_hovered_while_it_streams(
    browser, visited, screenshots
):
    context, page, messages = watched(browser, visited.url)
    wait_for_reader(page)
    fast_mode(page)
    text = numbered(2000)
    open_input(page)
    page.get_by_label("German text", exact=True).fill(text)
    page.get_by_role("button", name="Translate").click()
    german = paragraphs_of(text)
    page.wait_for_function(
        "([n, first]) => document.querySelectorAll('.bi-grid .bi-row').length === n"
        " && document.querySelector('.bi-row .bi-de').textContent === first",
        arg=[len(german), german[0]],
    )
    page.evaluate("window.__rows.started = true; window.__rows.removed = 0")
    view = page.locator(".bi-root").get_attribute("data-view")
    first = messages.of_view(view)[0]
    assert first["base"] is None and len(first["rows"]) == 2000, "the German, all of it, first"
    assert all(row["en"] is None for _, row in first["rows"][50:])

    # hover a translated word while the rest streams in
    page.wait_for_selector(".bi-row[data-row='0'] .bi-en .bi-s")
    linked = page.evaluate(
        "() => [...document.querySelectorAll(\".bi-row[data-row='0'] .bi-de .bi-w\")]"
        ".findIndex(w => w.links.length)"
    )
    assert linked >= 0, "row 0 has a linked word"
    page.locator(".bi-row[data-row='0'] .bi-de .bi-w").nth(linked).hover()
    assert page.locator(".bi-en .bi-w.bi-hit").count() >= 1, "hovering works while streaming"
    assert page.locator(COMPLETE).count() == 0, "…and the document was still streaming"

    # scroll down, then let several redraws arrive: the text in view stays where it was
    page.mouse.move(700, 500)
    page.mouse.wheel(0, 4000)
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').scrollTop > 3000")
    page.evaluate(  # until the wheel's scrolling has come to rest
        """() => new Promise(done => {
            const main = document.querySelector('[data-testid=stMain]');
            let last = -1;
            const still = () => {
                if (main.scrollTop === last) done();
                else { last = main.scrollTop; requestAnimationFrame(still); }
            };
            still();
        })"""
    )
    top_row = """() => {
        const top = document.querySelector('[data-testid=stMain]').getBoundingClientRect().top;
        for (const cell of document.querySelectorAll('.bi-row .bi-de')) {
            const box = cell.getBoundingClientRect();
            if (box.bottom > top) return {row: +cell.closest('.bi-row').dataset.row,
                                          top: box.top - top};
        }
        return null;
    }"""
    place = page.evaluate(top_row)  # the row at the top of the view: the reader's place
    assert place is not None
    seen = len(messages.of_view(view))
    page.wait_for_function(
        "n => document.querySelectorAll('.bi-en .bi-s').length >= n", arg=place["row"] + 60
    )
    # On a busy machine one redraw may bring all those rows: wait for two more redraws
    deadline = time.monotonic() + PAGE_SECONDS
    while len(messages.of_view(view)) < seen + 2 and not page.locator(COMPLETE).count():
        assert time.monotonic() < deadline, "redraws arrived meanwhile"
        page.wait_for_timeout(250)
    after = page.evaluate(top_row)
    assert after["row"] == place["row"], "the same row at the top of the view"
    assert abs(after["top"] - place["top"]) <= 2, "the place in the text holds"
    rows = page.evaluate("window.__rows")
    assert rows["lowest"] == 2000, "the rows never went away, not even for a moment"
    streamed = [m for m in messages.of_view(view) if m["base"] is not None]
    sent = sum(len(m["rows"]) for m in streamed)
    assert sent <= 2 * 2000 + len(streamed), "each redraw with its new rows only, not them all"
    assert rows["removed"] <= sum(len(m["rows"]) for m in streamed), "rows replaced one by one"
    page.screenshot(path=str(screenshots / "13-2000-paragraphs-streaming.png"))

    # something else to read: the long translation stops
    translate_in_page(page, "Ein kurzer Text zum Schluss.")
    wait_for_document(page, ["Ein kurzer Text zum Schluss."])
    context.close()
