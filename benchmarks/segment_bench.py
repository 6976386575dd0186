"""Throughput of the German segmenter on a synthetic news-like text (sentences per second).

    python benchmarks/segment_bench.py [--sentences N] [--rounds R]

Reports the best of R rounds, by CPU time of this process (steady on a busy machine) and by wall
time. For accuracy against gold data use ``benchmarks/segbench.py`` on
``benchmarks/data/segmentation`` (see the README's "Segmentation" section).
"""

from __future__ import annotations

import argparse
import random
import time

from translator.segment import split_sentences

SENTENCES = [
    "Der 1. FC Köln gewann am 27. Juni mit 2:1.",
    "„Wir waren heute einfach besser“, sagte der Trainer.",
    "Die Firma meldete einen Umsatz von ca. 1,5 Mio. Euro.",
    "Berlin (dpa) – Der Bundestag hat das Gesetz z. B. im 2. Anlauf beschlossen.",
    "Weitere Infos gibt es unter www.example.de bzw. per E-Mail an info@example.de.",
    "Kommst du morgen?",
    "Das Treffen beginnt um 14.30 Uhr im Rathaus (Saal 3).",
    "Dr. med. Hans Müller lebt seit 1990 in der Hauptstr. 12.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(0)
    paragraphs = []
    for _ in range(args.sentences // 5):
        paragraphs.append(" ".join(rng.choice(SENTENCES) for _ in range(5)))
    text = "\n\n".join(paragraphs)
    cpu = wall = float("inf")
    for _ in range(args.rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = len(split_sentences(text))
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started)
    print(
        f"{found} sentences, best of {args.rounds}: {found / cpu:,.0f} sentences/s of CPU time "
        f"({cpu:.2f} s), {found / wall:,.0f} sentences/s of wall time ({wall:.2f} s)"
    )


if __name__ == "__main__":
    main()
