"""The reader page: a German text on the left, its English translation on the right, linked.

Only presentation lives here: input, settings, progress, the reader component and the downloads.
Everything it shows comes from the ``translator`` API and ``translator.reader``.
Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import logging
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
    READABLE_KINDS,
    RESULTS,
    UPLOAD_EXTENSIONS,
    Submission,
    alternatives_for,
    cache_key,
    download_files,
    replace_sentence,
    submitted_file,
    submitted_text,
    translate_stream,
)

SEED = Path(__file__).parent / "seeds" / "000_6c55d004d8009f3d.txt"
REDRAW_SECONDS = 0.25  # while translating, redraw the rows at most this often
LOG = logging.getLogger("translator.app")


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
        fast = st.toggle(
            "Fast mode (greedy)",
            value=False,
            key="fast",
            help="Beam 1: several times faster, for long documents, but no alternatives. "
            "Recorded in the result's signature as beam:1.",
        )
        shade = st.toggle(
            "Shade low-confidence words",
            value=False,
            key="shade",
            help="Underline the English words the model was least sure of.",
        )
    chosen_beam = 1 if fast else int(beam)
    return Settings(model=resolve_model_name(model.strip() or None), beam=chosen_beam, shade=shade)


def _load_upload() -> None:
    """A newly chosen file becomes what is translated (this runs before the page, so the text box
    can show it). A file that can't be read leaves the text, and the result, as they were."""
    upload = st.session_state.get("upload")
    if upload is None:
        return
    too_big = size_error(upload.name, upload.size)
    if too_big:
        st.session_state["upload_error"] = too_big
        return
    try:
        submission = submitted_file(upload.name, upload.getvalue())
    except InputError as error:
        st.session_state["upload_error"] = str(error)
        return
    except Exception as error:  # a reader's bug on an odd file: still a message, not a traceback
        LOG.exception("reading the upload %r failed", upload.name)
        st.session_state["upload_error"] = f"{upload.name} could not be read: {error}"
        return
    st.session_state.pop("upload_error", None)
    st.session_state["text"] = submission.text
    st.session_state["submission"] = submission


def size_error(name: str, size: int) -> str | None:
    """Why an input is too big for the page (``server.maxUploadSize`` in .streamlit/config.toml).

    The browser refuses a bigger file itself; this also covers pasted text and other clients.
    """
    limit = int(st.get_option("server.maxUploadSize"))
    if size <= limit * 2**20:
        return None
    return (
        f"{name} is {size / 2**20:.1f} MB; the page takes up to {limit} MB. Split it, or "
        f"translate it with the command line: translator FILE -o FILE.en.txt"
    )


def _submit() -> None:
    st.session_state.pop("upload_error", None)
    text = st.session_state["text"]
    too_big = size_error("The text", len(text.encode("utf-8", "surrogatepass")))
    if too_big:
        st.session_state["upload_error"] = too_big
        return
    held = st.session_state.get("submission")
    if held is not None and held.text == text:
        return  # unchanged: an uploaded file stays that file (its downloads keep its format)
    st.session_state["submission"] = submitted_text(text)


def source_text() -> Submission:
    """What to translate: the seed article at first, then typed text or an uploaded file."""
    if "submission" not in st.session_state:
        st.session_state["submission"] = submitted_text(SEED.read_text("utf-8"), name=SEED.name)
    if "text" not in st.session_state:
        st.session_state["text"] = st.session_state["submission"].text
    with st.expander("Your German text: paste it or upload a file", expanded=False):
        st.text_area("German text", key="text", height=220, label_visibility="collapsed")
        st.file_uploader(
            f"…or upload a file ({', '.join(READABLE_KINDS)})",
            type=list(UPLOAD_EXTENSIONS),  # the kinds it can't read too, to say why not
            key="upload",
            on_change=_load_upload,
        )
        st.button("Translate", type="primary", on_click=_submit)
    if "upload_error" in st.session_state:
        st.error(st.session_state["upload_error"])
    return st.session_state["submission"]


def translate(submission: Submission, settings: Settings, status, rows) -> Document | None:
    """The Document for ``submission`` under ``settings``: from this session, the process, or the
    model.

    While it is being translated, a progress bar in ``status`` counts sentences and finished rows
    are drawn into ``rows`` as they arrive. Errors become one message, never a traceback.
    """
    key = cache_key(submission, settings.model, settings.beam, settings.alternatives)
    held = st.session_state.get("result")
    if held and held[0] == key:
        return held[1]
    document = RESULTS.get(key)
    if document is None:
        try:
            with status, st.spinner("Loading the translation model…"):
                translator = get_translator(settings.model)  # once per server process
            document = _translate_with_progress(translator, submission, settings, status, rows)
        except ModelLoadError as error:
            st.error(str(error))
            return None
        except TranslatorError as error:
            st.error(f"The text could not be translated: {error}")
            return None
        except Exception as error:  # a bug: one message on the page, the traceback in the log
            LOG.exception("translating %r failed", submission.source.name)
            st.error(f"The text could not be translated: an unexpected {type(error).__name__}")
            return None
        RESULTS.put(key, document)
    st.session_state["result"] = (key, document)
    return document


def _translate_with_progress(
    translator, submission: Submission, settings: Settings, status, rows
) -> Document:
    bar = status.progress(0.0, text="Translating…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} / {total} sentences translated")

    document = None
    drawn = 0.0
    for document in translate_stream(
        translator,
        submission.text,
        beam=settings.beam,
        alternatives=settings.alternatives,
        progress=progress,
        paragraphs=submission.units,
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


def show(document: Document, submission: Submission, settings: Settings, rows) -> None:
    payload = build_payload(document, shade=settings.shade, alternatives=True)
    with rows:
        result = reader(key="reader", data=payload, on_choose_change=lambda: None)
    choice = result.get("choose") if result else None
    if choice:
        _choose(document, settings, choice)
    downloads(document, submission)


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


def downloads(document: Document, submission: Submission) -> None:
    """A button for each file the translation can be saved as (a chosen alternative included)."""
    held = st.session_state.get("downloads")
    if held and held[0] is document and held[1] is submission:
        files = held[2]
    else:
        try:
            files = download_files(document, submission.source)
        except TranslatorError as error:
            st.error(f"The files to download could not be made: {error}")
            return
        st.session_state["downloads"] = (document, submission, files)
    for column, file in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            file.label,
            file.data,
            file_name=file.file_name,
            mime=file.mime,
            on_click="ignore",
            key=f"download-{file.format}",
            help=file.help,
            width="stretch",
        )


def main() -> None:
    st.set_page_config(page_title="German → English reader", layout="wide")
    st.title("German → English reader")
    settings = sidebar_settings()
    submission = source_text()
    if not submission.text.strip():
        st.info("Paste German text above (or upload a file) and press Translate.")
        return
    status, rows = st.empty(), st.empty()
    document = translate(submission, settings, status, rows)
    if document is not None:
        show(document, submission, settings, rows)


main()
