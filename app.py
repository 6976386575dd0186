"""The reader page: a German text on the left, its English translation on the right, linked.

Only presentation lives here: input, settings, status, the reader component and the downloads.
What is translated, by which job, and which rows a tab is sent is ``translator.page``; how rows
look is ``translator.reader``. The translation runs beside the page, so the page keeps answering:
the German shows at once, rows fill in as they are translated, and the reader part of the page
(a fragment) redraws on its own while it streams. Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from translator import InputError, TranslatorError
from translator.page import (
    DEFAULT_BEAM,
    FALLBACK_REDRAW_SECONDS,
    LOADING,
    READABLE_KINDS,
    TRANSLATING,
    Reading,
    Settings,
    Status,
    chosen_model,
    downloads_for,
    model_fixed,
    plain_markdown,
    redraw_seconds,
    submitted_file,
    submitted_text,
    submitted_url,
    too_big,
)
from translator.reader.component import page_css, reader

SEED = Path(__file__).parent / "seeds" / "000_6c55d004d8009f3d.txt"
LOG = logging.getLogger("translator.app")


def sidebar_settings() -> Settings:
    with st.sidebar:
        st.header("Settings")
        model = None
        if model_fixed():
            st.caption("The translation model is set by the server.")
        else:
            model = st.text_input(
                "Model (hub id or local folder)",
                value=chosen_model(None),
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
    return Settings(model=chosen_model(model), beam=1 if fast else int(beam))


def upload_limit() -> int:
    """The page's size limit in MB (``server.maxUploadSize`` in .streamlit/config.toml)."""
    return int(st.get_option("server.maxUploadSize"))


def _upload_key() -> str:
    return f"upload-{st.session_state.get('upload_round', 0)}"


def _clear_failed_upload() -> None:
    """A failed file and its message go on the next try (a new upload box)."""
    if st.session_state.pop("upload_error", None) is not None:
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1


def _load_upload() -> None:
    """A newly chosen file becomes what is translated (this runs before the page, so the text box
    can show it). A file that can't be read leaves the text, and the result, as they were."""
    upload = st.session_state.get(_upload_key())
    if upload is None:
        return
    problem = too_big(upload.name, upload.size, upload_limit())
    if problem:
        st.session_state["upload_error"] = problem
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
    _show(submission)


def _show(submission) -> None:
    """A file or an article read: it becomes the text shown and what is translated."""
    st.session_state.pop("upload_error", None)
    st.session_state["text"] = submission.text
    st.session_state["submission"] = submission
    st.session_state["again"] = True


def _load_url() -> bool:
    """A new web address (Enter, or Translate): its article becomes what is translated. One that
    can't be read says why and leaves the text, and the result, as they were. True if it read."""
    url = st.session_state.get("url", "").strip()
    if not url or url == st.session_state.get("url_read"):
        return False
    _clear_failed_upload()
    try:
        submission = submitted_url(url)
    except InputError as error:
        st.session_state["upload_error"] = str(error)
        return True
    except Exception as error:  # a reader's bug on an odd page: still a message
        LOG.exception("reading %r failed", url)
        st.session_state["upload_error"] = f"{url} could not be read: {error}"
        return True
    st.session_state["url_read"] = url
    _show(submission)
    return True


def _submit() -> None:
    if _load_url():
        return
    _clear_failed_upload()
    text = st.session_state["text"]
    problem = too_big("The text", len(text.encode("utf-8", "surrogatepass")), upload_limit())
    if problem:
        st.session_state["upload_error"] = problem
        return
    st.session_state["again"] = True  # a failed translation of the same text is tried again
    held = st.session_state.get("submission")
    if held is not None and held.text == text:
        return  # unchanged: an uploaded file stays that file (its downloads keep its format)
    st.session_state["submission"] = submitted_text(text)


def source_text():
    """What to translate: the seed article at first, then typed text, an uploaded file or the
    article at a web address."""
    if "submission" not in st.session_state:
        st.session_state["submission"] = submitted_text(SEED.read_text("utf-8"), name=SEED.name)
    submission = st.session_state["submission"]
    if "text" not in st.session_state:
        st.session_state["text"] = submission.text
    limit = upload_limit()
    with st.expander("Your German text: paste it, upload a file or give a web address"):
        st.text_area("German text", key="text", height=220, label_visibility="collapsed")
        st.file_uploader(
            f"…or upload a file: {', '.join(READABLE_KINDS)} (up to {limit} MB)",
            key=_upload_key(),
            on_change=_load_upload,
            help=f"The page reads {', '.join(READABLE_KINDS)} files of up to {limit} MB. "
            "Anything bigger: the command line, translator FILE -o FILE.en.txt",
        )
        st.text_input(
            "…or a web address",
            key="url",
            placeholder="https://…",
            on_change=_load_url,
            help="The article at this address (a news page, a blog post; or a PDF or e-book), "
            "without navigation, ads and comments; its downloads are Markdown and the rest.",
        )
        st.button("Translate", type="primary", on_click=_submit, shortcut="Ctrl+Enter")
        if submission.url is not None and st.session_state["text"] == submission.text:
            title = submission.source.metadata.get("title")
            st.caption(
                plain_markdown(f"Read from {submission.url}" + (f": {title}" if title else ""))
            )
        if st.session_state["text"] != submission.text:
            st.caption("The text was changed: press **Translate** (Ctrl+Enter) to translate it.")
    return submission


