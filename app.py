"""The reader page: a German text on the left, its English translation on the right, linked.

Only presentation lives here: input, settings, progress, the reader component and the downloads.
Everything it shows comes from the ``translator`` API and ``translator.reader``.
Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from translator import Document, InputError, ModelLoadError, TranslatorError
from translator.api import get_translator
from translator.engine import resolve_model_name
from translator.reader.component import reader
from translator.reader.payload import build_payload
from translator.reader.session import (
    DEFAULT_BEAM,
    RESULTS,
    alternatives_for,
    replace_sentence,
    translate_stream,
)
from translator.reader.standalone import render_standalone_html

SEED = Path(__file__).parent / "seeds" / "000_6c55d004d8009f3d.txt"
UPLOAD_TYPES = ["txt", "md"]  # more arrive with the file formats
REDRAW_SECONDS = 0.25  # while translating, redraw the rows at most this often


@dataclass(frozen=True)
class Settings:
    model: str
    beam: int
    shade: bool

    @property
    def alternatives(self) -> int:
        return alternatives_for(self.beam)


def sidebar_settings() -> Settings:
    with st.sidebar:
        st.header("Settings")
        model = st.text_input(
            "Model (hub id or local folder)",
            value=resolve_model_name(None),
            help="A Hugging Face hub id, or the path of a downloaded model folder (offline).",
        )
        beam = st.number_input(
            "Beam size",
            min_value=1,
            max_value=8,
            value=DEFAULT_BEAM,
            step=1,
            help="Wider beams search more translations (slower); they also give the alternatives.",
        )
        shade = st.toggle(
            "Shade low-confidence words",
            value=False,
            help="Underline the English words the model was least sure of.",
        )
    return Settings(model=resolve_model_name(model.strip() or None), beam=int(beam), shade=shade)


def read_upload(name: str, data: bytes) -> str:
    """The text of an uploaded .txt or .md file (UTF-8, with or without a byte-order mark)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not UTF-8 text (byte {error.start} can't be decoded); "
            f"save it as UTF-8 and upload it again"
        ) from error


def _load_upload() -> None:
    """A newly chosen file becomes the text (this runs before the page, so the box can change)."""
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        text = read_upload(upload.name, upload.getvalue())
    except InputError as error:
        st.session_state["upload_error"] = str(error)
        return
    st.session_state.pop("upload_error", None)
    st.session_state["text"] = text
    st.session_state["submitted"] = text
    st.session_state["name"] = Path(upload.name).stem or "translation"


def _submit() -> None:
    st.session_state["submitted"] = st.session_state["text"]
    st.session_state["name"] = "translation"


def source_text() -> str:
    if "text" not in st.session_state:
        st.session_state["text"] = SEED.read_text("utf-8")
        st.session_state["submitted"] = st.session_state["text"]
        st.session_state["name"] = SEED.stem
    with st.expander("Your German text: paste it or upload a file", expanded=False):
        st.text_area("German text", key="text", height=220, label_visibility="collapsed")
        st.file_uploader(
            f"…or upload a file ({', '.join('.' + t for t in UPLOAD_TYPES)})",
            type=UPLOAD_TYPES,
            key="upload",
            on_change=_load_upload,
        )
        st.button("Translate", type="primary", on_click=_submit)
    if "upload_error" in st.session_state:
        st.error(st.session_state["upload_error"])
    return st.session_state["submitted"]


def translate(text: str, settings: Settings, status, rows) -> Document | None:
    """The Document for ``text`` under ``settings``: from this session, the process, or the model.

    While it is being translated, a progress bar in ``status`` counts sentences and finished rows
    are drawn into ``rows`` as they arrive. Errors become one message, never a traceback.
    """
    key = (text, settings.model, settings.beam, settings.alternatives)
    held = st.session_state.get("result")
    if held and held[0] == key:
        return held[1]
    document = RESULTS.get(key)
    if document is None:
        try:
            with status, st.spinner("Loading the translation model…"):
                translator = get_translator(settings.model)  # once per server process
            document = _translate_with_progress(translator, text, settings, status, rows)
        except ModelLoadError as error:
            st.error(str(error))
            return None
        except TranslatorError as error:
            st.error(f"The text could not be translated: {error}")
            return None
        RESULTS.put(key, document)
    st.session_state["result"] = (key, document)
    return document


def _translate_with_progress(translator, text: str, settings: Settings, status, rows) -> Document:
    bar = status.progress(0.0, text="Translating…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} / {total} sentences translated")

    document = None
    drawn = 0.0
    for document in translate_stream(
        translator,
        text,
        beam=settings.beam,
        alternatives=settings.alternatives,
        progress=progress,
    ):
        now = time.monotonic()
        if document.paragraphs and now - drawn >= REDRAW_SECONDS:
            payload = build_payload(document, shade=settings.shade, complete=False)
            with rows:
                reader(data=payload)  # no key: a display-only draw, replaced by the next
            drawn = now
    bar.empty()
    assert document is not None, "a translation yields at least the complete document"
    return document


def show(document: Document, settings: Settings, rows) -> None:
    payload = build_payload(document, shade=settings.shade, alternatives=True)
    with rows:
        result = reader(key="reader", data=payload, on_choose_change=lambda: None)
    choice = result.get("choose") if result else None
    if choice:
        _choose(document, settings, choice)
    downloads(document)


def _choose(document: Document, settings: Settings, choice: dict) -> None:
    """Put the chosen alternative in place of a sentence's English, in the view and downloads."""
    try:
        index, english = int(choice["sentence"]), str(choice["text"])
        updated = replace_sentence(get_translator(settings.model), document, index, english)
    except (KeyError, TypeError, ValueError, TranslatorError) as error:
        st.error(f"That alternative could not be used: {error}")
        return
    st.session_state["result"] = (st.session_state["result"][0], updated)
    st.rerun()


def downloads(document: Document) -> None:
    stem = st.session_state.get("name") or "translation"
    english, data, bilingual = st.columns(3)
    english.download_button(
        "English text (.txt)",
        document.target,
        file_name=f"{stem}.en.txt",
        mime="text/plain",
        on_click="ignore",
        width="stretch",
    )
    data.download_button(
        "Document (.json)",
        document.to_json(indent=2) + "\n",
        file_name=f"{stem}.json",
        mime="application/json",
        on_click="ignore",
        width="stretch",
    )
    bilingual.download_button(
        "Bilingual page (.html)",
        render_standalone_html(document),
        file_name=f"{stem}.bilingual.html",
        mime="text/html",
        on_click="ignore",
        width="stretch",
    )


def main() -> None:
    st.set_page_config(page_title="German → English reader", layout="wide")
    st.title("German → English reader")
    settings = sidebar_settings()
    text = source_text()
    if not text.strip():
        st.info("Paste German text above (or upload a file) and press Translate.")
        return
    status, rows = st.empty(), st.empty()
    document = translate(text, settings, status, rows)
    if document is not None:
        show(document, settings, rows)


main()
