"""A flood of sign-ins: are guesses limited per name and address, per address and per name,
so that nobody can lock the owner out from elsewhere; is the number of sign-ins a process
works on at once capped, the rest told to come back; are weak passwords refused?"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from classroom import accounts, sign_in_throttle
from classroom.account_deletion import delete_account
from classroom.accounts import AccountError
from db.models import LoginAttempt, User
from db.session import read_session
from tests.conftest import PASSWORD, wait_until
from tests.server.helpers import NGINX, SITE, StandIns, TestClient

GENERIC = "Wrong username or password."
THROTTLED = "Too many failed attempts"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def web() -> Iterator[TestClient]:
    with TestClient(StandIns().app(), base_url=SITE, follow_redirects=False) as client:
        yield client


def attempts(**filters: object) -> int:
    with read_session() as session:
        query = select(func.count()).select_from(LoginAttempt).filter_by(**filters)
        return int(session.scalar(query) or 0)


def outcome(username: str, password: str, address: str | None) -> str:
    try:
        accounts.authenticate(username, password, address)
    except AccountError as exc:
        return str(exc)
    return "signed in"


# --- per (name, address) first: guessing from one place locks only that place ---


def test_do_five_wrong_guesses_from_one_address_leave_the_owner_free_elsewhere(teacher) -> None:
    for _ in range(accounts.MAX_FAILURES):
        assert outcome("teacher", "not the password", ATTACKER) == GENERIC
    assert outcome("teacher", PASSWORD, ATTACKER).startswith(THROTTLED)
    assert outcome("teacher", PASSWORD, OWNER) == "signed in"


def test_does_the_sign_in_form_throttle_by_the_address_nginx_names(teacher) -> None:
    with TestClient(StandIns().app(), base_url=SITE, follow_redirects=False, client=NGINX) as web:

        def post(password: str, address: str):
            return web.post(
                "/auth/login",
                data={"username": "teacher", "password": password},
                headers={"Origin": SITE, "X-Real-IP": address},
            )

        for _ in range(accounts.MAX_FAILURES):
            assert GENERIC in post("not the password", ATTACKER).text
        assert THROTTLED in post(PASSWORD, ATTACKER).text
        assert post(PASSWORD, OWNER).status_code == 303  # the owner signs in from home


def test_does_an_ipv6_attacker_count_as_one_address_across_its_network(teacher) -> None:
    for host in range(accounts.MAX_FAILURES):
        assert outcome("teacher", "not the password", f"2001:db8:1:2::{host + 1}") == GENERIC
    assert outcome("teacher", "not the password", "2001:db8:1:2::99").startswith(THROTTLED)
    assert outcome("teacher", PASSWORD, "2001:db8:9:9::1") == "signed in"


# --- per address: one address guessing many names ---


def test_are_guesses_on_many_names_from_one_address_stopped(teacher) -> None:
    for n in range(sign_in_throttle.MAX_ADDRESS_FAILURES):
        assert outcome(f"ghost{n}", "not the password", ATTACKER) == GENERIC
    told = outcome("ghost-new", "not the password", ATTACKER)
    assert told == sign_in_throttle.TOO_MANY_HERE
    assert attempts(username="ghost-new") == 0  # refused before any password hash
    assert outcome("teacher", PASSWORD, OWNER) == "signed in"  # others are not held up


def test_does_a_success_from_an_address_not_reset_its_count_on_other_names(teacher) -> None:
    for n in range(sign_in_throttle.MAX_ADDRESS_FAILURES - 1):
        assert outcome(f"ghost{n}", "not the password", ATTACKER) == GENERIC
    assert outcome("teacher", PASSWORD, ATTACKER) == "signed in"
    assert outcome("ghost-a", "not the password", ATTACKER) == GENERIC  # the 50th failure
    assert outcome("ghost-b", "not the password", ATTACKER) == sign_in_throttle.TOO_MANY_HERE


# --- per name from everywhere: many addresses guessing one name ---


def test_are_guesses_on_one_name_from_many_addresses_stopped(teacher) -> None:
    per_address = accounts.MAX_FAILURES
    addresses = sign_in_throttle.MAX_NAME_FAILURES // per_address
    for a in range(addresses):
        for _ in range(per_address):
            assert outcome("teacher", "not the password", f"192.0.2.{a + 1}") == GENERIC
    assert outcome("teacher", PASSWORD, "192.0.2.200").startswith(THROTTLED)


# --- the number of sign-ins worked on at once ---


def test_are_sign_ins_beyond_the_cap_told_to_come_back_and_the_rest_answered() -> None:
    """While one hash is in progress (held here), the sign-ins that arrive take the waiting
    places; those beyond the cap are answered at once, without a hash or a record."""
    extra = 4
    total = accounts.MAX_SIGN_INS_AT_ONCE + extra
    told: list[str] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        message = outcome(f"ghost{n}", "not the password", f"192.0.2.{n + 1}")
        with lock:
            told.append(message)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(total)]
    with accounts._HASHING:  # a hash in progress: nobody gets past the queue meanwhile
        for t in threads:
            t.start()
        wait_until(lambda: len(told) >= extra, timeout=60)
        assert told == [accounts.BUSY] * extra
        assert attempts() <= accounts.MAX_SIGN_INS_AT_ONCE
    for t in threads:
        t.join(60)
    assert sorted(told) == sorted([accounts.BUSY] * extra + [GENERIC] * (total - extra))
    assert outcome("ghost-later", "not the password", "192.0.2.250") == GENERIC  # places free


def test_is_a_busy_sign_in_shown_on_the_form_with_what_to_do(web: TestClient, teacher) -> None:
    places = accounts.MAX_SIGN_INS_AT_ONCE
    taken = [accounts._SIGN_IN_TURNS.acquire(blocking=False) for _ in range(places)]
    try:
        assert all(taken)  # every place is in use, as during a flood
        response = web.post(
            "/auth/login",
            data={"username": "teacher", "password": PASSWORD},
            headers={"Origin": SITE},
        )
    finally:
        for _ in range(places):
            accounts._SIGN_IN_TURNS.release()
    assert response.status_code == 400
    assert "Too many sign-ins at once, try again in a few seconds." in response.text
    assert attempts() == 0


# --- weak passwords ---


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaa",
        " " * 8,
        "abcdefgh",
        "12345678",
        "qwertyuiop",
        "iloveyou99",
        "abcabcabc123",
        "Zq8!" * 8,  # one chunk repeated
        "learner01!",  # the username and a mark
    ],
)
def test_is_a_weak_password_refused_with_a_reason(password: str) -> None:
    with pytest.raises(AccountError, match="That password is too easy to guess"):
        accounts.sign_up_learner("learner01", "Lee", password)
    with read_session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    "password", ["x7#kQ9pz", "a long enough secret", "teach with patience", "Tr0ub4dor&3"]
)
def test_is_a_strong_password_accepted(password: str) -> None:
    actor = accounts.sign_up_learner("learner01", "Lee", password)
    assert accounts.authenticate("learner01", password).id == actor.id


def test_does_the_sign_up_form_say_why_a_password_is_weak(web: TestClient, teacher) -> None:
    form = {
        "display_name": "Lin",
        "username": "lin",
        "password": "aaaaaaaa",
        "confirm": "aaaaaaaa",
        "code": "",
    }
    response = web.post("/auth/signup", data=form, headers={"Origin": SITE})
    assert response.status_code == 400
    assert "That password is too easy to guess" in response.text
    assert "repeats like" in response.text
    assert "set-cookie" not in response.headers


def test_does_deleting_an_account_remove_its_sign_in_records_from_every_address(
    learner,
) -> None:
    assert outcome("lin", "not the password", ATTACKER) == GENERIC
    assert outcome("lin", PASSWORD, OWNER) == "signed in"
    assert attempts() == 2
    delete_account(learner, "lin", PASSWORD)
    assert attempts() == 0


# --- new accounts per address: sign-up needs no class code ---


def test_are_new_accounts_from_one_address_limited_and_others_still_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sign_in_throttle, "MAX_SIGN_UPS_PER_ADDRESS", 3)
    for n in range(3):
        accounts.sign_up_learner(f"bulk{n:02d}", "Bulk", PASSWORD, address=ATTACKER)
    with pytest.raises(AccountError, match="Too many new accounts from your network"):
        accounts.sign_up_learner("bulk99", "Bulk", PASSWORD, address=ATTACKER)
    with read_session() as session:
        assert session.scalar(select(User.id).where(User.username == "bulk99")) is None
    accounts.sign_up_learner("someone", "Someone", PASSWORD, address=OWNER)  # another place
    accounts.sign_up_learner("byscript", "Script", PASSWORD)  # the app's own code: no limit
    assert outcome("bulk00", PASSWORD, ATTACKER) == "signed in"  # sign-ins are not affected


def test_does_the_sign_up_form_count_new_accounts_by_the_address_nginx_names(
    monkeypatch: pytest.MonkeyPatch, teacher
) -> None:
    monkeypatch.setattr(sign_in_throttle, "MAX_SIGN_UPS_PER_ADDRESS", 1)
    with TestClient(StandIns().app(), base_url=SITE, follow_redirects=False, client=NGINX) as web:

        def sign_up(username: str, address: str):
            form = {"display_name": "Lin", "username": username, "code": ""}
            form |= {"password": PASSWORD, "confirm": PASSWORD}
            return web.post(
                "/auth/signup", data=form, headers={"Origin": SITE, "X-Real-IP": address}
            )

        assert sign_up("first01", ATTACKER).status_code == 303
        refused = sign_up("second01", ATTACKER)
        assert refused.status_code == 400
        assert "Too many new accounts from your network" in refused.text
        assert sign_up("second01", OWNER).status_code == 303  # same name, another place
