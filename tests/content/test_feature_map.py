"""Does the README's map of features name files that exist?"""

from __future__ import annotations

import re
from pathlib import Path

from settings import PROJECT_ROOT

# Columns of the map: a bare name in them lives in this folder; in the last column, in the
# folder of the path before it.
FOLDERS = ("pages", "ui", "labs", "classroom")


def mapped_paths() -> list[Path]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Where each feature lives", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    found = []
    for row in rows:
        cells = row.strip("|").split("|")[1:]
        for column, (folder, cell) in enumerate(zip(FOLDERS, cells, strict=True)):
            for name in re.findall(r"`([^`]+)`", cell):
                if "/" not in name:
                    found.append(PROJECT_ROOT / folder / name)
                    continue
                found.append(PROJECT_ROOT / name)
                if column == len(FOLDERS) - 1:
                    folder = (
                        name.rstrip("/") if not name.endswith(".py") else name.rsplit("/", 1)[0]
                    )
    return found


def test_does_every_file_and_folder_in_the_feature_map_exist() -> None:
    paths = mapped_paths()
    assert len(paths) > 40
    assert [str(p.relative_to(PROJECT_ROOT)) for p in paths if not p.exists()] == []


def test_does_every_page_appear_in_the_feature_map() -> None:
    mapped = {p.name for p in mapped_paths() if p.parent.name == "pages"}
    pages = {p.name for p in (PROJECT_ROOT / "pages").glob("*.py")} - {"teachers_only.py"}
    assert pages - mapped == set()
