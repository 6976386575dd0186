"""Real files through every writer, with stand-in engines: what is kept, translated, lost.

    python benchmarks/files.py FOLDER... [--orders keep reverse] [--json results.json]

Every file whose extension a reader takes goes through the real reader, segmenter and assembly
with ``translator.testing.StandInBackend`` (no model: each word comes back as ``⟦word⟧``, in the
German order or reversed, with exact links) and then through every writer that applies: its own
format, txt, json, bilingual-html, tmx, xliff. Per input format it prints:

* files, crashes (an exception other than ``InputError``) and refusals (``InputError``);
* structure kept %: outputs whose structure equals the input's, by the format's checker
  (``CHECKERS``: the XML element skeleton of every part for .docx/.pptx/.odt, the tag sequence for
  HTML and rendered Markdown, cue numbers and timings for .srt, blocks for .txt; for the other
  writers: the output parses and holds every sentence);
* letters translated once %: letters of the same-format output inside exactly one ``⟦…⟧``, of
  the letters people read in the input (``VISIBLE``); letters left German (outside any ``⟦⟧``),
  by where they are; letters translated twice;
* marks lost under reordering (order ``reverse``): stretches of formatting, links and fields of
  the input whose formatting reaches none of their own English in the output (``compare_marks``),
  and apart from them those still there but run together with a neighbour of the same
  formatting (joined); links left without text;
* time and peak RSS of the process that ran the format (one process per format).

The checkers are a small registry (``CHECKERS``, ``VISIBLE``, ``MARKS``) so a format's own, stricter
checker can replace the simple one here; the office files' marks are counted in ``file_marks``.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import re
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # PYTHONPATH first: a tree under test may come from elsewhere

from file_marks import CLOSE, OPEN, PARSER, compare_marks, office_marks  # noqa: E402
from lxml import etree  # noqa: E402

WRITERS = ("same", "txt", "json", "bilingual-html", "tmx", "xliff")


def bracket(word: str) -> str:
    return OPEN + word + CLOSE


# ---------------------------------------------------------------- structure checkers (registry)

_INLINE = {  # formatting carriers: runs and spans may be split, merged, cloned or emptied
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + t
    for t in ("r", "t", "rPr", "tab", "br", "cr", "lastRenderedPageBreak", "noBreakHyphen",
              "softHyphen")
} | {
    "{http://schemas.openxmlformats.org/drawingml/2006/main}" + t for t in ("r", "rPr", "t", "br")
} | {
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}" + t
    for t in ("span", "s", "tab", "line-break")
}  # fmt: skip
_CONTAINERS = {  # present or not in a paragraph: a mark may be split into several
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + t
    for t in ("hyperlink", "fldChar", "instrText", "fldSimple", "smartTag", "sdt", "sdtPr",
              "sdtContent", "sdtEndPr", "ins", "customXml", "moveTo", "proofErr")
} | {"{urn:oasis:names:tc:opendocument:xmlns:text:1.0}a"}  # fmt: skip
_PARAGRAPHS = {
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p",
    "{http://schemas.openxmlformats.org/drawingml/2006/main}p",
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p",
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}h",
}


def _skeleton(element, out: list) -> None:
    """Tags in document order; a paragraph's inline content as a multiset (containers: a set)."""
    if element.tag in _PARAGRAPHS:
        inline: collections.Counter = collections.Counter()
        nested = []
        stack = list(element)
        while stack:
            child = stack.pop()
            if not isinstance(child.tag, str):
                continue
            if child.tag in _PARAGRAPHS:
                nested.append(child)
                continue
            if child.tag in _INLINE:
                if not child.tag.endswith("}rPr"):
                    stack.extend(child)
                continue
            inline[child.tag] = 1 if child.tag in _CONTAINERS else inline[child.tag] + 1
            stack.extend(child)
        out.append((element.tag, tuple(sorted(inline.items()))))
        for paragraph in nested:  # text boxes, notes: after their anchor paragraph
            _skeleton(paragraph, out)
        return
    out.append(element.tag)
    for child in element:
        if isinstance(child.tag, str):
            _skeleton(child, out)


