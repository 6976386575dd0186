"""Turn a UD treebank file (CoNLL-U) into a segbench corpus: one document, one paragraph.

    python benchmarks/data/segmentation/from_conllu.py de_pud-ud-test.conllu ud_de_pud.json \\
        --source github.com/UniversalDependencies/UD_German-PUD --commit HASH \\
        --license "CC BY-SA 3.0"

Only the ``# text = …`` line of each sentence is kept, in file order, whitespace runs collapsed to
one space; the scorer joins them with one space into the input text.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def sentences(conllu: str) -> list[str]:
    """The ``# text`` of every sentence, whitespace collapsed."""
    prefix = "# text = "
    return [
        " ".join(line[len(prefix) :].split())
        for line in conllu.splitlines()
        if line.startswith(prefix)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conllu", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--source", required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--license", required=True)
    args = parser.parse_args()
    found = [s for s in sentences(args.conllu.read_text("utf-8")) if s]
    corpus = {
        "name": args.output.stem,
        "meta": {
            "source": args.source,
            "commit": args.commit,
            "file": args.conllu.name,
            "license": args.license,
            "documents": 1,
            "paragraphs": 1,
            "sentences": len(found),
        },
        "documents": [{"id": "doc1", "paragraphs": [found]}],
    }
    text = json.dumps(corpus, ensure_ascii=False, indent=1)
    args.output.write_text(text + "\n", "utf-8")
    print(f"{len(found)} sentences -> {args.output}")


if __name__ == "__main__":
    main()
