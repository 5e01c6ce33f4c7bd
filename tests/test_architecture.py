"""Does the dependency direction hold: only pages/, ui/ and the app shell use streamlit?"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from settings import PROJECT_ROOT

STREAMLIT_FREE = ["engine", "labs", "classroom", "db", "server"]


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", STREAMLIT_FREE)
def test_package_never_imports_streamlit(package) -> None:
    offenders = [
        str(p.relative_to(PROJECT_ROOT))
        for p in (PROJECT_ROOT / package).rglob("*.py")
        if "streamlit" in imported_modules(p)
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["engine", "db"])
def test_lower_layers_never_import_upper_ones(package) -> None:
    upper = {"pages", "ui", "labs", "classroom", "server", "navigation", "app"}
    offenders = [
        str(p) for p in (PROJECT_ROOT / package).rglob("*.py") if imported_modules(p) & upper
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
def test_pages_stay_thin_and_free_of_sql_and_torch(page) -> None:
    assert len(page.read_text().splitlines()) <= 120
    assert not imported_modules(page) & {"sqlalchemy", "torch", "db", "engine.trainer"}
