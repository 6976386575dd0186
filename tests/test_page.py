"""The page's driver without Streamlit (``translator.page``): what is submitted, the translation
running beside the page, what a tab is sent, choosing an alternative, and the downloads."""

from __future__ import annotations

import io
import json
import string
import threading
from html import escape as html_escape
from pathlib import Path

import docx
import pytest

from translator import InputError, ModelLoadError, Translator, TranslatorError
from translator.document import Span
from translator.page import (
    DONE,
    FAILED,
    READABLE_KINDS,
    REDRAW_ENV,
    SHORTEST_REDRAW,
    Job,
    Reading,
    ResultCache,
    Settings,
    alternatives_for,
    cache_key,
    chosen_model,
    default_model,
    downloads_for,
    german_paragraphs,
    plain_markdown,
    private_urls_allowed,
    redraw_seconds,
    replace_sentence,
    submitted_file,
    submitted_text,
    submitted_url,
    too_big,
)
from translator.testing import StandInBackend

from .fixtures.reader import Screen, sentences_of, text_of
from .fixtures.webserver import Reply, serve
from .fixtures.word import DOCX, report_docx

ARTICLE = (Path(__file__).parent / "data" / "web" / "artikel.html").read_bytes()
HOSTILE_NAME = "**fett** [k](mailto:x@y.z) :red[rot] $x^2$ <b>b</b> `c` ~d~ #e |f| _g_.docx"

UNREADABLE = [
    ("kaputt.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
    ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is damaged"),
    ("bild.txt", bytes(range(256)) * 8, "binary file, not text"),
]
SETTINGS = Settings(model="stand-in", beam=1)


def stand_in(wrap=None) -> Translator:
    """The stand-in engine, its backend wrapped by ``wrap`` (to fail or wait) if given."""
    backend = StandInBackend(order="keep")
    if wrap is not None:
        backend = wrap(backend)
    return Translator(backend=backend, cache=False, retry_degenerate=False)


class Loader:
    """The page's model loader, counting loads; ``fail`` makes loading fail as a bad path does."""

    def __init__(self, translator: Translator, fail: bool = False) -> None:
        self.translator = translator
        self.fail = fail
        self.loads = 0

    def __call__(self, model: str) -> Translator:
        self.loads += 1
        if self.fail:
            raise ModelLoadError(model, "no such folder")
        return self.translator


class Failing:
    """A backend that breaks on its ``after``-th call, as a model can run out of memory."""

    def __init__(self, inner, after: int) -> None:
        self.inner, self.after, self.calls = inner, after, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, batch, **options):
        self.calls += 1
        if self.calls >= self.after:
            raise RuntimeError("out of memory")
        return self.inner.generate(batch, **options)


class Gated(Failing):
    """A backend that waits for ``gate`` before its first batch: nothing is translated yet."""

    def __init__(self, inner, gate: threading.Event) -> None:
        super().__init__(inner, after=10**9)
        self.gate = gate

    def generate(self, batch, **options):
        self.gate.wait(30)
        return self.inner.generate(batch, **options)


def finish(reading: Reading, screen: Screen | None = None) -> Screen:
    """Let the reading's job end; the tab gets what the page would send it."""
    screen = screen or Screen()
    if reading.job is not None:
        assert reading.job.join(timeout=120), "the job ends"
    reading.step()
    screen.apply(reading.message(screen.have))
    return screen


def paragraphs(count: int) -> str:
    return "\n\n".join(f"Hier steht Absatz {p}. Er ist kurz." for p in range(count))


# -- what is submitted ------------------------------------------------------------------------


def test_an_uploaded_word_file_becomes_a_source_named_by_its_bytes():
    data = report_docx()
    submission = submitted_file("bericht.docx", data)
    assert submission.source.format == "docx" and submission.source.name == "bericht.docx"
    assert [u.of(submission.text) for u in submission.units][:2] == [
        "Bericht über die Stadt",
        "Der Dom ist sehr groß.",
    ]
    assert submission.origin[:2] == ("file", "bericht.docx")
    assert submitted_file("bericht.docx", data).origin == submission.origin
    assert submitted_file("b.docx", data).origin != submission.origin


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [*UNREADABLE, ("leer.srt", b"\n\n", "no text to translate")],
    ids=["docx", "pdf", "binary", "empty"],
)
def test_an_unreadable_file_is_one_clear_input_error(name, data, message):
    with pytest.raises(InputError, match=message):
        submitted_file(name, data)


def test_the_readable_kinds_are_one_extension_per_format_the_page_reads():
    assert READABLE_KINDS == (
        ".txt",
        ".md",
        ".html",
        ".docx",
        ".pptx",
        ".odt",
        ".srt",
        ".pdf",
        ".epub",
    )


