"""What every response of the web page carries, and who may ask for one.

- Headers, on every response — 4xx and 5xx included, because this middleware makes the error responses
  itself: a Content-Security-Policy with no script at all and nothing from elsewhere,
  `Referrer-Policy: no-referrer`, `Cache-Control: no-store` (nothing a specialist looked up about a peer
  stays in a shared browser's cache), `X-Content-Type-Options: nosniff`, no framing.
- A Host allow-list: the names the server answers to (the address it listens on; with a token, also the
  configured host names). Any other Host — a DNS-rebinding page's domain — gets a plain 400 and no data.
- An access token, when the server listens beyond this machine: `Authorization: Bearer …`, or a cookie
  set by visiting any page once with `?token=…` (then redirected to the same path on this site, without
  it). Tokens are compared as bytes, in constant time.
- Errors: one log line with an error id (the traceback only with STORYBANK_DEBUG=1); the browser gets an
  HTML page, an API client JSON.
- An access log that never records query strings: what a specialist typed about a peer stays private.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlencode

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HANDOUT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
TOKEN_COOKIE = "storybank_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
access_log = logging.getLogger("storybank.web.access")
error_log = logging.getLogger("storybank.web")

ErrorPage = Callable[[Request, int], Response]


def allowed_hosts(port: int | None, names: Iterable[str] = ()) -> frozenset[str]:
    """The Host values to answer: loopback names with the port (any port when it is None), and `names`."""
    hosts = {name.lower() for name in names}
    for name in LOOPBACK_NAMES:
        hosts.add(f"{name}:{port}" if port is not None else name)
        if port in (None, 80):
            hosts.add(name)
    return frozenset(hosts)


class Guard(BaseHTTPMiddleware):
    def __init__(
        self, app: ASGIApp, *, token: str | None, hosts: frozenset[str], error_page: ErrorPage
    ) -> None:
        super().__init__(app)
        self.token = token.encode("utf-8") if token is not None else None
        self.hosts = hosts
        self.error_page = error_page

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        try:
            response = self._refusal(request) or await call_next(request)
        except Exception:  # the app's errors end here, inside the headers below (never a traceback)
            response = self._server_error(request)
        response.headers["Content-Security-Policy"] = response.headers.get(
            "Content-Security-Policy", PAGE_CSP
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        access_log.info(  # the path only: never the query string
            "%s %s %d %.0f ms", request.method, request.url.path, response.status_code,
            (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return response

    def _refusal(self, request: Request) -> Response | None:
        if not self._host_allowed(request.headers.get("host", "")):
            return PlainTextResponse("this storybank does not answer to that host name", status_code=400)
        if self.token is None:
            return None
        given = request.query_params.get("token")
        if given is not None and _same(given, self.token):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            path = "/" + request.url.path.lstrip("/\\")  # never "//other.site/": a redirect stays here
            redirect = RedirectResponse(path + (f"?{urlencode(rest)}" if rest else ""), status_code=303)
            redirect.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
            return redirect
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):  # HTTP header text is the bytes as Latin-1: compare those bytes
            given_bytes = header.removeprefix("Bearer ").strip().encode("latin-1", "replace")
            if secrets.compare_digest(given_bytes, self.token):
                return None
        cookie = request.cookies.get(TOKEN_COOKIE)
        if cookie is not None and _same(cookie, self.token):
            return None
        return PlainTextResponse("this storybank needs its access token", status_code=401)

    def _host_allowed(self, host: str) -> bool:
        host = host.strip().lower()
        if host in self.hosts:
            return True
        name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if ":" in name and not name.endswith("]"):  # "127.0.0.1:8000:1" is no host of ours
            return False
        # A name allowed without a port (a configured host name; the loopback names when the app was not
        # told its port) is answered on any port.
        return bool(name) and port.isdigit() and name in self.hosts

    def _server_error(self, request: Request) -> Response:
        error_id = secrets.token_hex(4)
        if os.environ.get("STORYBANK_DEBUG"):
            error_log.exception("error %s on %s %s", error_id, request.method, request.url.path)
        else:
            error_log.error("error %s on %s %s (STORYBANK_DEBUG=1 logs the details)", error_id,
                            request.method, request.url.path)  # fmt: skip
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"detail": "something went wrong", "error_id": error_id}, status_code=500)
        try:
            return self.error_page(request, 500)
        except Exception:  # the error page itself failed: plain words, still inside the headers
            return PlainTextResponse(f"something went wrong (error {error_id})", status_code=500)


def _same(presented: str, token: bytes) -> bool:
    """Constant-time comparison as bytes: any text may be presented (a non-ASCII one is simply wrong)."""
    return secrets.compare_digest(presented.encode("utf-8", "surrogateescape"), token)
