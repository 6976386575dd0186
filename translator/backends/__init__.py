"""Engines behind one protocol. The only package that imports torch, transformers or ctranslate2."""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Sequence

from .. import config
from .base import AllAttention, Backend, Hypothesis

BACKENDS = ("torch", "ctranslate2")
DEVICE = re.compile(r"auto|cpu|cuda(?::\d+)?")

log = logging.getLogger(__name__)


def check_device(device: object) -> str:
    """``device`` if it names one (``auto``, ``cpu``, ``cuda``, ``cuda:N``), else ``InputError``."""
    from ..errors import InputError

    if not isinstance(device, str) or not DEVICE.fullmatch(device):
        raise InputError(f"unknown device {device!r}; choose auto, cpu, cuda or cuda:N")
    return device


def ctranslate2_available() -> bool:
    """Whether CTranslate2 is installed (without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


def parse_backend(spec: str) -> tuple[str, str | None, bool]:
    """``"ctranslate2[:PRECISION][+vmap]"``, ``"torch"`` or ``"auto"`` → (name, precision, vmap)."""
    name, vmap = spec, False
    if name.endswith("+vmap"):
        name, vmap = name.removesuffix("+vmap"), True
    name, _, precision = name.partition(":")
    return name, precision or None, vmap


def load_backend(
    model: str,
    *,
    device: str = "auto",
    backend: str = "auto",
    alignment_layer: int = -1,
    alignment_heads: Sequence[int] = (0,),
    temporary_ok: bool = True,
) -> Backend:
    """Load ``model`` (hub id or local directory) into the requested engine.

    ``backend``: ``auto`` (``$TRANSLATOR_BACKEND`` when set, else CTranslate2 when it is
    installed and the device is the CPU, else torch), ``torch``, or ``ctranslate2`` —
    optionally ``ctranslate2:PRECISION`` (``int8``, the CPU default; ``float16``, the CUDA
    default; ``float32``, …) and ``+vmap`` (the vocabulary shortlist stored by
    ``translator convert MODEL --vmap``). ``auto`` uses the map only where it was measured
    safe (``ct2_loading.VMAP_BY_DEFAULT``).

    The alignment layer and heads are fixed at load time: CTranslate2 sets them on the converted
    model, and can only average the first N heads of one layer.

    A CTranslate2 cache that can't be written (read-only, full) means a conversion into a
    temporary folder for the run (``temporary_ok``; else ``CacheError``); where not even that
    can be written and the engine was chosen automatically, the torch engine, each with a
    one-line warning. A device that isn't there is an ``InputError``.
    """
    from ..errors import CacheError, InputError

    check_device(device)

    if backend == "auto":
        backend = config.setting(config.BACKEND) or "auto"
    name, precision, vmap = parse_backend(backend)
    if name not in ("auto", *BACKENDS) or ((precision or vmap) and name != "ctranslate2"):
        raise InputError(
            f"unknown backend {backend!r}; choose one of: auto, {', '.join(BACKENDS)} "
            "(ctranslate2 also as ctranslate2:PRECISION and ctranslate2+vmap)"
        )
    automatic = name == "auto"
    if automatic:
        name = "ctranslate2" if ctranslate2_available() and _is_cpu(device) else "torch"
    elif name == "ctranslate2" and not ctranslate2_available():
        raise InputError(
            "the ctranslate2 backend needs CTranslate2, part of the default install: "
            "pip install ctranslate2"
        )
    from .hub import resolve_model

    resolved = resolve_model(model)  # before importing an engine: a wrong path fails at once
    if name == "ctranslate2":
        from .ctranslate2_backend import CTranslate2Backend

        try:
            return CTranslate2Backend.load(
                resolved,
                device=device,
                precision=precision,
                alignment_layer=alignment_layer,
                alignment_heads=alignment_heads,
                vmap=None if automatic else vmap,  # auto: the map where it is safe
                temporary_ok=temporary_ok,
            )
        except ValueError as error:
            raise InputError(str(error)) from error
        except CacheError as error:
            if not automatic:
                raise
            log.warning("%s; translating with the torch engine instead", error)
    from .marian_torch import TorchBackend

    try:
        return TorchBackend.load(
            resolved,
            device=device,
            alignment_layer=alignment_layer,
            alignment_heads=alignment_heads,
        )
    except ValueError as error:  # a device that isn't there
        raise InputError(str(error)) from error


def _is_cpu(device: str) -> bool:
    """Whether ``device`` means the CPU; ``auto`` does when no CUDA device is visible."""
    if device == "cpu":
        return True
    if device != "auto":
        return False
    import ctranslate2

    return ctranslate2.get_cuda_device_count() == 0


__all__ = [
    "BACKENDS",
    "AllAttention",
    "Backend",
    "Hypothesis",
    "ctranslate2_available",
    "load_backend",
]
