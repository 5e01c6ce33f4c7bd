"""Security headers on every response; anonymous page loads go to the sign-in form."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from classroom import sessions

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
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if _is_page_load(request):
            token = request.cookies.get(sessions.COOKIE_NAME)
            actor = await run_in_threadpool(sessions.actor_for_token, token)
            if actor is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                redirect = RedirectResponse(f"/auth/login?next={quote(target)}", status_code=303)
                return _with_security_headers(redirect)  # every response, redirects too
        return _with_security_headers(await call_next(request))


def _with_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
