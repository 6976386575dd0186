"""``translator doctor``: one command that says whether translating works here, and if not, why.

For someone who has just installed the project or downloaded the model: it finds the model, checks
the folders the program writes (the sentence cache, converted models), loads the engine (converting
the model on first use), translates a sample article, and prints the engine, precision, signature,
time and peak memory. Each problem is one line that names the cause and the fix; the exit status
is 0 when all is well, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import config
from .version import __version__

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_6c55d004d8009f3d.txt"
# When the package is installed without the repository's seeds/: a short article of our own.
SAMPLE = (
    "Der Bundestag hat am Donnerstag ein neues Gesetz zum Klimaschutz beschlossen. Die "
    "Abgeordneten stimmten nach langer Debatte mit knapper Mehrheit zu.\n\n"
    "Kritiker bemängeln, dass die Maßnahmen zu spät kämen. Die Regierung verweist dagegen auf "
    "die Kosten für Haushalte mit geringem Einkommen, die am 1. Januar sinken sollen.\n"
)
MIN_FREE_MB = 1024  # a converted opus-mt model needs about 300 MB; leave room for the conversion


@dataclass
class Report:
    """What the checks found: lines to print, and whether anything is wrong."""

    out: TextIO
    problems: list[str] = field(default_factory=list)

    def ok(self, what: str, detail: str) -> None:
        print(f"  ok       {what}: {detail}", file=self.out)

    def note(self, what: str, detail: str) -> None:
        print(f"  note     {what}: {detail}", file=self.out)

    def problem(self, what: str, detail: str) -> None:
        self.problems.append(f"{what}: {detail}")
        print(f"  PROBLEM  {what}: {detail}", file=self.out)


def _writable(folder: Path) -> str | None:
    """None when files can be created in ``folder`` (made if missing), else why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".doctor-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        return error.strerror or str(error)
    return None


def _free_mb(folder: Path) -> float | None:
    existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
    if existing is None:
        return None
    return shutil.disk_usage(existing).free / 2**20


def check_folders(report: Report, converting: bool) -> None:
    from .backends.convert import cache_root
    from .cache import default_cache_dir

    folders = [("sentence cache", default_cache_dir(), "TRANSLATOR_CACHE_DIR")]
    if converting:
        folders.append(("converted models", cache_root(), "TRANSLATOR_CT2_CACHE"))
    for what, folder, variable in folders:
        why = _writable(folder)
        if why is not None:
            report.problem(
                what,
                f"{folder} can't be written ({why}); set {variable} to a writable folder",
            )
            continue
        free = _free_mb(folder)
        if converting and what == "converted models" and free is not None and free < MIN_FREE_MB:
            report.problem(
                what,
                f"only {free:.0f} MB free in {folder}; converting a model needs about "
                f"{MIN_FREE_MB} MB: free some space or set {variable} to another disk",
            )
            continue
        report.ok(what, f"{folder}" + (f" ({free:,.0f} MB free)" if free is not None else ""))


def run(
    model: str | None = None,
    backend: str = "auto",
    device: str = "auto",
    out: TextIO | None = None,
) -> int:
    """Check everything a translation needs; print what was found; 0 if healthy, else 1."""
    report = Report(out or sys.stdout)
    name = config.model_name(model)
    print(f"translator {__version__} on Python {sys.version.split()[0]}", file=report.out)

    from .backends import ctranslate2_available, parse_backend
    from .backends.hub import resolve_model
    from .errors import TranslatorError

    try:
        resolved = resolve_model(name)
    except TranslatorError as error:
        report.problem("model", str(error))
        return _verdict(report)
    report.ok("model", f"{name} ({resolved.revision[:12]}) in {resolved.path}")

    chosen = backend if backend != "auto" else config.setting(config.BACKEND) or "auto"
    engine_name = parse_backend(chosen)[0]
    converting = engine_name == "ctranslate2" or (
        engine_name == "auto" and ctranslate2_available() and device in ("auto", "cpu")
    )
    check_folders(report, converting)
    if report.problems:
        return _verdict(report)

    from .engine import Translator

    started = time.perf_counter()
    try:
        translator = Translator(name, device=device, backend=backend, cache=False)
    except TranslatorError as error:
        report.problem("engine", str(error))
        return _verdict(report)
    except (OSError, RuntimeError, ValueError) as error:
        report.problem("engine", f"the model can't be loaded ({type(error).__name__}: {error})")
        return _verdict(report)
    loaded = time.perf_counter() - started
    engine = translator.backend
    report.ok(
        "engine",
        f"{engine.name}, {engine.precision} on {engine.device}; loaded in {loaded:.1f} s"
        + (" (includes the one-time conversion)" if converting and loaded > 5 else ""),
    )
    text = SEED.read_text("utf-8") if SEED.is_file() else SAMPLE
    started = time.perf_counter()
    try:
        document = translator.translate_text(text, cache=False)
    except (TranslatorError, OSError, RuntimeError, ValueError) as error:
        report.problem("translation", f"{type(error).__name__}: {error}")
        return _verdict(report)
    took = time.perf_counter() - started
    sentences = sum(1 for _ in document.sentences)
    report.ok(
        "translation",
        f"{sentences} sentences in {took:.1f} s ({sentences / max(took, 1e-9):.1f} sentences/s)",
    )
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report.ok("peak memory", f"{peak:.0f} MB")
    except ImportError:  # not on Windows
        pass
    german, english = next(document.pairs(), ("", ""))
    report.note("sample", f"{german!r} → {english!r}")
    report.note("signature", document.signature)
    return _verdict(report)


def _verdict(report: Report) -> int:
    if report.problems:
        print(f"{len(report.problems)} problem(s) found.", file=report.out)
        return 1
    print("All is well: translating works here.", file=report.out)
    return 0
