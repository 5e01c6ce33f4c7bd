"""Security headers on every response; anonymous page loads go to the sign-in form, and
Streamlit's own endpoints that take data or tell about the server refuse anyone not signed
in; behind ``server.serve``'s nginx, the routing cookie that keeps a browser on one app
process."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from classroom import sessions
from classroom.access import Actor
from server.nginx_conf import ROUTE_COOKIE, ROUTE_HEADER
from server.page_base import with_backend_base
from server.trusted_proxy import is_https

# Learner text never loads outside resources: images and connections only from this site.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
OPEN_PREFIXES = (
    "/auth/",
    "/healthz",
    "/_stcore/",
    "/static/",
    "/media/",
    "/component/",
    "/app/static/",
    "/favicon",
)
ROUTE_KEY = re.compile(r"[0-9a-f]{32}")  # nginx's $request_id
# Streamlit's upload endpoint keeps each file in this process's memory: only for people
# signed in (an anonymous websocket session is enough for Streamlit itself).
UPLOAD_PREFIX = "/_stcore/upload_file/"
# Streamlit's metrics tell how many sessions are open and how much memory they hold:
# teachers only.
METRICS_PATH = "/_stcore/metrics"
HSTS = "max-age=31536000"  # a year; only ever sent over https


def _is_page_load(request: Request) -> bool:
    path = request.url.path
    last = path.rsplit("/", 1)[-1]
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and not path.startswith(OPEN_PREFIXES)
        and "." not in last
    )


class SecurityMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, server_root: str = "/") -> None:
        super().__init__(app)
        self.server_root = server_root  # where Streamlit's own routes are (server.page_base)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        refusal = await _refusal(request)
        if refusal is not None:
            return _finished(request, refusal)  # every response, redirects too
        response = await call_next(request)
        if _is_page_load(request):
            response = await _with_server_root(response, self.server_root)
        return _finished(request, response)


async def _actor(request: Request) -> Actor | None:
    token = request.cookies.get(sessions.COOKIE_NAME)
    return await run_in_threadpool(sessions.actor_for_token, token)


async def _refusal(request: Request) -> Response | None:
    """What to answer instead of the app, or None to let the request through."""
    path = request.url.path
    if _is_page_load(request):
        if await _actor(request) is None:
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/auth/login?next={quote(target)}", status_code=303)
    elif path.startswith(UPLOAD_PREFIX):
        if await _actor(request) is None:
            return PlainTextResponse("Sign in to upload files.", status_code=403)
    elif path.rstrip("/") == METRICS_PATH:
        actor = await _actor(request)
        if actor is None or not actor.is_teacher:
            return PlainTextResponse("Only a signed-in teacher can see this.", status_code=403)
    return None


async def _with_server_root(response: Response, root: str) -> Response:
    """A page's HTML, told where the server's root is (``server.page_base``)."""
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith(
        "text/html"
    ):
        return response
    # call_next gives Starlette's streaming response, though it is typed as a plain Response.
    chunks: AsyncIterable[bytes] = response.body_iterator  # type: ignore[attr-defined]
    body = b"".join([chunk async for chunk in chunks])
    gzipped = response.headers.get("content-encoding") == "gzip"  # Streamlit's own GZip
    page = with_backend_base(gzip.decompress(body) if gzipped else body, root)
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(gzip.compress(page) if gzipped else page, status_code=200, headers=headers)


def _finished(request: Request, response: Response) -> Response:
    response = _with_route_cookie(request, _with_security_headers(response))
    if is_https(request):  # browsers ignore HSTS sent over plain http anyway
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _with_route_cookie(request: Request, response: Response) -> Response:
    """Store the key nginx routed a cookieless request on (it sends it as X-DLL-Route) as the
    browser's routing cookie: its later requests then reach the same app process. Without
    nginx in front (``make run``, one process) there is no such header and no cookie."""
    key = request.headers.get(ROUTE_HEADER, "")
    if request.cookies.get(ROUTE_COOKIE) or not ROUTE_KEY.fullmatch(key):
        return response
    response.set_cookie(
        ROUTE_COOKIE,
        key,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


def _with_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
