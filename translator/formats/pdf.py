"""PDF (``.pdf``) in: the text in reading order, paragraphs rebuilt; out as text, Markdown or .docx.

pdfminer.six (MIT; chosen by measurement, see ``benchmarks/pdf_extractors.py``) gives every text
line with its box and font size; ``pdf_layout`` makes the units of them (running headers, footers
and page numbers dropped, footnotes apart, columns read in order, paragraphs rebuilt, line-end
hyphens undone where they split a word), and ``pdf_writers`` writes the English.

A PDF with no text layer (scanned), an encrypted one, a damaged one, or one too large gets a
one-line ``InputError``. The English is written as plain text, Markdown (headings ``#``, footnotes
after a rule) or a new simple Word document (python-docx: headings, paragraphs, footnotes in small
print); the PDF's layout itself is not rebuilt.
"""

from __future__ import annotations

import io
import re
import statistics

from ..errors import InputError
from .base import Source, join_units
from .pdf_layout import Block, Line, PdfState, blocks_of
from .pdf_writers import write_docx, write_markdown

__all__ = [
    "MAX_PAGES",
    "MAX_PDF_BYTES",
    "MIN_CHARS_PER_PAGE",
    "Block",
    "Line",
    "PdfState",
    "blocks_of",
    "read",
    "write_docx",
    "write_markdown",
]

MAX_PDF_BYTES = 64 * 2**20
MAX_PAGES = 3000
MIN_CHARS_PER_PAGE = 20  # fewer letters on average: no text layer (a scan)


def read(data: bytes, name: str) -> Source:
    if len(data) > MAX_PDF_BYTES:
        raise InputError(
            f"{name} is larger than {MAX_PDF_BYTES // 2**20} MB: split the PDF into parts "
            f"(e.g. with a PDF viewer's print to PDF) and translate them one by one"
        )
    pages, info = _lines_of(data, name)
    blocks = blocks_of(pages)
    letters = sum(c.isalpha() for b in blocks for c in b.text)
    if letters < MIN_CHARS_PER_PAGE * max(len(pages), 1) / 4 or not blocks:
        raise InputError(
            f"{name} has no text layer (a scanned PDF: {len(pages)} page(s) of images): run "
            f"it through OCR first (e.g. ocrmypdf) and translate the result"
        )
    text, spans = join_units([b.text for b in blocks])
    metadata = {k: v for k, v in info.items() if v}
    return Source(
        name=name,
        format="pdf",
        text=text,
        units=spans,
        state=PdfState(blocks, len(pages)),
        metadata=metadata,
    )


def _lines_of(data: bytes, name: str) -> tuple[list[list[Line]], dict[str, str]]:
    """Every page's text lines (pdfminer's layout analysis), and the document's title/author."""
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLineHorizontal
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.psparser import PSException

    if not data.lstrip()[:1024].find(b"%PDF-") >= 0:
        raise InputError(f"{name} is not a PDF: it doesn't start like one")
    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise InputError(
            f"{name} is encrypted with a password: open it in a PDF viewer with its password, "
            f"save or print it as a PDF without protection, and translate that"
        ) from error
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{name} is damaged: it can't be read as a PDF ({error})") from error
    if not document.is_extractable:
        raise InputError(
            f"{name} forbids copying its text (its author set that): open it in a PDF viewer "
            f"and save or print it as a new PDF, if you may"
        )
    info = _info(document)
    _check_page_count(document, name)
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams(line_margin=0.3, boxes_flow=None))
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[list[Line]] = []
    try:
        for number, page in enumerate(PDFPage.create_pages(document)):
            if number >= MAX_PAGES:
                raise InputError(
                    f"{name} has more than {MAX_PAGES} pages: split it and translate the parts"
                )
            interpreter.process_page(page)
            layout = device.get_result()
            lines: list[Line] = []
            for box in layout:
                if not isinstance(box, LTTextBox):
                    continue
                for item in box:
                    if not isinstance(item, LTTextLineHorizontal):
                        continue
                    text = item.get_text().rstrip("\n")
                    if not text.strip():
                        continue
                    sizes = [c.size for c in item if isinstance(c, LTChar) and c.get_text().strip()]
                    size = statistics.median(sizes) if sizes else 0.0
                    lines.append(
                        Line(_clean(text), item.x0, item.y0, item.x1, item.y1, size, number)
                    )
            pages.append(lines)
    except InputError:
        raise
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AssertionError) as error:
        raise InputError(f"{name} is damaged: a page can't be read ({error})") from error
    if not pages:
        raise InputError(f"{name} has no pages")
    return pages, info


def _check_page_count(document, name: str) -> None:
    """Refuse a PDF of too many pages before reading any (the page tree says how many)."""
    from pdfminer.pdftypes import resolve1

    try:
        count = resolve1(resolve1(document.catalog.get("Pages")).get("Count"))
    except (AttributeError, TypeError, ValueError):
        return  # no usable count: the page loop's own limit applies
    if isinstance(count, int) and count > MAX_PAGES:
        raise InputError(
            f"{name} has {count:,} pages, more than {MAX_PAGES:,}: split it and translate the "
            f"parts one by one"
        )


def _info(document) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    found: dict[str, str] = {}
    for entry in document.info or []:
        for key in ("Title", "Author"):
            value = resolve1(entry.get(key))
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip():
                found[key.lower()] = " ".join(value.split())
    return found


_CID = re.compile(r"\(cid:\d+\)")


def _clean(text: str) -> str:
    """A line's text: glyphs pdfminer can't map (``(cid:12)``) dropped, ligatures kept as is."""
    return _CID.sub("", text).replace("\t", " ").strip()
