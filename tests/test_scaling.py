"""Big documents stay linear: the segmenter, the chunker, the assembly, the cache path, the readers.

Linearity is checked by ratios, never by a time: exact counts of copied characters where a
quadratic copy is the danger, else the CPU time of 4× the input over 1× with a generous bound
(4 when linear, 16 when quadratic). ``benchmarks/scaling.py`` prints the same at larger sizes.
"""

from __future__ import annotations

import pytest

from tests.fixtures.scaling import BUILDERS, copied_characters, growth
from translator import formats
from translator.chunk import split_to_fit
from translator.segment import segment

LINEAR = 8.0  # 4× the input may cost up to this many times more; quadratic costs 16×


def _words(n: int) -> str:
    return " ".join(f"wort{i}" for i in range(n)) + "."


def test_a_long_sentence_is_cut_into_chunks_copying_linearly():
    """Guards the chunker: it copied the span from its start once per candidate cut (a slice
    per word of a sentence without clause marks), quadratic in the sentence's length."""

    def cut(text: str) -> object:
        return split_to_fit(text, lambda piece: len(piece.split()), 50)

    ratio = copied_characters(cut, _words(8000)) / copied_characters(cut, _words(2000))
    assert ratio < LINEAR


@pytest.mark.parametrize(
    "unit",
    ["am 1. 2. 3. ", "Wort (", "Nr. ", "„Wort. “ ", "z. B. ", "Wort… ", "(endlich!) "],
)
def test_the_segmenter_copies_linearly_however_long_a_sentence_runs(unit):
    """Guards the segmenter: each candidate boundary copied the sentence so far (to ask whether
    it held text), so a long run without a boundary ("am 1. 2. 3. …") was quadratic."""
    ratio = copied_characters(segment, unit * 2000) / copied_characters(segment, unit * 500)
    assert ratio < LINEAR


def _stand_in(cache=False, order="keep"):
    from translator import Translator
    from translator.testing import StandInBackend

    return Translator(backend=StandInBackend(order=order), cache=cache, retry_degenerate=False)


def _sentences(n: int) -> str:
    return "\n\n".join(f"Der Hund {i} läuft schnell. Die Katze {i} schläft." for i in range(n // 2))


ASSEMBLY_CASES = {
    "sentences": _sentences,
    "copy-only paragraphs": lambda n: "\n\n".join("— · —" for _ in range(n)),
    "one huge paragraph": lambda n: " ".join(f"Der Hund {i} läuft." for i in range(n)),
    "one huge sentence": lambda n: _words(10 * n),
}


@pytest.mark.parametrize("case", list(ASSEMBLY_CASES))
def test_the_assembly_of_a_big_document_grows_linearly(case):
    """Guards the assembly (text and Document built by appending, not by rebuilding per
    sentence: 64k copy-only paragraphs once took 3.6× the time of 32k)."""
    translator = _stand_in()
    make_text = ASSEMBLY_CASES[case]

    def make(n: int):
        text = make_text(n)
        return lambda: translator.translate_text(text)

    assert growth(make, 300, repeat=1) < LINEAR


def test_a_stream_of_growing_documents_grows_linearly():
    """Guards streaming: a Document after every window must not rebuild the text so far."""
    translator = _stand_in()

    def make(n: int):
        text = _sentences(n)
        return lambda: sum(1 for _ in translator.stream(text))

    assert growth(make, 300, repeat=1) < LINEAR


def test_cached_sentences_are_found_in_linear_time(tmp_path):
    """Guards the cache path (lookups, validation, placing): 20k cached sentences once took
    23 s and 40k 70 s."""
    from translator.cache import SentenceCache

    def make(n: int):
        text = _sentences(n)
        translator = _stand_in(cache=SentenceCache(tmp_path / f"{n}.sqlite3"))
        translator.translate_text(text)
        return lambda: translator.translate_text(text)

    assert growth(make, 300, repeat=1) < LINEAR


READERS = [f for f in formats.FORMATS if f.read is not None]
KINDS = ("plain", "tags", "huge-paragraph", "tiny-paragraphs")
SIZES = {"txt": 4000, "pdf": 60}  # else 200: sentences, cues or units
TAGS = 2000  # unclosed inline tags: enough of them for a quadratic to show


def test_every_registered_reader_has_inputs_for_the_scaling_checks():
    """A reader added to the registry is measured too (``tests/fixtures/scaling.py``)."""
    missing = [f.name for f in READERS if not BUILDERS.get(f.name)]
    assert not missing, f"add input builders to tests/fixtures/scaling.py for: {missing}"


@pytest.mark.parametrize(
    ("name", "kind"),
    [(f.name, kind) for f in READERS for kind in KINDS if kind in BUILDERS.get(f.name, {})],
)
def test_every_reader_reads_a_bigger_file_in_linear_time(name, kind):
    """Guards every registered reader on ordinary files, unclosed inline tags (``<b>Wort `` × n:
    312 KB of HTML took 116 s), one huge paragraph and many tiny ones."""
    fmt = next(f for f in READERS if f.name == name)
    build = BUILDERS[name][kind]

    def make(n: int):
        data = build(n)
        return lambda: formats.read_bytes(f"sample{fmt.extension}", data)

    size = TAGS if kind == "tags" else SIZES.get(name, 200)
    assert growth(make, size) < LINEAR


WRITTEN_BACK = [f.name for f in READERS if f.write and "tags" in BUILDERS.get(f.name, {})]


@pytest.mark.parametrize("name", WRITTEN_BACK)
def test_every_writer_writes_unclosed_inline_tags_in_linear_time(name):
    """Guards the writers on the readers' worst input: each inline mark moved to its English
    words (the stand-in engine reverses the words) and written back in the file's format. The
    office writers sorted the claimed stretches once per mark, and the OpenDocument writer
    counted a paragraph's children (lxml's len()) for every piece of text it added."""
    translator = _stand_in(order="reverse")
    fmt = formats.format_named(name)

    def make(n: int):
        source = formats.read_bytes(f"sample{fmt.extension}", BUILDERS[name]["tags"](n))
        document = translator.translate_text(source.text, paragraphs=source.units)
        return lambda: formats.write_bytes(document, source, name)

    assert growth(make, TAGS) < LINEAR