def office_skeleton(data: bytes) -> dict:
    """Every XML part's skeleton; other members by their bytes (which may not change)."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            raw = archive.read(info)
            root = None
            if info.filename.endswith((".xml", ".rels")) and raw.strip():
                root = etree.fromstring(raw, PARSER)
            if root is not None:
                tags: list = []
                _skeleton(root, tags)
                found[info.filename] = tags
            elif info.filename.lower().endswith((".htm", ".html", ".xhtml")):  # imported chunks
                found[info.filename] = html_tags(raw)
            else:  # not XML, or empty: its bytes
                found[info.filename] = raw
    return found


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list = []
        self.text: list[str] = []
        self.links: list[list[str]] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            self.links.append([])

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)
            for link in self.links:
                link.append(data)


def html_tags(data: bytes) -> list:
    parser = _Tags()
    parser.feed(data.decode("utf-8", "replace"))
    return parser.tags


def markdown_html(data: bytes) -> bytes:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(data.decode("utf-8", "replace")).encode()


def srt_frames(data: bytes) -> list:
    text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n")
    return re.findall(r"(?m)^\d+\n\d\d:\d\d:\d\d[,.]\d{3} --> .*$", text)


def txt_blocks(data: bytes) -> int:
    return len([b for b in re.split(r"\n\s*\n", data.decode("utf-8", "replace")) if b.strip()])


CHECKERS: dict[str, Callable[[bytes], object]] = {
    "docx": office_skeleton,
    "pptx": office_skeleton,
    "odt": office_skeleton,
    "html": html_tags,
    "md": lambda data: html_tags(markdown_html(data)),
    "srt": srt_frames,
    "txt": txt_blocks,
}


# ---------------------------------------------------------------- visible text (registry)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_HIDDEN_W = {_W + "instrText", _W + "delText"}


def _parse(raw: bytes):
    return etree.fromstring(raw, PARSER) if raw.strip() else None


def _docx_cause(member: str, element) -> str:
    name = member.lower()
    for kind in ("footnotes", "endnotes", "comments", "header", "footer", "chart", "diagram"):
        if kind in name:
            return {"footnotes": "notes", "endnotes": "notes", "footer": "header/footer",
                    "header": "header/footer", "diagram": "chart/diagram",
                    "chart": "chart/diagram"}.get(kind, kind)  # fmt: skip
    for ancestor in element.iterancestors():
        if ancestor.tag == _W + "txbxContent":
            return "text box"
    return "body"


def _field_depths(paragraph) -> dict:
    """Runs inside a complex field's shown result (between separate and end)."""
    inside = {}
    stack: list[str] = []
    for run in paragraph.iter(_W + "r"):
        char = run.find(_W + "fldChar")
        if char is not None:
            kind = char.get(_W + "fldCharType")
            if kind == "begin":
                stack.append("code")
            elif kind == "separate" and stack:
                stack[-1] = "result"
            elif kind == "end" and stack:
                stack.pop()
        inside[run] = "result" in stack
    return inside


def docx_visible(data: bytes) -> list[tuple[str, str]]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if not member.startswith("word/") or not member.endswith(".xml"):
                continue
            if "glossary" in member:
                continue
            root = _parse(archive.read(member))
            if root is None:
                continue
            fields = {}
            for paragraph in root.iter(_W + "p"):
                fields.update(_field_depths(paragraph))
            for t in root.iter(_W + "t", _A + "t"):
                run = t.getparent()
                cause = _docx_cause(member, t)
                if fields.get(run) or any(a.tag == _W + "fldSimple" for a in t.iterancestors()):
                    cause = "field result"
                out.append((cause, t.text or ""))
    return out


def pptx_visible(data: bytes) -> list[tuple[str, str]]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if not member.startswith("ppt/") or not member.endswith(".xml"):
                continue
            name = member.lower()
            cause = next(
                (c for k, c in (("notesslide", "notes"), ("slidelayout", "master/layout"),
                                ("slidemaster", "master/layout"), ("notesmaster", "master/layout"),
                                ("handoutmaster", "master/layout"), ("chart", "chart/diagram"),
                                ("diagram", "chart/diagram"), ("comment", "comments"),
                                ("slides/", "slides")) if k in name),
                None,
            )  # fmt: skip
            if cause is None:
                continue
            root = _parse(archive.read(member))
            if root is None:
                continue
            for t in root.iter(_A + "t"):
                parent = t.getparent()
                is_field = parent is not None and parent.tag == _A + "fld"
                out.append(("field" if is_field else cause, t.text or ""))
    return out


