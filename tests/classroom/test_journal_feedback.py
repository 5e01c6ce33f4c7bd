"""Free entries, teacher feedback on shared ones, and the Markdown export with feedback."""

from __future__ import annotations

import pytest

from classroom import journals
from classroom.access import NotFound
from classroom.journals import MAX_COMMENT, FeedbackError, StaleEntry


def test_is_a_new_free_entry_empty_private_and_about_its_step(learner) -> None:
    entry = journals.new_entry(learner, track_id="digital-literacy", step_id="dl-train-first")
    assert (entry.body, entry.shared, entry.run_id) == ("", False, None)
    assert (entry.track_id, entry.step_id) == ("digital-literacy", "dl-train-first")
    stored = journals.get_entry(learner, entry.id)
    assert (stored.id, stored.body, stored.author) == (entry.id, "", "Lin")


def test_is_an_unused_empty_entry_reused_rather_than_piling_up(learner) -> None:
    first = journals.new_entry(learner)
    assert journals.new_entry(learner).id == first.id
    about_step = journals.new_entry(learner, "digital-literacy", "dl-train-first")
    assert about_step.id != first.id
    journals.save_draft(learner, "now written", entry_id=first.id, expected_version=1)
    assert journals.new_entry(learner).id not in (first.id, about_step.id)


def test_do_two_tabs_writing_one_free_entry_keep_both_texts(learner) -> None:
    """Tab A and tab B opened the same entry at version 1; B's late save must not win."""
    entry = journals.new_entry(learner, "collaboration", "col-working-as-a-team")
    a = journals.save_draft(learner, "tab A text", entry_id=entry.id, expected_version=1)
    with pytest.raises(StaleEntry) as caught:
        journals.save_draft(learner, "tab B text", entry_id=entry.id, expected_version=1)
    copy = caught.value.copy
    assert journals.get_entry(learner, entry.id).body == "tab A text"
    assert (copy.body, copy.step_id) == ("tab B text", "col-working-as-a-team")
    # Tab B goes on writing in the copy, from the copy's version, without another conflict.
    later = journals.save_draft(learner, "tab B more", entry_id=copy.id, expected_version=1)
    assert later.version == 2
    assert sorted(e.body for e in journals.list_entries(learner)) == ["tab A text", "tab B more"]
    assert a.version == 2


def test_does_feedback_reach_the_learner_and_update_in_place(teacher, klass, learner) -> None:
    entry = journals.save_draft(learner, "My CNN overfitted after ten epochs.")
    journals.set_shared(learner, entry.id, True)
    first = journals.give_feedback(teacher, entry.id, "  Good catch. What would you try?  ", 4)
    assert (first.comment, first.rating, first.teacher_name) == (
        "Good catch. What would you try?",
        4,
        "Tess Teacher",
    )
    again = journals.give_feedback(teacher, entry.id, "Try early stopping.", 5)
    assert again.id == first.id
    mine = journals.my_feedback(learner)
    assert [(f.comment, f.rating) for f in mine[entry.id]] == [("Try early stopping.", 5)]


@pytest.mark.parametrize(
    ("comment", "rating", "message"),
    [
        ("", 3, "Write a comment"),
        ("   ", 3, "Write a comment"),
        (None, 3, "Write a comment"),
        ("x" * (MAX_COMMENT + 1), 3, "under"),
        ("Fine", 0, "rating from 1 to 5"),
        ("Fine", 6, "rating from 1 to 5"),
        ("Fine", -1, "rating from 1 to 5"),
        ("Fine", 2.5, "rating from 1 to 5"),
        ("Fine", True, "rating from 1 to 5"),
        ("Fine", "5", "rating from 1 to 5"),
        ("Fine", None, "rating from 1 to 5"),
    ],
)
def test_is_bad_feedback_refused_with_a_clear_message(
    teacher, klass, learner, comment, rating, message: str
) -> None:
    entry = journals.save_draft(learner, "Shared thoughts")
    journals.set_shared(learner, entry.id, True)
    with pytest.raises(FeedbackError, match=message):
        journals.give_feedback(teacher, entry.id, comment, rating)
    assert journals.my_feedback(learner) == {}


@pytest.mark.parametrize("body", ["", "   \n"])
def test_can_no_feedback_be_given_on_an_empty_shared_draft(teacher, klass, learner, body) -> None:
    entry = journals.save_draft(learner, body)
    journals.set_shared(learner, entry.id, True)
    with pytest.raises(NotFound):
        journals.give_feedback(teacher, entry.id, "Nothing to read yet", 3)


def test_does_a_learner_who_left_the_class_take_their_entries_out_of_reach(
    teacher, make_learner
) -> None:
    outside = make_learner("outside", join=False)
    entry = journals.save_draft(outside, "Not in your class")
    journals.set_shared(outside, entry.id, True)
    with pytest.raises(NotFound):
        journals.give_feedback(teacher, entry.id, "Hello", 3)


def test_does_the_markdown_export_include_feedback_and_step_titles(teacher, klass, learner) -> None:
    entry = journals.save_draft(learner, "About a step", track_id="t", step_id="s1")
    journals.set_shared(learner, entry.id, True)
    journals.give_feedback(teacher, entry.id, "Clear and honest.", 5)
    free = journals.save_draft(learner, "<b>free</b> text")
    text = journals.entries_markdown(
        journals.list_entries(learner), journals.my_feedback(learner), {"s1": "Step one"}
    )
    assert "## Step: Step one" in text
    assert "> **Feedback from Tess Teacher** (5/5): Clear and honest." in text
    assert "## Free entry" in text and "<b>free</b> text" in text
    assert text.index(free.body) < text.index("About a step")  # newest first
