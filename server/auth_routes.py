"""/auth/setup, /auth/signup, /auth/login, /auth/logout and /healthz."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from classroom import accounts, sessions
from classroom.access import Actor
from db.session import read_session
from server.forms import field, page
from server.trusted_proxy import client_address, is_https

COOKIE_MAX_AGE = int(sessions.ABSOLUTE_TIMEOUT.total_seconds())


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return urlsplit(target)._replace(scheme="", netloc="").geturl() or "/"


def _same_origin(request: Request) -> bool:
    """Was the form sent from this site's own page: same scheme, host and port?"""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # a form POST from a real browser sends Origin
    parts = urlsplit(origin)
    scheme = "https" if is_https(request) else "http"
    return parts.scheme == scheme and parts.netloc == request.headers.get("host")


def _signed_in(request: Request, actor: Actor, target: str) -> Response:
    token = sessions.start_session(actor)
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


def _refused() -> Response:
    return HTMLResponse("This form must be sent from the app's own page.", status_code=403)


async def login(request: Request) -> Response:
    if not await run_in_threadpool(accounts.has_any_user):
        return RedirectResponse("/auth/setup", status_code=303)
    target = request.query_params.get("next", "/")
    username, error = "", None
    if request.method == "POST":
        if not _same_origin(request):
            return _refused()
        form = await request.form()
        username = str(form.get("username", ""))
        try:
            actor = await run_in_threadpool(
                accounts.authenticate,
                username,
                str(form.get("password", "")),
                client_address(request),
            )
            return _signed_in(request, actor, target)
        except accounts.AccountError as exc:
            error = str(exc)
    action = f"/auth/login?next={quote(_safe_next(target))}"
    html = page(
        "Sign in",
        "Welcome back. Sign in to continue your labs.",
        action,
        [
            field("username", "Username", value=username, autocomplete="username"),
            field("password", "Password", "password", autocomplete="current-password"),
        ],
        "Sign in",
        error,
        'New here? <a href="/auth/signup">Create a learner account</a>.',
    )
    return HTMLResponse(html, status_code=400 if error else 200)


NEW_ACCOUNT_FIELDS = [
    ("display_name", "Your name", "text", "", "name"),
    ("username", "Username", "text", "3 to 32 letters, digits, . _ -", "username"),
    ("password", "Password", "password", "at least 8 characters", "new-password"),
    ("confirm", "Password again", "password", "", "new-password"),
]


def _account_fields(values: dict[str, str]) -> list[str]:
    """The shared name / username / password fields, refilled except for passwords."""
    return [
        field(
            name,
            label,
            kind,
            value=values.get(name, "") if kind == "text" else "",
            hint=hint,
            autocomplete=auto,
        )
        for name, label, kind, hint, auto in NEW_ACCOUNT_FIELDS
    ]


CreateAccount = Callable[[dict[str, str], str, str | None], Actor]  # values, password, address


async def _account_form(
    request: Request, values: dict[str, str], create: CreateAccount
) -> tuple[Response | None, dict[str, str], str | None]:
    """Handle a sign-up style POST: (response once signed in, values to refill, error)."""
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in values}
    password = str(form.get("password", ""))
    try:
        if password != str(form.get("confirm", "")):
            raise accounts.AccountError("The two passwords differ; type them again.")
        actor = await run_in_threadpool(create, values, password, client_address(request))
        return _signed_in(request, actor, "/"), values, None
    except accounts.AccountError as exc:
        return None, values, str(exc)


def _new_learner(values: dict[str, str], password: str, address: str | None) -> Actor:
    code = values["code"].strip() or None
    return accounts.sign_up_learner(
        values["username"], values["display_name"], password, code, address
    )


def _first_teacher(values: dict[str, str], password: str, _address: str | None) -> Actor:
    return accounts.create_first_teacher(values["username"], values["display_name"], password)


async def signup(request: Request) -> Response:
    values = {"display_name": "", "username": "", "code": request.query_params.get("code", "")}
    error = None
    if request.method == "POST":
        if not _same_origin(request):
            return _refused()
        done, values, error = await _account_form(request, values, _new_learner)
        if done:
            return done
    code = field("code", "Class join code", value=values["code"], hint="optional", required=False)
    html = page(
        "Create a learner account",
        "Join your class with the code your teacher gave you, or learn on your own.",
        "/auth/signup",
        [*_account_fields(values), code],
        "Create account",
        error,
        'Already have an account? <a href="/auth/login">Sign in</a>.',
    )
    return HTMLResponse(html, status_code=400 if error else 200)


async def setup(request: Request) -> Response:
    if await run_in_threadpool(accounts.has_any_user):
        return RedirectResponse("/auth/login", status_code=303)
    values: dict[str, str] = {"display_name": "", "username": ""}
    error = None
    if request.method == "POST":
        if not _same_origin(request):
            return _refused()
        done, values, error = await _account_form(request, values, _first_teacher)
        if done:
            return done
    html = page(
        "Set up Deep Learning Labs",
        "No accounts exist yet. Create the first teacher account for this server.",
        "/auth/setup",
        _account_fields(values),
        "Create teacher account",
        error,
    )
    return HTMLResponse(html, status_code=400 if error else 200)


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return _refused()
    await run_in_threadpool(sessions.end_session, request.cookies.get(sessions.COOKIE_NAME))
    response = RedirectResponse("/auth/login", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, path="/")
    return response


def _database_ok() -> bool:
    with read_session() as session:
        return session.execute(text("SELECT 1")).scalar() == 1


async def healthz(_request: Request) -> Response:
    ok = await run_in_threadpool(_database_ok)
    return JSONResponse(
        {"status": "ok" if ok else "error", "database": ok}, status_code=200 if ok else 503
    )


ROUTES = [
    Route("/auth/login", login, methods=["GET", "POST"]),
    Route("/auth/signup", signup, methods=["GET", "POST"]),
    Route("/auth/setup", setup, methods=["GET", "POST"]),
    Route("/auth/logout", logout, methods=["POST"]),  # POST only: a link cannot sign you out
    Route("/healthz", healthz, methods=["GET"]),
]
