"""The ``translator`` command: a file or stdin in, the translation out in the format asked for.

Without ``-o``: standard input, a ``.txt`` file and ``--json`` write to standard output, as before;
any other file is written beside its input as ``NAME.en.EXT`` (``article.docx`` →
``article.en.docx``), or ``NAME.EXT`` of the ``--format`` asked for. The input is never overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import config
from .errors import TranslatorError
from .formats import OUTPUT_FORMATS
from .version import __version__

PROGRESS_MIN_SENTENCES = 5


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator",
        description="Translate German text into English, sentence by sentence.",
        epilog="The model is --model, else $TRANSLATOR_MODEL, else Helsinki-NLP/opus-mt-de-en; "
        "a local model directory works offline. `translator convert MODEL` prepares a model for "
        "the CTranslate2 engine ahead of time (see `translator convert --help`); "
        "`translator doctor` checks that translating works here; `translator batch` translates "
        "folders, lists of files and corpora (see `translator batch --help`).",
    )
    parser.add_argument(
        "input",
        nargs="?",
        help="a .txt, .md, .html, .docx, .srt, .pdf or .epub file, an https:// address of an "
        "article (or of a PDF or e-book), or - for standard input (text)",
    )
    parser.add_argument(
        "-o",
        "--output",
        help="where to write (format by extension: .txt .md .html .docx .srt .json "
        ".bilingual.html .tmx .xlf), or - for standard output; default: standard output for "
        "text, else NAME.en.EXT beside the input",
    )
    parser.add_argument(
        "--format",
        choices=[f.name for f in OUTPUT_FORMATS],
        help="the output format, whatever the output's name",
    )
    parser.add_argument("--model", help="hub id or local model directory")
    parser.add_argument(
        "--json", action="store_true", help="write the whole document as JSON, not just the text"
    )
    parser.add_argument("--beam", type=int, help="beam size (default: the model's own, 4)")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="greedy decoding (beam 1): several times faster, for long documents; "
        "recorded in the result's signature as beam:1",
    )
    parser.add_argument(
        "--backend",
        default="auto",
        help="auto (default: ctranslate2 on the CPU when installed, else torch), torch, "
        "ctranslate2, ctranslate2:PRECISION (int8, float32, float16, …), ctranslate2+vmap",
    )
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:1, …")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the sentence cache ($TRANSLATOR_CACHE_DIR, else "
        "~/.cache/translator), which otherwise lets a re-run translate only changed sentences",
    )
    parser.add_argument(
        "--clear-cache",
        action="store_true",
        help="empty the sentence cache first; without an input, just that",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument("--version", action="version", version=f"translator {__version__}")
    return parser


def build_convert_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator convert",
        description="Convert a model for the CTranslate2 engine ahead of time (it is otherwise "
        "converted on first use) into the cache ($TRANSLATOR_CT2_CACHE, else "
        "~/.cache/translator/ctranslate2), and print the converted model's directory.",
    )
    parser.add_argument("model", help="hub id or local model directory")
    parser.add_argument(
        "--precision",
        help="int8 (default on the CPU), float16 (default on CUDA), float32, int8_float16, …",
    )
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:1, …")
    parser.add_argument(
        "--vmap",
        metavar="CORPUS",
        help="also build the vocabulary shortlist (ctranslate2+vmap) by translating this German "
        "text file with the full vocabulary",
    )
    return parser


def build_doctor_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator doctor",
        description="Check that translating works here: find and load the model (converting it "
        "for CTranslate2 on first use), check the cache folders, translate a sample article, and "
        "print the engine, precision, signature, time and peak memory; each problem is one line "
        "with its fix. Exit status 0 when all is well.",
    )
    parser.add_argument("--model", help="hub id or local model directory (default: as translating)")
    parser.add_argument("--backend", default="auto", help="as for translating (default: auto)")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, …")
    return parser


def build_batch_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator batch",
        description="Translate folders, lists of files and corpora into one output folder. "
        "Resumable: a manifest in the output folder records what is done, so running the same "
        "command again skips finished work and redoes what changed; a file that fails is "
        "reported and skipped. Exit status 1 when anything failed.",
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files and folders (walked recursively; their trees are mirrored into --out); "
        "corpora: .jsonl, .csv, .tsv, .parquet",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="the output folder")
    parser.add_argument(
        "--include", action="append", default=[], metavar="GLOB",
        help="only files matching (a path under the folder, or a name: '*.md'); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB",
        help="leave out files matching ('drafts/*', '*.pdf'); repeatable",
    )  # fmt: skip
    parser.add_argument(
        "--format",
        choices=[f.name for f in OUTPUT_FORMATS],
        help="write every document in this format (default: each in its own; a PDF as .md)",
    )
    parser.add_argument(
        "--text-column", default="text", help="a corpus's German column (default: text)"
    )
    parser.add_argument(
        "--english-column", default="english", help="the column added (default: english)"
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="corpora: also a column ENGLISH_details of JSON: each sentence's spans, words, "
        "links and scores",
    )
    parser.add_argument(
        "--shard-rows", type=int, default=256, help="corpus rows per unit of work (default 256)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="translators at once (default: one per core on the CPU, one on a GPU; "
        "with --ray: one per GPU, else one per --threads cores)",
    )
    parser.add_argument("--threads", type=int, help="cores each translator computes on")
    parser.add_argument(
        "--ray",
        metavar="auto|ADDRESS",
        help="run on a Ray cluster (pip install translator[ray]): auto finds a running one "
        "(or starts one on this machine), else the head's address",
    )
    parser.add_argument("--model", help="hub id or local model directory")
    parser.add_argument("--backend", default="auto", help="as for translating a file")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, …")
    parser.add_argument("--beam", type=int, help="beam size (default: the model's own, 4)")
    parser.add_argument("--fast", action="store_true", help="greedy decoding (beam 1)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the sentence cache"
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["convert"]:
            return _convert(build_convert_parser().parse_args(argv[1:]))
        if argv[:1] == ["doctor"]:
            from . import doctor

            args = build_doctor_parser().parse_args(argv[1:])
            return doctor.run(args.model, backend=args.backend, device=args.device)
        if argv[:1] == ["batch"]:
            return _batch(build_batch_parser().parse_args(argv[1:]))
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.clear_cache:
            _clear_cache()
        if args.input is None:
            if args.clear_cache:
                return 0
            parser.error("the following arguments are required: input")
        return _run(args)
    except TranslatorError as error:
        print(f"translator: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("translator: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # whatever read standard output stopped (`translator - | head`)
        _silence_stdout()
        return 1
    except MemoryError:
        print("translator: out of memory: translate the file in parts", file=sys.stderr)
        return 1
    except Exception as error:  # a bug: still one line, the traceback only when asked for
        if config.switch(config.DEBUG, default=False):
            raise
        print(
            f"translator: unexpected error ({type(error).__name__}: {error}); "
            f"{config.DEBUG}=1 shows where it happened",
            file=sys.stderr,
        )
        return 2


def _convert(args: argparse.Namespace) -> int:
    from .backends import load_backend
    from .errors import InputError

    sentences: list[str] = []
    if args.vmap:  # read before the (slow) conversion: a wrong corpus fails at once
        from . import formats
        from .files import read_capped
        from .segment import segment

        data = read_capped(args.vmap, formats.MAX_INPUT_BYTES, "the corpus")
        read = formats.format_named("txt").read
        assert read is not None
        text = read(data, os.path.basename(args.vmap)).text
        sentences = [s.of(text) for _, spans in segment(text) for s in spans]
        if not sentences:
            raise InputError(f"the corpus {args.vmap} holds no sentences")
    backend = "ctranslate2" + (f":{args.precision}" if args.precision else "")
    engine = load_backend(args.model, device=args.device, backend=backend, temporary_ok=False)
    if args.vmap:
        from .backends.vmap import build_vmap

        show = sys.stderr.isatty()
        with _ProgressBar(enabled=show) as bar:
            build_vmap(engine, sentences, progress=bar.update)
    print(engine.model_dir)  # type: ignore[attr-defined]
    return 0


def _batch(args: argparse.Namespace) -> int:
    from .batch import translate_many
    from .errors import InputError

    if args.fast:
        if args.beam not in (None, 1):
            raise InputError("--fast decodes greedily (beam 1): leave out --beam, or drop --fast")
        args.beam = 1
    try:
        summary = translate_many(
            args.inputs,
            args.out,
            include=args.include,
            exclude=args.exclude,
            format=args.format,
            text_column=args.text_column,
            english_column=args.english_column,
            details=args.details,
            shard_rows=args.shard_rows,
            model=args.model,
            device=args.device,
            backend=args.backend,
            beam=args.beam,
            cache=not args.no_cache,
            workers=args.workers,
            threads=args.threads,
            ray=args.ray,
            progress=args.progress if args.progress is not None else sys.stderr.isatty(),
        )
    except KeyboardInterrupt:
        print(
            "translator batch: interrupted; what was finished is kept: run the same command "
            "again to continue",
            file=sys.stderr,
        )
        return 130
    for line in summary.lines():
        print(f"translator batch: {line}", file=sys.stderr)
    return 0 if summary.ok else 1


def _clear_cache() -> None:
    from .cache import SentenceCache

    cache = SentenceCache()
    removed = cache.clear()
    cache.close()
    print(f"translator: cleared {removed} cached sentences from {cache.path}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from . import formats
    from .api import check_output, translate_source, write_document
    from .errors import InputError

    if args.fast:
        if args.beam not in (None, 1):
            raise InputError("--fast decodes greedily (beam 1): leave out --beam, or drop --fast")
        args.beam = 1
    if args.json:
        if args.format not in (None, "json"):
            raise InputError("--json writes JSON: leave out --format, or give --format json")
        if args.output not in (None, "-") and not args.output.lower().endswith(".json"):
            raise InputError("--json writes JSON: give the output a .json name, or omit -o")
        args.format = "json"
    from_stdin = args.input == "-"
    from_url = formats.is_url(args.input)
    if from_url:
        source = formats.read_url(args.input)
    elif from_stdin:
        fmt = formats.format_named(args.format) if args.format else None
        name = f"stdin{fmt.extension}" if fmt and fmt.read else "stdin.txt"
        source = formats.read_bytes(name, formats.read_limited(sys.stdin.buffer, "standard input"))
        source.name = "standard input"
    else:
        source = formats.read_path(args.input)
    output = args.output
    # A PDF has no writer of its own kind: its text is written as Markdown unless asked otherwise.
    own_format = source.format if source.format in formats.writers else "md"
    if output is None and from_url:
        fmt_name = args.format or own_format
        binary = formats.format_named(fmt_name).binary
        output = formats.output_name(source.name, fmt_name) if binary else "-"
        args.format = fmt_name
    elif output is None:
        to_text = (
            from_stdin
            or args.format == "json"
            or (source.format == "txt" and args.format in (None, "txt"))
        )
        if to_text:
            output = "-"
        else:
            fmt_name = args.format or own_format
            output = str(Path(args.input).with_name(formats.output_name(args.input, fmt_name)))
    to_stdout = output == "-"
    if to_stdout:
        if sys.stdout is None:  # started with standard output closed (`translator … >&-`)
            raise InputError("standard output is closed: give an output file with -o")
        fmt_name = args.format or own_format
        formats.writer_for(None, fmt_name, source)
    else:
        fmt_name = check_output(
            output, source, args.format, input_path=None if from_stdin or from_url else args.input
        ).name
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    with _ProgressBar(enabled=show) as bar:
        document = translate_source(
            source,
            model=args.model,
            device=args.device,
            backend=args.backend,
            beam=args.beam,
            progress=bar.update,
            cache=not args.no_cache,
        )
    if to_stdout:
        _write_stdout(formats.write_bytes(document, source, fmt_name))
    else:
        write_document(document, output, source=source, format=fmt_name)
        if output != args.output:
            print(f"translator: wrote {output}", file=sys.stderr)
    return 0


def _write_stdout(data: bytes) -> None:
    """The output on standard output; a full disk (``> /dev/full``) or the like is one line."""
    from .errors import InputError

    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        _silence_stdout()
        raise InputError(f"can't write to standard output: {error.strerror or error}") from error


def _silence_stdout() -> None:
    """Point standard output at the null device, so that what is still buffered goes nowhere at
    exit instead of failing again with a traceback."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's buffer): nothing flushes it at exit
    os.dup2(os.open(os.devnull, os.O_WRONLY), fileno)


class _ProgressBar:
    """A tqdm bar on stderr, shown only for documents longer than a few sentences."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total <= PROGRESS_MIN_SENTENCES:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="sentence", file=sys.stderr, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)


if __name__ == "__main__":
    raise SystemExit(main())