def odt_visible(data: bytes) -> list[tuple[str, str]]:
    out = []
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member, top in (
            ("content.xml", office + "body"),
            ("styles.xml", office + "master-styles"),
        ):
            if member not in archive.namelist():
                continue
            root = _parse(archive.read(member))
            if root is None:
                continue
            for block in root.iter(top):
                for paragraph in block.iter(_TEXT_NS + "p", _TEXT_NS + "h"):
                    cause = "header/footer" if member == "styles.xml" else "body"
                    for ancestor in paragraph.iterancestors():
                        tag = etree.QName(ancestor).localname
                        if tag in ("note", "annotation", "frame"):
                            cause = {"note": "notes", "annotation": "comments"}.get(tag, "frame")
                            break
                    fields: list[str] = []
                    out.extend((cause, t) for t in _odt_own_text(paragraph, fields))
                    out.extend(("field", t) for t in fields)
    return out


_ODT_FIELDS = {"page-number", "page-count", "date", "time", "title", "chapter", "sequence",
               "note-ref", "drop-down", "variable-get",
               "user-field-get", "author-name", "subject", "file-name", "note-citation",
               "number", "database-display", "database-name", "template-name", "sender-firstname",
               "sender-lastname", "initial-creator", "creator", "description", "keywords",
               "expression", "word-count", "character-count", "paragraph-count"}  # fmt: skip


def _odt_own_text(paragraph, fields: list[str]) -> list[str]:
    """Text of the paragraph itself, not of paragraphs nested in it (notes, frames); the text of
    fields the office program fills in goes to ``fields``."""
    out = [paragraph.text or ""]
    for child in paragraph:
        if not isinstance(child.tag, str):
            out.append(child.tail or "")
            continue
        qname = etree.QName(child)
        if child.tag in _PARAGRAPHS or qname.localname in ("note", "annotation", "frame", "ruby"):
            pass  # nested paragraphs are read on their own
        elif qname.namespace != _TEXT_NS[1:-1]:
            pass  # drawings: their descriptions (svg:desc) aren't shown
        elif qname.localname in _ODT_FIELDS or qname.localname.endswith("-date"):
            fields.append("".join(child.itertext()))
        else:
            out.extend(_odt_own_text(child, fields))
        out.append(child.tail or "")
    return out


def html_visible(data: bytes) -> list[tuple[str, str]]:
    parser = _Tags()
    parser.feed(data.decode("utf-8", "replace"))
    return [("text", t) for t in parser.text]


def srt_visible(data: bytes) -> list[tuple[str, str]]:
    text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n")
    lines = [ln for ln in text.split("\n") if ln and not re.match(r"^\d+$|^\d\d:\d\d", ln)]
    return [("cues", re.sub(r"<[^>]*>", "", ln)) for ln in lines]


VISIBLE: dict[str, Callable[[bytes], list[tuple[str, str]]]] = {
    "docx": docx_visible,
    "pptx": pptx_visible,
    "odt": odt_visible,
    "html": html_visible,
    "md": lambda data: html_visible(markdown_html(data)),
    "srt": srt_visible,
    "txt": lambda data: [("text", data.decode("utf-8", "replace"))],
}


def letters(pieces: list[tuple[str, str]]) -> dict:
    """Letters inside one ⟦⟧ (translated once), none (left, by cause), several (twice)."""
    once = twice = total = 0
    left: collections.Counter = collections.Counter()
    depth = 0  # a word's brackets may stand in different runs
    for cause, text in pieces:
        for char in text:
            if char == OPEN:
                depth += 1
            elif char == CLOSE:
                depth = max(0, depth - 1)
            elif char.isalpha():
                total += 1
                if depth == 0:
                    left[cause] += 1
                elif depth == 1:
                    once += 1
                else:
                    twice += 1
    return {"once": once, "twice": twice, "total": total, "left": dict(left)}


