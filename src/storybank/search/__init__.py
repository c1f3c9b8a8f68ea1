"""All of search: the request, the vocabulary that reads it, the service that keeps the index fresh and
re-checks every hit, the results, and the backend seam (`backend.py`) with its one engine, Whoosh
(`whoosh/`: the only place Whoosh is imported). `StoryBank.search` delegates here.

Where a query becomes an engine query: `service.SearchService._search` builds an `EngineQuery`, and
`whoosh/query.py` turns it into Whoosh's (the user's words, the boosts, and the consent filter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storybank.search.request import SearchFilters, SearchRequest

if TYPE_CHECKING:
    from storybank.search.results import Hit, SearchResult


def __getattr__(name: str) -> Any:
    """Hit and SearchResult when first used: they need the story model, which a request does not."""
    if name in ("Hit", "SearchResult"):
        from storybank.search import results

        return getattr(results, name)
    raise AttributeError(f"module 'storybank.search' has no attribute {name!r}")


__all__ = ["Hit", "SearchFilters", "SearchRequest", "SearchResult"]
