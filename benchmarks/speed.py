"""Speed of every engine the project offers, against transformers ``generate`` one sentence at once.

Runs on a random-weight model of the exact opus-mt-de-en shape (``opus_shape.py``: same cost per
token as the real model, no quality). Random weights never end a sentence sensibly, so ``</s>`` is
suppressed and every output is exactly ``bound(n)`` tokens for a source of ``n`` pieces, in every
engine — checked, sentence by sentence, before anything is reported. ``bound(n)`` is 1.1 × n
rounded up to a multiple of 8: sentences of similar length share a bound, as in real text they
share a natural ending before the engine's limit (CTranslate2's beam search can bound a batch only
as a whole, so sentences with different bounds that all run into them are decoded in groups; see
``--exact-bounds``).

Every configuration runs in its own process (peak RSS is that process's), configurations are
interleaved round by round, and each figure is the median over rounds; ratios are to the baseline
of the same run. ``--cpu-time`` divides by the process's CPU time instead of wall time: on a busy
machine, pin the run to one core (``taskset -c 0``) and compare CPU time.

    python benchmarks/speed.py [--rounds 3] [--sentences 200] [--only NAME ...] [--cpu-time]
    python benchmarks/speed.py --model Helsinki-NLP/opus-mt-de-en [--check-vmap]   # real weights
    python benchmarks/speed.py --threads          # replicas × threads, one document and sessions

With ``--model`` the table is made on that model's real outputs (nothing suppressed or forced;
tokens are what each engine produced), and ``--check-vmap`` also prints how many sentences the
vocabulary map changes on text it was not built from (beam 4 and greedy).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from opus_shape import build_opus_shaped, german_sentences  # noqa: E402

SEED = HERE.parent / "seeds" / "000_6c55d004d8009f3d.txt"
HELDOUT = HERE / "data" / "vmap_heldout.de.txt"
EXACT = os.environ.get("SPEED_EXACT_BOUNDS") == "1"
REAL = os.environ.get("SPEED_REAL_MODEL") == "1"  # real weights: real outputs, nothing forced

# name: (how, backend, beam, details)
CONFIGS: dict[str, tuple[str, str, int, bool]] = {
    "baseline": ("generate", "torch", 4, False),
    "default": ("translator", "auto", 0, True),  # = Translator(): beam 4, details
    "fast (--fast)": ("translator", "auto", 1, True),  # = the default engine, greedy
    "ct2 int8 beam 4, full vocabulary": ("translator", "ctranslate2:int8", 4, True),
    "ct2 int8 greedy, full vocabulary": ("translator", "ctranslate2:int8", 1, True),
    "torch beam 4": ("translator", "torch", 4, True),
    "torch greedy": ("translator", "torch", 1, True),
    "ct2 float32 beam 4": ("translator", "ctranslate2:float32", 4, True),
    "ct2 int8+vmap beam 4": ("translator", "ctranslate2:int8+vmap", 4, True),
    "ct2 int8+vmap greedy": ("translator", "ctranslate2:int8+vmap", 1, True),
    "ct2 int8 beam 4, no details": ("translator", "ctranslate2:int8", 4, False),
    "ct2 int8 greedy, no details": ("translator", "ctranslate2:int8", 1, False),
    # what Argos Translate and LibreTranslate run: one search on every core, no details
    "ct2 int8 beam 4, no details, one search on all cores": ("peers", "ctranslate2:int8", 4, False),
}


def bound(pieces: int) -> int:
    """Output tokens for a source of ``pieces`` pieces: about 1.1 × (see the module docstring)."""
    if REAL:
        return min(math.ceil(1.5 * pieces) + 10, 511)  # the engine's own limit
    if EXACT:
        return math.ceil(1.1 * pieces)
    return 8 * math.ceil(1.1 * pieces / 8)


def document(sentences: int) -> str:
    chosen = german_sentences(sentences)
    return "\n\n".join(" ".join(chosen[i : i + 5]) for i in range(0, len(chosen), 5))


# -- one configuration, in its own process -----------------------------------------------------


def suppress_end_of_sentence(torch_engine: bool) -> None:
    """Engines never end before the bound (benchmark only: random weights). Imports only the
    engine in use, so that peak RSS is the engine's own."""
    if REAL:
        return
    if torch_engine:
        try:
            from translator.backends.torch_search import PerRowLengthLimit as limit
        except ImportError:  # a tree from before the torch engine's cut (before/after runs)
            from translator.backends.marian_torch import _PerRowLengthLimit as limit
        original = limit.__call__

        def call(self, input_ids, scores):
            scores[:, self.eos_id] = float("-inf")
            return original(self, input_ids, scores)

        limit.__call__ = call
        return
    try:
        from translator.backends import ctranslate2_backend as ct2
    except ImportError:
        return
    options = ct2.CTranslate2Backend._options

    def suppressed(self, **kwargs):
        return {**options(self, **kwargs), "suppress_sequences": [[self._eos]]}

    ct2.CTranslate2Backend._options = suppressed


