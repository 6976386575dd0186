"""Engines behind one protocol. The only package that imports torch or transformers."""

from __future__ import annotations

from .base import Backend, Hypothesis

BACKENDS = ("torch",)


def load_backend(model: str, *, device: str = "auto", backend: str = "auto") -> Backend:
    """Load ``model`` (hub id or local directory) into the requested engine."""
    from ..errors import InputError

    if backend not in ("auto", *BACKENDS):
        raise InputError(f"unknown backend {backend!r}; choose one of: auto, {', '.join(BACKENDS)}")
    from .hub import resolve_model

    resolved = resolve_model(model)  # before importing torch: a wrong path fails at once
    from .marian_torch import TorchBackend

    return TorchBackend.load(resolved, device=device)


__all__ = ["BACKENDS", "Backend", "Hypothesis", "load_backend"]
