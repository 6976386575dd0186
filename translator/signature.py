"""How a translation was made, as one line (sacrebleu's habit): ``model:…|engine:…|beam:4|…``.

Every setting that changes the English has its field, so two results with the same signature came
from the same model, engine and decoding, and the sentence cache can use it as its key's prefix.
A local model is named by its folder's name and a fingerprint of its files, never by where it
lies on someone's disk. ``Signature.parse`` reads the line back from a Document, a TMX header or
a bilingual page (fields that older versions didn't write are left empty).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, fields

from .version import __version__

# field name → key in the formatted line, in order
_KEYS = {
    "model": "model",
    "engine": "engine",
    "beam": "beam",
    "max_tokens": "max-tokens",
    "output_ratio": "output-ratio",
    "retry": "retry",
    "alignment": "align",
    "segmenter": "seg",
    "version": "translator",
}


def model_label(model_id: str, revision: str) -> str:
    """``name@revision``: a hub id as given with 12 digits of its commit; a local folder
    (revision ``local-…``) by its name alone, never its path (either kind of slash), with 12
    digits of its fingerprint."""
    if revision.startswith("local-"):
        folder = os.path.normpath(os.path.expanduser(model_id)).rstrip("/\\")
        name = re.split(r"[/\\]", folder)[-1] or "model"
        name = re.sub(r"[|\x00-\x1f\x7f]", "-", name)  # the line's separator, line breaks
        return f"{name}@{revision[:18]}"
    return f"{model_id}@{revision[:12]}"


@dataclass(frozen=True, slots=True)
class Signature:
    """The parts of a signature, each given by the component that decides it.

    ``model``: ``name@revision``; ``engine``: the backend and its precision (``torch-float32``,
    ``ctranslate2+vmap-int8``); ``beam``; ``max_tokens``: pieces per model call, beyond which a
    sentence is cut into chunks; ``output_ratio``: the bound on an output's length;
    ``retry``: how degenerate outputs are decoded again (``off``, ``nr3-b4``); ``alignment``:
    layer, heads and rule of the word links; ``segmenter``: its version; ``version``: the package's.
    """

    model: str
    engine: str
    beam: int
    max_tokens: int = 0
    output_ratio: float = 0.0
    retry: str = ""
    alignment: str = ""
    segmenter: str = ""
    version: str = __version__

    def format(self) -> str:
        values = asdict(self)
        return "|".join(f"{key}:{_text(values[name])}" for name, key in _KEYS.items())

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, line: str) -> Signature:
        """The parts of a formatted signature (``ValueError`` if it isn't one)."""
        found: dict[str, str] = {}
        for part in line.split("|"):
            key, colon, value = part.partition(":")
            if not colon:
                raise ValueError(f"not a translator signature: {line!r}")
            found[key] = value
        by_key = {key: name for name, key in _KEYS.items()}
        values: dict[str, object] = {}
        for key, value in found.items():
            if key not in by_key:
                continue  # a field from a newer version: ignored
            name = by_key[key]
            kind = next(f.type for f in fields(cls) if f.name == name)
            try:
                values[name] = {"int": int, "float": float}.get(str(kind), str)(value)
            except ValueError as error:
                raise ValueError(f"signature field {key} is not valid: {value!r}") from error
        missing = [key for name, key in _KEYS.items() if name in _REQUIRED and name not in values]
        if missing:
            raise ValueError(f"signature lacks {', '.join(missing)}: {line!r}")
        return cls(**values)  # type: ignore[arg-type]


_REQUIRED = ("model", "engine", "beam")  # older signatures lack some of the others


def _text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
