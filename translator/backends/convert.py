"""Converting a transformers Marian model to CTranslate2: once, atomically, into a cache directory.

A converted model is keyed by everything that changes its files: the model id and revision (hub
commit, or a fingerprint of a local directory's files), the precision it was quantized to, the
alignment layer and heads baked into its spec (CTranslate2 can only return that one layer's
attention, averaged over its first N heads), and the CTranslate2 version. The conversion writes
into a private ``*.part-*`` directory beside the final one and renames it into place, so a
directory under its final name is always complete; a conversion killed half-way leaves only a
``.part`` directory, which the next conversion of the same key removes. A lock file keeps two
processes from converting the same model at once.

Complete means verified, not merely present: the record written last (``translator.json``) holds
each converted file's size and SHA-256. Every load compares the sizes, and hashes again a file
whose modification time changed; a truncated ``model.bin``, a rewritten ``config.json`` or a
missing vocabulary is converted again, once, with a one-line warning (as the sentence cache does
with a damaged file). A conversion that fails to load anyway is discarded and converted again by
the engine (``ctranslate2_backend``).

A cache folder that can't be written (read-only, full, or under a file) is ``CacheUnwritable``,
not a broken model: the engine then converts into a temporary folder for the run.

The cache lives in ``$TRANSLATOR_CT2_CACHE``, else ``$XDG_CACHE_HOME/translator/ctranslate2``,
else ``~/.cache/translator/ctranslate2``. ``translator convert MODEL`` fills it ahead of time.

Converting needs torch and transformers (to read the weights); loading a converted model needs
neither.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .. import config
from ..errors import InputError
from ..files import read_capped, sha256_of
from .hub import MAX_SMALL_FILE, ResolvedModel

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

# A write that failed for these reasons failed for the folder's sake, not the model's.
_WRITE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR}
)

_thread_lock = threading.Lock()
log = logging.getLogger(__name__)


class CacheUnwritable(Exception):
    """A conversion can't be written into ``folder`` (read-only, full, not a folder, …)."""

    def __init__(self, folder: Path, error: OSError) -> None:
        self.folder = folder
        self.reason = error.strerror or str(error)
        super().__init__(f"can't write the converted model into {folder}: {self.reason}")


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
    return damage(directory) is None


def damage(directory: Path) -> str | None:
    """What is wrong with a converted model's directory, or None if it is whole.

    Sizes are compared every time; a file whose modification time differs from the record's
    is hashed again. A record of an earlier version (no file list) only needs the files.
    """
    if not directory.is_dir():
        return "it is missing"
    try:
        marker = json.loads(read_capped(directory / MARKER, MAX_SMALL_FILE))
    except (InputError, ValueError):
        return f"its record {MARKER} is missing or unreadable"
    recorded = marker.get("files") if isinstance(marker, dict) else None
    if recorded is None:
        missing = [n for n in ("model.bin", "config.json") if not (directory / n).is_file()]
        return f"{', '.join(missing)} is missing" if missing else None
    if not isinstance(recorded, dict) or "model.bin" not in recorded:
        return f"its record {MARKER} lists no model"
    for name, expected in recorded.items():
        try:
            info = (directory / name).stat()
            size, digest, stamp = expected["size"], expected["sha256"], expected["mtime_ns"]
        except FileNotFoundError:
            return f"{name} is missing"
        except (OSError, TypeError, KeyError):
            return f"{name} can't be checked"
        if info.st_size != size:
            return f"{name} has {info.st_size} bytes, not {size}"
        if info.st_mtime_ns != stamp and sha256_of(directory / name) != digest:
            return f"{name} was changed"
    return None


def _manifest(directory: Path) -> dict[str, dict]:
    """Size, SHA-256 and modification time of every file of a fresh conversion."""
    return {
        file.name: {
            "size": file.stat().st_size,
            "sha256": sha256_of(file),
            "mtime_ns": file.stat().st_mtime_ns,
        }
        for file in sorted(directory.iterdir())
        if file.is_file()
    }


def ensure_converted(
    resolved: ResolvedModel,
    *,
    precision: str,
    layer: int,
    head_count: int,
    cache: Path | None = None,
    convert: Callable[[Path, Path, str, int, int], None] | None = None,
) -> Path:
    """The converted model's directory, converting it first if the cache lacks it or holds a
    damaged one. ``CacheUnwritable`` if the cache folder can't take the conversion."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    root = Path(cache) if cache is not None else cache_root()
    key = cache_key(resolved, precision, layer, head_count)
    final = root / key
    if damage(final) is None:
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = _locked(root / f"{key}.lock")
        lock.__enter__()
    except OSError as error:
        raise CacheUnwritable(root, error) from error
    try:
        problem = damage(final)
        if problem is None:  # another process finished it while we waited
            return final
        if final.exists():  # not ours, or damaged since: never trust it
            log.warning(
                "the converted model in %s is damaged (%s); converting it again", final, problem
            )
        _convert_into(resolved, root, key, precision, layer, head_count, convert)
    finally:
        lock.__exit__(None, None, None)
    return final


def discard(directory: Path) -> None:
    """Remove a converted model (``CacheUnwritable`` if its folder won't let it go)."""
    try:
        shutil.rmtree(directory)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise CacheUnwritable(directory.parent, error) from error


def _convert_into(
    resolved: ResolvedModel,
    root: Path,
    key: str,
    precision: str,
    layer: int,
    head_count: int,
    convert: Callable[[Path, Path, str, int, int], None] | None,
) -> None:
    """Convert in a private directory under ``root`` and rename it to ``root / key``."""
    final = root / key
    try:
        for stale in root.glob(f"{glob_escape(key)}.part-*"):  # killed conversions
            shutil.rmtree(stale, ignore_errors=True)
        if final.exists():
            shutil.rmtree(final)
        private = Path(tempfile.mkdtemp(prefix=f"{key}.part-", dir=root))
    except OSError as error:
        raise CacheUnwritable(root, error) from error
    try:
        target = private / "model"
        try:
            (convert or convert_model)(resolved.path, target, precision, layer, head_count)
            marker = {
                "model_id": resolved.model_id,
                "revision": resolved.revision,
                "precision": precision,
                "alignment_layer": layer,
                "alignment_heads": head_count,
                "source": str(resolved.path),
                "files": _manifest(target),
            }
            (target / MARKER).write_text(json.dumps(marker, indent=1), "utf-8")
            os.replace(target, final)
        except OSError as error:
            if _written_here(error, root):
                raise CacheUnwritable(root, error) from error
            raise
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _written_here(error: OSError, root: Path) -> bool:
    """Whether a failed conversion failed at writing into ``root`` (not at reading the model)."""
    if error.errno not in _WRITE_ERRNOS:
        return False
    name = error.filename
    return name is None or os.path.abspath(os.fsdecode(name)).startswith(os.path.abspath(root))


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