def test_an_input_over_the_limit_says_its_size_the_limit_and_what_else_to_do():
    assert too_big("a.txt", 10 * 2**20, 10) is None
    message = too_big("a.txt", 10 * 2**20 + 1, 10)
    assert message.startswith("a.txt is 10.0 MB; the page takes up to 10 MB.")
    assert "translator FILE -o FILE.en.txt" in message


def test_the_cache_key_tells_typed_text_from_the_same_text_in_files():
    keys = {
        cache_key(s, "model", 4, 3)
        for s in (
            submitted_text("Ein Satz."),
            submitted_file("a.txt", b"Ein Satz."),
            submitted_file("a.md", b"Ein Satz."),
            submitted_file("a.md", b"\xef\xbb\xbfEin Satz."),  # a byte-order mark: same text
        )
    }
    assert len(keys) == 4
    assert cache_key(submitted_text("Ein Satz."), "model", 4, 3) == cache_key(
        submitted_text("Ein Satz.", name="other.txt"), "model", 4, 3
    ), "a name alone does not change typed text's translation"
    assert cache_key(submitted_text("Ein Satz."), "model", 2, 1) != cache_key(
        submitted_text("Ein Satz."), "model", 4, 3
    )


def test_the_german_paragraphs_are_the_ones_the_translation_will_have():
    translator = stand_in()
    for submission in (
        submitted_text("  Erster Absatz.\n\n\n\nZweiter. Dritter Satz.\n\n  "),
        submitted_file("bericht.docx", report_docx()),
        submitted_file("a.md", b"# Titel\n\nEin Satz.\n\n- Punkt eins\n- Punkt zwei\n"),
    ):
        document = translator.translate_text(submission.text, paragraphs=submission.units)
        assert german_paragraphs(submission) == [p.source for p in document.paragraphs]


def test_alternatives_are_asked_for_only_when_the_beam_can_give_them():
    assert [alternatives_for(b) for b in (1, 2, 4, 8)] == [0, 1, 3, 3]


def test_the_redraw_interval_comes_from_the_environment_and_is_never_zero(monkeypatch):
    monkeypatch.setenv(REDRAW_ENV, "0")
    assert redraw_seconds() == SHORTEST_REDRAW
    monkeypatch.setenv(REDRAW_ENV, "1.5")
    assert redraw_seconds() == 1.5
    monkeypatch.setenv(REDRAW_ENV, "soon")
    assert redraw_seconds() == 0.25


# -- downloads ----------------------------------------------------------------------------------


def test_the_downloads_of_a_word_file_are_its_english_word_file_then_the_rest():
    submission = submitted_file("bericht.docx", report_docx())
    document = stand_in().translate_text(submission.text, paragraphs=submission.units)
    files = downloads_for(submission.source)
    assert [(f.format, f.file_name) for f in files] == [
        ("docx", "bericht.en.docx"),
        ("bilingual-html", "bericht.bilingual.html"),
        ("tmx", "bericht.tmx"),
        ("xliff", "bericht.xlf"),
        ("json", "bericht.json"),
        ("txt", "bericht.en.txt"),
    ]
    assert files[0].label == "English .docx" and files[0].mime == DOCX
    assert files[0].help == "The same Word document (.docx) with its text in English"
    english = docx.Document(io.BytesIO(files[0].data(document)))
    assert [p.style.name for p in english.paragraphs][:2] == ["Heading 1", "Normal"]
    assert english.paragraphs[1].text == "DER DOM IST SEHR GROSS."
    assert files[-1].data(document).decode() == document.target


def test_the_downloads_of_typed_text_are_named_after_it_and_lead_with_the_english_text():
    files = downloads_for(submitted_text("Guten Morgen.").source)
    assert [f.file_name for f in files] == [
        "translation.en.txt",
        "translation.bilingual.html",
        "translation.tmx",
        "translation.xlf",
        "translation.json",
    ]
    assert [f.label for f in files] == ["English .txt", "Bilingual .html", "TMX", "XLIFF", "JSON"]


# -- a translation beside the page ------------------------------------------------------------


def test_a_job_translates_in_its_own_thread_and_ends_with_the_complete_document():
    translator = stand_in()
    submission = submitted_text(paragraphs(30))
    seen: list[tuple[int, int]] = []
    job = Job("key", submission, SETTINGS, Loader(translator))
    original = job._report
    job._report = lambda done, total: (seen.append((done, total)), original(done, total))
    assert job.start().join(timeout=60)
    assert job.phase == DONE and job.error is None
    assert job.document.target == translator.translate_text(submission.text).target
    assert job.progress == (60, 60) and seen[0] == (0, 60)
    assert job._thread is not threading.current_thread()


