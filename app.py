"""The reader page: German on the left, English on the right, paragraph by paragraph.

Only presentation lives here; everything it shows comes from the public ``translator`` API.
Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from translator import Document, ModelLoadError, TranslatorError
from translator.api import get_translator
from translator.engine import resolve_model_name

SEED = Path(__file__).parent / "seeds" / "000_6c55d004d8009f3d.txt"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$])")


def as_plain_markdown(text: str) -> str:
    """Text shown as itself: every Markdown and HTML character escaped, line breaks kept."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("\n", "  \n")


def translate_once(text: str, model: str) -> Document:
    """Translate with a progress bar; reruns with the same text and model reuse the result."""
    key = (text, model)
    cached = st.session_state.get("result")
    if cached and cached[0] == key:
        return cached[1]
    with st.spinner("Loading the translation model…"):
        translator = get_translator(model)  # one per server process, shared by all sessions
    bar = st.progress(0.0, text="Translating…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} / {total} sentences")

    document = translator.translate_text(text, progress=progress)
    bar.empty()
    st.session_state["result"] = (key, document)
    return document


def show(document: Document) -> None:
    left, right = st.columns(2)
    left.subheader("Deutsch")
    right.subheader("English")
    for paragraph in document.paragraphs:
        german, english = st.columns(2)
        german.markdown(as_plain_markdown(paragraph.source.of(document.source)))
        english.markdown(as_plain_markdown(paragraph.target.of(document.target)))
    st.download_button(
        "Download the English text",
        document.target,
        file_name="translation.en.txt",
        mime="text/plain",
    )


def main() -> None:
    st.set_page_config(page_title="German → English reader", layout="wide")
    st.title("German → English reader")
    with st.sidebar:
        model = st.text_input("Model (hub id or local folder)", value=resolve_model_name(None))
    if "text" not in st.session_state:
        st.session_state["text"] = SEED.read_text("utf-8")
        st.session_state["submitted"] = st.session_state["text"]
    st.text_area("German text", key="text", height=220)
    if st.button("Translate", type="primary"):
        st.session_state["submitted"] = st.session_state["text"]
    text = st.session_state["submitted"]
    if not text.strip():
        st.info("Paste German text above and press Translate.")
        return
    try:
        document = translate_once(text, model.strip())
    except ModelLoadError as error:
        st.error(str(error))
        return
    except TranslatorError as error:
        st.error(f"The text could not be translated: {error}")
        return
    show(document)


main()
