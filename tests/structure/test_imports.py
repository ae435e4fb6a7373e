"""The package's shape: every module imports on its own, and module-level imports form no cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "argmap"
STAGES = ["sources", "claims", "embed", "relations", "analytics", "export"]


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def module_level_imports(name: str) -> set[str]:
    """The argmap modules ``name`` imports when it is imported (not those imported inside functions)."""
    path = PACKAGE.parent / (name.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / name.replace(".", "/") / "__init__.py"
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("argmap"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("argmap"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    known = set(module_names())
    return {imported for imported in found if imported in known and imported != name}


def test_no_import_cycles():
    graph = nx.DiGraph()
    for name in module_names():
        graph.add_node(name)
        graph.add_edges_from((name, imported) for imported in module_level_imports(name))
    assert list(nx.simple_cycles(graph)) == []


def test_every_module_imports_on_its_own():
    def try_import(name: str) -> tuple[str, str]:
        result = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True,
                                env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
        return name, result.stderr.strip().splitlines()[-1] if result.returncode else ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = {name: error for name, error in pool.map(try_import, module_names()) if error}
    assert failures == {}


def test_the_folder_list_reads_like_the_pipeline():
    folders = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert set(STAGES) <= folders
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert {"pipeline", "model", "errors", "settings", "store", "jobs"} <= modules
    assert not modules & {"claims", "embed", "relations", "graph", "topics", "summary", "config", "nlp"}


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_has_its_tests(stage):
    assert (ROOT / "tests" / stage).is_dir()


def test_test_modules_do_not_import_each_other():
    """Shared helpers live in conftest.py files or helper modules, never in another test module."""
    offenders = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1].startswith("test_"):
                offenders.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert offenders == []
