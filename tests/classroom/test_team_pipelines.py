"""Who sees a pipeline version shared with a team? Every function times every actor.

The actors: the owner (a learner in team Alpha), a teammate (also Alpha), a classmate in no
team, a rival (team Beta of the same class), the class's teacher, another class's teacher,
and nobody signed in. A refusal looks exactly like what the same actor gets for a version
that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from classroom import my_data, pipelines, team_pipelines, teams
from classroom.access import Actor, NotAllowed, NotFound
from db.models import PipelineVersion
from db.session import read_session
from engine.pipeline.pipeline_spec import parse_pipeline
from engine.pipeline.stages import run_pipeline
from labs.pipeline_builder import PIPELINE_NAME
from tests.classroom.matrix import Outcome, matrix_cells
from tests.classroom.matrix import outcome as matrix_outcome
from tests.classroom.people import TEAM_ACTORS as ACTORS
from tests.classroom.people import TeamCast, World

MISSING = 987_654
STAGES = [
    {"step": "impute", "columns": {"score": "median"}},
    {"step": "deduplicate"},
    {"step": "scale", "columns": ["score"], "method": "minmax"},
]


@dataclass(frozen=True)
class Ids:
    team_id: int
    shared: int  # the id of the owner's version 1 (three stages), shared with Alpha
    private: int  # the id of the owner's version 2 (no stages), not shared
    private_version: int  # its version number, which the owner names to share it


def store(owner: Actor, stages: list[dict[str, Any]]) -> int:
    """Run the demo table through ``stages`` and store it as the owner's next version."""
    spec = parse_pipeline(
        {
            "name": PIPELINE_NAME,
            "sources": [{"kind": "sqlite", "database": "demo", "table": "lab_results"}],
            "stages": stages,
        }
    )
    frame, _ = run_pipeline(spec, pipelines.read_input(owner, spec))
    return pipelines.save_version(owner, spec, frame).version


def row_id(owner: Actor, version: int) -> int:
    with read_session() as session:
        return session.scalars(
            PipelineVersion.__table__.select()
            .with_only_columns(PipelineVersion.id)
            .where(PipelineVersion.owner_id == owner.id, PipelineVersion.version == version)
        ).one()


@pytest.fixture
def world(team_cast: TeamCast) -> World[Ids]:
    owner = team_cast.owner
    shared, private = store(owner, STAGES), store(owner, [])
    team_pipelines.set_version_shared(owner, PIPELINE_NAME, shared, True)
    ids = Ids(team_cast.alpha.id, row_id(owner, shared), row_id(owner, private), private)
    return World(team_cast.actors, ids)


OPERATIONS: dict[str, Callable[[Actor | None, Ids], Any]] = {
    "get_shared_version(shared)": lambda a, i: team_pipelines.get_shared_version(a, i.shared),
    "get_shared_version(private)": lambda a, i: team_pipelines.get_shared_version(a, i.private),
    "load_shared_table(shared)": lambda a, i: team_pipelines.load_shared_table(a, i.shared),
    "load_shared_table(private)": lambda a, i: team_pipelines.load_shared_table(a, i.private),
    "shared_stages(shared)": lambda a, i: team_pipelines.shared_stages(a, i.shared),
    "team_shared_versions": lambda a, i: team_pipelines.team_shared_versions(a, i.team_id),
    "set_version_shared": lambda a, i: team_pipelines.set_version_shared(
        a, PIPELINE_NAME, i.private_version, True
    ),
}


def _shared_flag(version_id: int) -> bool:
    with read_session() as session:
        return session.get_one(PipelineVersion, version_id).team_shared


RESULT_CHECKS: dict[str, Callable[[Any, World], bool]] = {
    "get_shared_version(shared)": lambda r, w: (
        r.id == w.ids.shared
        and r.shared
        and r.owner_name == "Owner"
        and (r.pipeline_name, r.version, r.stage_count) == (PIPELINE_NAME, 1, 3)
        and r.source_kinds == ("sqlite",)
    ),
    "get_shared_version(private)": lambda r, w: r.id == w.ids.private and not r.shared,
    "load_shared_table(shared)": lambda r, w: (
        r["score"].notna().all() and r["score"].min() == 0 and r["score"].max() == 1
    ),
    "load_shared_table(private)": lambda r, w: len(r) == 308,
    "shared_stages(shared)": lambda r, w: [s["step"] for s in r] == [s["step"] for s in STAGES],
    "team_shared_versions": lambda r, w: [v.id for v in r] == [w.ids.shared],
    "set_version_shared": lambda r, w: _shared_flag(w.ids.private),
}

