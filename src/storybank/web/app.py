"""The web page for specialists: search, read and print stories — the library's consent rules, at every
request. Server-rendered pages that need no JavaScript (and get none: the CSP forbids scripts), and a JSON
API with an OpenAPI description. Read-only for stories. The handout page is a preview (not logged);
printing is an explicit act — a POST from this site's own story page — and only that is logged.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import jinja2
from fastapi import FastAPI, Form, Query, Request
from fastapi import Path as PathPart
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape

from storybank.bank import StoryBank
from storybank.errors import ConfigError, StorybankError, UnknownTermError
from storybank.handouts.render import safe_html
from storybank.models import Purpose, Story
from storybank.web.guard import HANDOUT_CSP, Guard, allowed_hosts
from storybank.web.words import WORDS, pick_language

if TYPE_CHECKING:
    from storybank.handouts import Handout

MAX_QUERY = 200
MAX_TERMS = 20
PAGE_SIZE = 10
NOT_FOUND_JSON = {"detail": "Not Found"}

Text = Annotated[str, Query(max_length=MAX_QUERY)]
StoryId = Annotated[str, PathPart(max_length=80)]
LanguageChoice = Literal["", "en", "es"]  # "" is "any language" (what the page's select sends)
Terms = Annotated[list[str], Query(max_length=MAX_TERMS)]
T = TypeVar("T")


class _NotFound(Exception):
    """Unknown, or not usable for this purpose now: both answer the same 404."""


class _Forbidden(Exception):
    """A write (a print) asked from another site, or without the page's own origin."""


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
    bank = StoryBank.open(bank_path, as_of=as_of)
    lock = threading.Lock()  # one request at a time uses the bank's warm index
    pages = jinja2.Environment(
        loader=jinja2.PackageLoader("storybank.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    pages.filters["snippet"] = _snippet_html
    app = FastAPI(
        title="storybank",
        description="Find and read recovery stories shared with their storytellers' consent.",
        docs_url=None,  # the interactive docs load scripts from elsewhere; /openapi.json is enough
        redoc_url=None,
    )

    def error_page(request: Request, status: int) -> Response:
        return page(request, "error.html.j2", status=status)

    hosts = allowed_hosts(port, host_names if token else ())
    app.add_middleware(Guard, token=token, hosts=hosts, error_page=error_page)
    app.mount("/static", StaticFiles(packages=[("storybank.web", "static")]), name="static")

    def shareable_counts() -> dict[str, int]:
        # From the index (every shareable story, counted by theme): no story file is parsed for this.
        return bank.search("", limit=0).facets

    def locked(work: Callable[[], T]) -> T:
        with lock:
            return work()

    def shared(story_id: str, purpose: Purpose = Purpose.SHARE) -> Story:
        try:
            return locked(lambda: bank.get(story_id, purpose=purpose))
        except StorybankError:
            raise _NotFound from None

    def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
        html = pages.get_template(template).render(w=WORDS[lang], lang=lang, bank=bank, **values)
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(_NotFound)
    def not_found(request: Request, _: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(NOT_FOUND_JSON, status_code=404)
        return page(request, "not_found.html.j2", status=404)

    @app.exception_handler(UnknownTermError)
    def unknown_term(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": "a parameter is too long or not valid"}, status_code=422)

    @app.exception_handler(_Forbidden)
    def forbidden(request: Request, _: Exception) -> Response:
        return PlainTextResponse("print from this storybank's own story page", status_code=403)

    @app.exception_handler(ConfigError)
    def bank_misconfigured(request: Request, error: Exception) -> Response:
        # A bank's template or settings are wrong: the curator's line goes to the log, a page to the user.
        logging.getLogger("storybank.web").error("%s", error)
        return page(request, "error.html.j2", status=500)

    def run_search(q: str, theme: list[str], any_theme: bool, exclude_warning: list[str],
                   language: str, limit: int, offset: int) -> dict[str, Any]:  # fmt: skip
        result = locked(
            lambda: bank.search(
                q,
                themes=theme,
                any_theme=any_theme,
                exclude_warnings=exclude_warning,
                language=language or None,
                limit=limit,
                offset=offset,
            )
        )
        return result.to_dict()

    # -- pages -----------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def search_page(
        request: Request,
        q: Text = "",
        theme: Terms = [],  # noqa: B006 (FastAPI reads the default, never changes it)
        any_theme: bool = False,
        exclude_warning: Terms = [],  # noqa: B006
        language: LanguageChoice = "",
        offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    ) -> HTMLResponse:
        result = run_search(q, theme, any_theme, exclude_warning, language, PAGE_SIZE, offset)
        counts = locked(shareable_counts)
        return page(
            request, "search.html.j2", q=q, result=result, chosen=set(theme), excluded=set(exclude_warning),
            any_theme=any_theme, language=language, offset=offset,
            page_size=PAGE_SIZE, counts=counts, taxonomy=bank.taxonomy,
        )  # fmt: skip

    @app.get("/stories/{story_id}", include_in_schema=False)
    def story_page(request: Request, story_id: StoryId) -> HTMLResponse:
        story = shared(story_id)
        similar = locked(lambda: bank.similar(story.id, limit=3))
        printable = bool(locked(lambda: bank.may_use(story, Purpose.HANDOUT)))
        return page(
            request, "story.html.j2", story=story, body=Markup(safe_html(story.body)), similar=similar,
            printable=printable, pdf=PDF_AVAILABLE, taxonomy=bank.taxonomy,
        )  # fmt: skip

    @app.get("/stories/{story_id}/handout", include_in_schema=False)
    def handout_preview(story_id: StoryId) -> HTMLResponse:
        """The handout as it would print; a view, so nothing is logged (a reload, a link checker…)."""
        shared(story_id, Purpose.HANDOUT)
        made = handout_of(story_id, "html")
        return HTMLResponse(made.text, headers={"Content-Security-Policy": HANDOUT_CSP})

    @app.post("/stories/{story_id}/print", include_in_schema=False)
    def print_handout(
        request: Request, story_id: StoryId, format: Annotated[Literal["html", "pdf"], Form()] = "html"
    ) -> Response:
        """Print (HTML to print, or a PDF to download): the logged act, taken only from this site's page."""
        if not _same_origin(request):
            raise _Forbidden
        shared(story_id, Purpose.HANDOUT)

        def make() -> Handout:
            made = bank.handout([story_id], format=format)
            bank.record_print(made)  # consent checked once more as it is logged
            return made

        made = handout_of(story_id, format, make)
        if format == "pdf":
            disposition = f'attachment; filename="{story_id}-handout.pdf"'
            return Response(
                made.data, media_type="application/pdf", headers={"Content-Disposition": disposition}
            )
        return HTMLResponse(made.text, headers={"Content-Security-Policy": HANDOUT_CSP})

    def handout_of(story_id: str, format: str, make: Callable[[], Handout] | None = None) -> Handout:
        try:
            return locked(make or (lambda: bank.handout([story_id], format=format)))
        except ConfigError:
            raise
        except StorybankError:
            raise _NotFound from None

    @app.get("/themes", include_in_schema=False)
    def themes_page(request: Request) -> HTMLResponse:
        return page(request, "themes.html.j2", counts=locked(shareable_counts), taxonomy=bank.taxonomy)

    # -- JSON API --------------------------------------------------------------------------------

    @app.get(
        "/api/search", summary="Search stories shareable today (same object as `storybank search --json`)"
    )
    def api_search(
        q: Text = "",
        theme: Terms = [],  # noqa: B006
        any_theme: bool = False,
        exclude_warning: Terms = [],  # noqa: B006
        language: LanguageChoice = "",
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
        offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    ) -> dict[str, Any]:
        return run_search(q, theme, any_theme, exclude_warning, language, limit, offset)

    @app.get("/api/stories/{story_id}", summary="One story, if it may be shared today", responses={404: {}})
    def api_story(story_id: StoryId) -> dict[str, Any]:
        story = shared(story_id)
        return {
            "id": story.id,
            "title": story.title,
            "summary": story.summary,
            "language": str(story.language),
            "themes": list(story.themes),
            "content_warnings": list(story.content_warnings),
            "credit": story.storyteller.credit(str(story.language)),
            "age_range": story.storyteller.age_range,
            "what_helped": list(story.what_helped),
            "body": story.body,
        }

    @app.get("/api/themes", summary="The themes, with how many stories may be shared today")
    def api_themes() -> list[dict[str, Any]]:
        counts = locked(shareable_counts)
        return [
            {"id": t.id, "label": t.label("en"), "group": t.group, "shareable": counts.get(t.id, 0)}
            for t in bank.taxonomy.themes
        ]

    return app


def _same_origin(request: Request) -> bool:
    """Whether a write comes from this site's own page: the browser says so (`Sec-Fetch-Site`), or the
    `Origin` it sends is this site's. A request that says neither is refused too."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    return origin is not None and origin.lower() in {f"http://{host}".lower(), f"https://{host}".lower()}


def _pdf_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


PDF_AVAILABLE = _pdf_available()


def _snippet_html(snippet: str) -> Markup:
    """A snippet's **matched words** as <strong>, everything else escaped."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", str(escape(snippet))))
