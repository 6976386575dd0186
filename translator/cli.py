"""The ``translator`` command: a file or stdin in, English text or a JSON document out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import TranslatorError

PROGRESS_MIN_SENTENCES = 5


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator",
        description="Translate German text into English, sentence by sentence.",
        epilog="The model is --model, else $TRANSLATOR_MODEL, else Helsinki-NLP/opus-mt-de-en; "
        "a local model directory works offline.",
    )
    parser.add_argument("input", help="a UTF-8 text file, or - for standard input")
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        help="where to write: a .txt or .json file, or - for standard output (default)",
    )
    parser.add_argument("--model", help="hub id or local model directory")
    parser.add_argument(
        "--json", action="store_true", help="write the whole document as JSON, not just the text"
    )
    parser.add_argument("--beam", type=int, help="beam size (default: the model's own, 4)")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:1, …")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    parser.add_argument("--version", action="version", version=f"translator {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except TranslatorError as error:
        print(f"translator: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("translator: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from .api import decode_text, read_text, render, translate_text, write_document
    from .errors import InputError

    to_stdout = args.output == "-"
    if not to_stdout:
        suffix = Path(args.output).suffix.lower()
        if args.json and suffix != ".json":
            raise InputError("--json writes JSON: give the output a .json name, or omit -o")
    if args.input == "-":
        text = decode_text(sys.stdin.buffer.read(), "standard input")
    else:
        text = read_text(args.input)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    with _ProgressBar(enabled=show) as bar:
        document = translate_text(
            text, model=args.model, device=args.device, beam=args.beam, progress=bar.update
        )
    if to_stdout:
        sys.stdout.buffer.write(render(document, ".json" if args.json else ".txt").encode())
        sys.stdout.buffer.flush()
    else:
        write_document(document, args.output)
    return 0


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
