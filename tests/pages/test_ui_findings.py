"""Findings of a new-user test, with AppTest: challenges that confirm and follow their runs,
model cards that open on the learner's card with one visibility choice, destructive buttons
that ask first and say what they did, a plain page for learners on teachers' addresses, and
conflict copies saved once."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from classroom import assignments, challenges, journals, model_cards, teams
from classroom.access import Actor
from classroom.challenge_watch import challenge_run_states
from classroom.model_cards import SECTION_KEYS
from curriculum.catalog import tracks
from db.models import utcnow
from engine import jobs
from engine.spec import RunSpec
from ui.challenges.watch import FOLLOWING
from ui.common.markdown_text import ZERO_WIDTH_JOINER, md_escape
from ui.hyperparameter_tuning.figures import importance_figure, method_comparison_figure

PENGUINS = RunSpec(dataset="penguins", model="dense", epochs=1)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def visible(markdown: str) -> str:
    """What a reader sees of escaped Markdown: no backslashes, no zero-width joiners."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(ZERO_WIDTH_JOINER, "")


def shown(at: AppTest) -> str:
    parts = [m.value for m in (*at.markdown, *at.caption, *at.subheader, *at.title)]
    parts += [x.value for x in (*at.info, *at.success, *at.warning, *at.error)]
    return visible("\n".join(parts))


def open_penguin_challenge(teacher, klass, title: str = "Penguin species"):
    return challenges.open_challenge(
        teacher,
        klass.id,
        title=title,
        lab_id="first-network",
        dataset="penguins",
        run_budget=3,
        budget_per="learner",
        deadline=utcnow() + timedelta(days=2),
    )


def finished(owner, lab_id: str = "data-types", accuracy: float = 0.9) -> int:
    run_id = jobs.submit(PENGUINS, owner_id=owner.id, lab_id=lab_id)
    jobs.finish(run_id, "done", result={"test_accuracy": accuracy})
    return run_id


def challenge_run(learner, challenge) -> int:
    return challenges.submit_challenge_run(learner, challenge.id, {"epochs": 1, "model": "dense"})


# --- Challenges ---------------------------------------------------------------------------


def test_does_opening_a_challenge_say_so_and_empty_the_form(open_page, teacher, klass) -> None:
    at = open_page(teacher, "pages/challenges.py")
    next(t for t in at.text_input if t.label == "Title").input("Digits cup")
    button(at, "Open the challenge").click().run()
    assert not at.exception
    assert len(challenges.list_challenges(teacher)) == 1
    assert any("Challenge Digits cup is open for Year 11" in s.value for s in at.success)
    assert next(t for t in at.text_input if t.label == "Title").value == ""
    button(at, "Open the challenge").click().run()  # pressed again: no duplicate
    assert len(challenges.list_challenges(teacher)) == 1
    assert "Give the challenge a title" in shown(at)


def test_does_a_refused_challenge_keep_what_the_teacher_typed(open_page, teacher, klass) -> None:
    at = open_page(teacher, "pages/challenges.py")
    next(t for t in at.text_input if t.label == "Title").input("x" * 5)
    next(n for n in at.number_input if n.label == "Runs allowed").set_value(7)
    next(d for d in at.date_input if d.label == "Deadline (day)").set_value(
        (utcnow() - timedelta(days=2)).date()
    )
    button(at, "Open the challenge").click().run()
    assert "Set the deadline in the future" in shown(at)
    assert next(t for t in at.text_input if t.label == "Title").value == "xxxxx"
    assert next(n for n in at.number_input if n.label == "Runs allowed").value == 7


def test_does_the_challenge_page_follow_its_runs_only_while_one_is_active(
    open_page, teacher, klass, learner
) -> None:
    challenge = open_penguin_challenge(teacher, klass)
    run_id = challenge_run(learner, challenge)
    at = open_page(learner, "pages/challenges.py")
    assert FOLLOWING in shown(at) and f"Run {run_id} · queued" in shown(at)
    jobs.finish(run_id, "done", result={"test_accuracy": 0.8})
    at.run()
    assert f"Run {run_id} · done" in shown(at)
    assert FOLLOWING not in shown(at)  # nothing active: the page stops asking


