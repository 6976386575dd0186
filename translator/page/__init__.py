"""The reader page's driver: what is submitted, the translation running beside the page, what the
browser is sent, and the files offered. No Streamlit here, so all of it tests on its own.

The page (``app.py``) holds one ``Reading`` per browser tab. ``Reading.want`` says what should be
shown (a text and settings): a finished translation comes from the shared results, anything else
starts a ``Job`` that translates in a thread of its own while the page keeps answering. The page
redraws every ``redraw_seconds()``: ``Reading.step`` takes what the job has finished, and
``Reading.message`` gives the browser the rows it does not have yet (``translator.reader.view``).
Nothing here draws; ``translator.reader`` does.

Layering: this module sits above ``formats`` and the engine and below the page; ``reader`` only
draws and imports neither.
"""

from .downloads import Download, downloads_for
from .jobs import (
    CANCELLED,
    DONE,
    FAILED,
    LOADING,
    RESULTS,
    TRANSLATING,
    Job,
    ResultCache,
    Status,
)
from .options import (
    DEFAULT_BEAM,
    FALLBACK_REDRAW_SECONDS,
    MAX_ALTERNATIVES,
    MODEL_ENV,
    REDRAW_ENV,
    REDRAW_SECONDS,
    SHORTEST_REDRAW,
    Settings,
    alternatives_for,
    chosen_model,
    default_model,
    model_fixed,
    plain_markdown,
    private_urls_allowed,
    redraw_seconds,
)
from .reading import Reading
from .submission import (
    READABLE_KINDS,
    Submission,
    cache_key,
    german_paragraphs,
    replace_sentence,
    sentence_row,
    submitted_file,
    submitted_text,
    submitted_url,
    too_big,
)

__all__ = [
    "CANCELLED", "DEFAULT_BEAM", "DONE", "FAILED", "FALLBACK_REDRAW_SECONDS", "LOADING",
    "MAX_ALTERNATIVES", "MODEL_ENV", "READABLE_KINDS", "REDRAW_ENV", "REDRAW_SECONDS", "RESULTS",
    "SHORTEST_REDRAW", "TRANSLATING", "Download", "Job", "Reading", "ResultCache", "Settings",
    "Status", "Submission", "alternatives_for", "cache_key", "chosen_model", "default_model",
    "downloads_for", "german_paragraphs", "model_fixed", "plain_markdown", "private_urls_allowed",
    "redraw_seconds", "replace_sentence", "sentence_row", "submitted_file", "submitted_text",
    "submitted_url", "too_big",
]  # fmt: skip
