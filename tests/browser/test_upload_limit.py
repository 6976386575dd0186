"""A file over the page's upload limit (``server.maxUploadSize`` in the repository's
.streamlit/config.toml, read from there, wherever pytest runs) is refused in the browser with a
clear message, the page says the limit beforehand, and it keeps what it showed."""

from __future__ import annotations

from translator.page import READABLE_KINDS

from ..fixtures.browser import IDLE, open_input, upload_file, upload_limit_mb, wait_for_reader


def test_the_page_says_its_upload_limit_before_anything_is_chosen(page):
    wait_for_reader(page)
    open_input(page)
    label = page.locator("[data-testid='stFileUploader'] [data-testid='stWidgetLabel']")
    assert f"up to {upload_limit_mb()} MB" in label.text_content()
    for kind in READABLE_KINDS:
        assert kind in label.text_content()


def test_a_file_over_the_upload_limit_is_refused_with_a_message_and_nothing_is_lost(page, tmp_path):
    limit = upload_limit_mb()
    wait_for_reader(page)
    before = page.locator(".bi-row .bi-de").all_text_contents()
    big = tmp_path / "riesig.txt"
    big.write_bytes(b"Ein Satz. " * (limit * 2**20 // 10 + 1))
    upload_file(page, big)
    message = page.get_by_text(f"File must be {limit:.1f}MB or smaller.")
    message.wait_for(timeout=30_000)
    page.wait_for_selector(IDLE)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(".bi-row .bi-de").all_text_contents() == before