def test_does_the_poll_show_each_viewer_only_the_runs_of_their_page(
    teacher, klass, learner, make_learner
) -> None:
    challenge = open_penguin_challenge(teacher, klass)
    other = make_learner("ola")
    mine, theirs = challenge_run(learner, challenge), challenge_run(other, challenge)
    assert challenge_run_states(learner, challenge.id) == ((mine, "queued"),)
    assert challenge_run_states(teacher, challenge.id) == ((mine, "queued"), (theirs, "queued"))
    stranger = Actor(id=9999, username="else", display_name="Else", role="teacher")
    assert challenge_run_states(stranger, challenge.id) == ()
    assert challenge_run_states(None, challenge.id) == ()


def test_is_a_challenge_run_labelled_by_its_challenge_and_dataset(
    open_page, teacher, klass, learner
) -> None:
    challenge = open_penguin_challenge(teacher, klass)
    run_id = challenge_run(learner, challenge)
    lab = open_page(learner, "pages/first_network.py")  # "Watch it" from the challenge page
    lab.query_params["run"] = str(run_id)
    lab.run()
    label = md_escape("Challenge: Penguin species (penguins)")
    assert any(f"{label}: this run trains on the challenge's data" in i.value for i in lab.info)

    jobs.finish(run_id, "done", result={"test_accuracy": 0.8})
    labels = challenges.challenge_run_labels(teacher, [run_id])
    assert labels == {run_id: "Challenge: Penguin species (penguins)"}
    at = open_page(teacher, "pages/classes.py")  # then the learner's page, by its address
    at.query_params["id"] = str(learner.id)
    at.switch_page("pages/learner.py").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert list(table["lab"]) == ["Challenge: Penguin species (penguins)"]

    card_page = open_page(learner, "pages/model_card.py")
    assert "Challenge: Penguin species (penguins) · dataset: penguins" in shown(card_page)
    assert "Lab: first-network" not in shown(card_page)


# --- Model cards --------------------------------------------------------------------------


def test_does_the_model_card_page_open_on_the_learners_card(open_page, learner) -> None:
    with_card, newer = finished(learner), finished(learner)
    card = model_cards.start_card(learner, with_card)
    model_cards.save_section(learner, card.id, "purpose", "Guesses a penguin's species.")
    at = open_page(learner, "pages/model_card.py")
    assert at.selectbox(key="mc_run").value.id == with_card
    assert f"Your model card for run {with_card}" in shown(at)
    assert newer != with_card


@pytest.mark.parametrize(
    ("published", "shared", "expected"),
    [
        (False, False, "me"),
        (False, True, "team"),
        (True, False, "published"),
        (True, True, "published"),
    ],
)
def test_does_the_visibility_choice_keep_what_existing_cards_meant(
    open_page, learner, published, shared, expected
) -> None:
    run_id = finished(learner)
    card = model_cards.start_card(learner, run_id)
    for key in SECTION_KEYS:
        model_cards.save_section(learner, card.id, key, "Written.")
    model_cards.set_shared(learner, card.id, shared)
    model_cards.set_published(learner, card.id, published)
    at = open_page(learner, "pages/model_card.py")
    assert at.radio(key=f"mc_visibility_{card.id}").value == expected
    assert not [t for t in at.toggle if t.label in ("Published", "Share with my team")]


def test_does_one_choice_set_who_reads_the_card(open_page, learner, make_learner, teacher, klass):
    mate = make_learner("mona")
    red = teams.create_team(teacher, klass.id, "Red")
    teams.add_member(teacher, red.id, learner.id)
    teams.add_member(teacher, red.id, mate.id)
    run_id = finished(learner)
    card = model_cards.start_card(learner, run_id)
    model_cards.save_section(learner, card.id, "purpose", "Guesses a penguin's species.")
    at = open_page(learner, "pages/model_card.py")
    radio = f"mc_visibility_{card.id}"

    at.radio(key=radio).set_value("team").run()
    assert model_cards.get_card(mate, card.id).shared_with_team
    at.radio(key=radio).set_value("published").run()  # sections still empty: refused
    assert "Fill in every section" in shown(at)
    assert at.radio(key=radio).value == "team"
    assert not model_cards.get_card(learner, card.id).published
    at.radio(key=radio).set_value("me").run()
    with pytest.raises(model_cards.NotFound):
        model_cards.get_card(mate, card.id)


# --- Destructive buttons ------------------------------------------------------------------


