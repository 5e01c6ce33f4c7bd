"""The "My progress" page with AppTest: charts, goals, next steps, recent work, my data."""

from __future__ import annotations

import json
from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

import ui.common.auth
from classroom import accounts, goals, journals, sessions
from classroom.progress import StepRef, complete_step
from curriculum.catalog import competencies, tracks
from tests.conftest import PASSWORD
from tests.pages.helpers import ROUTER

PAGE = "pages/progress.py"


def chart(at, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_does_the_radar_show_each_competencys_share_of_steps_done(open_page, learner) -> None:
    track = next(iter(tracks().values()))
    for step in track.steps[:2]:
        complete_step(learner, StepRef(track.id, step.id, track.competency))
    at = open_page(learner, PAGE)
    radar = chart(at, 0)["data"][0]
    assert radar["type"] == "scatterpolar"
    by_name = dict(zip(radar["theta"], radar["r"], strict=True))
    names = {c.id: c.name for c in competencies()}
    # every step that counts for the competency, its track's and other tracks' shared ones
    counted = [s for t in tracks().values() for s in t.steps if track.competency in s.competencies]
    assert by_name[names[track.competency]] == round(100 * 2 / len(counted))
    assert set(by_name) == set(names.values())
    assert sum(by_name.values()) == by_name[names[track.competency]]
    bars = {t["name"]: t for t in chart(at, 1)["data"]}
    row = bars["done"]["y"].index(track.title)
    assert bars["done"]["x"][row] == 2
    assert bars["to do"]["x"][row] == len(track.steps) - 2


def test_are_the_next_steps_and_recent_activity_shown(open_page, learner) -> None:
    track = next(iter(tracks().values()))
    complete_step(learner, StepRef(track.id, track.steps[0].id, track.competency))
    journals.save_draft(learner, "Noted what the first reading said.")
    at = open_page(learner, PAGE)
    assert track.steps[1].title in markdown(at)
    assert any("which you have started" in c.value for c in at.caption)
    activity = [t.value for t in at.text]
    assert any(f"Completed “{track.steps[0].title}”" in line for line in activity)
    assert any("Wrote in the journal: Noted what" in line for line in activity)


def test_does_adding_a_goal_store_it_and_show_it(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    at.text_input(key="goal_text").input("Explain dropout to my group")
    at.selectbox(key="goal_competency").select("collaboration")
    at.date_input(key="goal_due").set_value(date.today() + timedelta(days=20))
    at.button[[b.label for b in at.button].index("Add goal")].click().run()
    assert not at.exception
    [goal] = goals.list_goals(learner)
    assert (goal.text, goal.competency) == ("Explain dropout to my group", "collaboration")
    assert goal.due_on == date.today() + timedelta(days=20)
    assert "Explain dropout to my group" in [t.value for t in at.text]


def test_is_an_empty_goal_refused_with_a_message(open_page, learner) -> None:
    at = open_page(learner, PAGE)
    at.button[[b.label for b in at.button].index("Add goal")].click().run()
    assert [e.value for e in at.error] == ["Say what you want to achieve."]
    assert goals.list_goals(learner) == []


def test_is_an_overdue_goal_highlighted_and_ticking_it_off_records_it(open_page, learner) -> None:
    late = goals.add_goal(learner, "Finish the features lab", "critical-thinking", date(2020, 1, 1))
    at = open_page(learner, PAGE)
    assert ":red-badge[:material/alarm: Overdue]" in markdown(at)
    at.checkbox(key=f"goal_done_{late.id}").check().run()
    assert goals.list_goals(learner)[0].done
    assert ":green-badge[:material/check_circle: Met]" in markdown(at)


def test_does_deleting_a_goal_remove_it(open_page, learner) -> None:
    goal = goals.add_goal(learner, "Try a GPU run", "digital-literacy")
    at = open_page(learner, PAGE)
    at.button(key=f"goal_delete_{goal.id}").click().run()
    assert len(goals.list_goals(learner)) == 1  # it asks first
    at.button(key=f"goal_delete_{goal.id}_no").click().run()
    assert len(goals.list_goals(learner)) == 1  # Cancel keeps it
    at.button(key=f"goal_delete_{goal.id}").click().run()
    at.button(key=f"goal_delete_{goal.id}_yes").click().run()
    assert goals.list_goals(learner) == []
    assert "Try a GPU run" not in [t.value for t in at.text]
    assert any("Deleted the goal" in s.value for s in at.success)  # and says what it did


def delete_form(at, username: str, password: str):
    inputs = {t.label: t for t in at.text_input}
    inputs["Type your username, lin, to confirm"].input(username)
    inputs["Your password"].input(password)
    labels = [b.label for b in at.button]
    return at.button[labels.index("Delete my account and all my data")].click().run()


def test_is_a_wrong_confirmation_refused_and_the_account_kept(open_page, learner) -> None:
    journals.save_draft(learner, "Please keep me")
    at = open_page(learner, PAGE)
    delete_form(at, "lin-typo", PASSWORD)
    assert [e.value for e in at.error] == ["Type your username exactly as shown to confirm."]
    delete_form(at, "lin", "wrong password")
    assert [e.value for e in at.error] == ["That password is not right; nothing was deleted."]
    assert [e.body for e in journals.list_entries(learner)] == ["Please keep me"]


def test_does_deleting_the_account_sign_the_learner_out(open_page, teacher, learner) -> None:
    journals.save_draft(learner, "Take me with you")
    at = open_page(learner, PAGE)
    delete_form(at, "lin", PASSWORD)
    assert not at.exception
    assert any("Your account is deleted" in s.value for s in at.success)
    # The browser still holds the old cookie: it no longer signs anyone in.
    old_token = ui.common.auth.session_token()
    assert sessions.actor_for_token(old_token) is None
    again = AppTest.from_file(str(ROUTER), default_timeout=60)
    again.run()
    assert [t.value for t in again.title] == ["Deep Learning Labs"]
    assert accounts.has_any_user()  # the teacher's account (made first) is still there


def test_does_a_teacher_see_no_account_deletion(open_page, teacher) -> None:
    at = open_page(teacher, PAGE)
    assert "Delete my account and all my data" not in [b.label for b in at.button]
    assert at.get("download_button")