OK, NF = "ok", NotFound
MATRIX: dict[str, tuple[Any, ...]] = {
    #                                  owner mate class rival ownT othT anon
    "get_shared_version(shared)": (OK, OK, NF, NF, OK, NF, NF),
    "get_shared_version(private)": (OK, NF, NF, NF, OK, NF, NF),
    "load_shared_table(shared)": (OK, OK, NF, NF, OK, NF, NF),
    "load_shared_table(private)": (OK, NF, NF, NF, OK, NF, NF),
    "shared_stages(shared)": (OK, OK, NF, NF, OK, NF, NF),
    "team_shared_versions": (OK, OK, NF, NF, OK, NF, NF),
    "set_version_shared": (OK, NF, NF, NF, NF, NF, NF),
}
CELLS = matrix_cells(MATRIX, ACTORS)


REFUSALS = (NotFound, NotAllowed, ValueError)


def outcome(call: Callable[[], Any]) -> Outcome:
    return matrix_outcome(call, REFUSALS)


def test_does_the_matrix_cover_every_operation() -> None:
    assert set(MATRIX) == set(OPERATIONS) == set(RESULT_CHECKS)
    assert all(len(row) == len(ACTORS) for row in MATRIX.values())


@pytest.mark.parametrize(("op", "actor_name", "expected"), CELLS)
def test_is_only_the_documented_cell_allowed(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    error, message, result = outcome(lambda: OPERATIONS[op](actor, world.ids))
    if expected == OK:
        assert error is None, f"{actor_name} was refused: {message}"
        assert RESULT_CHECKS[op](result, world)
    else:
        assert error is expected, f"{actor_name} got {error or result!r}"
        assert message


@pytest.mark.parametrize(("op", "actor_name", "expected"), [c for c in CELLS if c.values[2] == NF])
def test_does_a_refusal_look_the_same_as_a_missing_version(
    world: World, op: str, actor_name: str, expected: Any
) -> None:
    actor = world.actors[actor_name]
    missing = Ids(MISSING, MISSING, MISSING, MISSING)
    assert outcome(lambda: OPERATIONS[op](actor, world.ids)) == outcome(
        lambda: OPERATIONS[op](actor, missing)
    )


def test_does_unsharing_hide_the_version_from_the_team_at_once(world: World) -> None:
    owner, mate = world.actors["owner"], world.actors["teammate"]
    assert team_pipelines.get_shared_version(mate, world.ids.shared).shared
    team_pipelines.set_version_shared(owner, PIPELINE_NAME, 1, False)
    assert team_pipelines.team_shared_versions(mate, world.ids.team_id) == []
    for call in (
        team_pipelines.get_shared_version,
        team_pipelines.load_shared_table,
        team_pipelines.shared_stages,
    ):
        with pytest.raises(NotFound):
            call(mate, world.ids.shared)


def test_does_leaving_the_team_end_the_view_of_its_shared_versions(world: World) -> None:
    mate = world.actors["teammate"]
    teams.remove_member(world.actors["own teacher"], world.ids.team_id, mate.id)
    with pytest.raises(NotFound):
        team_pipelines.get_shared_version(mate, world.ids.shared)


def test_do_copied_stages_rebuild_the_same_table_for_the_teammate(world: World) -> None:
    """The teammate's own pipeline on the same data, with the copied stages, makes the same
    table as the owner's shared version: the same content hash, so the same version."""
    mate = world.actors["teammate"]
    stages = team_pipelines.shared_stages(mate, world.ids.shared)
    store(mate, stages)
    [mine] = team_pipelines.my_versions(mate)
    assert mine.owner_id == mate.id and not mine.shared
    assert (
        mine.content_hash == team_pipelines.get_shared_version(mate, world.ids.shared).content_hash
    )


def test_does_the_learners_export_say_which_versions_are_shared(world: World) -> None:
    data = my_data.export_my_data(world.actors["owner"])
    flags = {v["version"]: v["shared_with_team"] for v in data["pipeline_versions"]}
    assert flags == {1: True, 2: False}


def test_is_a_truly_missing_version_not_found_even_for_the_owner(world: World) -> None:
    owner = world.actors["owner"]
    with pytest.raises(NotFound):
        team_pipelines.set_version_shared(owner, PIPELINE_NAME, 99, True)
    with pytest.raises(NotFound):
        team_pipelines.get_shared_version(owner, MISSING)
