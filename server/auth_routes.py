"""/auth/setup, /auth/signup, /auth/login, /auth/logout and /healthz."""

from __future__ import annotations

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

COOKIE_MAX_AGE = int(sessions.ABSOLUTE_TIMEOUT.total_seconds())


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return urlsplit(target)._replace(scheme="", netloc="").geturl() or "/"


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # a form POST from a real browser sends Origin
    return urlsplit(origin).netloc == request.headers.get("host")


def _signed_in(request: Request, actor: Actor, target: str) -> Response:
    token = sessions.start_session(actor)
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
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
                accounts.authenticate, username, str(form.get("password", ""))
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


async def signup(request: Request) -> Response:
    values = {"display_name": "", "username": "", "code": request.query_params.get("code", "")}
    error = None
    if request.method == "POST":
        if not _same_origin(request):
            return _refused()
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in values}
        password = str(form.get("password", ""))
        try:
            if password != str(form.get("confirm", "")):
                raise accounts.AccountError("The two passwords differ; type them again.")
            actor = await run_in_threadpool(
                accounts.sign_up_learner,
                values["username"],
                values["display_name"],
                password,
                values["code"].strip() or None,
            )
            return _signed_in(request, actor, "/")
        except accounts.AccountError as exc:
            error = str(exc)
    html = page(
        "Create a learner account",
        "Join your class with the code your teacher gave you, or learn on your own.",
        "/auth/signup",
        [
            field("display_name", "Your name", value=values["display_name"], autocomplete="name"),
            field(
                "username",
                "Username",
                value=values["username"],
                hint="3 to 32 letters, digits, . _ -",
                autocomplete="username",
            ),
            field(
                "password",
                "Password",
                "password",
                hint="at least 8 characters",
                autocomplete="new-password",
            ),
            field("confirm", "Password again", "password", autocomplete="new-password"),
            field("code", "Class join code", value=values["code"], hint="optional", required=False),
        ],
        "Create account",
        error,
        'Already have an account? <a href="/auth/login">Sign in</a>.',
    )
    return HTMLResponse(html, status_code=400 if error else 200)


async def setup(request: Request) -> Response:
    if await run_in_threadpool(accounts.has_any_user):
        return RedirectResponse("/auth/login", status_code=303)
    values, error = {"display_name": "", "username": ""}, None
    if request.method == "POST":
        if not _same_origin(request):
            return _refused()
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in values}
        password = str(form.get("password", ""))
        try:
            if password != str(form.get("confirm", "")):
                raise accounts.AccountError("The two passwords differ; type them again.")
            actor = await run_in_threadpool(
                accounts.create_first_teacher, values["username"], values["display_name"], password
            )
            return _signed_in(request, actor, "/")
        except accounts.AccountError as exc:
            error = str(exc)
    html = page(
        "Set up Deep Learning Labs",
        "No accounts exist yet. Create the first teacher account for this server.",
        "/auth/setup",
        [
            field("display_name", "Your name", value=values["display_name"]),
            field(
                "username",
                "Username",
                value=values["username"],
                hint="3 to 32 letters, digits, . _ -",
            ),
            field(
                "password",
                "Password",
                "password",
                hint="at least 8 characters",
                autocomplete="new-password",
            ),
            field("confirm", "Password again", "password", autocomplete="new-password"),
        ],
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
