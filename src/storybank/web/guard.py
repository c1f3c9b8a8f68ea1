"""What every response of the web page carries, and who may ask for one.

- Headers: a Content-Security-Policy with no script at all and nothing from elsewhere,
  `Referrer-Policy: no-referrer`, `Cache-Control: no-store` (nothing a specialist looked up about a peer
  stays in a shared browser's cache), `X-Content-Type-Options: nosniff`, no framing.
- An access token, when the server listens beyond this machine: `Authorization: Bearer …`, or a cookie
  set by visiting any page once with `?token=…` (then redirected to the same page without it).
- An access log that never records query strings: what a specialist typed about a peer stays private.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HANDOUT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
)
TOKEN_COOKIE = "storybank_token"
access_log = logging.getLogger("storybank.web.access")


class Guard(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, *, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = self._refusal(request) or await call_next(request)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
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
        if self.token is None:
            return None
        given = request.query_params.get("token")
        if given is not None and secrets.compare_digest(given, self.token):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            redirect = RedirectResponse(target, status_code=303)
            redirect.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            return redirect
        header = request.headers.get("authorization", "")
        presented = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        presented = presented or request.cookies.get(TOKEN_COOKIE)
        if presented is not None and secrets.compare_digest(presented, self.token):
            return None
        return PlainTextResponse("this storybank needs its access token", status_code=401)
