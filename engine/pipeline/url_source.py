"""Fetching a CSV or JSON file from an http(s) address, with a timeout and a size cap.

The server fetches what a learner names, so it refuses other schemes (file://, ftp://) and,
unless told otherwise, addresses inside its own network (127.0.0.1, 10.x, 169.254.x...):
otherwise a learner could read the school's internal services through the app. Every
redirect is checked the same way. (A DNS answer that changes between the check and the
request is not caught; schools that need that add an outbound proxy.)
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx

from engine.data.bundle import DataError
from engine.data.csv_checks import megabytes
from engine.pipeline.readers import MAX_FILE_BYTES

TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 3
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/comma-separated-values"})
JSON_TYPES = frozenset({"application/json", "text/json"})


def check_address(url: str, allow_private: bool = False) -> str:
    """The host of an http(s) URL that may be fetched, or a DataError saying why not."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise DataError(
            f"Only http:// and https:// addresses can be read; {scheme or 'this'}:// is refused."
        )
    host = parts.hostname
    if not host:
        raise DataError("The address has no host name.")
    if allow_private:
        return host
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DataError(f"The host {host!r} could not be found.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DataError(
                f"The address {host!r} points inside this server's own network ({address}); "
                "only public addresses can be read."
            )
    return host


def content_format(content_type: str, url: str) -> str:
    """csv or json from the Content-Type (text/plain: from the address's ending)."""
    main = content_type.split(";", 1)[0].strip().lower()
    path = urlsplit(url).path.lower()
    if main in CSV_TYPES or (main == "text/plain" and path.endswith(".csv")):
        return "csv"
    if (
        main in JSON_TYPES
        or main.endswith("+json")
        or (main == "text/plain" and path.endswith(".json"))
    ):
        return "json"
    hint = (
        " (a web page: link to the file itself, e.g. its 'raw' address)" if "html" in main else ""
    )
    raise DataError(
        f"The address returned {main or 'no content type'}{hint}, not a CSV or JSON file."
    )


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DataError(
            f"The file at the address is {megabytes(int(declared))}; the limit is "
            f"{megabytes(max_bytes)}."
        )
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:  # a server may send more than it declared, or declare nothing
            raise DataError(
                f"The file at the address is larger than the limit of {megabytes(max_bytes)}."
            )
    return bytes(body)


def fetch_url(
    url: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_FILE_BYTES,
    allow_private: bool = False,
) -> tuple[bytes, str]:
    """(body, "csv" or "json") of a file on the web, or a DataError naming the problem."""
    # trust_env=False: a learner's address is fetched directly, never via environment proxies
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_address(url, allow_private)
            try:
                with client.stream(
                    "GET", url, headers={"Accept": "text/csv, application/json"}
                ) as r:
                    if r.is_redirect:
                        url = urljoin(url, r.headers.get("location", ""))
                        continue
                    if r.status_code >= 400:
                        raise DataError(f"The address answered with HTTP {r.status_code}.")
                    fmt = content_format(r.headers.get("content-type", ""), url)
                    return _read_capped(r, max_bytes), fmt
            except httpx.TimeoutException:
                raise DataError(f"The address did not answer within {timeout:g} seconds.") from None
            except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
                raise DataError(f"The address could not be read ({type(exc).__name__}).") from None
    raise DataError(f"The address redirected more than {MAX_REDIRECTS} times.")
