"""A file over the page's upload limit (``server.maxUploadSize`` in .streamlit/config.toml) is
refused in the browser with a clear message, and the page keeps what it showed."""

from __future__ import annotations

import streamlit as st

from .test_reader_browser import IDLE, upload_file, wait_for_reader


def test_a_file_over_the_upload_limit_is_refused_with_a_message_and_nothing_is_lost(page, tmp_path):
    limit = st.get_option("server.maxUploadSize")
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
