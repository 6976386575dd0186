"""The registry the CLI, translate() and the page share: names, extensions, MIME, errors."""

from __future__ import annotations

import json

import pytest

from translator import InputError
from translator.formats import (
    OUTPUT_FORMATS,
    READABLE_EXTENSIONS,
    output_formats,
    output_name,
    read_bytes,
    reader_for,
    text_source,
    write_bytes,
    writer_for,
)

from .fixtures.documents import make_document, upper


def test_every_reader_and_writer_is_registered():
    assert set(READABLE_EXTENSIONS) >= {
        ".txt", ".md", ".html", ".htm", ".docx", ".pptx", ".odt", ".srt", ".pdf", ".epub",
    }  # fmt: skip
    names = [f.name for f in OUTPUT_FORMATS]
    assert names == [
        "txt", "md", "html", "docx", "pptx", "odt", "srt", "epub", "bilingual-epub",
        "json", "bilingual-html", "tmx", "xliff",
    ]  # fmt: skip
    assert all(f.mime and f.label and f.extension.startswith(".") for f in OUTPUT_FORMATS)


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [
        ("article.docx", "docx", "article.en.docx"),
        ("article.docx", "txt", "article.en.txt"),
        ("notes.md", "tmx", "notes.tmx"),
        ("page.html", "bilingual-html", "page.bilingual.html"),
        ("film.srt", "xliff", "film.xlf"),
    ],
)
def test_output_names_sit_beside_the_input(name, fmt, expected):
    assert output_name(name, fmt) == expected


def test_the_output_extension_chooses_the_writer():
    source = text_source("Hallo.")
    assert writer_for("a.bilingual.html", None, source).name == "bilingual-html"
    assert writer_for("a.bi.html", None, source).name == "bilingual-html"
    assert writer_for("a.xliff", None, source).name == "xliff"
    assert writer_for("a.TMX", None, source).name == "tmx"


def test_a_same_format_writer_needs_an_input_of_that_format():
    with pytest.raises(InputError, match=r"only from a \.docx input"):
        writer_for("a.docx", None, text_source("Hallo."))
    with pytest.raises(InputError, match="unknown output format"):
        writer_for("a.txt", "pdf", None)
    with pytest.raises(InputError, match=r"extension \.pdf"):
        writer_for("a.pdf", None, None)


@pytest.mark.parametrize("name", ["alt.doc", "notiz.rtf"])
def test_unsupported_inputs_say_what_to_do(name):
    with pytest.raises(InputError, match=r"\.docx|\.txt"):
        reader_for(name)


def test_the_page_can_offer_every_download_for_an_upload():
    source = read_bytes("seite.html", b"<p>Guten Morgen. Wie geht es?</p>")
    document = make_document(source.text, source.units, upper)
    offered = output_formats(source)
    assert offered[0].name == "html"
    assert {f.name for f in offered} == {"html", "txt", "json", "bilingual-html", "tmx", "xliff"}
    for fmt in offered:
        if fmt.name == "bilingual-html":
            continue  # its own test below: it needs the reader's export
        data = write_bytes(document, source, fmt.name)
        assert data
    assert json.loads(write_bytes(document, source, "json"))["source"] == source.text


def test_a_written_document_must_come_from_its_source():
    source = read_bytes("a.html", b"<p>Hallo.</p>")
    other = make_document("Anderes.", None, upper)
    with pytest.raises(InputError, match=r"not made from a\.html"):
        write_bytes(other, source, "html")


def test_the_bilingual_page_is_the_readers_standalone_export():
    standalone = pytest.importorskip("translator.reader.standalone")
    document = make_document("Guten Morgen. Wie geht es?", None, upper)
    data = write_bytes(document, text_source(document.source), "bilingual-html")
    assert data.decode("utf-8") == standalone.render_standalone_html(document)


def test_no_export_tells_where_the_model_or_the_file_lies(model_dir, tmp_path):
    """Guards exports against leaking local paths (``model:/home/…`` was in JSON, TMX and
    HTML): every writer, for every readable format, and the page's payload, name the model by
    its folder and fingerprint and the input by its file name only."""
    import io
    import shutil
    import zipfile

    from tests.fixtures.scaling import BUILDERS
    from translator import Translator
    from translator.formats import FORMATS, output_formats, read_path
    from translator.reader.payload import build_payload

    private = tmp_path / "alice-private-models"
    shutil.copytree(model_dir, private / "opus-mt-de-en")
    engine = Translator(model=str(private / "opus-mt-de-en"), backend="torch")
    folder = tmp_path / "alice-private-files"
    folder.mkdir()
    for fmt in FORMATS:
        if fmt.read is None:
            continue
        path = folder / f"brief{fmt.extension}"
        path.write_bytes(BUILDERS[fmt.name]["plain"](4))
        source = read_path(path)
        document = engine.translate_text(source.text, paragraphs=source.units)
        assert document.signature.startswith("model:opus-mt-de-en@local-")
        exports = {f.name: write_bytes(document, source, f.name) for f in output_formats(source)}
        exports["payload"] = json.dumps(build_payload(document)).encode()
        source.name = str(path)  # a Source the API was given a path as its name
        exports.update(
            {f"{f} (path as name)": write_bytes(document, source, f) for f in ("tmx", "xliff")}
        )
        for name, data in exports.items():
            if data.startswith(b"PK"):  # a .docx: look inside every part
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    data = b"".join(archive.read(member) for member in archive.namelist())
            for secret in (b"alice-private", str(tmp_path).encode()):
                assert secret not in data, f"{fmt.name} → {name} names {secret!r}"