class Counting:
    """Wraps a backend: output length per source (ids), to verify the forced lengths."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.lengths: dict[tuple[int, ...], int] = {}

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, batch, **options):
        hypotheses = self.inner.generate(batch, **options)
        for ids, hypothesis in zip(batch, hypotheses, strict=True):
            self.lengths[tuple(ids)] = len(hypothesis.ids)
        return hypotheses


def bound_outputs() -> None:
    """Every engine's decoder bounds each output by ``bound`` (the model stage's limit)."""
    from translator import decode

    decode.output_limit = lambda pieces, ratio, positions: bound(pieces)


def run_one(name: str, model: str, texts: dict[str, str]) -> dict:
    how, backend, beam, details = CONFIGS[name]
    suppress_end_of_sentence(torch_engine=backend == "torch")
    bound_outputs()
    from translator.segment import segment

    result: dict = {"name": name}
    if how == "peers":  # one replica, every core in each matrix product (CTranslate2's default)
        from translator.backends import ct2_loading

        ct2_loading.LAYOUT = "intra"
    start = time.perf_counter()
    if how == "generate":
        engine = Baseline(model)
    else:
        from translator import Translator

        class Bounded(Translator):
            def output_limit(self, source_pieces: int) -> int:
                return bound(source_pieces)

        from translator.align import AlignmentConfig
        from translator.backends import load_backend

        alignment = AlignmentConfig()
        loaded = load_backend(
            model,
            backend=backend,
            alignment_layer=alignment.layer,
            alignment_heads=alignment.heads,
        )
        # the engine's model calls go through Counting (its decoder keeps the backend it is
        # given); no sentence cache (every run translates), no retries (random weights loop)
        engine = Bounded(
            backend=Counting(loaded), details=details, cache=False, retry_degenerate=False
        )
        if beam:
            engine.beam = beam
    result["load_s"] = time.perf_counter() - start
    result["engine"] = engine.signature().split("|")[1] if how != "generate" else "generate"
    engine.translate_text("Guten Morgen. Wie geht es Ihnen heute?")  # warm up
    for label, text in texts.items():
        sentences = [s.of(text) for _, spans in segment(text) for s in spans]
        codec = engine.backend.codec
        expected = [bound(codec.count(s)) for s in sentences]
        if how != "generate":
            engine.backend.lengths.clear()
            if label == "document":  # time to the first streamed paragraphs, model warm
                first = time.perf_counter()
                next(iter(engine.stream(text)))
                result["first_s"] = time.perf_counter() - first
                engine.backend.lengths.clear()
        began, cpu = time.perf_counter(), time.process_time()
        produced = engine.translate_text(text)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        if how == "generate":
            lengths = produced
        else:
            lengths = [engine.backend.lengths[tuple(codec.encode(s).ids)] for s in sentences]
        if REAL:
            expected = lengths  # real outputs: whatever each engine produced
        if lengths != expected:
            bad = sum(a != b for a, b in zip(lengths, expected, strict=True))
            raise SystemExit(f"{name}: {bad} of {len(expected)} output lengths are not forced")
        result[label] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "tokens": sum(lengths),
            "sentences": len(sentences),
        }
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not ``ru_maxrss``: Linux carries that
    over from the parent through fork and exec, so every child would report the driver's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Baseline:
    """What a user starts from: transformers ``generate`` called once per sentence, beam 4.

    The issue names ``pipeline("translation")``; transformers 5 removed that task (KeyError: "The
    task translation has been removed"), and what it ran per sentence was this ``generate``."""

    def __init__(self, model: str) -> None:
        import torch
        from transformers import LogitsProcessor, LogitsProcessorList, MarianMTModel

        try:
            from translator.backends.ct2_loading import load_codec
        except ImportError:  # a tree from before the CTranslate2 engine's cut (before/after runs)
            from translator.backends.ctranslate2_backend import load_codec

        torch.set_num_threads(len(os.sched_getaffinity(0)))
        self.torch = torch
        self.model = MarianMTModel.from_pretrained(model).eval()
        self.backend = self  # the same `backend.codec` as the engines
        self.codec = load_codec(Path(model))
        eos = self.codec.eos_id

        class ExactLength(LogitsProcessor):
            def __init__(self, length: int) -> None:
                self.length = length

            def __call__(self, input_ids, scores):
                if input_ids.shape[1] - 1 >= self.length:
                    scores[:] = float("-inf")
                    scores[:, eos] = 0.0
                elif not REAL:  # random weights: never end before the bound
                    scores[:, eos] = float("-inf")
                return scores

        self.processor = lambda n: LogitsProcessorList([ExactLength(n)])

    def signature(self) -> str:
        return "generate"

    def translate_text(self, text: str) -> list[int]:
        from translator.segment import segment

        lengths = []
        for _, spans in segment(text):
            for span in spans:
                ids = self.codec.encode(span.of(text)).ids
                n = bound(len(ids) - 1)
                with self.torch.inference_mode():
                    out = self.model.generate(
                        input_ids=self.torch.tensor([ids]),
                        num_beams=4,
                        max_new_tokens=n + 1,
                        forced_eos_token_id=None,
                        logits_processor=self.processor(n),
                    )
                ended = out[0, 1:] == self.codec.eos_id
                lengths.append(int(ended.int().argmax()) if ended.any() else out.shape[1] - 1)
        return lengths


# -- the driver ---------------------------------------------------------------------------------


def prepare(model: Path, vmap_corpus: list[str]) -> dict:
    """Convert every precision and build the vocabulary map before anything is timed."""
    from translator.backends import load_backend
    from translator.backends import vmap as vmap_module
    from translator.backends.convert import VMAP_FILE

    notes = {}
    for precision in ("int8", "float32"):
        backend = load_backend(str(model), device="cpu", backend=f"ctranslate2:{precision}")
        if precision != "int8":  # converted ahead; the map is only timed with int8
            continue
        if not (backend.model_dir / VMAP_FILE).is_file():
            began = time.perf_counter()
            if hasattr(vmap_module, "corpus_sentences"):  # the corpus that ships with it
                vmap_module.build_vmap(backend)
            else:
                vmap_module.build_vmap(backend, vmap_corpus)
            notes[f"vmap_build_s_{precision}"] = round(time.perf_counter() - began, 1)
        lines = (backend.model_dir / VMAP_FILE).read_text("utf-8").splitlines()
        notes[f"vmap_entries_{precision}"] = len(lines)
    return notes


def vmap_agreement(model: Path, texts: dict[str, str]) -> dict:
    """How often the shortlist changes a sentence, on text it was not built from (no forcing)."""
    from translator import Translator

    options = {"details": False, "cache": False, "retry_degenerate": False}
    full = Translator(model=str(model), backend="ctranslate2:int8", **options)
    short = Translator(model=str(model), backend="ctranslate2:int8+vmap", **options)
    result = {}
    for beam in (4, 1):
        for label, text in texts.items():
            a = [en for _, en in full.translate_text(text, beam=beam).pairs()]
            b = [en for _, en in short.translate_text(text, beam=beam).pairs()]
            changed = sum(x != y for x, y in zip(a, b, strict=True))
            result[f"beam {beam}, {label}"] = (
                f"{changed} of {len(a)} ({100 * changed / len(a):.1f} %)"
            )
    return result


def unseen_texts(sentences: int) -> dict[str, str]:
    """Text the vocabulary map was not built from: the timed document and held-out UD German."""
    heldout = [line for line in HELDOUT.read_text("utf-8").splitlines() if line.strip()]
    return {
        "catalogue document": document(sentences),
        "UD German held out": "\n\n".join(heldout),
    }


def sessions(model: str, layout: str, cores: int, users: int, text: str) -> dict:
    """``users`` threads translating ``text`` at once with one shared Translator (a server's
    sessions), or one (``users`` = 1): the wall time and tokens/s, on ``cores`` cores."""
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    from translator import Translator
    from translator.backends.ct2_loading import thread_layout
    from translator.backends.ctranslate2_backend import CTranslate2Backend
    from translator.backends.hub import resolve_model

    suppress_end_of_sentence(torch_engine=False)
    bound_outputs()
    backend = CTranslate2Backend.load(
        resolve_model(model), device="cpu", threads=thread_layout(cores, layout)
    )

    class Bounded(Translator):
        def output_limit(self, source_pieces: int) -> int:
            return bound(source_pieces)

    engine = Bounded(backend=Counting(backend), cache=False, retry_degenerate=False)
    engine.translate_text("Guten Morgen. Wie geht es Ihnen heute?")
    began = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(users) as pool:
        list(pool.map(lambda _: engine.translate_text(text), range(users)))
    wall = time.perf_counter() - began
    tokens = users * sum(engine.backend.lengths.values())
    return {"wall_s": wall, "tokens_per_s": tokens / wall}


def threads_table(model: Path, rounds: int, sentences: int) -> str:
    """Replicas × threads per replica, one document and several sessions at once."""
    cores = len(os.sched_getaffinity(0))
    cases = [("intra", 1)] + [
        (layout, c) for c in sorted({2, cores}) for layout in ("intra", "inter")
    ]
    found: dict[tuple, list[float]] = {}
    loads = []
    for _ in range(rounds):
        for layout, c in cases:
            for users in (1, 3):
                loads.append(os.getloadavg()[0])
                command = [sys.executable, __file__, "--session", layout, str(c), str(users)]
                command += ["--model", str(model), "--sentences", str(sentences)]
                done = subprocess.run(command, capture_output=True, text=True, env=os.environ)
                if done.returncode != 0:
                    raise SystemExit(f"{layout} {c} {users} failed:\n{done.stderr[-3000:]}")
                result = json.loads(done.stdout.strip().splitlines()[-1])
                found.setdefault((layout, c, users), []).append(result["tokens_per_s"])
                print(layout, c, users, result, file=sys.stderr, flush=True)
    rows = [
        f"{rounds} rounds, medians, wall time; load average (1 min) min/median/max "
        + "/".join(f"{x:.1f}" for x in (min(loads), statistics.median(loads), max(loads))),
        "",
        "| cores | layout (replicas × threads) | one document tokens/s "
        "| 3 sessions at once tokens/s |",
        "| ---: | --- | ---: | ---: |",
    ]
    for layout, c in cases:
        inter, intra = (c, 1) if layout == "inter" else (1, c)
        one = statistics.median(found[(layout, c, 1)])
        three = statistics.median(found[(layout, c, 3)])
        rows.append(f"| {c} | {layout} ({inter} × {intra}) | {one:.0f} | {three:.0f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--only", nargs="*", help="configurations to run (default: all)")
    parser.add_argument("--exact-bounds", action="store_true", help="bound = ceil(1.1 × n)")
    parser.add_argument("--cpu-time", action="store_true", help="tokens per CPU second")
    parser.add_argument("--model", help="real weights (hub id or directory): real outputs")
    parser.add_argument("--check-vmap", action="store_true", help="only the map's changes")
    parser.add_argument("--threads", action="store_true", help="the thread layouts' table")
    parser.add_argument("--no-vmap", action="store_true", help="neither build nor check the map")
    parser.add_argument("--parallel", action="store_true", help="a round's runs at once")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--session", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.exact_bounds:
        os.environ["SPEED_EXACT_BOUNDS"] = "1"
    texts = {"seed": SEED.read_text("utf-8"), "document": document(args.sentences)}
    if args.one:
        print(json.dumps(run_one(args.one, args.model, texts)))
        return
    if args.session:
        layout, cores, users = args.session
        print(json.dumps(sessions(args.model, layout, int(cores), int(users), texts["document"])))
        return

    if args.model:
        from translator.backends.hub import resolve_model

        os.environ["SPEED_REAL_MODEL"] = "1"  # children too
        global REAL
        REAL = True
        model = resolve_model(args.model).path
    else:
        model = build_opus_shaped()
    pool = german_sentences(args.sentences + 800)
    notes = {} if args.no_vmap else prepare(model, pool[args.sentences :])
    if args.check_vmap:
        print(json.dumps(vmap_agreement(model, unseen_texts(args.sentences)), indent=1))
        return
    if args.threads:
        print(threads_table(model, args.rounds, args.sentences))
        return
    names = args.only or list(CONFIGS)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    loads = []
    for round_ in range(args.rounds):
        # --parallel: every configuration of a round at once, each in its own process (on a
        # machine busy with other work, CPU time per process is still each one's own)
        batches = [names] if args.parallel else [[name] for name in names]
        for group in batches:
            loads.append(os.getloadavg()[0])
            started = {}
            for name in group:
                command = [sys.executable, __file__, "--one", name, "--model", str(model)]
                command += ["--sentences", str(args.sentences)]
                started[name] = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
            for name, process in started.items():
                out, err = process.communicate()
                if process.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{err[-3000:]}")
                runs[name].append(json.loads(out.strip().splitlines()[-1]))
                print(f"round {round_ + 1}: {json.dumps(runs[name][-1])}", file=sys.stderr)
            loads.append(os.getloadavg()[0])
    notes["load_average"] = (min(loads), statistics.median(loads), max(loads))
    if not args.no_vmap:
        notes["vmap_changed"] = vmap_agreement(model, unseen_texts(args.sentences))
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "notes": notes}, indent=1))
    print(table(runs, notes, args))


