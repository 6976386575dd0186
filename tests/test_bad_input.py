"""Whatever arrives, the program answers with a translation or one clear message: never a
traceback, never a silent loss, never running what it was given.

Each kind of bad input goes through ``translate()`` and the command line; a few through the page.
"""

from __future__ import annotations

import gzip
import io
import random
import sys
import tracemalloc
import zipfile
from collections import Counter

import pytest

from tests.fixtures.apptest import APP, complete, screen
from tests.fixtures.recording import RecordingBackend
from translator import InputError, Translator, formats, translate
from translator.cli import main
from translator.document import COPIED, SPLIT, Document

GERMAN = "Die Größe der Straße ist schön. Übermorgen kommt er wieder."


def png() -> bytes:
    rng = random.Random(0)
    # The flat rows of a real image read as Windows-1252 letters: only the signature tells.
    return (
        b"\x89PNG\r\n\x1a\n" + bytes([0xC5] * 300) + bytes(rng.randrange(256) for _ in range(200))
    )


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("text.txt", GERMAN * 20)
    return out.getvalue()


def accounted_for(document: Document, text: str) -> None:
    """The input is the source exactly, and every non-whitespace character of it lies in a
    sentence that has an English side (``Document.check``)."""
    assert document.source == text
    document.check()
    assert Document.from_json(document.to_json()) == document


@pytest.fixture()
def tiny(model_dir, monkeypatch) -> dict:
    """translate()'s options for the test model, greedy: the cases here are about input."""
    return {"model": str(model_dir), "beam": 1}


