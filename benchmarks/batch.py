"""Throughput of ``translator batch`` against a shell loop over the command, and Ray's overhead.

The same German files (sentences from the system's message catalogues, as ``speed.py`` uses), the
same model (the opus-mt-de-en-shaped random model of ``opus_shape.py``, or ``--model PATH``), the
same engine (CTranslate2 int8 on the CPU, beam 4), no sentence cache and no retries of degenerate
outputs in every configuration:

- **shell loop**: ``for f in in/*.txt; do translator "$f" -o out/…; done`` — a process and a
  model load per file, all cores for each;
- **batch, 1 worker**: ``translator batch in --out out --workers 1`` (one model, all cores);
- **batch, 1 worker, 1 thread** (``--threads 1``), the unit of the next two;
- **batch, 2 workers**: two worker processes, one core each (``--workers 2``);
- **batch, inter_threads 2**: one process, one CTranslate2 model with ``inter_threads=2`` and two
  threads, each with its own Translator over it (the alternative to processes);
- **batch on Ray**: a local Ray instance (2 CPUs) and two actors of one core each
  (``--ray auto --workers 2``): the Ray Data path's overhead against ``batch, 2 workers``.

Every configuration runs in processes of its own, round by round interleaved; wall time, CPU time
(user + system of the configuration's processes, waited for) and the load averages before and
after are printed, and the outputs of every configuration are checked to be the same files.
The machine may be shared: compare ratios within one run.

    python benchmarks/batch.py [--files 12] [--sentences 10] [--rounds 2] [--only NAME ...]
    python benchmarks/batch.py --overhead    # the batch's own cost per task, locally and on Ray
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from opus_shape import build_opus_shaped, german_sentences  # noqa: E402

CONFIGS = (
    "shell loop",
    "batch, 1 worker",
    "batch, 1 worker, 1 thread",
    "batch, 2 workers",
    "batch, inter_threads 2",
    "batch on Ray",
)
ENVIRONMENT = {"TRANSLATOR_CACHE": "off", "TRANSLATOR_RETRY": "off", "PYTHONPATH": str(ROOT)}


def make_files(folder: Path, files: int, per_file: int) -> int:
    """``files`` German text files of ``per_file`` sentences, paragraphs of two or three."""
    folder.mkdir(parents=True)
    sentences = german_sentences(files * per_file)
    for n in range(files):
        mine = sentences[n * per_file : (n + 1) * per_file]
        paragraphs = [" ".join(mine[i : i + 3]) for i in range(0, len(mine), 3)]
        (folder / f"datei{n:03}.txt").write_text("\n\n".join(paragraphs) + "\n", "utf-8")
    return files * per_file


def command(name: str, model: str, source: Path, out: Path) -> list[str]:
    cli = [sys.executable, "-m", "translator.cli"]
    batch = [*cli, "batch", str(source), "--out", str(out), "--model", model, "--no-cache"]
    if name == "shell loop":
        loop = (
            f'for f in "{source}"/*.txt; do {sys.executable} -m translator.cli "$f" '
            f'-o "{out}/$(basename "$f" .txt).en.txt" --model "{model}" --no-cache || exit 1; done'
        )
        return ["bash", "-c", f'mkdir -p "{out}" && {loop}']
    if name == "batch, 1 worker":
        return [*batch, "--workers", "1"]
    if name == "batch, 1 worker, 1 thread":
        return [*batch, "--workers", "1", "--threads", "1"]
    if name == "batch, 2 workers":
        return [*batch, "--workers", "2"]
    child = [sys.executable, __file__, "--child", name, "--model", model]
    return [*child, "--in", str(source), "--out", str(out)]


def measure(name: str, model: str, source: Path, out: Path) -> dict:
    """Wall time, CPU time and load averages of one configuration's processes.

    CPU time is the larger of what the finished processes report (``RUSAGE_CHILDREN``: exact,
    but only for processes their parents waited for) and a sampling of the whole process tree
    every 0.2 s (it sees Ray's raylet, object store and actors, which nobody here waits for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(
        command(name, model, source, out),
        env={**os.environ, **ENVIRONMENT},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    tree = TreeCPU(process.pid)
    while process.poll() is None:
        tree.sample()
        time.sleep(0.2)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{name} failed:\n{stderr[-3000:]}")
    extra = {}
    for line in stdout.splitlines():
        if line.startswith("{"):
            extra = json.loads(line)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu = max(waited, tree.seconds())
    return {"wall": wall, "cpu": cpu, "load": (load, os.getloadavg()), **extra}


class TreeCPU:
    """CPU seconds of a process and all its descendants, from /proc, sampled."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.ticks: dict[tuple[int, str], int] = {}  # (pid, start time) → utime + stime
        self.hz = os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        parents, usage = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                    fields = handle.read().rpartition(")")[2].split()
            except OSError:
                continue
            pid = int(entry)
            parents[pid] = int(fields[1])
            usage[pid] = (fields[19], int(fields[11]) + int(fields[12]))
        mine = {self.root}
        grew = True
        while grew:
            found = {pid for pid, parent in parents.items() if parent in mine} - mine
            mine |= found
            grew = bool(found)
        for pid in mine & usage.keys():
            start, ticks = usage[pid]
            self.ticks[(pid, start)] = max(self.ticks.get((pid, start), 0), ticks)

    def seconds(self) -> float:
        return sum(self.ticks.values()) / self.hz


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.en.txt"))}


# -- configurations that need code of their own (run with --child) ----------------------------


def child_inter_threads(model: str, source: Path, out: Path) -> None:
    """One CTranslate2 model with inter_threads=2 shared by two threads' Translators."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import ctranslate2

    from translator.batch import run
    from translator.batch.work import run_task
    from translator.engine import Translator

    first = Translator(model, backend="ctranslate2", cache=False)
    backend = first.backend
    backend.translator = ctranslate2.Translator(
        str(backend.model_dir), device="cpu", compute_type=backend.precision,
        inter_threads=2, intra_threads=1,
    )  # fmt: skip
    local = threading.local()

    def translator() -> Translator:
        if not hasattr(local, "translator"):
            local.translator = Translator(backend=backend, cache=False)
        return local.translator

    class Threads:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def signature(self) -> str:
            return first.signature()

        def run(self, tasks, progress):
            with ThreadPoolExecutor(2) as pool:
                yield from pool.map(lambda task: run_task(translator(), task, False), tasks)

    run._executor = lambda *args, **kwargs: Threads()
    summary = run.translate_many([source], out, cache=False)
    assert summary.ok, summary.failed


def child_ray(model: str, source: Path, out: Path) -> None:
    """A local Ray instance (2 CPUs), then the batch on it; prints the start's share."""
    import ray

    from translator.batch import translate_many

    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    start = time.perf_counter() - started
    try:
        summary = translate_many(
            [source], out, model=model, cache=False, ray="auto", workers=2, threads=1
        )
    finally:
        ray.shutdown()
    assert summary.ok, summary.failed
    print(json.dumps({"ray_start": start, "batch": summary.seconds}))


def stand_in(settings):
    """The deterministic stand-in engine: what is left is the batch's own cost."""
    from translator.engine import Translator
    from translator.testing import StandInBackend

    return Translator(backend=StandInBackend("keep"), cache=False, retry_degenerate=False)


def overhead(counts: tuple[int, int] = (40, 200)) -> None:
    """Cost per task of the batch itself (plan, hash, write, record) on one machine and through
    Ray Data, with the stand-in engine: the slope between two batch sizes, so the start of each
    (Ray's instance, its actors) drops out; each path runs once before, uncounted."""
    import ray

    from translator.batch import translate_many

    work = Path(tempfile.mkdtemp(prefix="batch-overhead-"))
    try:
        for n in counts:
            folder = work / f"in{n}"
            folder.mkdir()
            for i in range(n):
                (folder / f"f{i:04}.txt").write_text(f"Datei {i}. Ein Satz.\n", "utf-8")
        timings: dict[str, list[float]] = {"local": [], "ray": []}
        translate_many(work / f"in{counts[0]}", work / "warm", translator_factory=stand_in)
        for n in counts:
            started = time.perf_counter()
            translate_many(work / f"in{n}", work / f"local{n}", translator_factory=stand_in)
            timings["local"].append(time.perf_counter() - started)
        started = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
        ray_start = time.perf_counter() - started
        try:  # a first dataset starts Ray Data's own actors: not counted
            translate_many(
                work / f"in{counts[0]}", work / "ray-warm", ray="auto", workers=1,
                translator_factory=stand_in,
            )  # fmt: skip
            for n in counts:
                started = time.perf_counter()
                translate_many(
                    work / f"in{n}", work / f"ray{n}", ray="auto", workers=1,
                    translator_factory=stand_in,
                )  # fmt: skip
                timings["ray"].append(time.perf_counter() - started)
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    span = counts[1] - counts[0]
    print(f"\nper-task cost, stand-in engine, slope from {counts[0]} to {counts[1]} files")
    load = os.getloadavg()[0]
    print(f"load (1 min) {load:.1f}; Ray's local instance started in {ray_start:.1f} s")
    for name, (small, large) in timings.items():
        per_task = (large - small) / span
        fixed = small - per_task * counts[0]
        print(
            f"{name}: {small:.1f} s for {counts[0]} files, {large:.1f} s for {counts[1]}: "
            f"{per_task * 1000:.0f} ms per task, {fixed:.1f} s fixed"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--sentences", type=int, default=10, help="sentences per file")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--model", help="a model folder (default: the opus-shaped random model)")
    parser.add_argument("--only", nargs="+", choices=CONFIGS)
    parser.add_argument(
        "--overhead", action="store_true", help="only the per-task cost, with the stand-in engine"
    )
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--in", dest="source", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = child_ray if args.child == "batch on Ray" else child_inter_threads
        run(args.model, Path(args.source), Path(args.out))
        return
    if args.overhead:
        overhead()
        return

    model = args.model or str(build_opus_shaped())
    subprocess.run(  # convert once, outside every timing
        [sys.executable, "-m", "translator.cli", "convert", model],
        env={**os.environ, **ENVIRONMENT}, check=True, capture_output=True,
    )  # fmt: skip
    configs = args.only or list(CONFIGS)
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    try:
        source = work / "in"
        sentences = make_files(source, args.files, args.sentences)
        results: dict[str, list[dict]] = {name: [] for name in configs}
        reference: dict[str, bytes] | None = None
        for round_ in range(args.rounds):
            for name in configs:
                out = work / f"out-{round_}-{configs.index(name)}"
                result = measure(name, model, source, out)
                got = outputs(out)
                if reference is None:
                    reference = got
                if got != reference:
                    raise SystemExit(f"{name} wrote other outputs than {configs[0]}")
                results[name].append(result)
                load = " → ".join(f"{a[0]:.1f}" for a in result["load"])
                print(
                    f"round {round_ + 1} {name}: {result['wall']:.1f} s wall, "
                    f"{result['cpu']:.1f} s CPU, load {load}",
                    file=sys.stderr,
                )
        report(results, sentences, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(results: dict[str, list[dict]], sentences: int, args: argparse.Namespace) -> None:
    base = results.get("shell loop")
    base_wall = statistics.median(r["wall"] for r in base) if base else None
    print(
        f"\n{args.files} files × {args.sentences} sentences = {sentences} sentences; "
        f"{args.rounds} rounds, medians\n"
    )
    print("| configuration | wall s | CPU s | sentences/s | × shell loop | load (1 min) |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, runs in results.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        ratio = f"{base_wall / wall:.2f}" if base_wall else "–"
        loads = ", ".join(f"{r['load'][0][0]:.1f} → {r['load'][1][0]:.1f}" for r in runs)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {sentences / wall:.2f} | {ratio} | {loads} |")
    if "batch on Ray" in results:
        runs = results["batch on Ray"]
        start = statistics.median(r["ray_start"] for r in runs)
        batch = statistics.median(r["batch"] for r in runs)
        print(f"\nRay: starting the local instance {start:.1f} s; the batch on it {batch:.1f} s")


if __name__ == "__main__":
    main()
