"""The page's messages in Chromium: a file name or a web address that looks like Markdown is
shown as the characters it is (no bold, link, colour or math), and a shared page refuses to fetch
from the server's own network (the test server runs without ``TRANSLATOR_PAGE_PRIVATE_URLS``)."""

from __future__ import annotations

from ..fixtures.browser import CLEAR, IDLE, open_input, upload_file, wait_for_reader
from ..fixtures.webserver import Reply, serve

HOSTILE_NAME = "**fett** [k](mailto:x@y.z) :red[rot] $x^2$.docx"
ARTICLE = b"<html><body><article><p>" + b"Ein Satz \xc3\xbcber die Stadt. " * 20 + b"</p></article>"
ALERT = "[data-testid='stAlertContentError']"
# What Markdown would have made of the name: emphasis, a link, a coloured span, math.
MARKUP = "a, strong, em, b, i, del, img, .katex, span[style*='color'], [class*='colored']"
SAME_FONT = """e => {
    const text = getComputedStyle(e.closest('p')), code = getComputedStyle(e);
    return [code.fontFamily === text.fontFamily, code.color === text.color,
            code.backgroundColor];
}"""


def error_shown(page):
    """The page's one error message, once the page is idle."""
    page.wait_for_selector(ALERT, timeout=60_000)
    page.wait_for_selector(IDLE)
    alerts = page.locator(ALERT)
    assert alerts.count() == 1
    return alerts.first


def test_a_file_name_that_looks_like_markdown_is_shown_literally_in_the_error(
    page, tmp_path, screenshots
):
    wait_for_reader(page)
    before = page.locator(".bi-row .bi-de").all_text_contents()
    broken = tmp_path / HOSTILE_NAME
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    upload_file(page, broken)
    alert = error_shown(page)
    assert HOSTILE_NAME in alert.text_content()
    assert alert.locator(MARKUP).count() == 0, alert.inner_html()
    assert "\\" not in alert.text_content(), "no escape shows"
    same_font, same_colour, background = alert.locator("code").evaluate(SAME_FONT)
    assert same_font and same_colour and background == CLEAR, "drawn as the text around it"
    alert.screenshot(path=str(screenshots / "20-plain-file-name-in-an-error.png"))
    assert page.locator(".bi-row .bi-de").all_text_contents() == before


def test_a_shared_page_refuses_a_local_address_with_one_plain_message(page):
    wait_for_reader(page)
    before = page.locator(".bi-row .bi-de").all_text_contents()
    with serve({"/artikel.html": Reply(200, ARTICLE)}) as base:
        url = f"{base}/artikel.html?a=**b**&c=$d$"
        open_input(page)
        page.get_by_label("…or a web address", exact=True).fill(url)
        page.get_by_role("button", name="Translate").click()
        alert = error_shown(page)
    assert "127.0.0.1 is a local or private network address" in alert.text_content()
    assert alert.locator(MARKUP).count() == 0, alert.inner_html()
    assert page.locator(".bi-row .bi-de").all_text_contents() == before


def test_an_address_in_an_error_is_shown_literally(page):
    wait_for_reader(page)
    address = "ftp://example.org/**fett**/[k](http://x.y)/:red[rot]/$x^2$"
    open_input(page)
    page.get_by_label("…or a web address", exact=True).fill(address)
    page.get_by_role("button", name="Translate").click()
    alert = error_shown(page)
    assert f"{address} is not a web address" in alert.text_content()
    assert alert.locator(MARKUP).count() == 0, alert.inner_html()
