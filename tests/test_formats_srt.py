"""Subtitles: cue numbers and timings untouched, each cue's text translated."""

from __future__ import annotations

import re

from translator import translate
from translator.formats import read_bytes, subtitles

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
