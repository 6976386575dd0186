"""Engines behind one protocol. The only package that imports torch or transformers."""

from __future__ import annotations

from collections.abc import Sequence

from .base import Backend, Hypothesis

BACKENDS = ("torch",)


def load_backend(
    model: str,
    *,
    device: str = "auto",
    backend: str = "auto",
    alignment_layer: int = -1,
    alignment_heads: Sequence[int] = (0,),
) -> Backend:
    """Load ``model`` (hub id or local directory) into the requested engine.

    The alignment layer and heads are fixed at load time: an engine may only be able to return
    that one layer's attention (CTranslate2 sets it on the converted model).
    """
    from ..errors import InputError

    if backend not in ("auto", *BACKENDS):
        raise InputError(f"unknown backend {backend!r}; choose one of: auto, {', '.join(BACKENDS)}")
    from .hub import resolve_model

    resolved = resolve_model(model)  # before importing torch: a wrong path fails at once
    from .marian_torch import TorchBackend

    return TorchBackend.load(
        resolved, device=device, alignment_layer=alignment_layer, alignment_heads=alignment_heads
    )


__all__ = ["BACKENDS", "Backend", "Hypothesis", "load_backend"]
