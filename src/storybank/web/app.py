"""The web page for specialists: search, read and print stories — the library's consent rules, at every
request. Server-rendered pages that need no JavaScript (and get none: the CSP forbids scripts), and a JSON
API with an OpenAPI description. Read-only for stories. The handout page is a preview (not logged);
printing is an explicit act — a POST from this site's own story page — and only that is logged.

Routes are in `pages.py` and `api.py`; the bank, opened once, is in the app's state (`state.py`); the
guard (`guard.py`) answers every request first and puts the safety headers on every response.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from storybank.bank import StoryBank
from storybank.errors import ConfigError, StorybankError, SupportMissingError, UnknownTermError
from storybank.web import api, pages
from storybank.web.guard import Guard, allowed_hosts
from storybank.web.state import Forbidden, NotFound, WebBank

NOT_FOUND_JSON = {"detail": "Not Found"}


def create_app(
    bank_path: str | Path,
    *,
    as_of: dt.date | None = None,
    token: str | None = None,
    port: int | None = None,
    host_names: Sequence[str] = (),
) -> FastAPI:
    """The app for one bank. It answers only to the loopback names (on `port`, or any port when None) and,
    with a `token`, to `host_names` too: a DNS-rebinding page's domain gets a 400."""
    web = WebBank(StoryBank.open(bank_path, as_of=as_of))
    web.bank.watch()  # other processes' changes reach the totals by file-system events, not a stat walk
    app = FastAPI(
        title="storybank",
        description="Find and read recovery stories shared with their storytellers' consent.",
        docs_url=None,  # the interactive docs load scripts from elsewhere; /openapi.json is enough
        redoc_url=None,
    )
    app.state.web = web

    def error_page(request: Request, status: int) -> Response:
        return web.page(request, "error.html.j2", status=status)

    hosts = allowed_hosts(port, host_names if token else ())
    app.add_middleware(Guard, token=token, hosts=hosts, error_page=error_page)
    app.mount("/static", StaticFiles(packages=[("storybank.web", "static")]), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.exception_handler(NotFound)
    def not_found(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(NOT_FOUND_JSON, status_code=404)
        return web.page(request, "not_found.html.j2", status=404)

    @app.exception_handler(UnknownTermError)
    def unknown_term(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": "a parameter is too long or not valid"}, status_code=422)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, _: Exception) -> Response:
        return PlainTextResponse("print from this storybank's own story page", status_code=403)

    @app.exception_handler(SupportMissingError)
    def support_missing(request: Request, error: Exception) -> Response:
        # The library's refusal, in the page's words: no handout leaves without its support lines.
        logging.getLogger("storybank.web").error("%s", error)
        return web.page(request, "error.html.j2", status=409, heading="no_support", text="no_support_text")

    @app.exception_handler(StorybankError)
    def bad_input(request: Request, error: Exception) -> Response:
        # A value the library refuses (a reversed age range, a text too long…): the person's to fix.
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error)}, status_code=422)
        return web.page(request, "error.html.j2", status=400, heading="bad_request", text="bad_request_text")

    @app.exception_handler(ConfigError)
    def bank_misconfigured(request: Request, error: Exception) -> Response:
        # A bank's template or settings are wrong: the curator's line goes to the log, a page to the user.
        logging.getLogger("storybank.web").error("%s", error)
        return web.page(request, "error.html.j2", status=500)

    return app
