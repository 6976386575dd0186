"""Several people at once: four browser sessions translate four documents at the same time, and
each gets the translation of its own document, whole, with no error on any page or the server.
"""

from __future__ import annotations

import pytest

from translator.document import Document
from translator.page import DEFAULT_BEAM, alternatives_for

from ..fixtures.browser import (
    PAGE_SECONDS,
    download,
    open_input,
    paragraphs_of,
    wait_for_document,
    wait_for_reader,
)

SESSIONS = 4


def documents(seed_text: str) -> list[str]:
    """Four different German documents of a few sentences each: long enough that their
    translations overlap in time, and no two share their first sentence."""
    paragraphs = [p for p in seed_text.strip().split("\n\n") if p.strip()]
    openers = [
        "Am Montag regnete es in Köln.",
        "Der Zug nach Hamburg hatte wieder Verspätung.",
        "Im Garten blühen die ersten Tulpen.",
        "Die Bibliothek bleibt über Ostern geschlossen.",
    ]
    return [
        "\n\n".join([opener, paragraphs[(i + 1) % len(paragraphs)]])
        for i, opener in enumerate(openers)
    ]


def same_alignment(a: Document, b: Document) -> bool:
    """Same words, links and flags; scores and link weights equal up to float noise (batches
    of other sizes pad differently)."""

    def discrete(document: Document) -> list:
        return [
            (
                s.source,
                s.target,
                s.source_words,
                s.target_words,
                s.flags,
                s.alternatives,
                [(link.source, link.target) for link in s.links],
            )
            for s in document.sentences
        ]

    def floats(document: Document) -> list[float]:
        return [
            x
            for s in document.sentences
            for x in [*(k.weight for k in s.links), *s.word_scores, s.score or 0.0]
        ]

    return discrete(a) == discrete(b) and floats(a) == pytest.approx(floats(b), rel=1e-5)


@pytest.fixture()
def sessions(browser, visited):
    """Four separate browser contexts (four Streamlit sessions), each with its page errors.

    Opened one after the other, so the seed article is translated once and shared.
    """
    opened = []
    for _ in range(SESSIONS):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(PAGE_SECONDS * 1000)
        page.errors = []
        page.on("pageerror", lambda error, seen=page.errors: seen.append(str(error)))
        page.goto(visited.url)
        wait_for_reader(page)
        opened.append((context, page))
    yield [page for _, page in opened]
    for context, _ in opened:
        context.close()


def test_four_sessions_translating_at_once_each_get_their_own_document(
    sessions, server, translator, seed_text, tmp_path
):
    texts = documents(seed_text)
    for page, text in zip(sessions, texts, strict=True):
        open_input(page)
        page.get_by_label("German text", exact=True).fill(text)
    log_before = server.log.stat().st_size
    for page in sessions:  # back to back: every session is translating before any is done
        page.get_by_role("button", name="Translate").click()
    for page, text in zip(sessions, texts, strict=True):
        wait_for_document(page, paragraphs_of(text), timeout=PAGE_SECONDS)

    alternatives = alternatives_for(DEFAULT_BEAM)
    for i, (page, text) in enumerate(zip(sessions, texts, strict=True)):
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        assert page.errors == []
        folder = tmp_path / f"session-{i}"
        folder.mkdir()
        shown = Document.from_json(download(page, "JSON", folder).read_text("utf-8"))
        expected = translator.translate_text(text, beam=DEFAULT_BEAM, alternatives=alternatives)
        assert shown.source == text, f"session {i} shows another session's document"
        assert list(shown.pairs()) == list(expected.pairs())
        assert same_alignment(shown, expected), "words and links are those of its own text"
        rows = page.locator(".bi-row .bi-de").all_text_contents()
        assert [r.strip() for r in rows] == text.split("\n\n"), "its own paragraphs, in order"
    log = server.log.read_bytes()[log_before:].decode("utf-8", errors="replace")
    assert "Traceback" not in log and "Error" not in log, log[-3000:]
