"""The folder tree shows the flow (README "Development"): bytes, derived data, interpretation,
readers, and an import never runs back up. Also the size limits of the house style."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "crawler", "pipelines")

# Lower layers never import higher ones; a layer may import its own modules and anything below.
LAYERS = {
    "archive.config": 0, "archive.layout": 0, "archive.urls": 0, "archive.when": 0,
    "archive.lock": 0, "archive.history": 0, "archive": 0,
    "archive.warc": 1, "archive.extract": 1,
    "archive.catalog": 2, "archive.sites": 2,
    "archive.store": 3,
    "archive.maintain": 4,
    "archive.search": 5, "archive.export": 5, "archive.web": 5, "archive.changes": 5,
    "archive.cli": 6,
    "crawler": 7,
    "pipelines": 8,
}
# Within layer 0, the foundation modules still form no loop: each imports only those listed here.
FOUNDATION = {
    "archive.config": set(), "archive.layout": set(), "archive.urls": set(), "archive.history": set(),
    "archive.when": {"archive.config"}, "archive.lock": {"archive.layout"}, "archive": set(),
}


def _unit(module: str) -> str:
    """The layer a dotted module belongs to: its subpackage, or the top-level module itself."""
    parts = module.split(".")
    for length in (2, 1):
        name = ".".join(parts[:length])
        if name in LAYERS:
            return name
    raise AssertionError(f"{module} has no layer: add it to LAYERS in {__file__}")


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found.append((dotted, path))
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_import_runs_down_the_layers() -> None:
    wrong = []
    for module, path in _modules():
        source = _unit(module)
        for name in _imports(path):
            if name.split(".")[0] not in PACKAGES:
                continue
            target = _unit(name)
            if LAYERS[target] > LAYERS[source]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name} (layer {LAYERS[target]} > "
                             f"{LAYERS[source]})")
            elif LAYERS[source] == 0 and target != source and target not in FOUNDATION[source]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name} (a loop in the foundation)")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lower", ["archive.warc", "archive.extract"])
def test_bytes_and_interpretation_stand_apart(lower: str) -> None:
    """The WARC layer and the extractor know nothing of each other: either can be reused alone."""
    other = {"archive.warc": "archive.extract", "archive.extract": "archive.warc"}[lower]
    for module, path in _modules():
        if _unit(module) == lower:
            assert not any(_unit(n) == other for n in _imports(path) if n.startswith("archive.")), path


def test_the_archive_library_never_imports_scrapy() -> None:
    for module, path in _modules():
        if module.startswith("archive"):
            roots = {name.split(".")[0] for name in _imports(path)}
            assert not roots & {"scrapy", "twisted", "crawler", "pipelines"}, path


def test_modules_and_functions_stay_small() -> None:
    """House style: modules under 300 lines, functions under 50."""
    long = []
    for _module, path in _modules():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > 300:
            long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 50:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    assert not long, "\n".join(long)
