"""Subtitles: cue numbers, timings and tags untouched, each cue's text translated."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from translator import Translator, translate
from translator.formats import read_bytes, subtitles
from translator.testing import StandInBackend

from .fixtures.documents import make_document, upper

SRT = (
    "1\r\n00:00:01,000 --> 00:00:04,200\r\nGuten Abend, meine Damen\r\nund Herren.\r\n\r\n"
    "2\r\n00:00:04,500 --> 00:00:06,000\r\n<i>Hören Sie mich?</i>\r\n\r\n"
    "3\r\n00:00:06,100 --> 00:00:07,000\r\n{\\an8}Größe zählt.\r\n\r\n"
    "4\r\n00:00:07,500 --> 00:00:08,000\r\n♪ ♪\r\n"
)
TIMING = re.compile(r"^\d+\r?$|^[\d:,]+ --> [\d:,]+\r?$", re.M)


def test_srt_reader_takes_the_text_of_each_cue():
    source = read_bytes("film.srt", SRT.encode())
    assert [u.of(source.text) for u in source.units] == [
        "Guten Abend, meine Damen\nund Herren.",
        "Hören Sie mich?",
        "Größe zählt.",
    ]


def test_srt_keeps_numbers_and_timings_and_translates_the_cues(model_dir, tmp_path):
    path = tmp_path / "film.srt"
    path.write_bytes(SRT.encode("cp1252", errors="ignore"))  # "♪" is not in Windows-1252
    translate(path, tmp_path / "film.en.srt", model=str(model_dir))
    written = (tmp_path / "film.en.srt").read_bytes().decode("utf-8")
    original = path.read_bytes().decode("cp1252")
    assert TIMING.findall(written) == TIMING.findall(original)
    assert written.count("\r\n\r\n") == original.count("\r\n\r\n")
    cues = written.split("\r\n\r\n")
    assert cues[1].split("\r\n")[2].startswith("<i>") and cues[1].endswith("</i>")
    assert cues[2].split("\r\n")[2].startswith("{\\an8}")
    assert "Guten Abend" not in written and "Hören" not in written


def test_a_long_english_cue_is_broken_into_two_lines():
    source = read_bytes("a.srt", SRT.encode())
    long = "Good evening, ladies and gentlemen, and welcome to the show."
    document = make_document(
        source.text, source.units, lambda g: (long if g.startswith("Guten") else g.upper(), None)
    )
    first = subtitles.write(document, source).decode().split("\r\n\r\n")[0].split("\r\n")
    assert first[:2] == ["1", "00:00:01,000 --> 00:00:04,200"]
    assert " ".join(first[2:]) == long and len(first) == 4
    assert max(len(line) for line in first[2:]) <= 42


def test_whole_cue_italics_survive_without_alignment():
    source = read_bytes("a.srt", SRT.encode())
    document = make_document(source.text, source.units, upper)
    assert "\r\n<i>HÖREN SIE MICH?</i>\r\n" in subtitles.write(document, source).decode()


# -- under a stand-in engine, on real and made files --------------------------------------------

TRANSLATORS: dict[str, Translator] = {}


def stand_in(data: bytes, order: str = "keep") -> str:
    if order not in TRANSLATORS:
        engine = StandInBackend(order)
        TRANSLATORS[order] = Translator(backend=engine, cache=False, retry_degenerate=False)
    source = read_bytes("a.srt", data)
    document = TRANSLATORS[order].translate_text(source.text, paragraphs=source.units)
    return subtitles.write(document, source).decode("utf-8")


def test_any_tag_is_markup_underscores_dots_and_braces_included():
    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\n<invalid_tag>Hallo Welt</invalid_tag> und "
        b"<c.yellow>gelb</c.yellow>\n\n2\n00:00:03,000 --> 00:00:04,000\n"
        b"{b}Fett{/b} und <invalid_tag_unclosed>offen\n"
    )
    written = stand_in(data)
    assert "<invalid_tag>HALLO WELT</invalid_tag> UND <c.yellow>GELB</c.yellow>" in written
    assert "{b}FETT{/b} UND <invalid_tag_unclosed>OFFEN" in written


GERMAN = (
    "1\n00:00:01,000 --> 00:00:03,000\nGuten Abend.\n"
    "2\n00:00:03,500 --> 00:00:05,000\n<i>Wie geht es Ihnen?</i>\n"
    "00:00:05,500 --> 00:00:07,000\nDanke, gut.\n"
    "4\n00:00:07,500 --> 00:00:09,000\n42\n"
    "5\n00:00:09,500 --> 00:00:11,000\nBis morgen.\n"
)


@pytest.mark.parametrize("order", ["keep", "reverse"])
def test_cues_without_blank_lines_keep_the_next_number_and_timing(order):
    source = read_bytes("a.srt", GERMAN.encode())
    assert [u.of(source.text) for u in source.units] == [
        "Guten Abend.",
        "Wie geht es Ihnen?",
        "Danke, gut.",
        "Bis morgen.",
    ]
    written = stand_in(GERMAN.encode(), order)
    assert TIMING.findall(written) == TIMING.findall(GERMAN)
    assert written.count("\n") == GERMAN.count("\n")
    assert not re.search(r"[a-zäöüß]", re.sub(r"</?i>", "", TIMING.sub("", written)))


def test_mixed_line_endings_and_timings_without_milliseconds_are_kept():
    data = b"1\r\n00:01:39 --> 00:01:41,04\r\nGuten Tag.\n\n2\r00:02:04,08 --> 00:02:07,12 X1:40\r"
    data += b"Bis bald.\r\r"
    written = stand_in(data)
    assert written.encode() == data.replace(b"Guten Tag.", b"GUTEN TAG.").replace(
        b"Bis bald.", b"BIS BALD."
    )


def test_character_references_are_text_and_written_back_as_references():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nKatz &amp; Maus &lt;3\n"
    assert read_bytes("a.srt", data).text == "Katz & Maus <3"
    assert stand_in(data).endswith("KATZ &amp; MAUS &lt;3\n")


@pytest.mark.parametrize("pattern", ["<b>Wort ", "<invalid_tag>Wort ", "{b}Wort "])
def test_the_reader_is_linear_in_unclosed_tags(pattern):
    def cost(n: int) -> float:
        data = ("1\n00:00:01,000 --> 00:00:02,000\nEin " + pattern * n + "Ende.\n").encode()
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            read_bytes("a.srt", data)
            best = min(best, time.process_time() - start)
        return best

    small, large = cost(1000), cost(4000)
    assert large < 12 * max(small, 1e-3)  # linear: about 4; quadratic: about 16


REAL = sorted((Path(__file__).parent / "data" / "srt").glob("*.srt"))
TAGS = re.compile(r"</?[A-Za-z][^\s/>]*[^>]*>|\{\\[^}]*\}")
TIMES = re.compile(r"^\s*[\d:,.]+\s*-->.*$|^\s*\d+\s*$", re.M)


@pytest.mark.parametrize("order", ["keep", "reverse"])
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_subtitle_files_keep_numbers_timings_tags_and_line_endings(path, order):
    data = path.read_bytes()
    source = read_bytes(path.name, data)
    before = data.decode(source.encoding or "utf-8").lstrip("\ufeff")
    after = stand_in(data, order).lstrip("\ufeff")
    assert TIMES.findall(after) == TIMES.findall(before)
    assert sorted(TAGS.findall(after)) == sorted(TAGS.findall(before))
    assert re.findall(r"\r\n|\r|\n", after).count("\r") == re.findall(r"\r\n|\r|\n", before).count(
        "\r"
    )
    text = TAGS.sub("", TIMES.sub("", after))
    assert not re.search(r"[a-z]", re.sub(r"&\w+;", "", text))
