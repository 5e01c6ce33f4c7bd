"""Pipelines shared with a team, with AppTest: the owner shares a stored version from the
pipeline builder, the teammate previews it on the team page and copies its stages into their
own builder; unsharing hides it at once."""

from __future__ import annotations

import re

import pytest

from classroom import team_pipelines, teams
from labs.pipeline_builder import PIPELINE_NAME
from tests.pages.helpers import add_stage, button, run_pipeline, shown

BUILDER = "pages/pipeline_builder.py"
TEAM = "pages/team.py"


@pytest.fixture
def pair(teacher, klass, make_learner):
    """Ada and Ben in team Alpha, formed by the teacher."""
    ada, ben = make_learner("ada"), make_learner("ben")
    alpha = teams.create_team(teacher, klass.id, "Alpha")
    teams.add_member(teacher, alpha.id, ada.id)
    teams.add_member(teacher, alpha.id, ben.id)
    return ada, ben, alpha


def store_cleaned_version(at) -> None:
    """Two cleaning stages on the demo table, run and stored as version 1."""
    add_stage(at, "impute", ["score"], Strategy="median")
    add_stage(at, "deduplicate")
    run_pipeline(at)
    at.button(key="pl_store").click().run()
    assert not at.exception


def stage_lines(at) -> list[str]:
    """The numbered stage lines: '1. impute ...' on the team page, '1. Fill missing ...'
    (a plain-text sentence) in the builder's editor."""
    lines = [m.value for m in at.markdown if re.match(r"\d+\. [a-z]", m.value)]
    return lines + [t.value for t in at.text if re.match(r"\d+\. ", t.value)]


def test_does_a_shared_version_reach_the_teammate_and_its_stages_their_builder(
    open_page, pair
) -> None:
    ada, ben, alpha = pair
    builder = open_page(ada, BUILDER)
    store_cleaned_version(builder)
    builder.toggle(key="pl_share_1").set_value(True).run()
    assert not builder.exception
    assert any("Objective met: share a pipeline" in t.value for t in builder.toast)
    [shared] = team_pipelines.team_shared_versions(ben, alpha.id)
    assert (shared.owner_name, shared.version, shared.stage_count) == ("Ada", 1, 2)

    team = open_page(ben, TEAM)
    assert "Pipelines shared by teammates" in [h.value for h in team.subheader]
    listed = next(d.value for d in team.dataframe if "shared by" in d.value.columns)
    assert listed.iloc[0][["shared by", "version", "stages"]].tolist() == ["Ada", 1, 2]
    preview = next(d.value for d in team.dataframe if "score" in d.value.columns)
    assert len(preview) == 20 and preview["score"].notna().all()
    [download] = team.get("download_button")
    assert download.proto.label == "Download this version (CSV)"
    assert any(line.startswith("1. impute missing values: score") for line in stage_lines(team))

    button(team, "Use these stages in my pipeline builder").click().run()
    assert not team.exception
    assert [t.value for t in team.title] == ["Pipeline builder"]
    listed_stages = stage_lines(team)
    assert listed_stages == [
        "1. Fill missing values in score with the median",
        "2. Remove rows that repeat another row exactly",
    ]
    assert len([b for b in team.button if b.label == "Remove"]) == 2
    # AppTest reruns the page it was told to open; the browser stays on the builder.
    team.switch_page(BUILDER).run()
    assert len(stage_lines(team)) == 2  # the copied stages are still in Ben's editor
    run_pipeline(team)  # Ben's own builder runs the copied stages on his own table
    team.button(key="pl_store").click().run()
    assert not team.exception
    [bens] = team_pipelines.my_versions(ben, PIPELINE_NAME)
    assert bens.content_hash == shared.content_hash and not bens.shared


def test_does_unsharing_hide_the_version_from_the_team_page_at_once(open_page, pair) -> None:
    ada, ben, _alpha = pair
    builder = open_page(ada, BUILDER)
    store_cleaned_version(builder)
    builder.toggle(key="pl_share_1").set_value(True).run()
    team = open_page(ben, TEAM)
    assert [b for b in team.button if b.label == "Use these stages in my pipeline builder"]

    builder.toggle(key="pl_share_1").set_value(False).run()
    assert not builder.exception
    team.run()
    assert not team.exception
    assert "Nobody in your team shares a pipeline yet" in shown(team)
    assert not [b for b in team.button if b.label == "Use these stages in my pipeline builder"]


def test_is_there_no_share_switch_for_a_learner_without_a_team(open_page, learner) -> None:
    builder = open_page(learner, BUILDER)
    store_cleaned_version(builder)
    assert not [t for t in builder.toggle if t.label == "Share with my team"]
    assert [d for d in builder.dataframe if "hash" in d.value.columns]  # the version is listed