def table(runs: dict[str, list[dict]], notes: dict, args) -> str:
    def med(name: str, pick) -> float:
        return statistics.median(pick(r) for r in runs[name])

    clock = "cpu_s" if args.cpu_time else "wall_s"

    def tps(name: str, label: str) -> float:
        return med(name, lambda r: r[label]["tokens"] / r[label][clock])

    base = (
        {label: tps("baseline", label) for label in ("document", "seed")}
        if "baseline" in runs
        else None
    )
    rows = [
        "| configuration | engine | doc tokens/s | × baseline | doc sentences/s | doc wall s "
        "| seed tokens/s | × baseline | load s | peak RSS MB | first result s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in runs:
        doc, seed = tps(name, "document"), tps(name, "seed")
        ratio = f"{doc / base['document']:.1f}" if base else "–"
        seed_ratio = f"{seed / base['seed']:.1f}" if base else "–"
        first = med(name, lambda r: r.get("first_s", float("nan")))
        rows.append(
            f"| {name} | {runs[name][0]['engine']} | {doc:.0f} | {ratio} "
            f"| {med(name, lambda r: r['document']['sentences'] / r['document']['wall_s']):.2f} "
            f"| {med(name, lambda r: r['document']['wall_s']):.1f} | {seed:.0f} | {seed_ratio} "
            f"| {med(name, lambda r: r['load_s']):.2f} "
            f"| {med(name, lambda r: r['peak_rss_mb']):.0f} "
            f"| {'–' if math.isnan(first) else f'{first:.2f}'} |"
        )
    any_run = next(iter(runs.values()))[0]
    bounds = "1.1 n rounded up to a multiple of 8"
    bounds = "real outputs" if REAL else "ceil(1.1 n)" if EXACT else bounds
    lines = [
        f"{args.rounds} rounds, medians; document: {any_run['document']['sentences']} sentences, "
        f"{any_run['document']['tokens']} output tokens; seed article: "
        f"{any_run['seed']['sentences']} sentences, {any_run['seed']['tokens']} output tokens; "
        f"bounds {bounds}; "
        f"tokens per {'CPU' if args.cpu_time else 'wall'} second; "
        f"load average (1 min) min/median/max "
        + "/".join(f"{x:.1f}" for x in notes["load_average"]),
        "",
        *rows,
        "",
        f"vocabulary map: {notes}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