def test_a_job_that_breaks_keeps_what_it_had_translated_and_says_why():
    translator = stand_in(lambda backend: Failing(backend, after=4))
    job = Job("key", submitted_text(paragraphs(30)), SETTINGS, Loader(translator))
    assert job.start().join(timeout=60)
    assert job.phase == FAILED
    assert job.error == "The text could not be translated: an unexpected RuntimeError"
    assert job.document is not None and len(job.document.paragraphs) >= 3, "rows kept"


def test_a_cancelled_job_stops_between_batches():
    gate = threading.Event()
    translator = stand_in(lambda backend: Gated(backend, gate))
    job = Job("key", submitted_text(paragraphs(40)), SETTINGS, Loader(translator)).start()
    job.cancel()
    gate.set()
    assert job.join(timeout=60)
    assert job.phase == "cancelled"
    assert job.document is None or len(job.document.paragraphs) < 40


# -- a tab's reading --------------------------------------------------------------------------


def test_the_german_is_sent_before_anything_is_translated_then_every_row():
    gate = threading.Event()
    translator = stand_in(lambda backend: Gated(backend, gate))
    loader = Loader(translator)
    reading = Reading(load=loader, results=ResultCache())
    text = paragraphs(12)
    reading.want(submitted_text(text), SETTINGS)
    assert reading.step().running
    screen = Screen()
    screen.apply(reading.message(None))
    assert screen.german() == text.split("\n\n")
    assert screen.english() == [None] * 12, "each paragraph waits for its English"
    gate.set()
    finish(reading, screen)
    assert screen.english() == [p.upper() for p in text.split("\n\n")]
    assert screen.state["complete"] and screen.state["choose"] is False  # beam 1: no choices
    assert loader.loads == 1


def test_a_finished_translation_is_shared_with_other_tabs_without_translating_again():
    results, loader = ResultCache(), Loader(stand_in())
    first = Reading(load=loader, results=results)
    first.want(submitted_text("Ein Satz."), SETTINGS)
    finish(first)
    second = Reading(load=loader, results=results)
    second.want(submitted_text("Ein Satz."), SETTINGS)
    assert second.job is None and second.document is first.document
    assert finish(second).english() == ["EIN SATZ."]


def test_a_failed_translation_keeps_the_rows_says_why_and_is_tried_again_on_request():
    translator = stand_in(lambda backend: Failing(backend, after=4))
    reading = Reading(load=Loader(translator), results=ResultCache())
    submission = submitted_text(paragraphs(30))
    reading.want(submission, SETTINGS)
    screen = finish(reading)
    status = reading.step()
    assert status.phase == FAILED and "RuntimeError" in status.error
    translated = [e for e in screen.english() if e is not None]
    assert len(translated) >= 3, "the rows translated before the error stay"
    assert screen.german() == submission.text.split("\n\n"), "and every German row"
    reading.want(submission, SETTINGS)
    assert reading.job is None, "a rerun alone does not try again"
    translator.backend.after = 10**9  # the model works again
    reading.want(submission, SETTINGS, again=True)
    finish(reading, screen)
    assert screen.english() == [p.upper() for p in submission.text.split("\n\n")]


def test_a_model_that_cannot_be_loaded_keeps_the_translation_shown():
    results = ResultCache()
    reading = Reading(load=Loader(stand_in()), results=results)
    submission = submitted_text(paragraphs(3))
    reading.want(submission, SETTINGS)
    screen = finish(reading)
    before = screen.english()
    reading.load = Loader(stand_in(), fail=True)
    reading.want(submission, Settings(model="missing", beam=1))
    finish(reading, screen)
    status = reading.step()
    assert status.error.startswith("Could not load the translation model 'missing'")
    assert screen.english() == before, "the previous English stays, dimmed"
    assert all(row["g"] < screen.state["g"] for row in screen.rows)
    assert screen.state["badge"] == "The dimmed rows are the previous translation."


