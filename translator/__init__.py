"""German → English translation, sentence by sentence, with nothing lost."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import translate, translate_text
from .document import Document, Link, Paragraph, Sentence, Span
from .engine import Translator
from .errors import InputError, ModelLoadError, TranslatorError

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
    "translate_text",
]
