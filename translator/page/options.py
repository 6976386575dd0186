"""The page's settings: which model, how often it redraws, the beam and its alternatives, and
messages shown as the characters they are."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass

from .. import config
from ..errors import DEFAULT_MODEL

LOG = logging.getLogger("translator.page")

MODEL_ENV = "TRANSLATOR_MODEL"
REDRAW_ENV = "TRANSLATOR_REDRAW_SECONDS"
REDRAW_SECONDS = 0.25  # while translating, the browser asks for a redraw this soon…
SHORTEST_REDRAW = 0.05  # …never sooner (a redraw interval of 0); the browser waits longer
# while nothing changes (up to 2 s, reader.js)
FALLBACK_REDRAW_SECONDS = 2.0  # the page's own timer, should the browser not ask
MAX_ALTERNATIVES = 3
DEFAULT_BEAM = 4  # the page's beam until the sidebar says otherwise (opus-mt's own default)


def default_model() -> str:
    """The model the page loads unless told otherwise: ``$TRANSLATOR_MODEL``, else opus-mt."""
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


def model_fixed() -> bool:
    """Whether the server fixes the model (``$TRANSLATOR_PAGE_MODEL_FIXED``): a shared page's
    visitors then can't make it load other models or local paths."""
    return config.switch(config.PAGE_MODEL_FIXED, default=False)


def chosen_model(asked: str | None) -> str:
    """The model to load: the one the sidebar names, unless the server fixes it or none is named."""
    if model_fixed() or asked is None or not asked.strip():
        return default_model()
    return asked.strip()


def private_urls_allowed() -> bool:
    """Whether the page fetches local and private addresses (``$TRANSLATOR_PAGE_PRIVATE_URLS``);
    off by default, so a shared page can't be made to reach into the server's own network."""
    return config.switch(config.PAGE_PRIVATE_URLS, default=False)


def plain_markdown(text: str) -> str:
    """``text`` for Streamlit's Markdown (``st.error``, ``st.caption``) shown as the characters it
    is: a file name or an address makes no bold, link, colour (``:red[…]``), icon, emoji, math or
    HTML. It is one code span (the page's CSS draws it as the text around it): backslash escapes
    would not do, as Streamlit links ``x@y.z`` and ``https://…`` in a message's text after the
    escapes are read. Line breaks become spaces (a message is one line)."""
    text = " ".join(text.split())
    if not text:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"  # CommonMark takes one space off each end


_BACKTICKS = re.compile(r"`+")


def redraw_seconds() -> float:
    """How soon the page redraws while translating (``$TRANSLATOR_REDRAW_SECONDS``; 0: as
    soon as it can, after ``SHORTEST_REDRAW``)."""
    raw = os.environ.get(REDRAW_ENV, "").strip()
    try:
        seconds = float(raw) if raw else REDRAW_SECONDS
    except ValueError:
        LOG.warning("%s=%r is not a number of seconds; using %s", REDRAW_ENV, raw, REDRAW_SECONDS)
        seconds = REDRAW_SECONDS
    return max(seconds, SHORTEST_REDRAW)


def alternatives_for(beam: int) -> int:
    """How many n-best alternatives a beam of this size can give besides its best (at most 3)."""
    return max(0, min(MAX_ALTERNATIVES, beam - 1))


@dataclass(frozen=True)
class Settings:
    """What decides the English besides the text: the model and the beam."""

    model: str
    beam: int

    @property
    def alternatives(self) -> int:
        return alternatives_for(self.beam)

    def describe(self) -> str:
        return "fast mode (greedy)" if self.beam == 1 else f"beam {self.beam}"