def test_new_settings_keep_the_previous_translation_dimmed_with_a_badge_until_ready():
    gate = threading.Event()
    gate.set()  # open for the first translation, closed for the second
    translator = stand_in(lambda backend: Gated(backend, gate))
    reading = Reading(load=Loader(translator), results=ResultCache())
    submission = submitted_text(paragraphs(4))
    reading.want(submission, SETTINGS)
    screen = finish(reading)
    gate.clear()
    reading.want(submission, Settings(model="stand-in", beam=2))
    reading.step()
    screen.apply(reading.message(screen.have))
    assert screen.state["badge"] == (
        "Translating again with beam 2: the dimmed rows are the previous translation "
        "(fast mode (greedy)) until theirs are ready."
    )
    assert screen.state["downloads"] is False and screen.state["choose"] is False
    assert all(row["g"] < screen.state["g"] for row in screen.rows)
    assert all(e is not None for e in screen.english()), "no row falls back to waiting"
    gate.set()
    finish(reading, screen)
    assert "badge" not in screen.state
    assert all(row["g"] == screen.state["g"] for row in screen.rows)


def test_choosing_an_alternative_resends_its_row_aligned_with_changes_marked_and_focus():
    reading = Reading(load=Loader(stand_in()), results=ResultCache())
    reading.want(submitted_text(paragraphs(5)), SETTINGS)
    screen = finish(reading)
    reading.choose(5, "IT IS VERY SHORT.")
    message = reading.message(screen.have)
    assert [index for index, _ in message["rows"]] == [2], "only the sentence's row"
    screen.apply(message)
    assert screen.english()[2] == "HIER STEHT ABSATZ 2. IT IS VERY SHORT."
    changed = sentences_of([screen.rows[2]], "en")[1]
    words = {p[1]: p[0] for p in changed["t"] if isinstance(p, list)}
    assert sorted(words[n] for n in changed["diff"]) == ["IS", "IT", "SHORT", "VERY"]
    assert changed["t"][0][2], "its words are linked to the German again"
    assert screen.state["focus"] == [5, message["seq"]]
    assert text_of(screen.rows[2]["de"]) == "Hier steht Absatz 2. Er ist kurz."


def test_a_chosen_alternative_goes_into_every_download():
    reading = Reading(load=Loader(stand_in()), results=ResultCache())
    submission = submitted_file("bericht.docx", report_docx())
    reading.want(submission, SETTINGS)
    finish(reading)
    reading.choose(1, "THE CATHEDRAL IS HUGE.")
    files = {f.format: f.data(reading.document) for f in downloads_for(submission.source)}
    assert "THE CATHEDRAL IS HUGE." in files["txt"].decode()
    assert "THE CATHEDRAL IS HUGE." in docx.Document(io.BytesIO(files["docx"])).paragraphs[1].text
    assert "THE CATHEDRAL IS HUGE." in json.loads(files["json"])["target"]


def test_choosing_before_the_translation_is_complete_or_a_sentence_that_does_not_exist_fails():
    reading = Reading(load=Loader(stand_in()), results=ResultCache())
    with pytest.raises(TranslatorError, match="wait until the translation is complete"):
        reading.choose(0, "Hello.")
    reading.want(submitted_text("Guten Morgen."), SETTINGS)
    finish(reading)
    with pytest.raises(TranslatorError, match="no sentence 5"):
        reading.choose(5, "Hello.")
    with pytest.raises(TranslatorError, match="no sentence 5"):
        replace_sentence(stand_in(), reading.document, 5, "Hello.")


def test_two_tabs_with_two_texts_each_get_their_own_rows():
    results, loader = ResultCache(), Loader(stand_in())
    tabs = [Reading(load=loader, results=results) for _ in range(2)]
    texts = ["Der erste Text.\n\nMit zwei Absätzen.", "Ein ganz anderer Text."]
    for tab, text in zip(tabs, texts, strict=True):
        tab.want(submitted_text(text), SETTINGS)
    screens = [finish(tab) for tab in tabs]
    assert [s.german() for s in screens] == [t.split("\n\n") for t in texts]
    assert screens[0].view != screens[1].view


def test_a_file_paragraph_translated_in_parts_is_one_row_throughout():
    reading = Reading(load=Loader(stand_in()), results=ResultCache())
    units_text = "Erster Satz. Zweiter Satz. Dritter Satz."
    reading.want(submitted_file("a.md", units_text.encode()), SETTINGS)
    screen = finish(reading)
    assert screen.german() == [units_text]
    assert reading.view._german == [Span(0, len(units_text))]


def test_a_new_model_is_named_in_the_badge():
    gate = threading.Event()
    gate.set()  # open for the first translation, closed for the second
    translator = stand_in(lambda backend: Gated(backend, gate))
    reading = Reading(load=Loader(translator), results=ResultCache())
    submission = submitted_text(paragraphs(2))
    reading.want(submission, SETTINGS)
    finish(reading)
    gate.clear()
    reading.want(submission, Settings(model="other-model", beam=1))
    assert reading.step().badge == (
        "Translating again with the model other-model: the dimmed rows are the previous "
        "translation (stand-in, fast mode (greedy)) until theirs are ready."
    )
    gate.set()
    finish(reading)
    assert reading.step().badge is None


