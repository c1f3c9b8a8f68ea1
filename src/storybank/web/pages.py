"""The pages for specialists: search, a story, its handout (a preview) and printing it, the themes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from storybank.errors import StorybankError
from storybank.handouts.render import safe_html
from storybank.models import Purpose
from storybank.search import SearchRequest
from storybank.web.guard import HANDOUT_CSP
from storybank.web.params import TELLER_AGES, Filters, Offset, StoryId, Text
from storybank.web.state import PDF_AVAILABLE, Forbidden, NotFound, WebBank, same_origin, web_bank

PAGE_SIZE = 10
router = APIRouter(include_in_schema=False)
Web = Annotated[WebBank, Depends(web_bank)]


@router.get("/")
def search_page(
    request: Request, web: Web, chosen: Filters, q: Text = "", offset: Offset = 0
) -> HTMLResponse:
    result = web.search(SearchRequest(q, chosen, PAGE_SIZE, offset))
    return web.page(
        request, "search.html.j2", q=q, result=result, chosen=set(chosen.themes),
        excluded=set(chosen.exclude_warnings), any_theme=chosen.any_theme, language=chosen.language or "",
        offset=offset, page_size=PAGE_SIZE, teller_age=chosen.teller_age or "",
        teller_pronouns=chosen.teller_pronouns or "", teller_ages=TELLER_AGES,
        counts=web.shareable_counts(), taxonomy=web.bank.taxonomy,
    )  # fmt: skip


@router.get("/stories/{story_id}")
def story_page(request: Request, web: Web, story_id: StoryId) -> HTMLResponse:
    story = web.shared(story_id)
    similar = web.locked(lambda: web.bank.similar(story.id, limit=3))
    printable = bool(web.locked(lambda: web.bank.may_use(story, Purpose.HANDOUT)))
    counted = request.query_params.get("counted") == "1"
    return web.page(
        request, "story.html.j2", story=story, body=Markup(safe_html(story.body)), similar=similar,
        printable=printable, pdf=PDF_AVAILABLE, taxonomy=web.bank.taxonomy, counted=counted,
    )  # fmt: skip


@router.post("/stories/{story_id}/helped")
def count_impact(
    request: Request,
    web: Web,
    story_id: StoryId,
    how: Annotated[Literal["helped", "relatable", "learned"], Form()] = "helped",
) -> Response:
    """Count that sharing the story helped: a write, so taken only from this site's own story page (like
    printing). Nothing about the person, the specialist or the request is stored (docs/consent.md)."""
    if not same_origin(request):
        raise Forbidden
    try:  # the library asks the consent policy; a story it refuses answers like one that is not there
        web.locked(lambda: web.bank.record_impact(story_id, how=how))
    except StorybankError:
        raise NotFound from None
    lang = request.query_params.get("lang", "")
    back = f"/stories/{story_id}?counted=1" + (f"&lang={lang}" if lang in ("en", "es") else "")
    return RedirectResponse(back, status_code=303)


@router.get("/stories/{story_id}/handout")
def handout_preview(web: Web, story_id: StoryId) -> HTMLResponse:
    """The handout as it would print; a view, so nothing is logged (a reload, a link checker…)."""
    web.shared(story_id, Purpose.HANDOUT)
    made = web.handout(story_id, "html", printed=False)
    return HTMLResponse(made.text, headers={"Content-Security-Policy": HANDOUT_CSP})


@router.post("/stories/{story_id}/print")
def print_handout(
    request: Request, web: Web, story_id: StoryId, format: Annotated[Literal["html", "pdf"], Form()] = "html"
) -> Response:
    """Print (HTML to print, or a PDF to download): the logged act, taken only from this site's page."""
    if not same_origin(request):
        raise Forbidden
    web.shared(story_id, Purpose.HANDOUT)
    made = web.handout(story_id, format, printed=True)
    if format == "pdf":
        disposition = f'attachment; filename="{story_id}-handout.pdf"'
        return Response(made.data, media_type="application/pdf", headers={"Content-Disposition": disposition})
    return HTMLResponse(made.text, headers={"Content-Security-Policy": HANDOUT_CSP})


@router.get("/themes")
def themes_page(request: Request, web: Web) -> HTMLResponse:
    return web.page(request, "themes.html.j2", counts=web.shareable_counts(), taxonomy=web.bank.taxonomy)