# ---------------------------------------------------------------- marks (registry)


def html_marks(data: bytes) -> tuple[list[collections.Counter], int]:
    parser = _Tags()
    parser.feed(data.decode("utf-8", "replace"))
    kinds = ("a", "b", "strong", "em", "i", "code", "sup", "sub")
    counted = collections.Counter(t for t in parser.tags if t in kinds)
    empty = sum(1 for link in parser.links if not any(c.isalnum() for c in "".join(link)))
    return [counted], empty


MARKS: dict[str, Callable[[bytes], tuple[list, int]]] = {
    "docx": lambda data: office_marks("docx", data),
    "pptx": lambda data: office_marks("pptx", data),
    "odt": lambda data: office_marks("odt", data),
    "html": html_marks,
    "md": lambda data: html_marks(markdown_html(data)),
}


# ---------------------------------------------------------------- running


def other_structure(name: str, output: bytes, document) -> bool:
    """For the writers that don't rebuild the input: it parses and holds every sentence."""
    sentences = sum(1 for s in document.sentences if not s.flags)
    if name == "txt":
        return output.decode("utf-8") == document.target
    if name == "json":
        from translator.document import Document

        return Document.from_json(output.decode("utf-8")) == document
    if name in ("tmx", "xliff"):
        root = etree.fromstring(output)
        tag = "tu" if name == "tmx" else "unit"
        units = [
            e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == tag
        ]
        return len(units) >= sentences if name == "tmx" else len(units) >= 1
    if name == "bilingual-html":
        return output.startswith(b"<!") and len(output) > len(document.target)
    return True


