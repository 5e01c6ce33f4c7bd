"""Can people make accounts safely, and is guessing passwords slow and uninformative?"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from classroom import accounts, classes
from classroom.accounts import AccountError
from db.models import LoginAttempt, Membership, User
from db.session import read_session, write_session
from tests.classroom.people import wrong_guesses_at_once
from tests.conftest import PASSWORD

GENERIC = "Wrong username or password."
THROTTLED = "Too many failed attempts"
# 128 characters that do not repeat (a repeated chunk such as "Zq8!" * 32 is easy to guess)
LONG = (
    "tall grey herons wade where the cold river bends past the old mill, and seven quiet "
    "crows count the boats that drift by at dusk."
)


def stored_user(username: str) -> User | None:
    with read_session() as session:
        return session.scalar(select(User).where(User.username == username))


def user_count() -> int:
    with read_session() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_is_the_stored_password_an_argon2id_hash_and_never_the_password(teacher) -> None:
    stored = stored_user("teacher")
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("x7#kQ9p", False),  # 7 characters: too short
        ("x7#kQ9pz", True),  # 8 characters: the minimum
        (LONG[:64], True),  # 64 characters
        (LONG, True),  # 128 characters: the maximum, kept whole
        (LONG + "a", False),  # 129 characters: too long
        ("password123", False),  # among the most common passwords
        ("PassWord123", False),  # common passwords are refused whatever the case
        ("learner01", False),  # the same as the username
        ("LEARNER01", False),  # the username in capitals
    ],
)
def test_which_passwords_are_accepted_at_sign_up(password: str, accepted: bool) -> None:
    if accepted:
        actor = accounts.sign_up_learner("learner01", "Lee", password)
        assert accounts.authenticate("learner01", password).id == actor.id
    else:
        with pytest.raises(AccountError, match=r"password"):
            accounts.sign_up_learner("learner01", "Lee", password)
        assert stored_user("learner01") is None


def test_is_a_long_password_checked_whole_rather_than_truncated() -> None:
    password = LONG  # 128 characters
    accounts.sign_up_learner("learner01", "Lee", password)
    with pytest.raises(AccountError, match=GENERIC):
        accounts.authenticate("learner01", password[:-1] + "?")
    assert accounts.authenticate("learner01", password).username == "learner01"


@pytest.mark.parametrize(
    "username",
    [
        "../../etc/passwd",
        "<script>",
        "a" * 300,
        "ab",  # too short
        "with space",
        "robert'); drop table users;--",
        "nul\x00byte",
        "\u202eevil",  # right-to-left override
        "ünïcode",
        "",
    ],
)
def test_is_a_hostile_or_malformed_username_refused_with_a_clear_message(username: str) -> None:
    with pytest.raises(AccountError, match="A username has 3 to 32 characters"):
        accounts.sign_up_learner(username, "Mallory", PASSWORD)
    assert user_count() == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("  Ada.Lovelace  ", "ada.lovelace"), ("lin_2", "lin_2"), ("a-b", "a-b")],
)
def test_is_a_username_stored_trimmed_and_in_lower_case(typed: str, stored: str) -> None:
    actor = accounts.sign_up_learner(typed, "Someone", PASSWORD)
    assert actor.username == stored
    assert accounts.authenticate(typed.upper(), PASSWORD).id == actor.id


def test_can_the_first_teacher_be_created_only_once() -> None:
    assert not accounts.has_any_user()
    first = accounts.create_first_teacher("teacher", "Tess", PASSWORD)
    assert first.is_teacher
    assert accounts.has_any_user()
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_first_teacher("intruder", "Ivan", PASSWORD)
    assert stored_user("intruder") is None
    assert user_count() == 1


def test_is_a_learner_not_made_a_teacher_by_signing_up_first() -> None:
    actor = accounts.sign_up_learner("early", "Early Bird", PASSWORD)
    assert actor.role == "learner"
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_first_teacher("teacher", "Tess", PASSWORD)


@pytest.mark.parametrize("code", ["ZZZZZZ", "abc", "' OR 1=1 --"])
def test_does_a_wrong_join_code_refuse_sign_up_and_create_no_account(klass, code: str) -> None:
    before = user_count()
    with pytest.raises(AccountError, match="No class has that join code"):
        accounts.sign_up_learner("lin", "Lin", PASSWORD, code)
    assert stored_user("lin") is None
    assert user_count() == before


@pytest.mark.parametrize("transform", [str, str.lower, lambda c: f"  {c.lower()} "])
def test_does_the_right_join_code_put_the_learner_in_the_class_roster(
    teacher, klass, transform
) -> None:
    actor = accounts.sign_up_learner("lin", "Lin", PASSWORD, transform(klass.join_code))
    assert [m.id for m in classes.roster(teacher, klass.id)] == [actor.id]
    assert classes.list_classes(actor) == [klass]


def test_does_sign_up_without_a_code_make_an_independent_learner(teacher, klass) -> None:
    actor = accounts.sign_up_learner("solo", "Solo", PASSWORD)
    assert classes.list_classes(actor) == []
    assert classes.roster(teacher, klass.id) == []


@pytest.mark.parametrize("second", ["lin", "LIN", " lin "])
def test_is_a_taken_username_refused_whatever_its_case(second: str) -> None:
    accounts.sign_up_learner("lin", "Lin", PASSWORD)
    with pytest.raises(AccountError, match="That username is taken"):
        accounts.sign_up_learner(second, "Other Lin", "another long secret")
    assert user_count() == 1
    assert accounts.authenticate("lin", PASSWORD).display_name == "Lin"


def test_is_a_hostile_display_name_kept_as_text_and_cut_to_80_characters() -> None:
    name = "<img src=x onerror=alert(1)>" + "x" * 100
    actor = accounts.sign_up_learner("lin", name, PASSWORD)
    assert actor.display_name == name[:80]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("teacher", "not the password"),  # a real user, wrong password
        ("nobody", PASSWORD),  # no such user
        ("nobody", "not the password"),
        ("teacher", "x" * 10_000),  # absurdly long
        ("", ""),
    ],
)
def test_do_wrong_password_and_unknown_user_give_the_same_generic_message(
    teacher, username: str, password: str
) -> None:
    with pytest.raises(AccountError) as caught:
        accounts.authenticate(username, password)
    assert str(caught.value) == GENERIC


def test_does_the_sixth_attempt_after_five_failures_fail_even_with_the_right_password(
    teacher,
) -> None:
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError, match=GENERIC):
            accounts.authenticate("teacher", "not the password")
    with pytest.raises(AccountError, match=THROTTLED):
        accounts.authenticate("teacher", PASSWORD)


def test_is_an_unknown_username_throttled_like_a_real_one() -> None:
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError, match=GENERIC):
            accounts.authenticate("ghost", "not the password")
    with pytest.raises(AccountError, match=THROTTLED):
        accounts.authenticate("ghost", "not the password")


def test_does_throttling_one_account_leave_others_alone(teacher) -> None:
    accounts.sign_up_learner("lin", "Lin", PASSWORD)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError, match=GENERIC):
            accounts.authenticate("lin", "not the password")
    assert accounts.authenticate("teacher", PASSWORD).username == "teacher"


def test_does_a_success_reset_the_failure_count(teacher) -> None:
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(AccountError, match=GENERIC):
            accounts.authenticate("teacher", "not the password")
    assert accounts.authenticate("teacher", PASSWORD).username == "teacher"
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(AccountError, match=GENERIC):
            accounts.authenticate("teacher", "not the password")
    assert accounts.authenticate("teacher", PASSWORD).username == "teacher"


def test_are_parallel_guesses_throttled_too(teacher) -> None:
    """Eight guesses sent at once: no more than five may be checked against the hash."""
    outcomes = wrong_guesses_at_once("teacher", 8)
    assert len(outcomes) == 8
    assert outcomes.count(GENERIC) <= accounts.MAX_FAILURES
    assert all(o == GENERIC or o.startswith(THROTTLED) for o in outcomes)
    with read_session() as session:
        failures = session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == "teacher", LoginAttempt.succeeded.is_(False))
        )
    assert failures <= accounts.MAX_FAILURES
    with pytest.raises(AccountError, match=THROTTLED):
        accounts.authenticate("teacher", PASSWORD)


def test_is_an_old_hash_replaced_after_a_successful_login(teacher) -> None:
    weaker = PasswordHasher(time_cost=1).hash(PASSWORD)
    with write_session() as session:
        session.get_one(User, teacher.id).password_hash = weaker
    assert accounts.authenticate("teacher", PASSWORD).id == teacher.id
    stored = stored_user("teacher")
    assert stored is not None
    assert stored.password_hash != weaker
    assert stored.password_hash.startswith("$argon2id$")
    assert not accounts.PASSWORD_HASHER.check_needs_rehash(stored.password_hash)
    assert accounts.authenticate("teacher", PASSWORD).id == teacher.id


def test_is_an_old_hash_kept_after_a_failed_login(teacher) -> None:
    weaker = PasswordHasher(time_cost=1).hash(PASSWORD)
    with write_session() as session:
        session.get_one(User, teacher.id).password_hash = weaker
    with pytest.raises(AccountError, match=GENERIC):
        accounts.authenticate("teacher", "not the password")
    stored = stored_user("teacher")
    assert stored is not None and stored.password_hash == weaker


def test_does_a_corrupt_stored_hash_refuse_login_with_the_generic_message(teacher) -> None:
    with write_session() as session:
        session.get_one(User, teacher.id).password_hash = "not-a-hash"
    with pytest.raises(AccountError, match=GENERIC):
        accounts.authenticate("teacher", PASSWORD)


def test_does_a_refused_sign_up_leave_no_class_membership(klass) -> None:
    with pytest.raises(AccountError):
        accounts.sign_up_learner("lin", "Lin", "short", klass.join_code)
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 0
