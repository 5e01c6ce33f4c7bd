"""Does a learner's working pipeline (source, stages, chosen version) survive a new session,
as after a reload or a new sign-in? Each AppTest made by open_page is a new session."""

from __future__ import annotations

import pytest

import ui.pipeline_builder.parts
from classroom import pipeline_drafts
from engine.pipeline.ingest import sources_dir
from labs.pipeline_builder import PIPELINE_NAME
from tests.pages.helpers import PIPELINE_PAGE as PAGE
from tests.pages.helpers import add_stage, run_pipeline, scores_csv, upload_source

IMPUTE = "1. Fill missing values in score with the median"
DEDUPLICATE = "2. Remove rows that repeat another row exactly"


def stage_lines(at) -> list[str]:
    """The stage list as the learner reads it: one numbered sentence per stage."""
    return [t.value for t in at.text if t.value[:1].isdigit()]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def build_and_store_two_versions(at) -> None:
    upload_source(at, "scores.csv", scores_csv(50))
    add_stage(at, "impute", ["score"], Strategy="median")
    add_stage(at, "deduplicate")
    run_pipeline(at)
    at.button(key="pl_store").click().run()
    add_stage(at, "scale", ["score"], Method="minmax")
    run_pipeline(at)
    at.button(key="pl_store").click().run()
    at.selectbox(key="pl_version").select(1).run()
    assert not at.exception


def test_a_new_session_finds_the_same_source_stages_and_version(open_page, learner) -> None:
    build_and_store_two_versions(open_page(learner, PAGE))

    again = open_page(learner, PAGE)
    assert not again.warning  # restored quietly: no "could not be saved", no widget warning
    assert again.radio(key="pl_source_kind").value == "My file"
    assert "From your file `scores.csv`: 60 rows, 3 columns, 6 missing" in captions(again)
    assert stage_lines(again) == [IMPUTE, DEDUPLICATE, "3. Scale score to the range 0 to 1"]
    assert again.selectbox(key="pl_version").value == 1
    assert "Version 1: 60 rows" in captions(again)  # the chosen version's quality report
    run_pipeline(again)  # the restored pipeline runs as it did
    assert not again.error
    assert [b.key for b in again.button if b.key == "pl_store"] == ["pl_store"]


def test_a_removed_stage_and_another_table_are_saved_too(open_page, learner) -> None:
    lab = open_page(learner, PAGE)
    lab.selectbox(key="pl_demo_table").select("students").run()
    add_stage(lab, "deduplicate")
    add_stage(lab, "target", ["country"])
    lab.button(key="pl_remove_0").click().run()
    assert not lab.exception

    again = open_page(learner, PAGE)
    assert again.radio(key="pl_source_kind").value == "Demo database"
    assert again.selectbox(key="pl_demo_table").value == "students"
    assert stage_lines(again) == ["1. Predict country (rows without a value are dropped)"]


def test_another_learner_starts_from_the_demo_table_with_no_stages(
    open_page, learner, make_learner
) -> None:
    build_and_store_two_versions(open_page(learner, PAGE))
    other = open_page(make_learner("classmate"), PAGE)
    assert other.radio(key="pl_source_kind").value == "Demo database"
    assert stage_lines(other) == []
    assert "scores.csv" not in captions(other)


def test_a_stored_file_that_is_gone_keeps_the_stages_and_asks_for_it_again(
    open_page, learner
) -> None:
    lab = open_page(learner, PAGE)
    upload_source(lab, "scores.csv", scores_csv(50))
    add_stage(lab, "impute", ["score"], Strategy="median")
    for stored in sources_dir().glob("*"):
        stored.unlink()

    again = open_page(learner, PAGE)
    assert not again.exception
    assert any("no longer stored: upload it again" in w.value for w in again.warning)
    assert again.radio(key="pl_source_kind").value == "My file"
    draft = pipeline_drafts.load_draft(learner, PIPELINE_NAME)
    assert draft is not None and [s["step"] for s in draft.stages] == ["impute"]  # not lost


def test_stages_copied_from_a_teammate_win_over_the_saved_draft(app_as, open_page, learner) -> None:
    lab = open_page(learner, PAGE)
    add_stage(lab, "deduplicate")
    copied = app_as(learner)  # a new session: the team page copies stages, then opens the lab
    copied.session_state["pl_stages"] = [{"step": "target", "column": "passed"}]
    copied.switch_page(PAGE).run()
    assert stage_lines(copied) == ["1. Predict passed (rows without a value are dropped)"]
    assert [s["step"] for s in pipeline_drafts.load_draft(learner, PIPELINE_NAME).stages] == [
        "target"
    ]


def test_adding_a_stage_runs_the_page_once(lab_spy) -> None:
    lab, runs = lab_spy
    add_stage(lab, "deduplicate")  # one run to pick the kind, one for "Add stage"
    assert runs == [0, 1]
    assert stage_lines(lab) == ["1. Remove rows that repeat another row exactly"]


@pytest.fixture
def lab_spy(open_page, learner, monkeypatch):
    """The lab page, and a list that grows by one on each run of the page's script."""
    runs: list[int] = []
    real = ui.pipeline_builder.parts.render_stage_editor

    def counted(columns):
        runs.append(len(runs))
        return real(columns)

    lab = open_page(learner, PAGE)
    monkeypatch.setattr(ui.pipeline_builder.parts, "render_stage_editor", counted)
    return lab, runs
