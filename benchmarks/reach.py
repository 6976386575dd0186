"""Web articles, PDFs and e-books: what the readers recover, and at what time and memory.

Each case runs in a fresh process (peak RSS is its own). Known-text cases are built by the tests'
fixtures; real files are read from a corpus folder (the first argument, default ``corpus``:
``web/*.html`` saved pages, ``pdf/*.pdf``, ``epub/*.epub``). Reading only: the translation
itself is the engine's cost, measured in ``benchmarks/README.md``; writing uses the stand-in
engine's output.

    python benchmarks/reach.py [CORPUS]
"""

from __future__ import annotations

import difflib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def _in_order(truth: str, text: str) -> float:
    a, b = _letters(truth), _letters(text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(m.size for m in matcher.get_matching_blocks()) / max(len(a), 1)


def _translate(source):
    from translator import Translator
    from translator.testing import StandInBackend

    engine = Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)
    return engine.translate_text(source.text, paragraphs=source.units)


def case_web_known() -> dict:
    from translator.formats import web

    page = (ROOT / "tests/data/web/artikel.html").read_bytes()
    started = time.perf_counter()
    source = web.read_page(page, "https://zeitung.example/lokales/neue-bruecke.html")
    seconds = time.perf_counter() - started
    expected = [
        "Neue Brücke über den Rhein eröffnet",
        "Nach vier Jahren Bauzeit",
        "Die Brücke ist 480 Meter lang",
        "Was sich für Pendler ändert",
        "Wer bisher mit der Fähre übersetzte",
        "Die Buslinie 7",
        "Der Radweg ist rund um die Uhr",
        "Lastwagen über 40 Tonnen",
        "Diese Brücke verbindet",
        "Der Verkehrsverein kündigte",
    ]
    units = [u.of(source.text) for u in source.units]
    right = sum(u.startswith(e) for u, e in zip(units, expected, strict=False))
    leaked = [w for w in ("Startseite", "Gartenmöbel", "Parkgebühren", "Endlich!", "Impressum")
              if w in source.text]  # fmt: skip
    return {
        "case": "web: built article (nav, ad, related, comments, footer)",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{right}/{len(expected)} ({len(units)} units)",
        "structure": f"boilerplate leaked: {len(leaked)}; metadata: {sorted(source.metadata)}",
        "seconds": seconds,
    }


def case_web_real(path: str) -> dict:
    from translator.formats import web

    page = Path(path).read_bytes()
    started = time.perf_counter()
    source = web.read_page(page, "https://example.org/" + Path(path).stem)
    seconds = time.perf_counter() - started
    markdown = source.state.text
    headings = sum(line.startswith("#") for line in markdown.splitlines())
    items = sum(line.lstrip().startswith(("- ", "1. ")) for line in markdown.splitlines())
    return {
        "case": f"web: {Path(path).name} ({len(page) // 1024} KB)",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{len(source.units)} units",
        "structure": f"{headings} headings, {items} list items, title/author/date: "
        + "/".join("y" if source.metadata.get(k) else "-" for k in ("title", "author", "date")),
        "seconds": seconds,
    }


def case_pdf_known() -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import pdfs
    from translator.formats import pdf

    built = pdfs.report()
    started = time.perf_counter()
    source = pdf.read(built.data, "report.pdf")
    seconds = time.perf_counter() - started
    body = [b.text for b in source.state.blocks if b.kind != "footnote"]
    notes = [b.text for b in source.state.blocks if b.kind == "footnote"]
    joined = sum(w in source.text for w in built.hyphens_joined)
    kept = sum(w in source.text for w in built.hyphens_kept) + ("Ein- und" in source.text)
    running = sum(r in source.text for r in built.running)
    truth = "\n".join(built.paragraphs + built.footnotes)
    return {
        "case": "pdf: built report (1 and 2 columns, header, footer, footnote)",
        "characters": f"{_in_order(truth, source.text):.3f} in order",
        "paragraphs right": f"{sum(a == b for a, b in zip(body, built.paragraphs, strict=False))}"
        f"/{len(built.paragraphs)}",
        "structure": f"hyphens undone {joined}/{len(built.hyphens_joined)}, kept "
        f"{kept}/{len(built.hyphens_kept) + 1}; running lines left {running}; footnotes apart "
        f"{int(notes == built.footnotes)}",
        "seconds": seconds,
    }


def case_pdf_real(path: str) -> dict:
    from translator.formats import pdf

    data = Path(path).read_bytes()
    started = time.perf_counter()
    try:
        source = pdf.read(data, Path(path).name)
    except Exception as error:  # a refusal is a result too
        return {
            "case": f"pdf: {Path(path).name}",
            "characters": "–",
            "paragraphs right": "–",
            "structure": f"refused: {error}"[:140],
            "seconds": time.perf_counter() - started,
        }
    seconds = time.perf_counter() - started
    kinds = [b.kind for b in source.state.blocks]
    return {
        "case": f"pdf: {Path(path).name} ({len(data) // 1024} KB, {source.state.pages} pages)",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{kinds.count('paragraph')} paragraphs",
        "structure": f"{kinds.count('heading')} headings, {kinds.count('footnote')} footnotes",
        "seconds": seconds,
    }