def run_format(fmt: str, files: list[str], orders: list[str]) -> dict:
    from translator import Translator
    from translator.errors import InputError
    from translator.formats import format_named, read_bytes, write_bytes
    from translator.testing import StandInBackend

    stats: dict = {
        "files": 0, "crashes": 0, "refused": 0, "outputs": 0, "kept": 0, "once": 0, "twice": 0,
        "total_in": 0, "left": collections.Counter(), "marks_in": 0, "marks_lost": 0,
        "marks_joined": 0, "stretches_out": 0,
        "empty_links_in": 0, "empty_links_out": 0, "problems": [],
    }  # fmt: skip
    started = time.perf_counter()
    translators = {
        order: Translator(
            backend=StandInBackend(order=order, transform=bracket), cache=False,
            retry_degenerate=False,
        )
        for order in orders
    }  # fmt: skip
    for path in files:
        stats["files"] += 1
        data = Path(path).read_bytes()
        try:
            source = read_bytes(Path(path).name, data)
            if not source.text.strip():
                continue
        except InputError as error:
            stats["refused"] += 1
            stats["problems"].append(f"refused {Path(path).name}: {error}")
            continue
        except Exception as error:  # a crash is what this counts
            stats["crashes"] += 1
            stats["problems"].append(f"CRASH reading {Path(path).name}: {error!r}")
            continue
        for order, translator in translators.items():
            try:
                document = translator.translate_text(source.text, paragraphs=source.units)
            except Exception as error:
                stats["crashes"] += 1
                stats["problems"].append(f"CRASH translating {Path(path).name}: {error!r}")
                continue
            for writer in WRITERS:
                name = source.format if writer == "same" else writer
                if writer == "same" and not format_named_safe(format_named, name):
                    continue
                try:
                    output = write_bytes(document, source, name)
                except Exception as error:
                    stats["crashes"] += 1
                    stats["problems"].append(f"CRASH {name} {Path(path).name}: {error!r}")
                    continue
                stats["outputs"] += 1
                try:
                    if writer == "same":
                        checker = CHECKERS.get(fmt)
                        kept = checker is None or checker(data) == checker(output)
                    else:
                        kept = other_structure(name, output, document)
                except Exception as error:
                    kept = False
                    stats["problems"].append(f"unreadable {name} of {Path(path).name}: {error!r}")
                stats["kept"] += bool(kept)
                if not kept and writer == "same":
                    stats["problems"].append(f"structure changed: {Path(path).name} ({order})")
                if writer == "same" and order == orders[0] and fmt in VISIBLE:
                    try:
                        before = letters(VISIBLE[fmt](data))
                        after = letters(VISIBLE[fmt](output))
                    except Exception as error:
                        stats["problems"].append(f"letters of {Path(path).name}: {error!r}")
                        continue
                    stats["total_in"] += before["total"]
                    stats["once"] += after["once"]
                    stats["twice"] += after["twice"]
                    stats["left"].update(after["left"])
                if writer == "same" and order == orders[-1] and fmt in MARKS:
                    try:
                        marks_in, empty_in = MARKS[fmt](data)
                        marks_out, empty_out = MARKS[fmt](output)
                    except Exception as error:
                        stats["problems"].append(f"marks of {Path(path).name}: {error!r}")
                        continue
                    count, lost, joined, out = compare_marks(marks_in, marks_out)
                    stats["marks_in"] += count
                    stats["marks_lost"] += lost
                    stats["marks_joined"] += joined
                    stats["stretches_out"] += out
                    if lost:
                        stats["problems"].append(f"marks lost: {Path(path).name} ({lost})")
                    stats["empty_links_in"] += empty_in
                    stats["empty_links_out"] += empty_out
    stats["seconds"] = time.perf_counter() - started
    stats["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats["left"] = dict(stats["left"])
    return stats


def format_named_safe(format_named, name: str) -> bool:
    try:
        return format_named(name).same_format
    except Exception:
        return False


def gather(folders: list[str]) -> dict[str, list[str]]:
    from translator.errors import InputError
    from translator.formats import reader_for

    found: dict[str, list[str]] = collections.defaultdict(list)
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                try:
                    found[reader_for(path.name).name].append(str(path))
                except InputError:
                    continue
    return found


def table(results: dict[str, dict]) -> str:
    lines = [
        "| format | files | crashes | refused | structure kept | letters translated once "
        "| left German (where) | twice | marks lost (reverse) | joined | links without text "
        "| s | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for fmt, s in sorted(results.items()):
        kept = f"{100 * s['kept'] / s['outputs']:.1f} %" if s["outputs"] else "–"
        once = f"{100 * s['once'] / s['total_in']:.2f} %" if s["total_in"] else "–"
        left = sum(s["left"].values())
        where = ", ".join(f"{k} {v}" for k, v in sorted(s["left"].items(), key=lambda x: -x[1]))
        marks = "–"
        if s["marks_in"]:
            share = 100 * s["marks_lost"] / s["marks_in"]
            marks = f"{s['marks_lost']} of {s['marks_in']} ({share:.1f} %)"
        joined = str(s["marks_joined"]) if s["marks_in"] else "–"
        links = f"{s['empty_links_in']} → {s['empty_links_out']}"
        lines.append(
            f"| {fmt} | {s['files']} | {s['crashes']} | {s['refused']} | {kept} | {once} "
            f"| {left}{' (' + where + ')' if where else ''} | {s['twice']} | {marks} | {joined} "
            f"| {links} "
            f"| {s['seconds']:.1f} | {s['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--orders", nargs="+", default=["keep", "reverse"])
    parser.add_argument("--json", help="write every figure and problem here")
    parser.add_argument("--problems", type=int, default=10, help="problems to show per format")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # one format, in a process of its own: its own peak RSS
        files = [line for line in sys.stdin.read().splitlines() if line]
        print(json.dumps(run_format(args.worker, files, args.orders)))
        return
    results = {}
    for fmt, files in sorted(gather(args.folders).items()):
        child = subprocess.run(
            [sys.executable, __file__, "-", "--worker", fmt, "--orders", *args.orders],
            input="\n".join(files),
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            print(f"{fmt}: worker failed\n{child.stderr[-2000:]}", file=sys.stderr)
            continue
        results[fmt] = json.loads(child.stdout.splitlines()[-1])
        for problem in results[fmt]["problems"][: args.problems]:
            print(f"  {fmt}: {problem}", file=sys.stderr)
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
