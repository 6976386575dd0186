"""What alignment and confidence cost: translation with and without them (torch engine).

With details the search records the chosen outputs' log-probabilities and the alignment head's
attention (``SearchRecorder`` in ``translator/backends/torch_search.py``); without, it doesn't.

Runs on a random-weight model of the exact opus-mt-de-en shape (``opus_shape.py``), beam 4, over
real German sentences, alternating the two settings so that machine noise hits both alike, and
prints the median wall times and their ratio. The issue's budget: at most 1.15.

    python benchmarks/alignment_cost.py [--sentences 60] [--rounds 5]

On a busy machine wall times are noise; ``taskset -c 0 python benchmarks/alignment_cost.py
--cpu-time`` runs the engine on one core and compares the CPU time the process spent, which other
work on the machine barely changes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opus_shape import build_opus_shaped, german_sentences

from translator import Translator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument(
        "--cpu-time", action="store_true", help="compare process CPU time, not wall time"
    )
    args = parser.parse_args()

    model = build_opus_shaped()
    text = " ".join(german_sentences(args.sentences))
    # no sentence cache: every round must translate
    with_details = Translator(
        model=str(model),
        backend="torch",
        beam=args.beam,
        max_output_ratio=1.1,
        cache=False,
        retry_degenerate=False,
    )
    without = Translator(
        backend=with_details.backend,
        beam=args.beam,
        details=False,
        max_output_ratio=1.1,
        cache=False,
        retry_degenerate=False,
    )
    with_details.translate_text(text[:500])  # warm up both paths
    without.translate_text(text[:500])

    clock = time.process_time if args.cpu_time else time.perf_counter
    times: dict[str, list[float]] = {"plain": [], "aligned": []}
    outputs: dict[str, str] = {}
    ratios = []
    runs = (("plain", without), ("aligned", with_details))
    for round_index in range(args.rounds):
        order = runs if round_index % 2 == 0 else runs[::-1]  # neither side always goes first
        for name, translator in order:
            start = clock()
            document = translator.translate_text(text)
            times[name].append(clock() - start)
            outputs[name] = document.target
        ratios.append(times["aligned"][-1] / times["plain"][-1])
    if outputs["plain"] != outputs["aligned"]:
        raise SystemExit("the translations differ with and without details: not comparable")
    plain, aligned = (statistics.median(times[k]) for k in ("plain", "aligned"))
    kind = "CPU time" if args.cpu_time else "wall time"
    print(f"sentences: {args.sentences}, beam {args.beam}, rounds {args.rounds}, {kind}")
    print(f"translation only:           {plain:7.2f} s  (runs: {fmt(times['plain'])})")
    print(f"+ alignment and confidence: {aligned:7.2f} s  (runs: {fmt(times['aligned'])})")
    print(
        f"ratio of medians: {aligned / plain:.3f}; median of per-round ratios: "
        f"{statistics.median(ratios):.3f} (rounds: {fmt(ratios)}); budget 1.15"
    )


def fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
