"""Every fenced block in README.md runs as written, on the small test model.

Python blocks run in this process; shell blocks run line by line in bash, where ``translator`` is
``python -m translator.cli`` with this checkout first on ``PYTHONPATH``. Each block runs in a fresh
folder that holds the files the examples name (``artikel.txt``, ``bericht.docx``, …). The model is
the tests' random one wherever an example gets it from: ``$TRANSLATOR_MODEL`` for examples that
name none, the Hugging Face cache (offline) for ``Helsinki-NLP/opus-mt-de-en``, and the folder
``./opus-mt-de-en`` that ``hf download`` fills. The engine is the user's default (CTranslate2 on
the CPU), not the torch engine the other tests use; the sentence cache is on, in a folder of the
test's own.

The test has no internet: a web address in an example that runs is served by a local server on
127.0.0.1 (same path), which answers with a German article page. Commands that install packages,
download the model, start a server, are this test suite, or run a benchmark for minutes are not
run: ``CHECKS`` says how each is checked instead, and why. A line whose commands the test can't
place fails, so every new kind of example comes with its check.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse, urlsplit

import pytest
from markdown_it import MarkdownIt
from packaging.requirements import Requirement

from tests.conftest import ROOT

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

README = ROOT / "README.md"
HUB_ID = "Helsinki-NLP/opus-mt-de-en"
LOCAL_MODEL = "opus-mt-de-en"  # the folder the README's `hf download … --local-dir` fills
SHELLS = ("bash", "sh", "shell", "console")


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int  # README.md's line number of the block's first line of code

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.language})"


def readme_blocks() -> list[Block]:
    tokens = MarkdownIt().parse(README.read_text("utf-8"))
    return [
        Block(token.info.split()[0] if token.info.strip() else "", token.content, token.map[0] + 2)
        for token in tokens
        if token.type == "fence" and token.map is not None
    ]


BLOCKS = readme_blocks()


# --- the folder and environment the examples run in -------------------------------------------


@dataclass
class World:
    files: Path  # copied into each block's own folder
    bin: Path  # `translator` for the shell
    hub_cache: Path
    model_dir: Path
    web: str  # the local server that stands in for web addresses
    env: dict[str, str] = field(default_factory=dict)  # set for the examples
    unset: tuple[str, ...] = ()  # the tests' own settings that a user doesn't have


def write_inputs(folder: Path, seed_text: str) -> None:
    """The files the examples name, in German, made from the seed article."""
    from docx import Document as WordDocument

    paragraphs = [p for p in seed_text.split("\n\n") if p.strip()][:3]
    (folder / "artikel.txt").write_text("\n\n".join(paragraphs) + "\n", "utf-8")
    word = WordDocument()
    word.add_heading("Bericht", level=1)
    for paragraph in paragraphs[1:]:
        word.add_paragraph(paragraph)
    word.save(str(folder / "bericht.docx"))
    (folder / "notiz.md").write_text(
        f"# Notiz\n\n{paragraphs[0]}\n\n- Zwei Mal haben sie sich **bereits** getroffen.\n", "utf-8"
    )
    (folder / "film.srt").write_text(
        "1\n00:00:01,000 --> 00:00:03,500\nGuten Abend.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nWie geht es Ihnen heute?\n",
        "utf-8",
    )
    # PDFs and e-books from the format tests' own builders, where this checkout reads them
    if importlib.util.find_spec("tests.fixtures.pdfs"):
        from tests.fixtures import pdfs

        (folder / "bericht.pdf").write_bytes(pdfs.report().data)
    if importlib.util.find_spec("tests.fixtures.epubs"):
        from tests.fixtures import epubs

        (folder / "roman.epub").write_bytes(epubs.book())
    # folders, file lists and a corpus for `translator batch`
    for name in ("briefe", "archiv", "c"):
        (folder / name / "alt").mkdir(parents=True)
        (folder / name / "brief.txt").write_text(paragraphs[1] + "\n", "utf-8")
        (folder / name / "alt" / "notiz.md").write_text(f"# Notiz\n\n{paragraphs[2]}\n", "utf-8")
    (folder / "c" / "entwurf").mkdir()
    (folder / "c" / "entwurf" / "skizze.md").write_text(paragraphs[0] + "\n", "utf-8")
    shutil.copyfile(folder / "bericht.docx", folder / "a.docx")
    if (folder / "bericht.pdf").exists():
        shutil.copyfile(folder / "bericht.pdf", folder / "b.pdf")
    rows = [{"id": n, "satz": p, "quelle": "seed"} for n, p in enumerate(paragraphs)]
    (folder / "korpus.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8"
    )


def article_page(seed_text: str) -> bytes:
    """A news page with navigation around a German article, as a web address would answer."""
    paragraphs = [html.escape(p) for p in seed_text.split("\n\n") if p.strip()][:3]
    body = "".join(f"<p>{p}</p>" for p in paragraphs[1:])
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{paragraphs[0]}</title></head><body>"
        '<nav><a href="/">Startseite</a> <a href="/politik">Politik</a></nav>'
        f"<article><h1>{paragraphs[0]}</h1>{body}</article>"
        "<footer>Impressum</footer></body></html>"
    ).encode()


@pytest.fixture(scope="module")
def web(seed_text: str) -> Iterator[str]:
    """http://127.0.0.1:PORT, answering every path with the article page."""
    page = article_page(seed_text)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


