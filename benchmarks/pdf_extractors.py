"""Which PDF text extractor to build on: characters recovered in reading order, time, peak RSS.

Each extractor runs in a fresh process on each PDF (so peak RSS is its own). PDFs with known text
are built with reportlab (``tests/fixtures/pdfs.py``: one column with a footnote, two columns, a
running header and footer); "in order" is the share of the known text's letters that the
extractor's text gives back in the same order (difflib's matching blocks), so text from two
columns interleaved line by line scores low. Real PDFs (no known text) report characters and time.

    python benchmarks/pdf_extractors.py [CORPUS/pdf/*.pdf]
"""

from __future__ import annotations

import difflib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRACTORS = ("pypdf", "pdfminer", "pdfplumber", "pypdfium2", "translator")


def extract(name: str, path: str) -> str:
    if name == "pypdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if name == "pdfminer":
        from pdfminer.high_level import extract_text

        return extract_text(path)
    if name == "pdfplumber":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    if name == "pypdfium2":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(path)
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    if name == "translator":  # our reader (pdfminer's layout, then our own reading order)
        sys.path.insert(0, str(ROOT))
        from translator.formats import pdf

        return pdf.read(Path(path).read_bytes(), Path(path).name).text
    raise ValueError(name)


def child(name: str, path: str) -> None:
    if name == "translator":  # the package's own imports are not the extractor's time
        sys.path.insert(0, str(ROOT))
        import translator.formats  # noqa: F401
    started = time.perf_counter()
    text = extract(name, path)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"text": text, "seconds": seconds, "rss_mb": rss}))


def letters(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def in_order(truth: str, text: str) -> float:
    a, b = letters(truth), letters(text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)


def run(name: str, path: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, path], capture_output=True, text=True
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout)


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures import pdfs

    built = pdfs.report()
    cases: list[tuple[str, str, str | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(built.data)
        known = "\n".join(built.paragraphs + built.footnotes)
        cases.append(("built: report (1 + 2 columns)", str(path), known))
        cases.extend((Path(p).name, p, None) for p in argv)
        print("| PDF | extractor | characters | in order | seconds | peak RSS MB |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, pdf_path, truth in cases:
            for name in EXTRACTORS:
                result = run(name, pdf_path)
                if "error" in result:
                    print(f"| {label} | {name} | error: {result['error'][:60]} | | | |")
                    continue
                text = result["text"]
                order = f"{in_order(truth, text):.3f}" if truth else "–"
                print(
                    f"| {label} | {name} | {len(letters(text)):,} | {order} | "
                    f"{result['seconds']:.2f} | {result['rss_mb']:.0f} |"
                )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1:])
