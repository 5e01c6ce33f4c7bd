"""Do the sign-in pages let the right people in, keep others out, and leak nothing?"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from classroom import accounts, classes, sessions
from db.models import AuthSession, LoginAttempt, User
from db.session import read_session
from server.auth_routes import ROUTES
from server.middleware import SecurityMiddleware
from tests.conftest import PASSWORD
from tests.server.helpers import SITE, TestClient

SAME_SITE = {"Origin": SITE}
HTML = {"Accept": "text/html,application/xhtml+xml"}
GENERIC = "Wrong username or password."


async def home(_request: Request) -> HTMLResponse:
    return HTMLResponse("<h1>the app</h1>")


def make_app() -> Starlette:
    routes = [*ROUTES, Route("/", home), Route("/lab", home)]
    return Starlette(routes=routes, middleware=[Middleware(SecurityMiddleware)])


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app(), base_url=SITE, follow_redirects=False) as test_client:
        yield test_client


def count(model) -> int:
    with read_session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def login(client: TestClient, password: str = PASSWORD, next_: str | None = None, **headers):
    params = {"next": next_} if next_ is not None else None
    return client.post(
        "/auth/login",
        params=params,
        data={"username": "teacher", "password": password},
        headers={**SAME_SITE, **headers},
    )


def as_cookie(token: str) -> dict[str, str]:
    return {**HTML, "Cookie": f"{sessions.COOKIE_NAME}={token}"}


@pytest.mark.parametrize(
    ("path", "login_url"),
    [
        ("/", {"/auth/login?next=/", "/auth/login?next=%2F"}),
        ("/lab?tab=2", {"/auth/login?next=/lab%3Ftab%3D2", "/auth/login?next=%2Flab%3Ftab%3D2"}),
    ],
)
def test_is_an_anonymous_page_load_sent_to_sign_in_with_where_it_was_going(
    client: TestClient, teacher, path: str, login_url: set[str]
) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] in login_url
    assert "the app" not in response.text


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/healthz", "text/html"),  # open paths stay open
        ("/auth/login", "text/html"),
        ("/", "application/json"),  # not a page load: left to the app's own checks
    ],
)
def test_are_open_paths_and_non_page_requests_not_redirected(
    client: TestClient, teacher, path: str, accept: str
) -> None:
    assert client.get(path, headers={"Accept": accept}).status_code == 200


def test_does_a_new_server_send_sign_in_to_setup(client: TestClient) -> None:
    response = client.get("/auth/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/setup"
    assert "Create the first teacher account" in client.get("/auth/setup").text


def test_does_setup_create_the_teacher_and_open_the_app(client: TestClient) -> None:
    response = client.post(
        "/auth/setup",
        data={
            "display_name": "Tess",
            "username": "tess",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        headers=SAME_SITE,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Path=/" in cookie
    token = response.cookies[sessions.COOKIE_NAME]
    actor = sessions.actor_for_token(token)
    assert actor is not None and actor.username == "tess" and actor.is_teacher
    page = client.get("/", headers=as_cookie(token))
    assert page.status_code == 200
    assert "the app" in page.text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_is_a_second_setup_sent_to_sign_in_and_creates_nothing(
    client: TestClient, teacher, method: str
) -> None:
    form = {"display_name": "Eve", "username": "eve", "password": PASSWORD, "confirm": PASSWORD}
    response = client.request(
        method, "/auth/setup", data=form if method == "POST" else None, headers=SAME_SITE
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login"
    assert "set-cookie" not in response.headers
    assert count(User) == 1


def test_does_a_cookie_over_https_get_the_secure_flag(teacher) -> None:
    site = "https://testserver"
    with TestClient(make_app(), base_url=site, follow_redirects=False) as https_client:
        response = https_client.post(
            "/auth/login",
            data={"username": "teacher", "password": PASSWORD},
            headers={"Origin": site},
        )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("teacher", "not the password"), ("nobody", PASSWORD), ("nobody", "whatever it is")],
)
def test_does_a_failed_login_say_only_the_generic_message_and_set_no_cookie(
    client: TestClient, teacher, username: str, password: str
) -> None:
    response = client.post(
        "/auth/login", data={"username": username, "password": password}, headers=SAME_SITE
    )
    assert response.status_code == 400
    assert GENERIC in response.text
    assert "set-cookie" not in response.headers
    assert count(AuthSession) == 0


def test_does_the_login_form_throttle_after_five_failures(client: TestClient, teacher) -> None:
    for _ in range(accounts.MAX_FAILURES):
        assert login(client, "not the password").status_code == 400
    response = login(client)
    assert response.status_code == 400
    assert "Too many failed attempts" in response.text
    assert count(AuthSession) == 0


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://testserver.evil.example", "https://evil"]
)
@pytest.mark.parametrize("path", ["/auth/login", "/auth/signup", "/auth/setup"])
def test_is_a_form_posted_from_another_site_refused(
    client: TestClient, teacher, klass, origin: str, path: str
) -> None:
    form = {
        "username": "teacher" if path == "/auth/login" else "newbie",
        "display_name": "Newbie",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "code": klass.join_code,
    }
    response = client.post(path, data=form, headers={"Origin": origin})
    if path == "/auth/setup":  # setup is closed once a user exists, whatever the origin
        assert response.status_code == 303
    else:
        assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert count(AuthSession) == 0
    assert count(LoginAttempt) == 0
    assert count(User) == 1


def test_is_a_cross_site_logout_refused(client: TestClient, teacher) -> None:
    token = sessions.start_session(teacher)
    response = client.post(
        "/auth/logout",
        headers={"Origin": "http://evil.example", "Cookie": f"{sessions.COOKIE_NAME}={token}"},
    )
    assert response.status_code == 403
    assert sessions.actor_for_token(token) == teacher


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("http://evil.example/lab", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        ("/lab", "/lab"),
        ("/lab?tab=2", "/lab?tab=2"),
    ],
)
def test_does_sign_in_return_only_to_a_page_of_this_site(
    client: TestClient, teacher, target: str, lands_on: str
) -> None:
    response = login(client, next_=target)
    assert response.status_code == 303
    assert response.headers["location"] == lands_on


def test_does_sign_in_return_to_the_page_that_asked_for_it(client: TestClient, teacher) -> None:
    asked = client.get("/lab?tab=2", headers=HTML)
    form_page = client.get(asked.headers["location"])
    assert 'action="/auth/login?next=/lab%3Ftab%3D2"' in form_page.text
    response = client.post(
        "/auth/login?next=/lab%3Ftab%3D2",
        data={"username": "teacher", "password": PASSWORD},
        headers=SAME_SITE,
    )
    assert response.headers["location"] == "/lab?tab=2"


def test_does_each_sign_in_get_a_new_session_token(client: TestClient, teacher) -> None:
    first = login(client).cookies[sessions.COOKIE_NAME]
    second = login(client).cookies[sessions.COOKIE_NAME]
    assert first != second
    assert count(AuthSession) == 2


def test_does_sign_up_with_a_join_code_put_the_learner_in_the_class(
    client: TestClient, teacher, klass
) -> None:
    response = client.post(
        "/auth/signup",
        data={
            "display_name": "Lin",
            "username": "lin",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "code": f" {klass.join_code.lower()} ",
        },
        headers=SAME_SITE,
    )
    assert response.status_code == 303
    actor = sessions.actor_for_token(response.cookies[sessions.COOKIE_NAME])
    assert actor is not None and actor.role == "learner"
    assert [m.username for m in classes.roster(teacher, klass.id)] == ["lin"]


def test_does_the_join_code_from_a_link_fill_the_form(client: TestClient, teacher, klass) -> None:
    page = client.get(f"/auth/signup?code={klass.join_code}")
    assert f'value="{klass.join_code}"' in page.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"confirm": "a different secret"}, "The two passwords differ"),
        ({"code": "ZZZZZZ"}, "No class has that join code"),
        ({"username": "../../etc/passwd"}, "A username has 3 to 32 characters"),
        ({"password": "short", "confirm": "short"}, "at least 8 characters"),
        ({"username": "teacher"}, "That username is taken"),
    ],
)
def test_does_a_refused_sign_up_explain_why_and_create_nothing(
    client: TestClient, teacher, klass, form: dict[str, str], message: str
) -> None:
    data = {
        "display_name": "Lin",
        "username": "lin",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "code": klass.join_code,
        **form,
    }
    response = client.post("/auth/signup", data=data, headers=SAME_SITE)
    assert response.status_code == 400
    assert message in response.text
    assert "set-cookie" not in response.headers
    assert count(User) == 1
    assert count(AuthSession) == 0


def test_does_logout_end_the_session_so_the_old_cookie_opens_nothing(
    client: TestClient, teacher
) -> None:
    token = login(client).cookies[sessions.COOKIE_NAME]
    assert client.get("/", headers=as_cookie(token)).status_code == 200
    response = client.post("/auth/logout", headers={**SAME_SITE, **as_cookie(token)})
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login"
    assert f'{sessions.COOKIE_NAME}=""' in response.headers["set-cookie"]
    assert sessions.actor_for_token(token) is None
    again = client.get("/", headers=as_cookie(token))
    assert again.status_code == 303
    assert again.headers["location"].startswith("/auth/login")


def test_can_a_link_from_another_site_not_sign_anyone_out(client: TestClient, teacher) -> None:
    """Logout is POST only (with an Origin check), so a plain GET link or image does nothing."""
    token = login(client).cookies[sessions.COOKIE_NAME]
    response = client.get("/auth/logout", headers=as_cookie(token))
    assert response.status_code == 405
    assert sessions.actor_for_token(token) is not None


@pytest.mark.parametrize("cookie", ["", "garbage", "x" * 5000, "'; DROP TABLE users; --"])
def test_does_a_forged_cookie_open_nothing(client: TestClient, teacher, cookie: str) -> None:
    response = client.get("/", headers=as_cookie(cookie))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/login")


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", HTML),  # a redirect
        ("GET", "/", {"Accept": "application/json"}),
        ("GET", "/auth/login", {}),
        ("GET", "/auth/signup", {}),
        ("GET", "/auth/setup", {}),
        ("GET", "/healthz", {}),
        ("POST", "/auth/login", {"Origin": "http://evil.example"}),  # a refusal
        ("GET", "/no/such/page.js", {}),  # a 404
    ],
)
def test_does_every_response_carry_the_security_headers(
    client: TestClient, teacher, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers)
    csp = response.headers["content-security-policy"]
    directives = {d.strip().split()[0]: d.strip().split()[1:] for d in csp.split(";")}
    assert directives["img-src"] == ["'self'", "data:", "blob:"]  # no outside images
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert "http:" not in csp and "https:" not in csp and "*" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_does_healthz_report_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}


HOSTILE = '<script>x</script>"><img src=x onerror=alert(1)>'


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (
            "/auth/signup",
            {"display_name": HOSTILE, "username": HOSTILE, "code": HOSTILE},
        ),
        ("/auth/login", {"username": HOSTILE}),
    ],
)
def test_are_values_echoed_in_forms_escaped(
    client: TestClient, teacher, path: str, data: dict[str, str]
) -> None:
    form = {"password": PASSWORD, "confirm": "a different secret", **data}
    response = client.post(path, data=form, headers=SAME_SITE)
    assert response.status_code == 400
    assert "<script>x</script>" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text
    assert "&quot;&gt;&lt;img" in response.text


def test_is_a_hostile_next_parameter_escaped_in_the_login_form(client: TestClient, teacher) -> None:
    response = client.get('/auth/login?next=/"><script>x</script>')
    assert response.status_code == 200
    assert "<script>x</script>" not in response.text
