"""What a security test of a fresh server found, asked again: can someone who is not signed
in fill memory through Streamlit's upload endpoint or read its metrics; does a sign-in over
https behind the app's nginx get a Secure cookie and HSTS; is a form from http:// refused
on an https:// site; and whose address does the app believe?"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import httpx
import pytest

from classroom import sessions
from engine.data.csv_checks import MAX_CSV_BYTES
from engine.data.zip_checks import MAX_ZIP_BYTES
from engine.pipeline.readers import MAX_FILE_BYTES
from server import serve
from server.nginx_conf import Layout
from settings import PROJECT_ROOT
from tests.conftest import PASSWORD
from tests.server.helpers import NGINX, SITE, StandIns, TestClient, echo_server, nginx_in_front_of

BROWSER = ("203.0.113.9", 52000)  # a browser reaching the app directly
UPLOAD = "/_stcore/upload_file/0f1e2d3c-session/file-1"
BIG_FILE = b"x" * 1_000_000


@pytest.fixture
def stand_ins() -> StandIns:
    return StandIns()


def client_for(stand_ins: StandIns, peer=BROWSER, site: str = SITE) -> TestClient:
    return TestClient(stand_ins.app(), base_url=site, follow_redirects=False, client=peer)


@pytest.fixture
def client(stand_ins: StandIns) -> Iterator[TestClient]:
    with client_for(stand_ins) as test_client:
        yield test_client


def cookie(actor) -> dict[str, str]:
    return {"Cookie": f"{sessions.COOKIE_NAME}={sessions.start_session(actor)}"}


# --- F2: uploads only for people signed in; the upload limit is the app's own ---


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no cookie at all, as in the attack
        {"Cookie": f"{sessions.COOKIE_NAME}=made-up-token"},
        {"Cookie": "_streamlit_xsrf=2|abc|def|123"},  # Streamlit's own cookie is not enough
    ],
)
def test_is_an_upload_without_a_sign_in_refused_before_it_reaches_streamlit(
    client: TestClient, stand_ins: StandIns, teacher, headers: dict[str, str]
) -> None:
    response = client.put(UPLOAD, files={"file": ("a.zip", BIG_FILE)}, headers=headers)
    assert response.status_code == 403
    assert response.text == "Sign in to upload files."
    assert client.delete(UPLOAD, headers=headers).status_code == 403
    assert stand_ins.uploaded == []  # nothing was stored


def test_does_a_signed_in_learner_still_upload(
    client: TestClient, stand_ins: StandIns, learner
) -> None:
    response = client.put(UPLOAD, files={"file": ("a.zip", BIG_FILE)}, headers=cookie(learner))
    assert response.status_code == 204
    assert len(stand_ins.uploaded) == 1 and stand_ins.uploaded[0] > len(BIG_FILE)


def test_is_an_upload_refused_once_its_session_is_signed_out(
    client: TestClient, stand_ins: StandIns, learner
) -> None:
    token = sessions.start_session(learner)
    sessions.end_session(token)
    headers = {"Cookie": f"{sessions.COOKIE_NAME}={token}"}
    assert (
        client.put(UPLOAD, files={"file": ("a.csv", b"a,b\n")}, headers=headers).status_code == 403
    )
    assert stand_ins.uploaded == []


def test_is_streamlits_upload_limit_the_largest_upload_the_app_accepts() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]
    largest = max(MAX_ZIP_BYTES, MAX_CSV_BYTES, MAX_FILE_BYTES)
    assert limit_mb * 1024 * 1024 == largest  # Streamlit's megabyte is 1024 * 1024 bytes
    assert serve.upload_limit_mb(config) == limit_mb  # and nginx is given the same


# --- /_stcore/metrics: teachers only ---


def test_are_streamlits_metrics_only_for_a_signed_in_teacher(
    client: TestClient, teacher, learner
) -> None:
    anonymous = client.get("/_stcore/metrics")
    assert anonymous.status_code == 403 and "session_state" not in anonymous.text
    assert client.get("/_stcore/metrics", headers=cookie(learner)).status_code == 403
    allowed = client.get("/_stcore/metrics", headers=cookie(teacher))
    assert allowed.status_code == 200 and "session_state" in allowed.text


# --- https behind the app's nginx: Secure cookie, HSTS, Origin with its scheme ---


def sign_in(test_client: TestClient, origin: str, **headers: str) -> httpx.Response:
    return test_client.post(
        "/auth/login",
        data={"username": "teacher", "password": PASSWORD},
        headers={"Origin": origin, **headers},
    )


def test_does_a_sign_in_over_https_behind_nginx_get_a_secure_cookie_and_hsts(
    stand_ins: StandIns, teacher
) -> None:
    with client_for(stand_ins, peer=NGINX) as behind_nginx:
        response = sign_in(behind_nginx, "https://testserver", **{"X-Forwarded-Proto": "https"})
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]
        assert response.headers["strict-transport-security"].startswith("max-age=")
        page = behind_nginx.get("/auth/login", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" in page.headers


@pytest.mark.parametrize(
    ("peer", "forwarded"),
    [
        (NGINX, {}),  # plain http through nginx
        (NGINX, {"X-Forwarded-Proto": "http"}),
        (BROWSER, {"X-Forwarded-Proto": "https"}),  # a browser cannot claim it directly
    ],
)
def test_does_plain_http_get_no_secure_flag_and_no_hsts(
    stand_ins: StandIns, teacher, peer, forwarded: dict[str, str]
) -> None:
    with client_for(stand_ins, peer=peer) as test_client:
        response = sign_in(test_client, SITE, **forwarded)
    assert response.status_code == 303
    assert "Secure" not in response.headers["set-cookie"]
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize(
    ("peer", "site", "origin", "forwarded"),
    [
        (BROWSER, "https://testserver", "http://testserver", {}),  # http page, https site
        (BROWSER, SITE, "https://testserver", {}),  # https page, http site
        (NGINX, SITE, "http://testserver", {"X-Forwarded-Proto": "https"}),
    ],
)
def test_is_a_form_from_the_same_host_with_another_scheme_refused(
    stand_ins: StandIns, teacher, peer, site: str, origin: str, forwarded: dict[str, str]
) -> None:
    with client_for(stand_ins, peer=peer, site=site) as test_client:
        response = sign_in(test_client, origin, **forwarded)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


# --- whose address counts ---


@pytest.mark.parametrize(
    ("peer", "headers", "address"),
    [
        (NGINX, {"X-Real-IP": "198.51.100.7"}, "198.51.100.7"),
        (NGINX, {"X-Forwarded-For": "10.9.9.9, 198.51.100.7"}, "198.51.100.7"),  # nginx's entry
        (NGINX, {}, "127.0.0.1"),
        (BROWSER, {"X-Real-IP": "198.51.100.7"}, BROWSER[0]),  # forged: not believed
        (BROWSER, {"X-Forwarded-For": "198.51.100.7"}, BROWSER[0]),
    ],
)
def test_is_the_client_address_taken_from_nginx_only(
    stand_ins: StandIns, peer, headers: dict[str, str], address: str
) -> None:
    with client_for(stand_ins, peer=peer) as test_client:
        assert test_client.get("/whoami", headers=headers).text == address


@pytest.fixture
def nginx_in_front(tmp_path) -> Iterator[str]:
    """The app's nginx config, for real, in front of an echo server that shows its headers."""
    with nginx_in_front_of(Layout(tmp_path / "serve"), [echo_server()]) as base:
        yield base


@pytest.mark.parametrize(
    ("sent", "passed_on"),
    [
        ({}, "http"),
        ({"X-Forwarded-Proto": "https"}, "https"),
        ({"X-Forwarded-Proto": "ftp"}, "http"),
    ],
)
def test_does_nginx_pass_on_that_a_tls_proxy_in_front_used_https(
    nginx_in_front: str, sent: dict[str, str], passed_on: str
) -> None:
    headers = httpx.get(f"{nginx_in_front}/x", headers={**sent, "X-Real-IP": "6.6.6.6"}).json()
    assert headers["headers"]["X-Forwarded-Proto"] == passed_on
    assert headers["headers"]["X-Real-IP"] == "127.0.0.1"  # a browser's own claim is replaced
