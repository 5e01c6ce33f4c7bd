"""The journal page with AppTest: filtering, free entries, feedback the learner can read."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from classroom import journals
from curriculum.catalog import tracks


def texts(at) -> list[str]:
    return [t.value for t in at.text]


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_does_searching_show_only_the_matching_entries(open_page, learner) -> None:
    journals.save_draft(learner, "The loss fell after I lowered the learning rate.")
    journals.save_draft(learner, "Our team split the work by data source.")
    at = open_page(learner, "pages/journal.py")
    assert len([t for t in texts(at) if t.startswith(("The loss", "Our team"))]) == 2
    at.text_input(key="journal_search").input("LEARNING RATE").run()
    assert not at.exception
    shown = texts(at)
    assert "The loss fell after I lowered the learning rate." in shown
    assert "Our team split the work by data source." not in shown
    assert "Showing 1 of 2 entries." in [c.value for c in at.caption]


def test_does_filtering_by_track_keep_entries_about_its_steps(open_page, learner) -> None:
    track = list(tracks().values())[-1]
    journals.save_draft(learner, "About this track", track_id=track.id, step_id=track.steps[0].id)
    journals.save_draft(learner, "About nothing in particular")
    at = open_page(learner, "pages/journal.py")
    at.selectbox(key="journal_track").select(track.id).run()
    assert "About this track" in texts(at)
    assert "About nothing in particular" not in texts(at)
    at.selectbox(key="journal_track").select("").run()
    at.selectbox(key="journal_comp").select(track.competency).run()
    assert "About this track" in texts(at)
    assert "About nothing in particular" not in texts(at)


def test_does_a_filter_that_matches_nothing_say_so(open_page, learner) -> None:
    journals.save_draft(learner, "Something written")
    at = open_page(learner, "pages/journal.py")
    at.text_input(key="journal_search").input("zebra").run()
    assert any("No entry matches" in i.value for i in at.info)


def test_does_new_entry_open_an_editor_for_a_free_entry_that_survives_a_rerun(
    open_page, learner
) -> None:
    at = open_page(learner, "pages/journal.py")
    next(b for b in at.button if b.label == "New entry").click().run()
    assert not at.exception
    [entry] = journals.list_entries(learner)
    assert (entry.body, entry.step_id, entry.shared) == ("", None, False)
    assert at.query_params["entry"] == str(entry.id)
    assert "**Writing: Free entry**" in markdown(at)
    journals.save_draft(learner, "typed so far", entry_id=entry.id, expected_version=1)
    at.run()  # a rerun (or a reload with the same address) reopens the same draft
    assert "**Writing: Free entry**" in markdown(at)
    assert any(c.value.startswith("Saved ") and "3 words" in c.value for c in at.caption)


def test_can_a_new_entry_be_about_a_track_step(open_page, learner) -> None:
    step = next(iter(tracks().values())).steps[0]
    at = open_page(learner, "pages/journal.py")
    at.selectbox(key="new_entry_step").select(step.id).run()
    next(b for b in at.button if b.label == "New entry").click().run()
    [entry] = journals.list_entries(learner)
    assert (entry.track_id, entry.step_id) == (step.track_id, step.id)
    assert f"**Writing: Step: {step.title}**" in markdown(at)


def test_is_another_learners_entry_not_opened_by_its_address(open_page, make_learner) -> None:
    owner, other = make_learner("owner"), make_learner("other")
    secret = journals.save_draft(owner, "Owner's private words")
    at = open_page(other, "pages/journal.py")
    at.query_params["entry"] = str(secret.id)
    at.run()
    assert any("does not exist or is not yours" in w.value for w in at.warning)
    assert "Owner's private words" not in texts(at)


def test_does_the_learner_see_their_teachers_feedback_beside_the_entry(
    open_page, teacher, klass, learner
) -> None:
    entry = journals.save_draft(learner, "I think batch size changed the noise.")
    journals.set_shared(learner, entry.id, True)
    journals.give_feedback(teacher, entry.id, "Yes; <b>test</b> it with two runs.", 4)
    at = open_page(learner, "pages/journal.py")
    assert "Yes; <b>test</b> it with two runs." in texts(at)  # as plain text
    assert "**Feedback from your teacher**" in markdown(at)
    assert "**★★★★☆** 4/5" in markdown(at)
    assert any("Tess Teacher" in c.value for c in at.caption)


def test_does_unsharing_from_the_journal_page_take_effect_at_once(
    open_page, teacher, klass, learner
) -> None:
    entry = journals.save_draft(learner, "Shared for now")
    journals.set_shared(learner, entry.id, True)
    at = open_page(learner, "pages/journal.py")
    at.toggle(key=f"share_{entry.id}").set_value(False).run()
    assert not at.exception
    assert journals.shared_entries_for_class(teacher, klass.id) == []


def feedback_form_app(teacher, entry) -> AppTest:
    """The teacher's form alone, as the class page embeds it for a shared entry."""

    def script(teacher, entry) -> None:
        from ui.journal.feedback import render_feedback_form

        render_feedback_form(teacher, entry)

    at = AppTest.from_function(script, args=(teacher, entry), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def test_does_the_teachers_form_save_feedback_the_learner_then_sees(
    teacher, klass, learner
) -> None:
    entry = journals.save_draft(learner, "Dropout helped the small model.")
    journals.set_shared(learner, entry.id, True)
    [shown] = journals.shared_entries_for_class(teacher, klass.id)
    at = feedback_form_app(teacher, shown)
    at.text_area(key=f"feedback_comment_{entry.id}").input("Which rate did you try?")
    at.select_slider(key=f"feedback_rating_{entry.id}").set_value(5)
    at.button[0].click().run()
    assert [s.value for s in at.success] == ["Feedback saved; Lin can see it now."]
    [given] = journals.my_feedback(learner)[entry.id]
    assert (given.comment, given.rating) == ("Which rate did you try?", 5)
    at.run()  # the form now offers to update what was sent, prefilled
    assert at.text_area(key=f"feedback_comment_{entry.id}").value == "Which rate did you try?"
    assert at.button[0].label == "Update feedback"


def test_does_the_teachers_form_refuse_an_empty_comment(teacher, klass, learner) -> None:
    entry = journals.save_draft(learner, "Shared words")
    journals.set_shared(learner, entry.id, True)
    at = feedback_form_app(teacher, journals.shared_entries_for_class(teacher, klass.id)[0])
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Write a comment for the learner."]
    assert journals.my_feedback(learner) == {}


def test_is_feedback_refused_once_the_learner_unshared_the_entry(teacher, klass, learner) -> None:
    entry = journals.save_draft(learner, "Shared, then taken back")
    journals.set_shared(learner, entry.id, True)
    at = feedback_form_app(teacher, journals.shared_entries_for_class(teacher, klass.id)[0])
    at.text_area(key=f"feedback_comment_{entry.id}").input("Nice")
    journals.set_shared(learner, entry.id, False)  # while the teacher types
    at.button[0].click().run()
    assert [c.value for c in at.caption] == ["This entry is no longer shared with you."]
    assert not at.button  # the form is gone: nothing more can be sent
    assert journals.my_feedback(learner) == {}
