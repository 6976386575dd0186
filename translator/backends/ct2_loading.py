"""Loading a MarianMT model into CTranslate2: the device and precision, the conversion (verified,
redone once when damaged, in a temporary folder when the cache can't be written), the vocabulary
map, and how the cores are used. The engine itself is ``ctranslate2_backend``."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sentencepiece as spm

from ..config import CT2_CACHE
from ..errors import CacheError, InputError, ModelLoadError
from ..files import read_capped
from .base import usable_cores
from .codec import PieceCodec
from .convert import VMAP_FILE, CacheUnwritable, alignment_setting, discard, ensure_converted
from .hub import MAX_SMALL_FILE, ResolvedModel

if TYPE_CHECKING:
    from .ctranslate2_backend import CTranslate2Backend

# Whether ``auto`` uses the vocabulary map (built from the corpus that ships with the package the
# first time the converted model is loaded): only if it changes < 1 % of sentences at beam 4 on
# text it was not built from (benchmarks/README.md, "vocabulary map")
VMAP_BY_DEFAULT = False
# How the cores are used: "inter" (model replicas, each searching its own part of the batch on
# its own core) or "intra" (one search, every core in each matrix product). On two cores the
# replicas give 1.5x the tokens/s of one two-thread search, for one document and for three
# sessions at once, and one two-thread search is slower than one thread alone (benchmarks/
# README.md, "Cores"). Each replica keeps its own working memory (the engine shares the
# sentences and scoring tokens in flight among them), so past MAX_REPLICAS the cores go to
# threads within each replica (not measured past two cores).
LAYOUT = "inter"
MAX_REPLICAS = 4

log = logging.getLogger(__name__)


def default_precision(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


def read_json(file: Path):
    """A model's small JSON file (bounded: ``InputError`` for a device or a huge file)."""
    return json.loads(read_capped(file, MAX_SMALL_FILE, "the model file"))


def load_codec(path: Path) -> PieceCodec:
    vocab = read_json(path / "vocab.json")
    return PieceCodec(
        spm.SentencePieceProcessor(model_file=str(path / "source.spm")),
        spm.SentencePieceProcessor(model_file=str(path / "target.spm")),
        vocab,
        eos_id=vocab["</s>"],
        unk_id=vocab["<unk>"],
        pad_id=vocab["<pad>"],
    )


def split_device(device: str) -> tuple[str, int]:
    import ctranslate2

    if device == "auto":
        return ("cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"), 0
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"unknown device {device!r}")
    count = ctranslate2.get_cuda_device_count()
    if kind == "cuda" and count == 0:
        raise ValueError(
            f"device {device!r} was asked for, but CTranslate2 sees no CUDA device: use cpu or auto"
        )
    if kind == "cuda" and int(index or 0) >= count:
        raise ValueError(
            f"device {device!r} was asked for, but CTranslate2 sees only {count} CUDA device(s)"
        )
    return kind, int(index or 0)


