"""Converting a transformers Marian model to CTranslate2: once, atomically, into a cache directory.

A converted model is keyed by everything that changes its files: the model id and revision (hub
commit, or a fingerprint of a local directory's files), the precision it was quantized to, the
alignment layer and heads baked into its spec (CTranslate2 can only return that one layer's
attention, averaged over its first N heads), and the CTranslate2 version. The conversion writes
into a private ``*.part-*`` directory beside the final one and renames it into place, so a
directory under its final name is always complete; a conversion killed half-way leaves only a
``.part`` directory, which the next conversion of the same key removes. A lock file keeps two
processes from converting the same model at once.

The cache lives in ``$TRANSLATOR_CT2_CACHE``, else ``$XDG_CACHE_HOME/translator/ctranslate2``,
else ``~/.cache/translator/ctranslate2``. ``translator convert MODEL`` fills it ahead of time.

Converting needs torch and transformers (to read the weights); loading a converted model needs
neither.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .. import config
from .hub import ResolvedModel

PRECISIONS = (
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
MARKER = "translator.json"  # written last into the private directory: what was converted, how
VMAP_FILE = "vmap.txt"  # CTranslate2 reads the vocabulary map under this name from the model dir

_thread_lock = threading.Lock()


def cache_root() -> Path:
    return config.folder(config.CT2_CACHE, config.cache_home() / "ctranslate2")


def alignment_setting(
    layer: int, heads: Sequence[int], decoder_layers: int, attention_heads: int
) -> tuple[int, int]:
    """(layer index, number of heads) for the converted spec, or ValueError if it can't hold it.

    CTranslate2 averages the *first* ``alignment_heads`` heads of one layer (0 = all heads).
    """
    if not -decoder_layers <= layer < decoder_layers:
        raise ValueError(f"alignment layer {layer} is not one of the {decoder_layers} layers")
    chosen = sorted(set(heads))
    if not chosen or chosen == list(range(attention_heads)):
        count = 0
    elif chosen == list(range(len(chosen))):
        count = len(chosen)
    else:
        raise ValueError(
            f"CTranslate2 can only average the first N heads of a layer, not heads {tuple(heads)}; "
            "use heads (0,), (0, 1), … or all heads (), or the torch backend"
        )
    return layer % decoder_layers, count


def cache_key(resolved: ResolvedModel, precision: str, layer: int, head_count: int) -> str:
    import ctranslate2

    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", resolved.model_id).strip("-.")[-60:] or "model"
    revision = re.sub(r"[^A-Za-z0-9._-]+", "-", resolved.revision)[:40]
    heads = "all" if head_count == 0 else str(head_count)
    return f"{slug}--{revision}--{precision}--L{layer}H{heads}--ct2-{ctranslate2.__version__}"


def is_complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in (MARKER, "model.bin", "config.json"))


def ensure_converted(
    resolved: ResolvedModel,
    *,
    precision: str,
    layer: int,
    head_count: int,
    cache: Path | None = None,
    convert: Callable[[Path, Path, str, int, int], None] | None = None,
) -> Path:
    """The converted model's directory, converting it first if the cache lacks it."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    root = Path(cache) if cache is not None else cache_root()
    key = cache_key(resolved, precision, layer, head_count)
    final = root / key
    if is_complete(final):
        return final
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f"{key}.lock"):
        if is_complete(final):  # another process finished it while we waited
            return final
        for stale in root.glob(f"{glob_escape(key)}.part-*"):  # killed conversions
            shutil.rmtree(stale, ignore_errors=True)
        if final.exists():  # not ours and not complete: never trust it
            shutil.rmtree(final)
        private = Path(tempfile.mkdtemp(prefix=f"{key}.part-", dir=root))
        try:
            target = private / "model"
            (convert or convert_model)(resolved.path, target, precision, layer, head_count)
            marker = {
                "model_id": resolved.model_id,
                "revision": resolved.revision,
                "precision": precision,
                "alignment_layer": layer,
                "alignment_heads": head_count,
                "source": str(resolved.path),
            }
            (target / MARKER).write_text(json.dumps(marker, indent=1), "utf-8")
            os.replace(target, final)
        finally:
            shutil.rmtree(private, ignore_errors=True)
    return final


def convert_model(source: Path, target: Path, precision: str, layer: int, head_count: int) -> None:
    """Convert with transformers' weights; the alignment layer and heads go into the spec."""
    import numpy as np
    from ctranslate2.converters import TransformersConverter

    class AlignedConverter(TransformersConverter):
        def _load(self):
            spec = super()._load()
            spec.decoder.alignment_layer = np.dtype("int16").type(layer)
            spec.decoder.alignment_heads = np.dtype("int16").type(head_count)
            return spec

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        AlignedConverter(str(source)).convert(str(target), quantization=precision, force=True)


def write_vmap(model_dir: Path, lines: Iterator[str] | Sequence[str]) -> Path:
    """Store a vocabulary map with a converted model (atomically: readers see old or new)."""
    path = model_dir / VMAP_FILE
    handle, temporary = tempfile.mkstemp(prefix=".vmap-", dir=model_dir)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as readable as the model beside it
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(line + "\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One converter at a time: across threads (a lock) and processes (flock, where it exists)."""
    with _thread_lock:
        try:
            import fcntl
        except ImportError:  # Windows: threads only
            yield
            return
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