WEB_ADDRESS = re.compile(r"https?://[^\s\"'<>)\]]+")


def offline(text: str, web: str) -> str:
    """Every web address in ``text`` pointed at the local server, path and query kept."""

    def local(match: re.Match[str]) -> str:
        parts = urlsplit(match.group())
        return web + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    return WEB_ADDRESS.sub(local, text)


def fill_hub_cache(cache: Path, model_dir: Path) -> None:
    """``Helsinki-NLP/opus-mt-de-en`` in a Hugging Face cache, as a finished download leaves it."""
    commit = hashlib.sha1(b"the tests' random opus-mt-de-en").hexdigest()
    repo = cache / ("models--" + HUB_ID.replace("/", "--"))
    shutil.copytree(model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, model_dir: Path, seed_text: str, web: str
) -> World:
    root = tmp_path_factory.mktemp("readme")
    files = root / "files"
    files.mkdir()
    write_inputs(files, seed_text)
    shutil.copytree(model_dir, files / LOCAL_MODEL)  # what `hf download` would have brought
    hub_cache = root / "hub"
    fill_hub_cache(hub_cache, model_dir)
    bin_dir = root / "bin"
    bin_dir.mkdir()
    command = bin_dir / "translator"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m translator.cli "$@"\n')
    command.chmod(0o755)
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {
        "PYTHONPATH": python_path,
        "TRANSLATOR_MODEL": str(model_dir),
        "HF_HUB_CACHE": str(hub_cache),
        "HF_HUB_OFFLINE": "1",  # nothing ever reaches for the network
        "TRANSLATOR_CACHE_DIR": str(root / "sentence-cache"),
        # Random models loop in nearly every sentence: retrying them would double every run.
        "TRANSLATOR_RETRY": "off",
    }
    made = World(
        files, bin_dir, hub_cache, model_dir, web, env, ("TRANSLATOR_BACKEND", "TRANSLATOR_CACHE")
    )
    convert_ahead(made)
    return made


def convert_ahead(world: World) -> None:
    """``translator convert`` for the three names the examples give the model, in this process.

    Each shell command is a new process; this keeps the first one of each name from importing
    torch to convert (the conversion itself is the code the examples would run).
    """
    from translator.backends import load_backend

    with pytest.MonkeyPatch.context() as patch:
        apply(world, patch)
        patch.chdir(world.files)
        for name in (str(world.model_dir), f"./{LOCAL_MODEL}", HUB_ID):
            load_backend(name, backend="ctranslate2", device="cpu")


def apply(world: World, patch: pytest.MonkeyPatch) -> None:
    """The examples' environment in this process."""
    import huggingface_hub.constants

    for name in world.unset:
        patch.delenv(name, raising=False)
    for name, value in world.env.items():
        patch.setenv(name, value)
    # huggingface_hub reads HF_HUB_CACHE when it is imported, which has happened by now
    patch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(world.hub_cache))


def shell_env(world: World) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in world.unset}
    env.update(world.env)
    env["PATH"] = f"{world.bin}{os.pathsep}{env.get('PATH', '')}"
    env["OMP_NUM_THREADS"] = "1"
    return env