def the_reading() -> Reading:
    """This tab's reading (its own job, its own rows)."""
    if "reading" not in st.session_state:
        st.session_state["reading"] = Reading()
    return st.session_state["reading"]


def _seen(reading: Reading, status: Status) -> tuple:
    """What the whole page was last drawn for: when it changes, the page (downloads) follows."""
    return (reading.key, reading.document is not None, status.phase)


def status_line(status: Status) -> None:
    if status.error:
        st.error(plain_markdown(status.error))
    if status.phase == LOADING:
        st.info(
            "Preparing the translation model: this happens once, the first translation after "
            "the page starts; the German is below, the English follows.",
            icon=":material/hourglass_top:",
        )
    elif status.phase == TRANSLATING:
        done, total = status.progress
        st.progress(
            done / total if total else 0.0,
            text=f"Translating: {done} / {total} sentences" if total else "Translating…",
        )


def reader_part() -> None:
    """The status line and the reader: redrawn on its own (a fragment) while rows stream in."""
    reading = the_reading()
    status = reading.step()
    status_line(status)
    try:
        state = st.session_state["reader"]
    except KeyError:  # the first draw
        state = {}
    choice = state.get("choose")
    if choice and choice.get("view") == reading.view.view:
        try:
            reading.choose(int(choice["sentence"]), str(choice["text"]))
        except (KeyError, TypeError, ValueError, TranslatorError) as error:
            st.error(plain_markdown(f"That alternative could not be used: {error}"))
    poll = redraw_seconds() if status.running else None
    reader(
        key="reader",
        data=reading.message(
            state.get("have"),
            downloads=reading.document is not None,
            poll=poll,
            progress=status.progress,
        ),
        on_have_change=lambda: None,
        on_choose_change=lambda: None,
        on_poll_change=lambda: None,
    )
    if _seen(reading, status) != st.session_state.get("seen"):
        st.rerun()  # finished or failed: the whole page follows (downloads, no more redraws)


def downloads(reading: Reading, where: str) -> None:
    """A button per file the translation can be saved as (a chosen alternative included).

    The bytes are made when a button is pressed, from the Document shown at that moment.
    """
    shown = reading.document
    if shown is None or reading.submission is None:
        return
    key = reading.key

    def maker(download):
        return lambda: download.data(reading.document if reading.key == key else shown)

    files = downloads_for(reading.submission.source)
    if where == "menu":
        with st.popover("Download", icon=":material/download:") as menu:
            for file in files:
                menu.download_button(
                    file.label,
                    maker(file),
                    file_name=file.file_name,
                    mime=file.mime,
                    on_click="ignore",
                    key=f"menu-download-{file.format}",
                    help=file.help,
                    width="stretch",
                )
        return
    for column, file in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            file.label,
            maker(file),
            file_name=file.file_name,
            mime=file.mime,
            on_click="ignore",
            key=f"download-{file.format}",
            help=file.help,
            width="stretch",
        )


def main() -> None:
    st.set_page_config(page_title="German → English reader", layout="wide")
    st.html(f"<style>{page_css()}</style>")
    st.title("German → English reader")
    settings = sidebar_settings()
    submission = source_text()
    # The same places in every run, whatever they hold: the reader keeps its place in the page
    # (an element that appeared above it would make Streamlit draw it anew).
    messages = st.container(key="messages")
    menu = st.container(key="download-menu")
    if "upload_error" in st.session_state:
        messages.error(plain_markdown(st.session_state["upload_error"]))
    if not submission.text.strip():
        messages.info(
            "Paste German text above (or upload a file, or give a web address) and press Translate."
        )
        return
    reading = the_reading()
    reading.want(submission, settings, again=st.session_state.pop("again", False))
    status = reading.step()
    st.session_state["seen"] = _seen(reading, status)
    with menu:
        downloads(reading, "menu")
    # While translating, the reader asks for each redraw itself (soon after new rows, rarely
    # while the model works on a long stretch); the page's own timer is only a fallback.
    st.fragment(reader_part, run_every=FALLBACK_REDRAW_SECONDS if status.running else None)()
    with st.container(key="downloads"):
        downloads(reading, "row")


main()