def case_pdf_large() -> dict:
    """About 20 MB: 40 pages of text, each with a 0.5 MB image of noise (incompressible)."""
    import io
    import os

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from translator.formats import pdf

    def noise_png(width: int, height: int) -> bytes:
        import struct
        import zlib

        rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = struct.pack(">I", zlib.crc32(kind + body))
            return struct.pack(">I", len(body)) + kind + body + crc

        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))  # fmt: skip

    buffer = io.BytesIO()
    doc = canvas.Canvas(buffer, pagesize=A4)
    for page in range(40):
        doc.drawImage(ImageReader(io.BytesIO(noise_png(420, 420))), 60, 300, 300, 300)
        doc.setFont("Helvetica", 11)
        for line in range(30):
            doc.drawString(60, 780 - line * 14, f"Seite {page + 1}, Zeile {line + 1}: Der Text "
                           f"dieser Zeile steht neben einem großen Bild.")  # fmt: skip
        doc.showPage()
    doc.save()
    data = buffer.getvalue()
    started = time.perf_counter()
    source = pdf.read(data, "gross.pdf")
    seconds = time.perf_counter() - started
    return {
        "case": f"pdf: {len(data) / 2**20:.1f} MB, 40 pages of text beside incompressible images",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{len(source.units)} units",
        "structure": "read whole (the limit is 64 MB)",
        "seconds": seconds,
    }


def case_epub_known() -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import epubs
    from translator.formats import read_bytes, write_bytes

    started = time.perf_counter()
    source = read_bytes("reise.epub", epubs.book())
    document = _translate(source)
    english = write_bytes(document, source, "epub")
    bilingual = write_bytes(document, source, "bilingual-epub")
    seconds = time.perf_counter() - started
    epubs.check(english)
    epubs.check(bilingual)
    return {
        "case": "epub: built book (2 chapters, nav, NCX, image, CSS, links)",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{len(source.units)} units",
        "structure": "English and bilingual books pass the structural check (and epubcheck 5.3)",
        "seconds": seconds,
    }


def case_epub_long() -> dict:
    """A long book: 300 chapters of 40 paragraphs (12,000 paragraphs, ~3 MB of text)."""
    import re

    sys.path.insert(0, str(ROOT))
    from tests.fixtures import epubs
    from translator.formats import read_bytes, write_bytes

    paragraph = ("<p>Am frühen Morgen packte die Familie den Wagen, und der Himmel über der Stadt "
                 "war noch grau, als sie losfuhren.</p>\n")  # fmt: skip
    extra: dict[str, bytes] = {}
    manifest, spine = [], []
    for n in range(300):
        body = f"<h1>Kapitel {n + 1}</h1>\n" + paragraph * 40
        chapter = re.sub(r"<body>.*</body>", "<body>" + body + "</body>", epubs.CHAPTER_1,
                         flags=re.S)  # fmt: skip
        extra[f"OEBPS/text/k{n}.xhtml"] = chapter.encode()
        manifest.append(f'<item id="c{n}" href="text/k{n}.xhtml" '
                        f'media-type="application/xhtml+xml"/>')  # fmt: skip
        spine.append(f'<itemref idref="c{n}"/>')
    package = epubs.PACKAGE.replace("</manifest>", "\n".join(manifest) + "</manifest>")
    package = package.replace("</spine>", "\n".join(spine) + "</spine>")
    extra["OEBPS/content.opf"] = package.encode()
    data = epubs.book(extra)
    started = time.perf_counter()
    source = read_bytes("lang.epub", data)
    read_seconds = time.perf_counter() - started
    document = _translate(source)
    started = time.perf_counter()
    write_bytes(document, source, "epub")
    write_bytes(document, source, "bilingual-epub")
    write_seconds = time.perf_counter() - started
    from translator.formats import epub

    return {
        "case": f"epub: long book, {len(data) // 1024} KB, 302 chapters",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{len(source.units)} units, {len(epub.chapters(source))} chapters",
        "structure": f"read {read_seconds:.1f} s, both books written {write_seconds:.1f} s",
        "seconds": read_seconds + write_seconds,
    }


def child(name: str, argument: str) -> None:
    sys.path.insert(0, str(ROOT))
    import translator.formats  # noqa: F401  (imports are not the reader's time)

    function = globals()[name]
    result = function(argument) if argument else function()
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main(corpus: Path) -> None:
    cases: list[tuple[str, str]] = [("case_web_known", "")]
    cases += [("case_web_real", str(p)) for p in sorted((corpus / "web").glob("*.html"))]
    cases += [("case_pdf_known", ""), ("case_pdf_large", "")]
    cases += [("case_pdf_real", str(p)) for p in sorted((corpus / "pdf").glob("*.pdf"))]
    cases += [("case_epub_known", ""), ("case_epub_long", "")]
    cases += [("case_epub_real", str(p)) for p in sorted((corpus / "epub").glob("*.epub"))]
    print("| case | characters | paragraphs | structure | seconds | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, argument in cases:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name, argument], capture_output=True, text=True
        )
        if done.returncode:
            print(f"| {name} {argument} | error: {done.stderr.strip().splitlines()[-1][:100]} |")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {r['case']} | {r['characters']} | {r['paragraphs right']} | {r['structure']} | "
            f"{r['seconds']:.2f} | {r['rss_mb']:.0f} |"
        )


def case_epub_real(path: str) -> dict:
    from translator.formats import epub, read_bytes

    data = Path(path).read_bytes()
    started = time.perf_counter()
    source = read_bytes(Path(path).name, data)
    seconds = time.perf_counter() - started
    return {
        "case": f"epub: {Path(path).name} ({len(data) // 1024} KB)",
        "characters": len(_letters(source.text)),
        "paragraphs right": f"{len(source.units)} units, {len(epub.chapters(source))} chapters",
        "structure": f"title: {source.metadata.get('title', '-')}",
        "seconds": seconds,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    elif sys.argv[1:2] in (["-h"], ["--help"]):
        print(__doc__)
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus"))  # absent: built cases only
