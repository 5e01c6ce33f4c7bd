"""Helpers that several AppTest page tests share: pressing through the pipeline builder and
the data types lab, finished optimisation runs, and reading what a page shows."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from classroom import runs
from engine import jobs
from labs.training_optimisation import DEFAULT_SPEC, LAB_ID
from settings import PROJECT_ROOT

ROUTER = PROJECT_ROOT / "navigation.py"
PIPELINE_PAGE = "pages/pipeline_builder.py"
OPTIMISATION_PAGE = "pages/training_optimisation.py"
DATA_TYPES_PAGE = "pages/data_types.py"


def live_panel_status(at: AppTest) -> str:
    """The live run panel's status line: the text over its progress bar."""
    return "\n".join(bar.proto.text for bar in at.get("progress"))


def button(at: AppTest, label: str):
    """The button with this label."""
    return next(b for b in at.button if b.label == label)


def shown(at: AppTest) -> str:
    """Every text, caption and message the page shows, one a line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in (*at.info, *at.success, *at.warning, *at.error)]
    return "\n".join(parts)


# --- the pipeline builder ------------------------------------------------------------------


def by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def add_stage(at, kind: str, columns=(), **choices) -> None:
    """Choose a stage kind, fill its form (columns, then selectboxes by label), add it."""
    at.selectbox(key="pl_new_kind").select(kind).run()
    assert not at.exception
    if kind == "target":
        by_label(at.selectbox, "Column to predict").select(columns[0])
    else:
        for column in columns:
            at.multiselect(key=f"pl_cols_{kind}").select(column)
    for label, value in choices.items():
        by_label(at.selectbox, label).select(value)
    by_label(at.button, "Add stage").click().run()
    assert not at.exception


def run_pipeline(at: AppTest) -> None:
    at.button(key="pl_run").click().run()
    assert not at.exception


def scores_csv(low: int, rows: int = 60) -> bytes:
    """A small table with gaps in 'score'; ``low`` moves every score (drift between files)."""
    lines = ["name,score,passed"]
    for i in range(rows):
        score = "" if i % 10 == 3 else str(low + (i * 7) % 20)
        lines.append(f"p{i},{score},{'yes' if i % 2 else 'no'}")
    return ("\n".join(lines) + "\n").encode()


def upload_source(at: AppTest, name: str, data: bytes) -> None:
    at.radio(key="pl_source_kind").set_value("My file").run()
    at.file_uploader(key="pl_upload").upload(name, data, "text/csv").run()
    assert not at.exception


# --- the training optimisation and data types labs -----------------------------------------


def finished_optimisation_run(learner, **settings) -> int:
    """A run of the optimisation lab, recorded as the worker records a finished one."""
    run_id = runs.submit_run(learner, DEFAULT_SPEC.model_copy(update=settings), LAB_ID)
    result = {
        "test_accuracy": 0.9,
        "best_val_accuracy": 0.91,
        "best_epoch": 8,
        "epochs": 10,
        "seconds": 2.0,
        "samples_per_second": 1500.0,
        "device": "cpu",
        "precision": "float32",
        "confusion_matrix": [[1, 0], [0, 1]],
        "class_names": ["0", "1"],
    }
    jobs.finish(run_id, "done", result=result)
    return run_id


def open_tab(open_page, actor, tab: str) -> AppTest:
    """The data types lab, opened on ``tab``."""
    at = open_page(actor, DATA_TYPES_PAGE)
    at.session_state["dt_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at
