"""Does the work grow linearly with the input? Every reader, the assembly, the cache, the writers.

Each case runs at 1×, 2× and 4× its base size and prints the CPU seconds (the least of a few
runs, this process only) and the growth ratios: about 2.0 per doubling when linear, 4.0 when
quadratic. No model is needed: the assembly runs the real segmenter, planner, sentence cache
and assembler with the stand-in engine (``translator.testing.StandInBackend``), which translates
word by word.

    python benchmarks/scaling.py                 # everything
    python benchmarks/scaling.py --only readers  # readers | assembly | writers
    python benchmarks/scaling.py --scale 0.25    # smaller sizes (a quick look)

Readers: every format the registry (``translator.formats.FORMATS``) reads, with the inputs of
``tests/fixtures/scaling.py``: ordinary files and adversarial ones (``<b>Wort `` × n, one huge
paragraph, many tiny paragraphs). A registered reader without an input builder there is listed as
such. Assembly: fresh sentences, cached sentences (sentence cache on, the second run of the same
text), copy-only paragraphs (no letters: never sent to the engine), one huge paragraph, many tiny
paragraphs, one huge sentence (cut into chunks), and streaming (a Document after every window).
Writers: every output format on an ordinary document, and each format that is read and written
back on its unclosed inline tags, translated by the stand-in engine with the words reversed (so
every mark moves).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.scaling import BUILDERS, cpu_seconds  # noqa: E402
from translator import formats  # noqa: E402
from translator.errors import TranslatorError  # noqa: E402

FACTORS = (1, 2, 4)


MIN_SECONDS = 0.02  # a base size that runs shorter is doubled: a clock's noise is no ratio


def row(name: str, base: int, make: Callable[[int], Callable[[], object]], repeat: int) -> None:
    try:
        work = make(base)
        work()  # warm up: imports, compiled patterns
        first = cpu_seconds(work, repeat=repeat)
        while first < MIN_SECONDS and base < 1 << 22:
            base *= 2
            work = make(base)
            first = cpu_seconds(work, repeat=repeat)
        times = [first] + [cpu_seconds(make(base * f), repeat=repeat) for f in FACTORS[1:]]
    except TranslatorError as error:  # a limit of the format (e.g. lxml's 10 MB text node)
        print(f"| {name} | {base:,} | refused: {error} | | | | | |", flush=True)
        return
    ratios = [later / max(earlier, 1e-6) for earlier, later in itertools.pairwise(times)]
    worst = max(ratios)
    verdict = "linear" if worst < 2.6 else "SUPERLINEAR?" if worst < 3.2 else "SUPERLINEAR"
    cells = [f"{t:.3f}" for t in times] + [f"{r:.2f}" for r in ratios]
    print(f"| {name} | {base:,} | " + " | ".join(cells) + f" | {verdict} |", flush=True)


def header(title: str, unit: str) -> None:
    print(f"\n### {title}\n")
    print(f"| case | 1× ({unit}) | 1× s | 2× s | 4× s | 2×/1× | 4×/2× | |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")


def readers(scale: float) -> None:
    header("Readers (bytes → Source)", "units")
    base = {"tags": 2000, "huge-paragraph": 2000, "tiny-paragraphs": 4000, "plain": 2000}
    slow = {"pdf": 0.1}  # pdfminer's layout analysis: 2,000 sentences take seconds
    for fmt in formats.FORMATS:
        if fmt.read is None:
            continue
        kinds = BUILDERS.get(fmt.name)
        if not kinds:
            print(f"| {fmt.name} | – | no input builder in tests/fixtures/scaling.py | | | | | |")
            continue
        for kind, build in kinds.items():
            name = f"sample{fmt.extension}"

            def make(n: int, build=build, name=name) -> Callable[[], object]:
                data = build(n)
                return lambda: formats.read_bytes(name, data)

            size = max(1, int(base[kind] * scale * slow.get(fmt.name, 1)))
            row(f"{fmt.name} {kind}", size, make, repeat=2)


def _translator(cache=False, order="keep"):
    from translator import Translator
    from translator.testing import StandInBackend

    return Translator(backend=StandInBackend(order=order), cache=cache, retry_degenerate=False)


def assembly(scale: float) -> None:
    from translator.cache import SentenceCache

    header("Assembly (text → Document, stand-in engine)", "sentences")
    translator = _translator()

    def text(n: int) -> str:
        return "\n\n".join(
            f"Der Hund Nummer {i} läuft schnell. Die Katze {i} schläft." for i in range(n // 2)
        )

    cases: dict[str, tuple[int, Callable[[int], str]]] = {
        "fresh sentences": (5000, text),
        "copy-only paragraphs": (16000, lambda n: "\n\n".join("— · —" for _ in range(n))),
        "one huge paragraph": (5000, lambda n: " ".join(f"Der Hund {i} läuft." for i in range(n))),
        "tiny paragraphs": (16000, lambda n: "\n\n".join("Ja." for _ in range(n))),
        "one huge sentence (words)": (
            20000,
            lambda n: " ".join(f"wort{i}" for i in range(n)) + ".",
        ),
        "lines without a full stop": (
            5000,
            lambda n: "\n".join(f"zeile {i} hier" for i in range(n)),
        ),
    }
    for name, (base, make_text) in cases.items():

        def make(n: int, make_text=make_text) -> Callable[[], object]:
            data = make_text(n)
            return lambda: translator.translate_text(data)

        row(name, max(1, int(base * scale)), make, repeat=1)

    def streamed(n: int) -> Callable[[], object]:
        data = text(n)
        return lambda: sum(1 for _ in translator.stream(data))

    row("streaming (a Document per window)", max(1, int(5000 * scale)), streamed, repeat=1)

    with tempfile.TemporaryDirectory() as folder:

        def cached(n: int) -> Callable[[], object]:
            data = text(n)
            warm = _translator(cache=SentenceCache(Path(folder) / f"{n}.sqlite3"))
            warm.translate_text(data)  # fills the cache: the timed runs find every sentence
            return lambda: warm.translate_text(data)

        row("cached sentences (cache on)", max(2, int(10000 * scale)), cached, repeat=1)


def writers(scale: float) -> None:
    from tests.fixtures.documents import make_document, upper_aligned

    header("Writers (Document → bytes; documents made by hand, word links included)", "sentences")

    @functools.cache
    def document(n: int):
        text = "\n\n".join(f"Der Hund {i} läuft. Die Katze {i} schläft." for i in range(n // 2))
        return formats.text_source(text), make_document(text, None, upper_aligned)

    for fmt in formats.OUTPUT_FORMATS:
        if fmt.same_format:
            continue

        def make(n: int, fmt=fmt) -> Callable[[], object]:
            source, made = document(n)
            return lambda: formats.write_bytes(made, source, fmt.name)

        row(fmt.name, max(2, int(5000 * scale)), make, repeat=2)
        document.cache_clear()  # a big document kept alive slows every later collection

    header("Writers on unclosed inline tags (each file's own format; words reversed)", "units")
    reverse = _translator(order="reverse")
    for fmt in formats.FORMATS:
        if fmt.read is None or fmt.write is None or "tags" not in BUILDERS.get(fmt.name, {}):
            continue

        def tagged(n: int, fmt=fmt) -> Callable[[], object]:
            source = formats.read_bytes(f"sample{fmt.extension}", BUILDERS[fmt.name]["tags"](n))
            done = reverse.translate_text(source.text, paragraphs=source.units)
            return lambda: formats.write_bytes(done, source, fmt.name)

        row(f"{fmt.name} tags", max(2, int(2000 * scale)), tagged, repeat=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["readers", "assembly", "writers"], action="append")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every base size")
    args = parser.parse_args()
    chosen = args.only or ["readers", "assembly", "writers"]
    print("CPU seconds (least of the runs); ratios ≈ 2 per doubling when linear, 4 when quadratic")
    for part in chosen:
        {"readers": readers, "assembly": assembly, "writers": writers}[part](args.scale)


if __name__ == "__main__":
    main()
