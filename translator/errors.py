"""The project's own exceptions: one sentence a user can act on, no traceback needed."""

from __future__ import annotations

from .config import DEFAULT_MODEL


class TranslatorError(Exception):
    """Base class: the message alone tells the user what went wrong and what to do."""


class ModelLoadError(TranslatorError):
    """The translation model could not be found, downloaded or loaded."""

    def __init__(self, model: str, reason: str) -> None:
        self.model = model
        self.reason = reason
        super().__init__(
            f"Could not load the translation model '{model}': {reason}. "
            f"To work offline, download it once where the internet is reachable "
            f"(`hf download {DEFAULT_MODEL} --local-dir opus-mt-de-en`), copy that folder here "
            f"and pass its path: `translator --model ./opus-mt-de-en …`, "
            f"`Translator(model='./opus-mt-de-en')` or `TRANSLATOR_MODEL=./opus-mt-de-en`."
        )


class InputError(TranslatorError):
    """An input file or option can't be used as given."""


class CacheError(TranslatorError):
    """A cache folder can't be written (read-only, full, not a folder): the model is fine."""
