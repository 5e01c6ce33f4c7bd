"""Write the demo database content/datasets/demo.sqlite: made-up learners and lab results.

``python -m engine.pipeline.make_demo_db [PATH]``. The same seed gives the same rows. Planted
for the Pipeline Builder: missing scores, minutes and countries; a few sessions left open for
hours (outliers); minutes typed as text ('45 min'); and results submitted twice (duplicates
with a new id, so only a subset of columns finds them).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import numpy as np

from settings import PROJECT_ROOT

SEED = 2024
FIRST_NAMES = (
    "Amara", "Bruno", "Chen", "Dilnoza", "Emeka", "Farah", "Goran", "Hana", "Ines",
    "Jomo", "Kaito", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quentin", "Rosa", "Sami",
    "Tariq", "Uma", "Vera", "Wen", "Ximena", "Yusuf", "Zofia",
)  # fmt: skip
SCHOOLS = ("Riverside High", "Hillcrest Academy", "Lakeview School", "Northgate College")
COUNTRIES = ("Kenya", "Brazil", "India", "Germany", "Japan", "Canada")
LABS = ("pipeline", "features", "training", "data-types", "tuning")
STUDENTS = 60

SCHEMA = """
CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT, school TEXT, country TEXT);
CREATE TABLE lab_results (
    id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES students(id), lab TEXT,
    score REAL, minutes INTEGER, submitted_at TEXT, passed TEXT
);
"""


def make_students(rng: np.random.Generator) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for sid in range(1, STUDENTS + 1):
        name = f"{FIRST_NAMES[(sid * 7) % len(FIRST_NAMES)]} {chr(65 + (sid * 11) % 26)}."
        school = SCHOOLS[int(rng.integers(len(SCHOOLS)))]
        country = None if sid % 15 == 0 else COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        rows.append((sid, name, school, country))
    return rows


def make_results(rng: np.random.Generator) -> list[list[object]]:
    """One row per student and lab; score grows with time spent, passed is score >= 50."""
    rows: list[list[object]] = []
    for sid in range(1, STUDENTS + 1):
        skill = rng.normal(0, 12)
        for day, lab in enumerate(LABS):
            minutes = int(np.clip(rng.normal(45, 15), 5, 120))
            score = round(float(np.clip(30 + 0.6 * minutes + skill + rng.normal(0, 8), 0, 100)), 1)
            stamp = f"2026-03-{2 + day * 5 + sid % 4:02d} {9 + sid % 8:02d}:{(sid * 13) % 60:02d}"
            passed = "yes" if score >= 50 else "no"  # decided before any score goes missing
            rows.append([None, sid, lab, score, minutes, stamp, passed])
    for i, row in enumerate(rows):
        row[0] = i + 1
    return rows


def plant_problems(rng: np.random.Generator, rows: list[list[object]]) -> list[list[object]]:
    """Missing values, outliers, numbers typed as text, and duplicated submissions."""
    picks = rng.permutation(len(rows))
    for i in picks[:15]:
        rows[i][3] = None  # score missing
    for i in picks[15:25]:
        rows[i][4] = None  # minutes missing
    for i, minutes in zip(picks[25:30], (600, 900, 1440, 720, 1200), strict=True):
        rows[i][4] = minutes  # a tab left open overnight
    for i, text in zip(picks[30:32], ("45 min", "about 30"), strict=True):
        rows[i][4] = text
    duplicates = [list(rows[i]) for i in sorted(picks[32:40])]
    for n, row in enumerate(duplicates):
        row[0] = len(rows) + n + 1  # submitted twice: a new id, everything else equal
    return rows + duplicates


def build_demo_database(path: Path, seed: int = SEED) -> Path:
    """Write the database to ``path`` (atomically: a temporary file, then renamed)."""
    rng = np.random.default_rng(seed)
    students = make_students(rng)
    results = plant_problems(rng, make_results(rng))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite", dir=path.parent)
    os.close(handle)
    try:
        with closing(sqlite3.connect(temp)) as db:
            db.executescript(SCHEMA)
            db.executemany("INSERT INTO students VALUES (?, ?, ?, ?)", students)
            db.executemany("INSERT INTO lab_results VALUES (?, ?, ?, ?, ?, ?, ?)", results)
            db.commit()
            db.execute("VACUUM")
        os.chmod(temp, 0o644)  # mkstemp makes it private; the demo is for everyone to read
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / "content/datasets/demo.sqlite"
    )
    print(build_demo_database(target))
