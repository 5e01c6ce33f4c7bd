"""Does the house keep its shape: each layer imports only the layers below it, no two modules
import each other (even inside a function), and only pages/, ui/ and the app shell use
streamlit?"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

PACKAGES = ("pages", "ui", "labs", "classroom", "curriculum", "engine", "db", "server")
TOP_MODULES = ("app", "navigation", "settings")
# What each layer may import from the project (itself always). One way only:
# pages -> ui -> labs -> classroom -> curriculum -> engine -> db -> settings; server sits
# beside pages (HTTP routes, middleware, processes) and the shell ties them together.
ALLOWED = {
    "settings": set(),
    "db": {"settings"},
    "engine": {"db", "settings"},
    "curriculum": {"settings"},
    "classroom": {"curriculum", "engine", "db", "settings"},
    "labs": {"classroom", "curriculum", "engine", "settings"},
    "ui": {"labs", "classroom", "curriculum", "engine", "settings"},
    "pages": {"ui", "labs", "classroom", "curriculum", "engine", "settings"},
    "server": {"classroom", "engine", "db", "settings"},
    "navigation": {"ui", "classroom", "settings"},
    "app": {"server", "navigation", "settings"},
}
STREAMLIT_FREE = ["engine", "labs", "classroom", "curriculum", "db", "server"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def project_modules() -> dict[str, Path]:
    found = {name: PROJECT_ROOT / f"{name}.py" for name in TOP_MODULES}
    for package in PACKAGES:
        found |= {module_name(p): p for p in (PROJECT_ROOT / package).rglob("*.py")}
    return found


def imported_names(path: Path) -> set[str]:
    """Every dotted name the file imports, anywhere in it (``from a.b import c`` gives ``a.b``
    and ``a.b.c``; relative imports are resolved)."""
    names: set[str] = set()
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def project_imports(path: Path) -> set[str]:
    """The project modules a file imports (a name is taken at its longest module prefix)."""
    modules = project_modules()
    found = set()
    for name in imported_names(path):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    found.discard(module_name(path) if path.name != "__init__.py" else "")
    return found


def layer(module: str) -> str:
    return module.split(".")[0]


def test_does_the_checker_see_whole_dotted_names() -> None:
    # ui/runs/live_run.py: "from classroom import runs", "from engine.jobs import ...",
    # "from ui.runs.figures import ...", "import streamlit as st"
    source = PROJECT_ROOT / "ui" / "runs" / "live_run.py"
    assert {"classroom.runs", "engine.jobs", "ui.runs.figures"} <= project_imports(source)
    assert "streamlit" in imported_names(source)


@pytest.mark.parametrize("top", sorted(ALLOWED))
def test_does_each_layer_import_only_the_layers_below_it(top: str) -> None:
    offenders = [
        f"{name} -> {imported}"
        for name, path in sorted(project_modules().items())
        if layer(name) == top
        for imported in sorted(project_imports(path))
        if layer(imported) != top and layer(imported) not in ALLOWED[top]
    ]
    assert offenders == []


def test_do_no_two_modules_depend_on_each_other() -> None:
    graph = {name: project_imports(path) for name, path in project_modules().items()}
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_is_a_cycle_found_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", STREAMLIT_FREE)
def test_package_never_imports_streamlit(package: str) -> None:
    offenders = [
        str(p.relative_to(PROJECT_ROOT))
        for p in (PROJECT_ROOT / package).rglob("*.py")
        if any(name.split(".")[0] == "streamlit" for name in imported_names(p))
    ]
    assert offenders == []


def test_the_worker_and_run_process_load_without_streamlit() -> None:
    code = (
        "import sys, engine.worker, engine.runner, engine.__main__; "
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "page", sorted((PROJECT_ROOT / "pages").glob("*.py")), ids=lambda p: p.name
)
def test_pages_stay_thin_and_free_of_sql_and_torch(page: Path) -> None:
    assert len(page.read_text().splitlines()) <= 120
    heavy = {"sqlalchemy", "torch", "db", "engine.trainer"}
    names = imported_names(page)
    assert not {n for n in names for h in heavy if n == h or n.startswith(f"{h}.")}