def test_does_delete_team_ask_first_and_say_what_it_did(open_page, teacher, klass, learner):
    alpha = teams.create_team(teacher, klass.id, "Alpha")
    teams.add_member(teacher, alpha.id, learner.id)
    at = open_page(teacher, "pages/teams_admin.py")
    button(at, "Delete team").click().run()
    assert [t.id for t in teams.class_teams(teacher, klass.id)] == [alpha.id]  # not yet
    assert any("Delete the team Alpha?" in w.value for w in at.warning)
    button(at, "Cancel").click().run()
    assert [t.id for t in teams.class_teams(teacher, klass.id)] == [alpha.id]
    button(at, "Delete team").click().run()
    button(at, "Yes, delete Alpha").click().run()
    assert not at.exception
    assert teams.class_teams(teacher, klass.id) == []
    assert any("Deleted the team Alpha." in s.value for s in at.success)


@pytest.mark.parametrize(
    ("who", "page", "label", "confirm", "done"),
    [
        ("teacher", "pages/teams_admin.py", "Remove", "Yes, remove Lin", "Took Lin out of Alpha."),
        ("learner", "pages/team.py", "Leave this team", "Yes, leave the team", "You left Alpha."),
        ("teacher", "pages/challenges.py", "End the challenge now", "Yes, end it now", "Ended"),
        ("teacher", "pages/classes.py", "Withdraw", "Yes, withdraw it", "Withdrew "),
    ],
)
def test_does_every_destructive_button_ask_first(
    open_page, teacher, klass, learner, who, page, label, confirm, done
) -> None:
    alpha = teams.create_team(teacher, klass.id, "Alpha")
    teams.add_member(teacher, alpha.id, learner.id)
    teams.set_learners_may_form_teams(teacher, klass.id, True)
    challenge = open_penguin_challenge(teacher, klass)
    track = next(iter(tracks().values()))
    assignments.assign(teacher, klass.id, track.id, date.today() + timedelta(days=7))
    before = state(teacher, klass, alpha, challenge)
    at = open_page(teacher if who == "teacher" else learner, page)
    button(at, label).click().run()
    assert state(teacher, klass, alpha, challenge) == before  # only asked
    assert at.warning, "no question asked"
    button(at, confirm).click().run()
    assert not at.exception
    assert state(teacher, klass, alpha, challenge) != before
    assert any(done in s.value for s in at.success)


def state(teacher, klass, alpha, challenge) -> tuple:
    """What the destructive buttons change: members, open challenge, assignments."""
    return (
        [m.id for m in teams.get_team(teacher, alpha.id).members],
        challenges.get_challenge(teacher, challenge.id).is_open,
        len(assignments.assignments_for_class(teacher, klass.id)),
    )


# --- Navigation, home, journal, charts ----------------------------------------------------


def test_does_every_home_card_link_fit(open_page, learner) -> None:
    at = open_page(learner, "pages/home.py")
    labels = [link.proto.label for link in at.get("page_link")]
    assert labels and all(len(label) <= 20 for label in labels), labels


def conflict_app(learner, entry_id: int) -> AppTest:
    """The journal editor's saver alone, as a box would call it, twice after a conflict."""

    def script(learner, entry_id: int) -> None:
        import streamlit as st

        from ui.journal.editor import _saver

        save = _saver(learner, entry_id)
        for text in st.session_state.pop("texts", []):
            save(text)

    return AppTest.from_function(script, args=(learner, entry_id), default_timeout=30)


def test_is_a_conflict_copy_saved_once(learner) -> None:
    entry = journals.save_draft(learner, "First words.")
    at = conflict_app(learner, entry.id)
    at.session_state["journal_version_" + str(entry.id)] = entry.version
    at.run()
    journals.save_draft(learner, "Another tab's words.", entry_id=entry.id)  # the other tab
    # This tab sends twice after the conflict: a pause in typing, then the box leaving.
    at.session_state["texts"] = ["This tab's words.", "This tab's words, and more."]
    at.run()
    assert not at.exception
    bodies = sorted(e.body for e in journals.list_entries(learner))
    assert bodies == ["Another tab's words.", "This tab's words, and more."]


def test_are_tuning_chart_labels_upright_with_room_for_axis_titles() -> None:
    importance = importance_figure({"learning_rate": 0.19, "batch_size": 0.81})
    bar = importance.data[0]
    assert (bar.textposition, bar.textangle) == ("outside", 0)
    assert importance.layout.xaxis.automargin and importance.layout.yaxis.automargin
    assert importance.layout.margin.b >= 60
    comparison = method_comparison_figure([])
    assert comparison.layout.xaxis.tickangle == 0
