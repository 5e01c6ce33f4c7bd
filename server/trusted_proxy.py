"""Who sent a request, and over https or not, as the app's own nginx (``server.nginx_conf``,
on this machine) tells it in X-Real-IP, X-Forwarded-For and X-Forwarded-Proto.

Those headers are believed only from a loopback address, where nginx connects from; a
browser that sends them straight to the app is judged by its own connection instead.
(uvicorn applies the same rule before the app sees the request; this keeps the app right
whatever uvicorn is told.)
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _peer(request: Request) -> str:
    return request.client.host if request.client else ""


def from_trusted_proxy(request: Request) -> bool:
    """Did the request come from this machine (the app's nginx), not straight from a browser?"""
    peer = _ip(_peer(request))
    return peer is not None and peer.is_loopback


def client_address(request: Request) -> str:
    """The browser's address: nginx's X-Real-IP (or the entry it added to X-Forwarded-For)
    when nginx sent the request, else the connection's own address."""
    if from_trusted_proxy(request):
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1]
        for candidate in (request.headers.get("x-real-ip", ""), forwarded):
            address = _ip(candidate)
            if address is not None:
                return str(address)
    return _peer(request)


def is_https(request: Request) -> bool:
    """Did the browser use https: to this server, or to the proxy that passed the request on?"""
    if request.url.scheme in ("https", "wss"):
        return True
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return proto == "https" and from_trusted_proxy(request)
