"""The reader as a Streamlit custom component (v2), registered once, when this module is imported.

``isolate_styles=False`` puts the reader in the page itself, not in a shadow root: it takes the
app's font and theme colours, and a hover restyles a few elements rather than the whole tree.
``page_css`` holds the few rules for the page around it (downloads and touch targets on a phone).
"""

from __future__ import annotations

import streamlit as st

from . import page_css, reader_css, reader_js

__all__ = ["COMPONENT_NAME", "page_css", "reader"]

COMPONENT_NAME = "bilingual_reader"

reader = st.components.v2.component(
    COMPONENT_NAME, js=reader_js(), css=reader_css(), isolate_styles=False
)
