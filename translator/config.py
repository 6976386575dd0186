"""Every setting the environment gives (``TRANSLATOR_*``), read in one place.

Values are read when asked for, not at import, so a test or a server can change them at run time.
Switches are on unless set to ``0``, ``off``, ``false`` or ``no`` (any case).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-de-en"

MODEL = "TRANSLATOR_MODEL"  # the model when none is named: a hub id or a local folder
BACKEND = "TRANSLATOR_BACKEND"  # the engine for backend="auto": torch, ctranslate2[:PREC][+vmap]
CACHE = "TRANSLATOR_CACHE"  # off: no sentence cache unless one is asked for
CACHE_DIR = "TRANSLATOR_CACHE_DIR"  # the sentence cache's folder
CT2_CACHE = "TRANSLATOR_CT2_CACHE"  # converted CTranslate2 models
RETRY = "TRANSLATOR_RETRY"  # off: keep degenerate outputs as decoded
DEBUG = "TRANSLATOR_DEBUG"  # on: the command shows the traceback of an unexpected error
PAGE_PRIVATE_URLS = "TRANSLATOR_PAGE_PRIVATE_URLS"  # on: the page fetches local/private addresses
PAGE_MODEL_FIXED = "TRANSLATOR_PAGE_MODEL_FIXED"  # on: the page's visitors can't choose the model

_OFF = ("0", "off", "false", "no")


def setting(name: str) -> str:
    """The variable's value without surrounding spaces ("" when unset)."""
    return os.environ.get(name, "").strip()


def switch(name: str, default: bool = True) -> bool:
    """A switch: ``default`` when unset, off for 0/off/false/no, else on."""
    value = setting(name).lower()
    if not value:
        return default
    return value not in _OFF


def model_name(model: str | os.PathLike[str] | None = None) -> str:
    """The argument, else ``$TRANSLATOR_MODEL``, else opus-mt-de-en."""
    if model is not None and str(model).strip():
        return os.fspath(model)
    return setting(MODEL) or DEFAULT_MODEL


def cache_home() -> Path:
    """The project's cache folder: ``$XDG_CACHE_HOME/translator``, else ``~/.cache/translator``."""
    base = setting("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "translator"


def folder(name: str, default: Path) -> Path:
    """The folder a variable names (``~`` expanded), else ``default``."""
    value = setting(name)
    return Path(value).expanduser() if value else default