@pytest.fixture()
def cli(model_dir, monkeypatch, capsysbinary):
    """Run the command line in this process (the loaded model is shared between cases).

    Returns ``(exit code, stdout bytes, stderr text)``; ``stdin`` feeds standard input.
    """

    def run(*args: str, stdin: bytes = b"") -> tuple[int, bytes, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([*args, "--model", str(model_dir), "--beam", "1"])
        out, err = capsysbinary.readouterr()
        return code, out, err.decode()

    return run


def assert_one_line_error(result: tuple[int, bytes, str], *needles: str) -> None:
    code, _, err = result
    assert code != 0
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("translator: "), err
    for needle in needles:
        assert needle in err, err


# -- files that hold nothing to translate -------------------------------------------------------

NOTHING = [
    ("empty.txt", b"", "has no text to translate: it is empty"),
    ("blank.txt", b" \n\t\r\n  \n", "has no text to translate: it holds only whitespace"),
    ("blank.md", b"\n\n   \n", "has no text to translate"),
]


@pytest.mark.parametrize(("name", "data", "message"), NOTHING, ids=["empty", "whitespace", "md"])
def test_a_file_with_nothing_to_translate_is_one_clear_error(tmp_path, tiny, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        translate(path, **tiny)


@pytest.mark.parametrize(("name", "data", "message"), NOTHING, ids=["empty", "whitespace", "md"])
def test_the_command_line_says_a_file_has_nothing_to_translate(tmp_path, cli, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    assert_one_line_error(cli(str(path), "-o", str(tmp_path / "out.txt")), message, name)
    assert not (tmp_path / "out.txt").exists()


def test_empty_standard_input_is_one_clear_error(cli):
    result = cli("-", stdin=b"")
    assert_one_line_error(result, "standard input has no text to translate")
    assert result[1] == b""


# -- files that are not text --------------------------------------------------------------------

BINARY = [
    ("bild.txt", png(), "it looks like a PNG image"),
    ("foto.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), "a JPEG image"),
    ("archiv.txt", zipped(), "it looks like a ZIP archive (a Word .docx is one too"),
    ("archiv.md", gzip.compress(GERMAN.encode()), "it looks like a gzip archive"),
    ("daten.txt", bytes(range(256)) * 8, "it holds NUL bytes, the first at byte 0"),
    ("seite.html", b"<p>Hallo</p>\x00\x01\x02\x03\x00\x00\x07", "binary file, not text"),
]
BINARY_IDS = ["png", "jpeg", "zip", "gzip", "all-bytes", "html-with-nul"]


@pytest.mark.parametrize(("name", "data", "message"), BINARY, ids=BINARY_IDS)
def test_a_binary_file_given_as_text_is_refused_naming_what_it_looks_like(
    tmp_path, tiny, name, data, message
):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match="binary file, not text") as refused:
        translate(path, **tiny)
    assert message in str(refused.value) and name in str(refused.value)


@pytest.mark.parametrize(("name", "data", "message"), BINARY[:3], ids=BINARY_IDS[:3])
def test_the_command_line_refuses_a_binary_file_in_one_line(tmp_path, cli, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    assert_one_line_error(cli(str(path)), "binary file, not text", message)


def test_text_that_starts_like_a_binary_signature_is_still_text():
    for text in ("BMW baut Autos.", "MZ-Redaktion: Guten Tag.", "ID3 ist ein Format."):
        assert formats.read_bytes("a.txt", text.encode()).text == text


def test_a_nul_byte_in_text_is_refused_with_its_position(tmp_path, tiny):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Hallo\x00 Welt. Wie geht es?")
    with pytest.raises(InputError, match=r"NUL bytes, the first at byte 5"):
        translate(path, **tiny)


def test_a_device_is_not_read_forever(tiny):
    with pytest.raises(InputError, match="is a device, not a file"):
        translate("/dev/zero", **tiny)


def test_standard_input_beyond_the_size_limit_is_refused(cli, monkeypatch):
    monkeypatch.setattr(formats, "MAX_INPUT_BYTES", 1000)
    result = cli("-", stdin=b"Ein Satz. " * 200)
    assert_one_line_error(result, "standard input is larger than")
    assert result[1] == b""


# -- text in other encodings, or not quite valid ------------------------------------------------


def test_a_windows_1252_file_is_read_as_windows_1252(tmp_path, tiny):
    path = tmp_path / "alt.txt"
    path.write_bytes(GERMAN.encode("cp1252"))
    accounted_for(translate(path, **tiny), GERMAN)


def test_stray_legacy_bytes_in_utf8_are_read_as_windows_1252_and_keep_the_utf8_umlauts(
    tmp_path, tiny
):
    path = tmp_path / "gemischt.txt"
    path.write_bytes("Die Größe ist schön.".encode() + b" Und \xe4rger \x84hier\x93.")
    document = translate(path, **tiny)
    accounted_for(document, "Die Größe ist schön. Und ärger „hier“.")


def test_the_command_line_translates_a_windows_1252_file(tmp_path, cli):
    path = tmp_path / "alt.txt"
    path.write_bytes(GERMAN.encode("cp1252"))
    out = tmp_path / "alt.json"
    code, _, err = cli(str(path), "-o", str(out))
    assert code == 0, err
    accounted_for(Document.from_json(out.read_text("utf-8")), GERMAN)


CONTROLS = "Hallo\x07 Welt\x1b[31m rot\x1b[0m. Wie\x0b geht\x0c es\x7f? Ende\u200b.\u202e Ja\x85."


def test_control_characters_are_kept_and_every_one_lies_in_a_sentence(tmp_path, tiny):
    path = tmp_path / "steuer.txt"
    path.write_bytes(CONTROLS.encode())
    document = translate(path, **tiny)
    accounted_for(document, CONTROLS)
    inside = "".join(s.of(document.source) for s in (x.source for x in document.sentences))
    for char in "\x07\x1b\x7f\u200b\u202e":
        assert char in inside


def test_the_command_line_translates_text_with_control_characters(cli):
    code, out, err = cli("-", "--json", stdin=CONTROLS.encode())
    assert code == 0, err
    accounted_for(Document.from_json(out.decode()), CONTROLS)


# -- long inputs ----------------------------------------------------------------------------------


def test_a_5000_word_sentence_without_punctuation_reaches_the_model_in_pieces_and_whole(
    translator,
):
    rng = random.Random(5)
    words = "der die das Haus Baum gehen schnell und aber weil Straße Größe".split()
    sentence = " ".join(rng.choice(words) for _ in range(5000))
    recording = RecordingBackend(translator.backend)
    engine = Translator(backend=recording)
    document = engine.translate_text(sentence, beam=1)
    accounted_for(document, sentence)
    assert len(list(document.sentences)) > 1, "cut into sentences the model can take"
    assert all(len(ids) - 1 <= engine.token_limit for b in recording.batches for ids in b)
    sent = Counter("".join(recording.sent_texts()).replace(" ", ""))
    assert sent == Counter(sentence.replace(" ", "")), "every character reached the model once"


def test_a_100000_character_line_is_translated_whole(tmp_path, tiny, seed_text):
    line = " ".join(seed_text.split())
    line = (line + " ") * (100_000 // len(line) + 1)
    line = line[:100_000]
    path = tmp_path / "eine-zeile.txt"
    path.write_text(line, "utf-8")
    document = translate(path, **tiny)
    accounted_for(document, line)
    assert "\n" not in document.target


def test_a_20000_character_word_is_cut_and_translated_without_loss(translator):
    rng = random.Random(9)
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzäöüß") for _ in range(20_000))
    recording = RecordingBackend(translator.backend)
    engine = Translator(backend=recording, max_sentence_tokens=400)
    document = engine.translate_text(word, beam=1)
    accounted_for(document, word)
    assert all(SPLIT in s.flags for s in document.sentences)
    assert all(len(ids) - 1 <= engine.token_limit for b in recording.batches for ids in b)


def test_a_big_file_goes_to_the_model_in_bounded_batches(translator, seed_text):
    text = "\n\n".join(f"{i}. {p}" for i, p in enumerate(seed_text.split("\n\n") * 6))
    recording = RecordingBackend(translator.backend)
    engine = Translator(backend=recording, batch_tokens=300, max_batch_size=8)
    windows = list(engine.stream(text, beam=1))
    accounted_for(windows[-1], text)
    assert len(windows) > 3, "the document is translated window by window"
    for batch in recording.batches:
        assert len(batch) <= 8
        assert len(batch) == 1 or max(map(len, batch)) * len(batch) <= 300


def test_a_long_document_keeps_only_the_finished_document_in_memory(translator):
    """No partial Document of the stream outlives the next: memory grows with the text, not
    with the text times the number of windows. Symbols only, so no model time is spent."""
    text = "".join("-- !!\n\n" if i % 2 else "… ?\n\n" for i in range(16_000))
    tracemalloc.start()
    try:
        document = translator.translate_text(text)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert all(COPIED in s.flags for s in document.sentences)
    assert peak < 1.4 * kept, f"peak {peak / 1e6:.1f} MB for {kept / 1e6:.1f} MB kept"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_INPUT_BYTES", 1000)
    path = tmp_path / "gross.txt"
    path.write_bytes(b"Ein Satz. " * 101)
    with pytest.raises(InputError, match="larger than"):
        formats.read_path(path)


# -- text that is not German prose --------------------------------------------------------------

NOT_PROSE = {
    "numbers": "123 456 7890\n\n3,14159 und 2.71828\n\n+49 30 1234567",
    "urls": "https://example.com/a/b?c=d&e=f\nhttp://www.spiegel.de/politik/\nmailto:x@y.de",
    "code": "def f(x):\n    return x * 2\n\nimport os; os.system('touch {marker}')\n",
    "english": "The quick brown fox jumps over the lazy dog. This is an English text.",
    "french": "Le renard brun saute par-dessus le chien paresseux. C'est un texte français.",
    "symbols": "*** --- ***\n\n§§ ¶ †\n\n🙂🙃",
}


@pytest.mark.parametrize("kind", list(NOT_PROSE))
def test_text_that_is_not_german_prose_is_translated_and_nothing_in_it_runs(tmp_path, tiny, kind):
    marker = tmp_path / "ran"
    text = NOT_PROSE[kind].format(marker=marker)
    path = tmp_path / f"{kind}.txt"
    path.write_text(text, "utf-8")
    document = translate(path, tmp_path / f"{kind}.bilingual.html", **tiny)
    accounted_for(document, text)
    assert not marker.exists()


def test_the_command_line_translates_code_and_runs_none_of_it(tmp_path, cli):
    marker = tmp_path / "ran"
    code, out, err = cli("-", stdin=NOT_PROSE["code"].format(marker=marker).encode())
    assert code == 0, err
    assert out.strip() and not marker.exists()


# -- paths that are not files, and outputs that can't be written --------------------------------


def test_a_directory_or_a_missing_path_is_one_clear_error(tmp_path, tiny, cli):
    with pytest.raises(InputError, match="is a directory, not a file"):
        translate(tmp_path, **tiny)
    with pytest.raises(InputError, match="does not exist"):
        translate(tmp_path / "nirgends.txt", **tiny)
    assert_one_line_error(cli(str(tmp_path)), "is a directory, not a file")
    assert_one_line_error(cli(str(tmp_path / "nirgends.txt")), "does not exist")


@pytest.fixture()
def no_translation(monkeypatch):
    """Any translation fails the test: the error must come before the work."""

    def fail(*args, **kwargs):
        pytest.fail("translated before the output was checked")

    monkeypatch.setattr(Translator, "stream", fail)


def test_an_output_equal_to_the_input_is_refused_before_translating(
    tmp_path, tiny, cli, no_translation
):
    path = tmp_path / "text.txt"
    path.write_text(GERMAN, "utf-8")
    with pytest.raises(InputError, match="is the input file"):
        translate(path, path, **tiny)
    with pytest.raises(InputError, match="is the input file"):
        translate(path, tmp_path / "." / "text.txt", **tiny)
    assert_one_line_error(cli(str(path), "-o", str(path)), "is the input file")
    assert path.read_text("utf-8") == GERMAN


def test_an_output_in_a_missing_folder_is_refused_before_translating(
    tmp_path, tiny, cli, no_translation
):
    path = tmp_path / "text.txt"
    path.write_text(GERMAN, "utf-8")
    missing = tmp_path / "fehlt" / "text.en.txt"
    with pytest.raises(InputError, match="does not exist"):
        translate(path, missing, **tiny)
    assert_one_line_error(cli(str(path), "-o", str(missing)), "fehlt", "does not exist")
    assert not missing.parent.exists()


def test_an_unexpected_error_is_one_line_on_the_command_line(tmp_path, cli, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(Translator, "stream", broken)
    result = cli("-", stdin=GERMAN.encode())
    assert_one_line_error(result, "unexpected error (RuntimeError: a bug deep inside)")
    assert "TRANSLATOR_DEBUG=1" in result[2]


# -- the page -----------------------------------------------------------------------------------


@pytest.fixture()
def page(monkeypatch, model_dir):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRANSLATOR_MODEL", str(model_dir))
    return complete(AppTest.from_file(APP, default_timeout=300).run())


def uploaded(at, name: str, data: bytes):
    return at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()


PAGE_REFUSED = [
    ("bild.txt", png(), "it looks like a PNG image"),
    ("leer.txt", b"", "has no text to translate"),
    ("leer.md", b"\n \n", "has no text to translate"),
]


@pytest.mark.parametrize(("name", "data", "message"), PAGE_REFUSED, ids=["png", "empty", "md"])
def test_the_page_refuses_a_bad_upload_in_one_message_and_keeps_what_it_had(
    page, name, data, message
):
    before, text = screen(page).rows, page.text_area[0].value
    uploaded(page, name, data)
    assert not page.exception
    assert len(page.error) == 1
    assert message in page.error[0].value and name in page.error[0].value
    assert page.text_area[0].value == text
    assert screen(page).rows == before


def test_the_page_reads_a_windows_1252_upload(page):
    complete(uploaded(page, "alt.txt", GERMAN.encode("cp1252")))
    assert not page.exception and not page.error
    assert page.text_area[0].value == GERMAN
    assert screen(page).german() == [GERMAN]


def test_the_page_refuses_an_upload_over_its_size_limit(page):
    import streamlit as st

    limit = st.get_option("server.maxUploadSize")
    before = screen(page).rows
    uploaded(page, "riesig.txt", b"Ein Satz. " * (limit * 2**20 // 10 + 1))
    assert not page.exception
    (error,) = page.error
    assert "riesig.txt" in error.value and f"up to {limit} MB" in error.value
    assert screen(page).rows == before


def test_the_page_listens_on_this_machine_only():
    import streamlit as st

    assert st.get_option("server.address") == "127.0.0.1"


def test_an_unexpected_error_on_the_page_is_one_message_not_a_traceback(page, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr(Translator, "stream", broken)
    page.text_area[0].input("Ein ganz neuer Satz.")
    complete(page.button[0].click().run())
    assert not page.exception
    (error,) = page.error
    assert "unexpected RuntimeError" in error.value
