"""PDF (``.pdf``) in: the text in reading order, paragraphs rebuilt; out as text, Markdown or .docx.

pdfminer.six (MIT; chosen by measurement, see ``benchmarks/pdf_extractors.py``) gives every text
line with its box and font size. From there the reading is ours:

* Running headers and footers: the top and bottom lines of each page whose text (digits aside)
  comes back on at least half the pages, and bare page numbers ("7", "Seite 7 von 9", "- 7 -").
* Footnotes: the lines under the body at a page's foot in a smaller font than the body's; they are
  kept apart, after the body, as units of their own.
* Reading order: a page's gutters are the x-ranges in its middle that (almost) no line narrower
  than the text crosses, with lines on each side; between the lines that span them (a title, a
  centred byline) the columns are read left to right, each top to bottom.
* Paragraphs: a new one where the gap above a line is larger than the line pitch, where a line is
  indented, where the line before ended short with a sentence's end, or where the font size
  changes (headings: larger than the body). A paragraph goes on across columns and pages.
* Line-end hyphens: ``Verhand-`` + ``lungen`` → ``Verhandlungen`` (the next line goes on in lower
  case), but ``Süd-`` + ``Ost`` → ``Süd-Ost`` (upper case: a compound's own hyphen) and
  ``Ein-`` + ``und Ausgänge`` → ``Ein- und Ausgänge`` (a conjunction follows: a suspended
  compound). A soft hyphen (U+00AD) at a line end always goes.

A PDF with no text layer (scanned), an encrypted one, a damaged one, or one too large gets a
one-line ``InputError``. The English is written as plain text, Markdown (headings ``#``, footnotes
after a rule) or a new simple Word document (python-docx: headings, paragraphs, footnotes in small
print); the PDF's layout itself is not rebuilt.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..document import Document
from ..errors import InputError
from .base import (
    Source,
    check_matches,
    join_units,
    metadata_of,
    unit_english,
    unit_paragraphs,
    xml_safe,
)

MAX_PDF_BYTES = 64 * 2**20
MAX_PAGES = 3000
MIN_CHARS_PER_PAGE = 20  # fewer letters on average: no text layer (a scan)

_PAGE_NUMBER = re.compile(
    r"^\W*(?:(?:seite|page|s\.)\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*(?:/|von|of)\s*\d{1,4})?\W*$",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?:;\"“”»«)]\s*$")
_SUSPENDED = frozenset("und oder bis sowie bzw. bzw noch als wie and or to".split())
_NOTE_START = re.compile(r"^\s*(?:\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|[*†‡§])\s*\S")


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    page: int


@dataclass(slots=True)
class Block:
    """One unit: ``kind`` is ``heading`` (with ``level`` 1–3), ``paragraph`` or ``footnote``."""

    kind: str
    text: str
    level: int = 0
    page: int = 0


@dataclass(slots=True)
class PdfState:
    blocks: list[Block] = field(default_factory=list)
    pages: int = 0


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


# -- from lines to blocks -----------------------------------------------------------------------


def blocks_of(pages: list[list[Line]]) -> list[Block]:
    """Headings and paragraphs in reading order, then the footnotes: the units to translate."""
    running = _running_lines(pages)
    body_size = _body_size(pages)
    body: list[Block] = []
    notes: list[Block] = []
    previous: Line | None = None
    current: list[Line] = []

    def flush() -> None:
        if current:
            body.append(_block(current, body_size))
            current.clear()

    for page in pages:
        lines = [line for line in page if id(line) not in running]
        lines, foot = _split_footnotes(lines, body_size)
        notes.extend(_footnotes(foot))
        for group in _reading_order(lines):
            for line in group:
                if (
                    previous is not None
                    and current
                    and _starts_paragraph(previous, line, body_size)
                ):
                    flush()
                current.append(line)
                previous = line
    flush()
    return body + notes


def _running_lines(pages: list[list[Line]]) -> set[int]:
    """The ids of running headers, footers and page numbers."""
    dropped: set[int] = set()
    candidates: list[tuple[Line, str]] = []
    for page in pages:
        if not page:
            continue
        top = max(line.y1 for line in page)
        bottom = min(line.y0 for line in page)
        for line in page:
            at_edge = line.y1 >= top - 2 or line.y0 <= bottom + 2
            if _PAGE_NUMBER.match(line.text) and at_edge:
                dropped.add(id(line))
            elif at_edge:
                candidates.append((line, re.sub(r"\d+", "#", line.text.lower())))
    if len(pages) >= 2:
        seen = Counter(key for _, key in candidates)
        pages_needed = max(2, (len(pages) + 1) // 2)
        for line, key in candidates:
            if seen[key] >= pages_needed:
                dropped.add(id(line))
    return dropped


def _body_size(pages: list[list[Line]]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _split_footnotes(lines: list[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """The lines above the footnotes, and the footnote lines (small print at the foot, below all
    body text, starting with a marker)."""
    if not lines:
        return lines, []
    ordered = sorted(lines, key=lambda line: line.y0)  # bottom first
    foot: list[Line] = []
    for line in ordered:
        if line.size and line.size < body_size * 0.9:
            foot.append(line)
        else:
            break
    if not foot or len(foot) == len(lines) or not _NOTE_START.match(max(foot, key=_top).text):
        return lines, []
    kept = {id(line) for line in foot}
    return [line for line in lines if id(line) not in kept], foot


def _top(line: Line) -> float:
    return line.y1


def _footnotes(foot: list[Line]) -> list[Block]:
    notes: list[Block] = []
    for line in sorted(foot, key=lambda line: (-line.y1, line.x0)):
        if notes and not _NOTE_START.match(line.text):
            notes[-1].text = _join(notes[-1].text, line.text)
        else:
            notes.append(Block("footnote", line.text, page=line.page))
    return notes


def _reading_order(lines: list[Line]) -> list[list[Line]]:
    """Groups of lines in reading order: a page's columns left to right between the lines that
    span them (titles, centred bylines), each column top to bottom."""
    lines = sorted(lines, key=lambda line: (-line.y1, line.x0))
    gutters = _gutters(lines)
    if not gutters:
        return [lines] if lines else []
    groups: list[list[Line]] = []
    region: list[Line] = []

    def flush() -> None:
        columns: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]
        for line in region:
            middle = (line.x0 + line.x1) / 2
            columns[sum(middle > (a + b) / 2 for a, b in gutters)].append(line)
        groups.extend(column for column in columns if column)
        region.clear()

    for line in lines:
        if any(line.x0 <= a + 1 and line.x1 >= b - 1 for a, b in gutters):  # spans a gutter
            flush()
            groups.append([line])
        else:
            region.append(line)
    flush()
    return groups


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """The x-ranges between a page's columns: wide enough, in the page's middle, crossed by
    almost no line that is narrower than the text width, with enough lines on each side."""
    if len(lines) < 6:
        return []
    left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
    width = right - left
    narrow = [line for line in lines if line.x1 - line.x0 < 0.6 * width]
    if len(narrow) < 0.6 * len(lines):
        return []
    cover = [0] * (int(width) + 2)
    for line in narrow:
        for x in range(int(line.x0 - left), int(line.x1 - left) + 1):
            cover[x] += 1
    threshold = max(1, len(narrow) // 20)
    minimum = max(4.0, statistics.median(line.size for line in narrow) * 0.6)
    gutters: list[tuple[float, float]] = []
    x = int(0.2 * width)
    while x < 0.8 * width:
        if cover[x] <= threshold:
            start = x
            while x < len(cover) and cover[x] <= threshold:
                x += 1
            if x - start >= minimum:
                gutters.append((left + start, left + x))
        x += 1
    edges = [left] + [g for pair in gutters for g in pair] + [right]
    for i in range(len(gutters) + 1):  # every column holds lines of its own
        low, high = edges[2 * i], edges[2 * i + 1]
        if sum(low - 1 <= line.x0 and line.x1 <= high + 1 for line in narrow) < 3:
            return []
    return gutters


def _starts_paragraph(previous: Line, line: Line, body_size: float) -> bool:
    if abs(line.size - previous.size) > 0.5 or _heading_level(previous, body_size):
        return True
    if line.page == previous.page and line.y1 <= previous.y0 and abs(line.x0 - previous.x0) < 2:
        gap = previous.y0 - line.y1
        if gap > max(line.size, previous.size) * 0.6:
            return True
    same_column = (
        line.page == previous.page
        and line.y1 < previous.y1
        and (abs(line.x0 - previous.x0) < previous.size * 4)
    )
    if same_column and line.x0 - previous.x0 > line.size * 0.8:
        return True  # a first-line indent
    short = previous.x1 < line.x1 - previous.size * 3 if same_column else False
    return short and bool(_SENTENCE_END.search(previous.text))


def _heading_level(line: Line, body_size: float) -> int:
    if line.size >= body_size * 1.6:
        return 1
    if line.size >= body_size * 1.3:
        return 2
    if line.size >= body_size * 1.12:
        return 3
    return 0


def _block(lines: list[Line], body_size: float) -> Block:
    text = ""
    for line in lines:
        text = _join(text, line.text)
    level = _heading_level(lines[0], body_size)
    if level:
        return Block("heading", text, level, lines[0].page)
    return Block("paragraph", text, 0, lines[0].page)


def _join(text: str, line: str) -> str:
    """Two lines of one paragraph as one text: a line-end hyphen undone where it splits a word."""
    if not text:
        return line
    if text.endswith("\u00ad"):
        return text[:-1] + line
    if text.endswith("-") and len(text) > 1 and text[-2].isalnum():
        following = line.split(" ", 1)[0]
        if text[-2].isalpha() and following[:1].islower() and following.lower() not in _SUSPENDED:
            return text[:-1] + line  # Verhand- lungen
        if following.lower() in _SUSPENDED:
            return text + " " + line  # Ein- und Ausgänge
        return text + line  # Süd- Ost, 2023- 2024: the compound's own hyphen
    return text + " " + line


# -- writers ------------------------------------------------------------------------------------


def _english_blocks(document: Document, source: Source) -> list[tuple[Block, str]]:
    check_matches(document, source)
    state: PdfState = source.state
    units = source.units or []
    paragraphs = unit_paragraphs(document, units)
    return [
        (block, unit_english(document, unit, paragraph))
        for block, unit, paragraph in zip(state.blocks, units, paragraphs, strict=True)
    ]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|])")
_MD_LINE_START = re.compile(r"\A(\s*)([#>+=-]|\d+[.)])")


def _md_escape(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_LINE_START.sub(_md_marker, escaped)


def _md_marker(match: re.Match[str]) -> str:
    marker = match.group(2)
    return match.group(1) + marker[:-1] + "\\" + marker[-1]


def write_markdown(document: Document, source: Source) -> bytes:
    """The English as Markdown: headings, paragraphs, then the footnotes after a rule."""
    parts: list[str] = []
    notes: list[str] = []
    for block, english in _english_blocks(document, source):
        if block.kind == "heading":
            parts.append("#" * block.level + " " + _md_escape(english))
        elif block.kind == "footnote":
            notes.append(_md_escape(english))
        else:
            parts.append(_md_escape(english))
    if notes:
        parts.append("---")
        parts.extend(notes)
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def write_docx(document: Document, source: Source) -> bytes:
    """A new Word document in English: headings, paragraphs, footnotes in small print at the end."""
    import docx
    from docx.shared import Pt

    out = docx.Document()
    metadata = metadata_of(document, source)
    out.core_properties.title = xml_safe(metadata.get("title", ""))[:255]
    out.core_properties.language = "en-US"
    first_note = True
    for block, english in _english_blocks(document, source):
        english = xml_safe(" ".join(english.split()))
        if block.kind == "heading":
            out.add_heading(english, level=min(block.level, 3))
        elif block.kind == "footnote":
            if first_note:
                out.add_paragraph("_" * 20)
                first_note = False
            paragraph = out.add_paragraph()
            paragraph.add_run(english).font.size = Pt(8)
        else:
            out.add_paragraph(english)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