# -- web addresses ------------------------------------------------------------------------------


@pytest.fixture()
def site():
    routes = {
        "/lokales/neue-bruecke.html": Reply(200, ARTICLE, {"Content-Type": "text/html"}),
        "/bild.png": Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, {"Content-Type": "image/png"}),
    }
    with serve(routes) as base:
        yield base


def test_a_web_address_is_read_as_the_command_reads_it_with_its_url_and_title(site, monkeypatch):
    monkeypatch.setenv("TRANSLATOR_PAGE_PRIVATE_URLS", "1")
    url = site + "/lokales/neue-bruecke.html"
    submission = submitted_url(f"  {url} ")
    assert submission.source.format == "md" and submission.source.name == "neue-bruecke.md"
    assert submission.url == url and submission.origin[:2] == ("url", url)
    assert submission.source.metadata["url"] == url and submission.source.metadata["title"]
    assert "Brücke" in submission.text
    files = downloads_for(submission.source)
    assert [f.file_name for f in files][:2] == ["neue-bruecke.en.md", "neue-bruecke.bilingual.html"]
    again = submitted_url(url)
    assert again.origin == submission.origin, "the same article is the same result"


def test_a_job_on_a_web_article_keeps_its_url_and_title_in_the_document(site, monkeypatch):
    monkeypatch.setenv("TRANSLATOR_PAGE_PRIVATE_URLS", "1")
    submission = submitted_url(site + "/lokales/neue-bruecke.html")
    translator = Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)
    job = Job("key", submission, SETTINGS, Loader(translator))
    assert job.start().join(timeout=60) and job.phase == DONE
    assert job.document.metadata == submission.source.metadata
    written = json.loads(downloads_for(submission.source)[-2].data(job.document))
    assert written["metadata"]["url"] == submission.url


def test_a_local_address_is_refused_unless_the_server_allows_it(site, monkeypatch):
    monkeypatch.delenv("TRANSLATOR_PAGE_PRIVATE_URLS", raising=False)
    assert not private_urls_allowed()
    url = site + "/lokales/neue-bruecke.html"
    with pytest.raises(InputError, match="local or private network address"):
        submitted_url(url)
    monkeypatch.setenv("TRANSLATOR_PAGE_PRIVATE_URLS", "0")
    with pytest.raises(InputError, match="local or private network address"):
        submitted_url(url)
    monkeypatch.setenv("TRANSLATOR_PAGE_PRIVATE_URLS", "1")
    assert submitted_url(url).url == url


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/fehlt", "was not found (HTTP 404"),
        ("/bild.png", "is not a web page but image/png"),
        ("", "not a web address"),
    ],
)
def test_an_unusable_web_address_is_one_clear_input_error(site, monkeypatch, path, message):
    monkeypatch.setenv("TRANSLATOR_PAGE_PRIVATE_URLS", "1")
    with pytest.raises(InputError, match=message.replace("(", r"\(")) as caught:
        submitted_url(site + path if path else "ftp://example.org/x")
    assert "\n" not in str(caught.value)


# -- the operator's settings and plain messages -------------------------------------------------


def test_the_sidebar_names_the_model_unless_the_server_fixes_it(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATOR_MODEL", "served-model")
    monkeypatch.delenv("TRANSLATOR_PAGE_MODEL_FIXED", raising=False)
    assert chosen_model(str(tmp_path)) == str(tmp_path)
    assert chosen_model("  ") == chosen_model(None) == default_model() == "served-model"
    monkeypatch.setenv("TRANSLATOR_PAGE_MODEL_FIXED", "1")
    assert chosen_model(str(tmp_path)) == "served-model"
    monkeypatch.setenv("TRANSLATOR_PAGE_MODEL_FIXED", "off")
    assert chosen_model(str(tmp_path)) == str(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE_NAME,
        "https://example.org/a_b?c=d&e=<f> www.example.org x@y.z :x: :material/home: 1. a",
        "`Back`ticks`` inside ``` and at the ends`",
        string.punctuation,
    ],
)
def test_plain_markdown_renders_as_the_same_characters_without_markup(text):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(plain_markdown(text))
    escaped = html_escape(text, quote=False).replace('"', "&quot;")
    assert html == f"<p><code>{escaped}</code></p>\n", "one code span: no other element"


def test_plain_markdown_is_one_line_and_nothing_for_no_text():
    assert plain_markdown("zwei\n\nZeilen ") == "` zwei Zeilen `"
    assert plain_markdown(" \n") == ""
