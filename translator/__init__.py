"""German → English translation, sentence by sentence, with nothing lost.

The names below load on first use (PEP 562), so ``import translator.document`` or
``translator --help`` does not pay for the engine, numpy or the file formats.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

_WHERE = {
    "translate": ".api",
    "translate_text": ".api",
    "translate_many": ".batch",
    "Document": ".document",
    "Link": ".document",
    "Paragraph": ".document",
    "Sentence": ".document",
    "Span": ".document",
    "Translator": ".engine",
    "InputError": ".errors",
    "ModelLoadError": ".errors",
    "TranslatorError": ".errors",
}

__all__ = [
    "Document",
    "InputError",
    "Link",
    "ModelLoadError",
    "Paragraph",
    "Sentence",
    "Span",
    "Translator",
    "TranslatorError",
    "__version__",
    "translate",
    "translate_many",
    "translate_text",
]

if TYPE_CHECKING:
    from .api import translate, translate_text
    from .batch import translate_many
    from .document import Document, Link, Paragraph, Sentence, Span
    from .engine import Translator
    from .errors import InputError, ModelLoadError, TranslatorError


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
