"""The query parameters pages and API share, and the SearchFilters they make."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query
from fastapi import Path as PathPart

from storybank.search import SearchFilters

MAX_QUERY = 200
MAX_TERMS = 20

Text = Annotated[str, Query(max_length=MAX_QUERY)]
StoryId = Annotated[str, PathPart(max_length=80)]
LanguageChoice = Literal["", "any", "en", "es"]  # "": the query's own language; "any": every language
TellerAge = Annotated[str, Query(max_length=12, pattern=r"^(|under-18|\d{1,2}-\d{1,3})$")]
TellerPronouns = Literal["", "he/him", "she/her", "they/them"]
TELLER_AGES = ("10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-99")  # by decade, as counted
Terms = Annotated[list[str], Query(max_length=MAX_TERMS)]
Offset = Annotated[int, Query(ge=0, le=1000)]


def search_filters(
    theme: Terms = [],  # noqa: B006 (FastAPI reads the default, never changes it)
    any_theme: bool = False,
    exclude_warning: Terms = [],  # noqa: B006
    language: LanguageChoice = "",
    teller_age: TellerAge = "",
    teller_pronouns: TellerPronouns = "",
) -> SearchFilters:
    """The search filters as query parameters, declared once for the pages and the API."""
    return SearchFilters(
        tuple(theme),
        any_theme,
        tuple(exclude_warning),
        language or None,
        teller_age or None,
        teller_pronouns or None,
    )


Filters = Annotated[SearchFilters, Depends(search_filters)]
