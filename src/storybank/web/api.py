"""The JSON API: the same search and consent as the pages and the CLI, described by /openapi.json."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from storybank.search import SearchRequest
from storybank.web.params import Filters, Offset, StoryId, Text
from storybank.web.state import WebBank, web_bank

router = APIRouter(prefix="/api")
Web = Annotated[WebBank, Depends(web_bank)]


@router.get("/search", summary="Search stories shareable today (same object as `storybank search --json`)")
def api_search(
    web: Web,
    chosen: Filters,
    q: Text = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Offset = 0,
) -> dict[str, Any]:
    return web.search(SearchRequest(q, chosen, limit, offset))


@router.get("/stories/{story_id}", summary="One story, if it may be shared today", responses={404: {}})
def api_story(web: Web, story_id: StoryId) -> dict[str, Any]:
    story = web.shared(story_id)
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


@router.get("/themes", summary="The themes, with how many stories may be shared today")
def api_themes(web: Web) -> list[dict[str, Any]]:
    counts = web.shareable_counts()
    return [
        {"id": t.id, "label": t.label("en"), "group": t.group, "shareable": counts.get(t.id, 0)}
        for t in web.bank.taxonomy.themes
    ]
