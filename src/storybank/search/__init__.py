"""All of search: the request, the vocabulary that reads it, the service that keeps the index fresh and
re-checks every hit, the results, and the backend seam (`backend.py`) with its one engine, Whoosh
(`whoosh/`: the only place Whoosh is imported). `StoryBank.search` delegates here.

Where a query becomes an engine query: `service.SearchService._search` builds an `EngineQuery`, and
`whoosh/query.py` turns it into Whoosh's (the user's words, the boosts, and the consent filter).
"""

from storybank.search.request import SearchFilters, SearchRequest
from storybank.search.results import Hit, SearchResult

__all__ = ["Hit", "SearchFilters", "SearchRequest", "SearchResult"]
