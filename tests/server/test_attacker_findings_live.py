"""The same findings against the real server (`streamlit run app.py`, uvicorn in front of
Streamlit's own routes): Streamlit's upload endpoint and metrics, the Secure cookie and HSTS
behind a TLS proxy, and throttling by the address the proxy names."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from classroom import accounts, sessions
from tests.e2e.helpers import serving_app

TEACHER_PASSWORD = "teach with patience"
UPLOAD = "/_stcore/upload_file/0f1e2d3c-session/file-1"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free port with its own data folder, and its first teacher signed up."""
    with serving_app(tmp_path_factory.mktemp("live-server")) as base:
        form = {"display_name": "Tess", "username": "tess"}
        form |= {"password": TEACHER_PASSWORD, "confirm": TEACHER_PASSWORD}
        assert httpx.post(f"{base}/auth/setup", data=form, headers={"Origin": base}).is_redirect
        yield base


def sign_in(base: str, password: str, origin: str | None = None, **headers: str):
    return httpx.post(
        f"{base}/auth/login",
        data={"username": "tess", "password": password},
        headers={"Origin": origin or base, **headers},
    )


def teacher_cookie(base: str) -> dict[str, str]:
    token = sign_in(base, TEACHER_PASSWORD).cookies[sessions.COOKIE_NAME]
    return {sessions.COOKIE_NAME: token}


def test_does_the_real_upload_endpoint_refuse_anyone_not_signed_in(live: str) -> None:
    response = httpx.put(live + UPLOAD, files={"file": ("a.zip", b"x" * 1_000_000)})
    assert response.status_code == 403
    assert response.text == "Sign in to upload files."
    # Signed in, the request reaches Streamlit, which checks its own session and XSRF token.
    signed_in = httpx.put(
        live + UPLOAD, files={"file": ("a.zip", b"x")}, cookies=teacher_cookie(live)
    )
    assert signed_in.text != "Sign in to upload files."


def test_are_the_real_metrics_only_for_the_teacher(live: str) -> None:
    assert httpx.get(f"{live}/_stcore/metrics").status_code == 403
    allowed = httpx.get(f"{live}/_stcore/metrics", cookies=teacher_cookie(live))
    assert allowed.status_code == 200


def test_does_https_at_a_proxy_in_front_give_a_secure_cookie_and_hsts(live: str) -> None:
    https_origin = live.replace("http://", "https://")
    response = sign_in(live, TEACHER_PASSWORD, https_origin, **{"X-Forwarded-Proto": "https"})
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]
    assert "max-age=" in response.headers["strict-transport-security"]
    plain = sign_in(live, TEACHER_PASSWORD)
    assert "Secure" not in plain.headers["set-cookie"]
    assert "strict-transport-security" not in plain.headers


def test_are_guesses_throttled_by_the_address_the_proxy_names(live: str) -> None:
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    for _ in range(accounts.MAX_FAILURES):
        assert "Wrong username or password." in sign_in(live, "not it", **attacker).text
    assert "Too many failed attempts" in sign_in(live, TEACHER_PASSWORD, **attacker).text
    owner = sign_in(live, TEACHER_PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert owner.status_code == 303