def load(
    cls,
    resolved: ResolvedModel,
    *,
    device: str = "auto",
    precision: str | None = None,
    alignment_layer: int = -1,
    alignment_heads: Sequence[int] = (0,),
    vmap: bool | None = False,
    cache: Path | None = None,
    threads: tuple[int, int] | None = None,
    temporary_ok: bool = True,
) -> CTranslate2Backend:
    """Load (converting first, if the cache lacks the model). ``vmap``: use the vocabulary
    map (True: it must exist), or None: as ``auto`` decides (``VMAP_BY_DEFAULT``, CPU only;
    built now if missing). ``threads``: (replicas, threads per replica); default
    ``thread_layout``. ``temporary_ok``: when the cache can't be written, convert into a
    temporary folder for this run (with a warning) rather than fail with ``CacheError``."""
    import ctranslate2

    kind, index = split_device(device)
    precision = precision or default_precision(kind)
    supported = ctranslate2.get_supported_compute_types(kind, index)
    if precision not in supported:
        raise InputError(
            f"precision {precision!r} is not supported on {kind} here; "
            f"choose one of: {', '.join(sorted(supported))}"
        )
    try:
        config = read_json(resolved.path / "config.json")
        generation = _generation_config(resolved.path, config)
        layers = int(config["decoder_layers"])
        heads = int(config["decoder_attention_heads"])
        codec = load_codec(resolved.path)
    except (OSError, KeyError, ValueError, TypeError, InputError) as error:
        reason = f"its files in {resolved.path} are broken or incompatible ({error})"
        raise ModelLoadError(resolved.model_id, reason) from error
    layer, head_count = alignment_setting(alignment_layer, alignment_heads, layers, heads)

    def convert(folder: Path | None) -> Path:
        return ensure_converted(
            resolved, precision=precision, layer=layer, head_count=head_count, cache=folder
        )

    inter, intra = threads or (thread_layout(usable_cores()) if kind == "cpu" else (1, 1))

    def open_model(directory: Path):
        return ctranslate2.Translator(
            str(directory),
            device=kind,
            device_index=index,
            compute_type=precision,
            inter_threads=inter,
            intra_threads=intra,
        )

    model_dir, temporary = _conversion(resolved, convert, cache, temporary_ok)
    try:
        translator = open_model(model_dir)
    except Exception as error:  # damaged past what its record shows (errors of all kinds)
        log.warning(
            "the converted model in %s can't be loaded (%s); converting it again",
            model_dir,
            error,
        )
        try:
            discard(model_dir)
            model_dir, temporary = _conversion(resolved, convert, model_dir.parent, temporary_ok)
        except CacheUnwritable as problem:  # a read-only cache keeps the broken one
            if not temporary_ok:
                raise CacheError(
                    f"{problem}; set {CT2_CACHE} to a folder that can be written"
                ) from problem
            model_dir, temporary = _temporary_conversion(resolved, convert, problem)
        try:
            translator = open_model(model_dir)
        except Exception as again:
            reason = f"CTranslate2 can't load its fresh conversion in {model_dir} ({again})"
            raise ModelLoadError(resolved.model_id, reason) from again
    has_map = (model_dir / VMAP_FILE).is_file()
    if vmap is None:
        vmap = VMAP_BY_DEFAULT and kind == "cpu"
        build_map = vmap and not has_map
    else:
        build_map = False
    if vmap and not has_map and not build_map:
        raise InputError(
            f"the converted model in {model_dir} has no vocabulary map; build one with "
            f"`translator convert {resolved.model_id} --vmap`"
        )

    def engine(translator, with_map: bool) -> CTranslate2Backend:
        backend = cls(
            translator,
            codec,
            resolved,
            model_dir=model_dir,
            device=kind if kind == "cpu" else f"{kind}:{index}",
            precision=precision,
            default_beam=int(generation.get("num_beams") or 1),
            max_source_positions=int(config.get("max_position_embeddings", 512)),
            decoder_layers=layers,
            vmap=with_map,
            replicas=inter,
        )
        backend._temporary = temporary  # a conversion outside the cache lives as we do
        return backend

    if not build_map:
        return engine(translator, vmap)
    full = engine(translator, False)
    try:
        from .vmap import build_vmap

        build_vmap(full)  # the map is read when the model loads: load it again
    except OSError:  # a read-only cache: the full vocabulary, as before
        return full
    del full, translator
    return engine(open_model(model_dir), True)


def thread_layout(cores: int, layout: str | None = None) -> tuple[int, int]:
    """(replicas, threads per replica) for ``cores``: see ``LAYOUT``."""
    cores = max(1, cores)
    if (layout or LAYOUT) == "inter":
        replicas = min(cores, MAX_REPLICAS)
        return replicas, cores // replicas
    return 1, cores


def _conversion(
    resolved: ResolvedModel,
    convert: Callable[[Path | None], Path],
    cache: Path | None,
    temporary_ok: bool,
) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """The converted model's folder: in the cache, else (it can't be written, and
    ``temporary_ok``) in a temporary folder for this run.

    A cache that can't be written is ``CacheError``, saying what failed; a model that can't be
    converted is ``ModelLoadError``.
    """
    try:
        return convert(cache), None
    except CacheUnwritable as problem:
        if not temporary_ok:
            raise CacheError(
                f"{problem}; set {CT2_CACHE} to a folder that can be written"
            ) from problem
        first = problem
    except Exception as error:  # transformers, torch and safetensors errors vary
        raise _unconvertible(resolved, error) from error
    return _temporary_conversion(resolved, convert, first)


def _temporary_conversion(
    resolved: ResolvedModel, convert: Callable[[Path | None], Path], first: CacheUnwritable
) -> tuple[Path, tempfile.TemporaryDirectory]:
    """Convert into a temporary folder, removed when the engine is, with a one-line warning."""
    log.warning(
        "can't write the CTranslate2 cache %s (%s); converting the model into a temporary "
        "folder for this run",
        first.folder,
        first.reason,
    )
    temporary: tempfile.TemporaryDirectory | None = None
    try:
        temporary = tempfile.TemporaryDirectory(prefix="translator-ct2-")
        return convert(Path(temporary.name)), temporary
    except (CacheUnwritable, OSError) as problem:
        if temporary is not None:
            temporary.cleanup()
        reason = problem.reason if isinstance(problem, CacheUnwritable) else problem.strerror
        raise CacheError(
            f"can't convert the model for CTranslate2: neither the cache {first.folder} "
            f"({first.reason}) nor a temporary folder ({reason}) can be written; free some "
            f"space or set {CT2_CACHE} to a folder that can be written"
        ) from problem
    except Exception as error:
        if temporary is not None:
            temporary.cleanup()
        raise _unconvertible(resolved, error) from error


def _unconvertible(resolved: ResolvedModel, error: Exception) -> ModelLoadError:
    reason = (
        f"its files in {resolved.path} are broken or incompatible: they could not be "
        f"converted for CTranslate2 ({error})"
    )
    return ModelLoadError(resolved.model_id, reason)


def _generation_config(path: Path, config: dict) -> dict:
    file = path / "generation_config.json"
    if file.is_file():
        return read_json(file)
    return {"num_beams": config.get("num_beams", 1)}
