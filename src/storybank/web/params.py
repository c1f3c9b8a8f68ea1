"""The query parameters pages and API share, and the SearchFilters they make."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path as PathPart
from fastapi import Query

from storybank.search import SearchFilters

MAX_QUERY = 200
MAX_TERMS = 20

Text = Annotated[str, Query(max_length=MAX_QUERY)]
StoryId = Annotated[str, PathPart(max_length=80)]
LanguageChoice = Literal["", "en", "es"]  # "" is "any language" (what the page's select sends)
Terms = Annotated[list[str], Query(max_length=MAX_TERMS)]
Offset = Annotated[int, Query(ge=0, le=1000)]


def filters(theme: list[str], any_theme: bool, exclude_warning: list[str], language: str) -> SearchFilters:
    return SearchFilters(tuple(theme), any_theme, tuple(exclude_warning), language or None)
