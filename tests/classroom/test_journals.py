"""Are journal drafts kept safe, shared only on purpose, and never silently overwritten?"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classroom import classes, journals
from classroom.journals import MAX_BODY, StaleEntry
from db.models import JournalEntry
from db.session import read_session
from engine import jobs
from engine.spec import RunSpec


def stored_bodies(owner_id: int) -> list[str]:
    with read_session() as session:
        return list(
            session.scalars(
                select(JournalEntry.body)
                .where(JournalEntry.owner_id == owner_id)
                .order_by(JournalEntry.id)
            )
        )


def test_does_saving_a_draft_create_it_then_update_it_in_place(learner) -> None:
    first = journals.save_draft(learner, "The loss fell", track_id="t1", step_id="s1")
    assert (first.version, first.body, first.shared) == (1, "The loss fell", False)
    second = journals.save_draft(
        learner, "The loss fell, then rose", entry_id=first.id, expected_version=1
    )
    assert second.id == first.id
    assert second.version == 2
    assert (second.track_id, second.step_id) == ("t1", "s1")
    assert stored_bodies(learner.id) == ["The loss fell, then rose"]


def test_does_saving_the_same_text_again_keep_the_version(learner) -> None:
    entry = journals.save_draft(learner, "Unchanged")
    again = journals.save_draft(learner, "Unchanged", entry_id=entry.id, expected_version=1)
    assert again.version == 1


def test_does_a_stale_save_keep_both_texts(learner) -> None:
    """Two tabs edit one entry: the later save from the old version must not overwrite."""
    entry = journals.save_draft(learner, "original")
    journals.save_draft(learner, "from tab A", entry_id=entry.id, expected_version=1)
    with pytest.raises(StaleEntry) as caught:
        journals.save_draft(learner, "from tab B", entry_id=entry.id, expected_version=1)
    assert caught.value.current.body == "from tab A"
    assert caught.value.current.version == 2
    assert caught.value.copy.body == "from tab B"
    assert "kept as a new entry" in str(caught.value)
    assert sorted(stored_bodies(learner.id)) == ["from tab A", "from tab B"]
    kept = {e.id: e.body for e in journals.list_entries(learner)}
    assert kept == {entry.id: "from tab A", caught.value.copy.id: "from tab B"}


def test_does_the_kept_copy_stay_attached_to_the_same_run(learner) -> None:
    run_id = jobs.submit(RunSpec(epochs=1), owner_id=learner.id)
    entry = journals.save_draft(learner, "v1", run_id=run_id)
    journals.save_draft(learner, "v2", entry_id=entry.id, expected_version=1)
    with pytest.raises(StaleEntry) as caught:
        journals.save_draft(learner, "v2 elsewhere", entry_id=entry.id, expected_version=1)
    assert caught.value.copy.run_id == run_id
    assert journals.entry_for_run(learner, run_id).id == entry.id  # the first stays the entry


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "![x](http://evil/pixel.png)",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '=HYPERLINK("http://evil")',
        "emoji 🧠 and RTL \u202etxt.exe",
        "line one\nline two\r\n\ttabbed",
    ],
)
def test_is_hostile_text_stored_verbatim(learner, body: str) -> None:
    """Rendering it safely is the UI's job; the journal must not alter what was typed."""
    entry = journals.save_draft(learner, body)
    assert entry.body == body
    assert stored_bodies(learner.id) == [body]
    assert journals.list_entries(learner)[0].body == body


@pytest.mark.parametrize(
    ("length", "kept"),
    [(MAX_BODY - 1, MAX_BODY - 1), (MAX_BODY, MAX_BODY), (MAX_BODY + 100, MAX_BODY)],
)
def test_is_an_overlong_draft_cut_to_the_limit(learner, length: int, kept: int) -> None:
    body = "".join(chr(ord("a") + i % 26) for i in range(length))
    entry = journals.save_draft(learner, body)
    assert entry.body == body[:kept]
    assert stored_bodies(learner.id) == [body[:kept]]


def test_does_sharing_show_the_entry_to_the_teacher_and_unsharing_hide_it_at_once(
    teacher, klass, learner
) -> None:
    entry = journals.save_draft(learner, "What I learned")
    assert journals.shared_entries_for_class(teacher, klass.id) == []
    journals.set_shared(learner, entry.id, True)
    shown = journals.shared_entries_for_class(teacher, klass.id)
    assert [(e.id, e.body, e.author) for e in shown] == [(entry.id, "What I learned", "Lin")]
    journals.set_shared(learner, entry.id, False)
    assert journals.shared_entries_for_class(teacher, klass.id) == []


def test_does_the_teacher_see_only_shared_entries_of_their_own_class(
    teacher, klass, make_learner
) -> None:
    inside = make_learner("inside")
    outside = make_learner("outside", join=False)
    shared = journals.save_draft(inside, "shared by a member")
    journals.set_shared(inside, shared.id, True)
    journals.save_draft(inside, "private draft of a member")
    other = journals.save_draft(outside, "shared by a non-member")
    journals.set_shared(outside, other.id, True)
    shown = journals.shared_entries_for_class(teacher, klass.id)
    assert [e.body for e in shown] == ["shared by a member"]


def test_does_a_shared_empty_draft_stay_out_of_the_teachers_list(teacher, klass, learner) -> None:
    entry = journals.save_draft(learner, "")
    journals.set_shared(learner, entry.id, True)
    assert journals.shared_entries_for_class(teacher, klass.id) == []


def test_are_a_learners_entries_shown_once_even_in_two_classes_of_one_teacher(
    teacher, klass, learner
) -> None:
    second = classes.create_class(teacher, "Year 12")
    classes.join_class(learner, second.join_code)
    entry = journals.save_draft(learner, "shared once")
    journals.set_shared(learner, entry.id, True)
    for class_id in (klass.id, second.id):
        assert [e.id for e in journals.shared_entries_for_class(teacher, class_id)] == [entry.id]


def test_does_editing_a_shared_entry_show_the_new_text_to_the_teacher(
    teacher, klass, learner
) -> None:
    entry = journals.save_draft(learner, "first thought")
    journals.set_shared(learner, entry.id, True)
    journals.save_draft(learner, "second thought", entry_id=entry.id, expected_version=1)
    assert [e.body for e in journals.shared_entries_for_class(teacher, klass.id)] == [
        "second thought"
    ]


def test_does_entry_for_run_return_the_learners_entry_about_that_run(learner) -> None:
    run_a = jobs.submit(RunSpec(epochs=1), owner_id=learner.id)
    run_b = jobs.submit(RunSpec(epochs=1), owner_id=learner.id)
    assert journals.entry_for_run(learner, run_a) is None
    entry = journals.save_draft(learner, "about run A", run_id=run_a)
    assert journals.entry_for_run(learner, run_a).id == entry.id
    assert journals.entry_for_run(learner, run_b) is None


def test_does_a_learner_list_only_their_own_entries(make_learner) -> None:
    ana, ben = make_learner("ana"), make_learner("ben")
    journals.save_draft(ana, "Ana's")
    journals.save_draft(ben, "Ben's")
    assert [e.body for e in journals.list_entries(ana)] == ["Ana's"]
    assert [e.author for e in journals.list_entries(ana)] == ["Ana"]
