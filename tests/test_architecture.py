"""The layout holds: data flows one way, no import cycle, heavy libraries only where they belong.

Read from the source with ``ast``, so a new module or import that breaks the layering fails here
with its name, not later as a slow start or an import cycle that works by statement order.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "translator"

# Lower layers never import higher ones (equal layers may, without a cycle). See
# docs/architecture.md for what each layer is.
LAYERS: dict[str, int] = {
    "translator.version": 0,
    "translator.config": 0,
    "translator.errors": 0,
    "translator.files": 0,
    "translator.surrogates": 0,
    "translator.document": 1,
    "translator.words": 2,
    "translator.german": 2,
    "translator.segment": 2,
    "translator.chunk": 2,
    "translator.signature": 2,
    "translator.align": 2,
    "translator.degenerate": 2,
    "translator.backends": 3,
    "translator.describe": 4,
    "translator.cache": 4,
    "translator.assemble": 4,
    "translator.testing": 4,
    "translator.reader": 4,
    "translator.decode": 5,
    "translator.replace": 5,
    "translator.engine": 6,
    "translator.formats": 7,
    "translator.api": 8,
    "translator.page": 8,
    "translator.cli": 9,
    "translator.calibrate": 9,
    "translator.doctor": 9,
    "translator.batch": 9,
    "translator": 10,  # the package face: names everything, lazily
}
HEAVY = {"torch", "transformers", "ctranslate2"}
PAGE_ONLY = {"streamlit"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best = max(
        (name for name in LAYERS if module == name or module.startswith(name + ".")), key=len
    )
    return LAYERS[best]


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, whether only for type checking) of every import in the file."""
    tree = ast.parse(path.read_text("utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    checking: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            checking.update(id(n) for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, id(node) in checking) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [target]
            if target.startswith("translator"):  # `from . import config` imports a module
                modules = [f"{target}.{a.name}" for a in node.names]
                names = [m for m in modules if _is_module(m)] or names
            found += [(name, node.lineno, id(node) in checking) for name in names]
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


SOURCES = sorted(PACKAGE.rglob("*.py"))
EDGES = {module_name(p): [(m, line, typing) for m, line, typing in imports(p)] for p in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_no_module_imports_a_higher_layer(path):
    here = module_name(path)
    upward = [
        f"{here}:{line} imports {target}"
        for target, line, _ in EDGES[here]
        if target.startswith("translator") and layer_of(target) > layer_of(here)
    ]
    assert not upward


def test_there_is_no_import_cycle():
    graph = {
        here: {t for t, _, typing in edges if t in EDGES and t != here and not typing}
        for here, edges in EDGES.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for child in sorted(graph[node]):
            if state.get(child) == 1:
                cycle = [*stack[stack.index(child) :], child]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if child not in state:
                visit(child)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_only_the_backends_import_torch_transformers_or_ctranslate2():
    outside = [
        f"{here}:{line} imports {target}"
        for here, edges in EDGES.items()
        for target, line, _ in edges
        if target.split(".")[0] in HEAVY and not here.startswith("translator.backends")
    ]
    assert not outside


def test_only_the_page_component_imports_streamlit():
    outside = [
        f"{here}:{line} imports {target}"
        for here, edges in EDGES.items()
        for target, line, _ in edges
        if target.split(".")[0] in PAGE_ONLY and here != "translator.reader.component"
    ]
    assert not outside


@pytest.mark.parametrize(
    "module", ["translator", "translator.document", "translator.segment", "translator.formats"]
)
def test_light_modules_import_no_engine_and_no_numpy(module):
    """The data model, the segmenter and the file formats load without the engines."""
    heavy = sorted(HEAVY | {"numpy", "sentencepiece", "streamlit", "docx", "lxml"})
    script = (
        f"import sys; import {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert loaded == ""
