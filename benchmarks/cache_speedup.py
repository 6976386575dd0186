"""What the sentence cache saves: the seed article translated twice in one process.

The first run translates every sentence and fills a fresh cache (in a temporary directory); the
second finds every sentence there. Both runs use one warm model, so the ratio is the cache's
alone. The issue's target: the second run at least 20 times faster.

    python benchmarks/cache_speedup.py [--model DIR] [--backend torch] [--beam 4] [--no-retry]

The default model is the random-weight model of the exact opus-mt-de-en shape (``opus_shape.py``,
built once into ~/.cache/translator-bench). Random weights loop in almost every sentence, so the
first run also retries nearly every sentence; ``--no-retry`` shows the ratio without that (the
real model rarely needs a retry).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opus_shape import build_opus_shaped

from translator import Translator
from translator.cache import FILE_NAME, SentenceCache
from translator.document import RETRIED

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_6c55d004d8009f3d.txt"
TARGET = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory or hub id (default: opus-shaped random)")
    parser.add_argument("--backend", default="torch", help="torch (default), ctranslate2, …")
    parser.add_argument("--beam", type=int, help="beam size (default: the model's)")
    parser.add_argument("--text", default=str(SEED), help="German text file (default: the seed)")
    parser.add_argument("--no-retry", action="store_true", help="don't retry degenerate outputs")
    args = parser.parse_args()

    model = args.model or str(build_opus_shaped())
    text = Path(args.text).read_text("utf-8")
    with tempfile.TemporaryDirectory() as directory:
        cache = SentenceCache(Path(directory) / FILE_NAME)
        translator = Translator(
            model=model,
            backend=args.backend,
            beam=args.beam,
            cache=cache,
            retry_degenerate=not args.no_retry,
        )
        translator.translate_text("Ein Satz zum Aufwärmen.", cache=False)  # load and warm up

        start = time.perf_counter()
        first = translator.translate_text(text)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        second = translator.translate_text(text)
        second_s = time.perf_counter() - start
        cache.close()

    if second.to_json() != first.to_json():
        raise SystemExit("the cached run differs from the first: not comparable")
    sentences = list(first.sentences)
    retried = sum(RETRIED in s.flags for s in sentences)
    ratio = first_s / second_s
    print(f"model: {model} ({translator.signature()})")
    print(f"text: {args.text}, {len(sentences)} sentences, {retried} retried in the first run")
    print(f"first run (empty cache):  {first_s:8.3f} s")
    print(f"second run (all cached):  {second_s:8.3f} s")
    verdict = "met" if ratio >= TARGET else "missed"
    print(f"ratio: {ratio:.1f}× (target ≥ {TARGET:g}×: {verdict})")


if __name__ == "__main__":
    main()
