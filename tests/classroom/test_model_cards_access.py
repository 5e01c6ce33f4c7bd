"""Who may read, write, share and review model cards? Every service function times every
kind of actor: the owner, a teammate, a classmate outside the team, a member of another team,
the owner's teacher, another class's teacher and nobody signed in.

Only the documented cells pass; a refusal raises exactly what the same actor gets for an id
that does not exist, so it never tells anyone that a card, run or review exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from classroom import model_cards, reviews, team_runs
from classroom.access import Actor, NotAllowed, NotFound
from classroom.reviews import ReviewError
from engine import jobs
from engine.spec import RunSpec
from engine.trainer import SilentHooks, train
from tests.classroom.people import TeamCast

MISSING = 987_654
ACTORS = (
    "owner",
    "teammate",
    "other learner",
    "other team",
    "own teacher",
    "other teacher",
    "anonymous",
)
PENGUINS = RunSpec(dataset="penguins", model="dense", epochs=2, batch_size=32)
GOOD_SCORES = {"clarity": 3, "evidence": 2, "next_step": 4}
COMMENT = "Clear sections; try more epochs and say why Dream does worse."


@pytest.fixture(scope="session")
def penguins_result() -> dict[str, Any]:
    """One real training on penguins (a couple of seconds), shared by every test here."""
    return train(PENGUINS, SilentHooks()).as_dict()


def finished_run(owner: Actor, result: dict[str, Any]) -> int:
    """A run recorded as the worker records a finished one."""
    run_id = jobs.submit(PENGUINS, owner_id=owner.id, lab_id="data-types")
    jobs.finish(run_id, "done", result=result)
    return run_id


@dataclass(frozen=True)
class World:
    actors: dict[str, Actor | None]
    run_id: int  # the owner's run, shared with the team
    card_id: int  # the owner's card for it, shared with the team
    draft_id: int  # the owner's card for another run, not shared
    unshared_run_id: int
    review_id: int  # the teammate's review of the card


@pytest.fixture
def world(team_cast: TeamCast, penguins_result: dict[str, Any]) -> World:
    owner, mate = team_cast.owner, team_cast.mate
    run_id = finished_run(owner, penguins_result)
    team_runs.set_team_shared(owner, run_id, True)
    card = model_cards.start_card(owner, run_id)
    model_cards.save_section(owner, card.id, "purpose", "Sorts penguins into three species.")
    model_cards.set_shared(owner, card.id, True)
    unshared_run_id = finished_run(owner, penguins_result)
    draft = model_cards.start_card(owner, unshared_run_id)
    review = reviews.save_review(mate, "model_card", card.id, GOOD_SCORES, COMMENT)
    actors = {
        "owner": owner,
        "teammate": mate,
        "other learner": team_cast.classmate,
        "other team": team_cast.rival,
        "own teacher": team_cast.teacher,
        "other teacher": team_cast.other_teacher,
        "anonymous": None,
    }
    return World(actors, run_id, card.id, draft.id, unshared_run_id, review.id)


Op = Callable[[World, Actor | None, bool], Any]  # (world, actor, with a missing id)


def _id(world: World, missing: bool, name: str) -> int:
    return MISSING if missing else getattr(world, name)


OPS: dict[str, tuple[Op, set[str]]] = {
    "read a shared card": (
        lambda w, a, m: model_cards.get_card(a, _id(w, m, "card_id")),
        {"owner", "teammate", "own teacher"},
    ),
    "read a draft card": (
        lambda w, a, m: model_cards.get_card(a, _id(w, m, "draft_id")),
        {"owner"},
    ),
    "export a shared card": (
        lambda w, a, m: model_cards.export_markdown(a, _id(w, m, "card_id")),
        {"owner", "teammate", "own teacher"},
    ),
    "export a draft card": (
        lambda w, a, m: model_cards.export_markdown(a, _id(w, m, "draft_id")),
        {"owner"},
    ),
    "start a card on the run": (
        lambda w, a, m: model_cards.start_card(a, _id(w, m, "run_id")),
        {"owner"},
    ),
    "save a section": (
        lambda w, a, m: model_cards.save_section(a, _id(w, m, "card_id"), "limits", "Changed."),
        {"owner"},
    ),
    "take back to draft": (
        lambda w, a, m: model_cards.set_published(a, _id(w, m, "card_id"), False),
        {"owner"},
    ),
    "stop sharing": (
        lambda w, a, m: model_cards.set_shared(a, _id(w, m, "card_id"), False),
        {"owner"},
    ),
    "review the shared card": (
        lambda w, a, m: reviews.save_review(
            a, "model_card", _id(w, m, "card_id"), GOOD_SCORES, COMMENT
        ),
        {"teammate"},
    ),
    "review the shared run": (
        lambda w, a, m: reviews.save_review(a, "run", _id(w, m, "run_id"), GOOD_SCORES, COMMENT),
        {"teammate"},
    ),
    "review an unshared run": (
        lambda w, a, m: reviews.save_review(
            a, "run", _id(w, m, "unshared_run_id"), GOOD_SCORES, COMMENT
        ),
        set(),
    ),
    "review a draft card": (
        lambda w, a, m: reviews.save_review(
            a, "model_card", _id(w, m, "draft_id"), GOOD_SCORES, COMMENT
        ),
        set(),
    ),
    "open my review to edit it": (
        lambda w, a, m: reviews.my_review(a, "model_card", _id(w, m, "card_id")),
        {"teammate"},
    ),
    "look at the reviewed run": (
        lambda w, a, m: reviews.reviewable_run(a, "model_card", _id(w, m, "card_id")),
        {"teammate"},
    ),
    "read the card's reviews": (
        lambda w, a, m: reviews.reviews_of(a, "model_card", _id(w, m, "card_id")),
        {"owner", "own teacher"},
    ),
    "read the run's reviews": (
        lambda w, a, m: reviews.reviews_of(a, "run", _id(w, m, "run_id")),
        {"owner", "own teacher"},
    ),
}
CELLS = [(op, actor) for op in OPS for actor in ACTORS]


def outcome(call: Callable[[], Any]) -> tuple[type[BaseException] | None, str]:
    try:
        call()
    except (NotFound, NotAllowed) as exc:
        return type(exc), str(exc)
    return None, ""


@pytest.mark.parametrize(("op", "actor_name"), CELLS, ids=[f"{o} / {a}" for o, a in CELLS])
def test_is_only_the_documented_cell_allowed(world: World, op: str, actor_name: str) -> None:
    call, allowed = OPS[op]
    actor = world.actors[actor_name]
    error, message = outcome(lambda: call(world, actor, False))
    if actor_name in allowed:
        assert error is None, message
    else:
        assert error is not None, f"{actor_name} was let in"
        # The refusal is word for word what a missing id gives the same actor.
        assert (error, message) == outcome(lambda: call(world, actor, True))


def test_does_a_refused_write_change_nothing(world: World) -> None:
    for name in ACTORS:
        if name == "owner":
            continue
        actor = world.actors[name]
        outcome(lambda a=actor: model_cards.save_section(a, world.card_id, "purpose", "Hacked"))
        outcome(lambda a=actor: model_cards.set_shared(a, world.card_id, False))
        outcome(lambda a=actor: model_cards.set_published(a, world.draft_id, True))
    card = model_cards.get_card(world.actors["owner"], world.card_id)
    assert card.sections["purpose"] == "Sorts penguins into three species."
    assert card.shared_with_team
    assert not model_cards.get_card(world.actors["owner"], world.draft_id).published


def test_does_unsharing_hide_the_card_from_the_team_and_teacher_at_once(world: World) -> None:
    owner, mate, teacher = (world.actors[n] for n in ("owner", "teammate", "own teacher"))
    model_cards.set_shared(owner, world.card_id, False)
    for actor in (mate, teacher):
        with pytest.raises(NotFound):
            model_cards.get_card(actor, world.card_id)
    assert model_cards.team_cards(mate) == []
    assert model_cards.class_cards(teacher) == []
    assert [t.kind for t in reviews.review_targets(mate)] == ["run"]


def test_does_publishing_show_an_unshared_card_to_the_team_and_teacher(world: World) -> None:
    owner, mate, teacher = (world.actors[n] for n in ("owner", "teammate", "own teacher"))
    for key in model_cards.SECTION_KEYS:
        model_cards.save_section(owner, world.draft_id, key, f"Some words about {key}.")
    model_cards.set_published(owner, world.draft_id, True)
    assert model_cards.get_card(mate, world.draft_id).published
    assert world.draft_id in {c.id for c in model_cards.class_cards(teacher)}
    assert world.draft_id in {c.id for c in model_cards.team_cards(mate)}


@pytest.mark.parametrize("actor_name", ACTORS)
def test_which_cards_and_targets_each_actor_is_listed(world: World, actor_name: str) -> None:
    actor = world.actors[actor_name]
    if actor is None:
        for listing in (model_cards.my_cards, model_cards.team_cards, reviews.review_targets):
            with pytest.raises(NotFound):
                listing(actor)
        with pytest.raises(NotAllowed):
            model_cards.class_cards(actor)
        return
    mine = {c.id for c in model_cards.my_cards(actor)}
    team = {c.id for c in model_cards.team_cards(actor)}
    targets = {(t.kind, t.id) for t in reviews.review_targets(actor)}
    assert mine == ({world.card_id, world.draft_id} if actor_name == "owner" else set())
    assert team == ({world.card_id} if actor_name == "teammate" else set())
    expected = {("model_card", world.card_id), ("run", world.run_id)}
    assert targets == (expected if actor_name == "teammate" else set())
    if actor.is_teacher:
        shown = {c.id for c in model_cards.class_cards(actor)}
        assert shown == ({world.card_id} if actor_name == "own teacher" else set())
    else:
        with pytest.raises(NotAllowed):
            model_cards.class_cards(actor)


@pytest.mark.parametrize("actor_name", ACTORS[:-1])
def test_does_only_the_author_get_the_reviews_of_their_work(world: World, actor_name) -> None:
    got = reviews.reviews_of_my_work(world.actors[actor_name])
    if actor_name == "owner":
        [review] = got
        assert (review.reviewer_name, review.comment) == ("Mate", COMMENT)
        assert review.target.kind == "model_card" and review.target.id == world.card_id
    else:
        assert got == []


def test_is_there_one_review_per_reviewer_and_target_which_they_can_edit(world: World) -> None:
    mate, owner = world.actors["teammate"], world.actors["owner"]
    better = {"clarity": 4, "evidence": 4, "next_step": 4}
    edited = reviews.save_review(mate, "model_card", world.card_id, better, "Now much clearer.")
    assert edited.id == world.review_id
    [review] = reviews.reviews_of(owner, "model_card", world.card_id)
    assert (review.scores, review.comment) == (better, "Now much clearer.")
    assert reviews.my_review(mate, "model_card", world.card_id).comment == "Now much clearer."


@pytest.mark.parametrize(
    ("scores", "comment", "says"),
    [
        ({"clarity": 0, "evidence": 2, "next_step": 3}, COMMENT, "clarity a score from 1 to 4"),
        ({"clarity": 2, "evidence": 5, "next_step": 3}, COMMENT, "evidence a score from 1 to 4"),
        ({"clarity": 2, "evidence": 2}, COMMENT, "what to try next a score"),
        ({"clarity": True, "evidence": 2, "next_step": 3}, COMMENT, "clarity a score"),
        ({"clarity": 2.5, "evidence": 2, "next_step": 3}, COMMENT, "clarity a score"),
        (GOOD_SCORES, "   ", "at least 3 words"),
        (GOOD_SCORES, "Nice.", "at least 3 words"),
        (GOOD_SCORES, "word " * 500, "under 2,000 characters"),
    ],
)
def test_does_a_bad_review_get_a_clear_message_and_save_nothing(
    world: World, scores, comment, says
) -> None:
    mate, owner = world.actors["teammate"], world.actors["owner"]
    with pytest.raises(ReviewError, match=says):
        reviews.save_review(mate, "run", world.run_id, scores, comment)
    assert reviews.reviews_of(owner, "run", world.run_id) == []


def test_is_an_unknown_target_kind_refused_like_a_missing_one(world: World) -> None:
    mate = world.actors["teammate"]
    with pytest.raises(NotFound, match=r"Nothing to review here\."):
        reviews.save_review(mate, "journal", world.card_id, GOOD_SCORES, COMMENT)


def test_can_a_card_only_be_started_on_a_finished_run(world: World) -> None:
    owner = world.actors["owner"]
    queued = jobs.submit(PENGUINS, owner_id=owner.id, lab_id="data-types")
    with pytest.raises(model_cards.CardError, match="finished training"):
        model_cards.start_card(owner, queued)
    assert model_cards.card_for_run(owner, queued) is None
    assert model_cards.start_card(owner, world.run_id).id == world.card_id  # one card per run


def test_does_publishing_an_unfinished_card_name_the_empty_sections(world: World) -> None:
    owner = world.actors["owner"]
    with pytest.raises(model_cards.CardError, match='Still empty: "The data it learned from"'):
        model_cards.set_published(owner, world.card_id, True)
    assert not model_cards.get_card(owner, world.card_id).published


@pytest.mark.parametrize(
    ("section", "text", "says"),
    [
        ("owner_id", "2", "no section called"),
        ("purpose", "x" * (model_cards.MAX_SECTION_CHARS + 1), "keep it under"),
    ],
)
def test_is_a_bad_section_save_refused_with_a_reason(world: World, section, text, says) -> None:
    owner = world.actors["owner"]
    with pytest.raises(model_cards.CardError, match=says):
        model_cards.save_section(owner, world.card_id, section, text)
    assert model_cards.get_card(owner, world.card_id).owner_id == owner.id