# --- shell lines: what runs, and how the rest is checked ----------------------------------------


@dataclass
class Command:
    env: dict[str, str]  # NAME=value before the command
    argv: list[str]


def shell_lines(code: str) -> list[str]:
    """The block's command lines: continuations joined, blank and comment-only lines left out."""
    lines = re.sub(r"\\\n", " ", code).splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def commands(line: str) -> list[Command]:
    """The simple commands of a line (``a | b``, ``a && b``…), without redirections."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    found: list[Command] = []
    current = Command({}, [])
    redirect = False
    for word in lexer:
        if word in ("|", "||", "&&", ";", "&"):
            found.append(current)
            current = Command({}, [])
        elif word in (">", ">>", "<", ">&", "<&"):
            redirect = True
        elif redirect:
            redirect = False
        elif not current.argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):
            name, _, value = word.partition("=")
            current.env[name] = value
        else:
            current.argv.append(word)
    found.append(current)
    assert all(c.argv for c in found), f"can't read the line {line!r}"
    return found


RUN = ("translator", "cat")  # run for real


def check_pip(command: Command, world: World, workspace: Path) -> None:
    """``pip install`` installs packages from the internet: its arguments must name what is here."""
    assert command.argv[1:2] == ["install"], command.argv
    parser = argparse.ArgumentParser(prog="pip install", add_help=False)
    parser.add_argument("-e", "--editable", action="append", default=[])
    parser.add_argument("-r", "--requirement", action="append", default=[])
    parser.add_argument("-i", "--index-url")
    parser.add_argument("--extra-index-url", action="append", default=[])
    parser.add_argument("packages", nargs="*")
    options, unknown = parser.parse_known_args(command.argv[2:])
    assert not unknown, f"options this test doesn't know: {unknown}"
    for path in options.editable:
        assert (ROOT / path / "pyproject.toml").is_file(), f"-e {path}: no project there"
    for path in options.requirement:
        check_requirements_file(ROOT / path)
    runtime = {Requirement(r).name for r in project()["dependencies"]}
    for package in options.packages:
        # Installed first so that `pip install -e .` keeps it: it must be one of ours.
        assert Requirement(package).name in runtime, f"{package} is no dependency of the project"
    for url in (options.index_url, *options.extra_index_url):
        if url is not None:
            parts = urlparse(url)
            assert parts.scheme == "https" and parts.netloc, f"not an index address: {url}"


def check_requirements_file(path: Path) -> None:
    assert path.is_file(), f"{path.name} does not exist"
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-e "):
            target = (path.parent / line[3:].strip()).resolve()
            assert (target / "pyproject.toml").is_file(), f"{path.name}: {line}: no project there"
        elif line.startswith("-r "):
            check_requirements_file(path.parent / line[3:].strip())
        else:
            Requirement(line)  # raises on a line pip can't read either


def check_hf(command: Command, world: World, workspace: Path) -> None:
    """``hf download`` needs the internet: the command exists with these options, it fetches the
    project's model, and the folder it fills is the one the test puts the small model in."""
    assert command.argv[1:2] == ["download"], command.argv
    hf = shutil.which("hf", path=shell_env(world)["PATH"])
    assert hf, "the hf command (huggingface_hub) is not installed"
    shown = subprocess.run(
        [hf, "download", "--help"],
        capture_output=True,
        text=True,
        env={**shell_env(world), "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"},
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr
    options = [word.split("=")[0] for word in command.argv[2:] if word.startswith("--")]
    for option in options:
        assert option in shown.stdout, f"hf download has no {option}"
    from translator.config import DEFAULT_MODEL

    assert command.argv[2] == DEFAULT_MODEL
    local_dir = command.argv[command.argv.index("--local-dir") + 1]
    if not (workspace / local_dir).exists():
        shutil.copytree(world.model_dir, workspace / local_dir)


def check_streamlit(command: Command, world: World, workspace: Path) -> None:
    """``streamlit run`` starts a server that runs until stopped (the page's own tests start it):
    Streamlit is installed, the page exists, and the settings given with it hold."""
    assert command.argv[1:2] == ["run"], command.argv
    assert importlib.util.find_spec("streamlit"), "Streamlit is not installed"
    assert (ROOT / command.argv[2]).is_file(), f"{command.argv[2]} does not exist"
    from translator.backends.hub import resolve_model

    for name, value in command.env.items():
        assert name.startswith("TRANSLATOR_"), f"{name} is no setting of ours"
        if name == "TRANSLATOR_MODEL":
            with pytest.MonkeyPatch.context() as patch:
                patch.chdir(workspace)
                resolve_model(value)  # the model it names is there


def check_pytest(command: Command, world: World, workspace: Path) -> None:
    """``pytest`` is this test suite: running it here would run itself. It is installed and
    finds the tests where pyproject.toml says."""
    assert importlib.util.find_spec("pytest")
    for folder in project_file()["tool"]["pytest"]["ini_options"]["testpaths"]:
        assert (ROOT / folder).is_dir()


def check_python_script(command: Command, world: World, workspace: Path) -> None:
    """``python SCRIPT`` in the README is a benchmark, run by hand: it takes minutes. The script
    and the paths it is given are in the repository, and it starts (``--help``)."""
    script, *arguments = command.argv[1:]
    for path in (script, *(a for a in arguments if "/" in a and not a.startswith("-"))):
        resolved = (ROOT / path).resolve()
        assert resolved.is_relative_to(ROOT), f"{path} lies outside the repository"
        assert resolved.exists(), f"{path} does not exist"
    shown = subprocess.run(
        [sys.executable, script, "--help"],
        cwd=ROOT,  # where the README's commands are run from
        capture_output=True,
        env={**shell_env(world), **command.env},
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr.decode()


CHECKS: dict[str, Callable[[Command, World, Path], None]] = {
    "pip": check_pip,
    "hf": check_hf,
    "streamlit": check_streamlit,
    "pytest": check_pytest,
    "python": check_python_script,
}


def project_file() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def project() -> dict:
    return project_file()["project"]


def run_shell(block: Block, world: World, workspace: Path) -> None:
    env = shell_env(world)
    for line in shell_lines(block.code):
        names = [c.argv[0] for c in commands(line)]
        if all(name in RUN for name in names):
            done = subprocess.run(
                ["bash", "-o", "pipefail", "-c", offline(line, world.web)],
                cwd=workspace,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=900,  # a busy machine
            )
            assert done.returncode == 0, (
                f"{block}: `{line}` exited {done.returncode}:\n{done.stderr.decode()}"
            )
            continue
        unplaced = [name for name in names if name not in CHECKS]
        assert not unplaced, (
            f"{block}: `{line}`: this test neither runs nor checks {unplaced}; "
            "add them to RUN or CHECKS (and say why they don't run)"
        )
        for command in commands(line):
            CHECKS[command.argv[0]](command, world, workspace)


def run_python(block: Block, world: World, workspace: Path) -> None:
    code = "\n" * (block.line - 1) + offline(block.code, world.web)  # tracebacks: README lines
    with pytest.MonkeyPatch.context() as patch:
        apply(world, patch)
        patch.chdir(workspace)
        exec(compile(code, str(README), "exec"), {"__name__": "__main__"})


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{b.line}-{b.language}" for b in BLOCKS])
def test_readme_block_runs_as_written(block: Block, world: World, tmp_path: Path) -> None:
    workspace = tmp_path / "work"
    shutil.copytree(world.files, workspace)
    if block.language == "python":
        run_python(block, world, workspace)
    elif block.language in SHELLS:
        run_shell(block, world, workspace)
    else:
        pytest.fail(f"{block}: a block must say its language (python or bash) to be checked")


def test_the_readme_has_python_and_shell_examples() -> None:
    languages = {block.language for block in BLOCKS}
    assert "python" in languages and "bash" in languages


def test_development_requirements_take_torch_from_the_install_path() -> None:
    """A torch pinned in requirements-dev.txt would replace a CPU build installed first with
    PyPI's (on Linux the CUDA one) and leave gigabytes of GPU libraries unused: torch comes with
    ``-e .``, whose range keeps the torch that is there."""
    lines = (ROOT / "requirements-dev.txt").read_text("utf-8").splitlines()
    requirements = [line.split(" #")[0].strip() for line in lines]
    named = [
        Requirement(line).name.lower()
        for line in requirements
        if line and not line.startswith(("#", "-"))
    ]
    assert "torch" not in named
    assert "-e ." in requirements
