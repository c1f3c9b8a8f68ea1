"""The seam between storybank's search and a search engine: neutral types and the `SearchBackend`
protocol. Nothing here knows an engine; `search/whoosh/` is the one backend today (docs/search.md says how
another, such as OpenSearch for a network of organisations, would plug in).

A backend indexes story files (it is a cache: it can always be rebuilt from them), narrows every search to
what the consent policy's `requirements` allow (`consent.requirements`, turned into the engine's own
filter), scores, and gives snippets as plain text with highlight ranges. It never decides consent on its
own: the search service re-checks every hit against its file with `consent.may_use`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from storybank.models import Purpose, Story

StoryFile = Path | os.DirEntry[str]  # a story file, as a path or as a folder listing's entry
Load = Callable[[Path], Story | None]  # a story file as a Story, or None when it does not load
Highlight = tuple[int, int]  # start and end of a matched word in a snippet's text


@dataclass
class Report:
    """What an index update did."""

    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rebuilt: bool = False
    embedded: list[str] = field(default_factory=list)  # stories whose vectors were made (semantic extra)


@dataclass(frozen=True)
class EngineQuery:
    """A search as the engine gets it: the text, what the vocabulary read in it, the filters, and the
    purpose and day whose consent requirements narrow it."""

    text: str
    theme_boosts: dict[str, float]
    warning_boosts: dict[str, float]
    expansions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    any_theme: bool = False
    exclude_warnings: tuple[str, ...] = ()
    language: str | None = None
    purpose: Purpose = Purpose.SHARE
    on: dt.date = dt.date.min
    now: dt.date | None = None  # the real date, when `on` may be another day (consent.requirements)
    # The person the text describes (boosts), and the teller filters (requirements).
    person_decades: tuple[int, ...] = ()
    person_gender: str | None = None
    person_language: str | None = None  # the language the person reads, when the text names it
    teller_decades: tuple[int, ...] = ()
    teller_gender: str | None = None
    text_language: str | None = None  # the query's own language, for telling typos from words


@dataclass(frozen=True)
class RawHit:
    """A hit as the engine found it (not yet re-checked against its file)."""

    id: str
    score: float
    snippet: str  # plain text
    themes: tuple[str, ...]
    highlights: tuple[Highlight, ...] = ()  # where the matched words are in `snippet`
    lexical_rank: int | None = None  # 1-based, among the word matches (None: not among the first ranked)
    semantic_rank: int | None = None  # 1-based, by meaning among the stories allowed (None: not used)


@dataclass(frozen=True)
class RawResult:
    total: int
    hits: list[RawHit]
    facets: dict[str, int]
    engine_query: str = ""  # the engine's own query, for `--explain`
    other_languages: int = 0  # matches left out by the language filter (in other languages)
    # Teller counts over all matches: {"teller_decades": {"50": 4}, "teller_gender": {"he": 7}}.
    teller_facets: dict[str, dict[str, int]] = field(default_factory=dict)
    semantic: bool = False  # whether meaning joined the ranking (the semantic extra, and words to embed)


class IndexUnavailable(Exception):
    """The index is missing or damaged: the caller rebuilds it from the files."""


class SearchBackend(Protocol):
    """What the search service needs of an engine."""

    path: Path  # where the index lives (for messages)

    def ensure_current(
        self, files: Callable[[], Mapping[str, StoryFile]], load: Load, *, max_age: float = 0.0
    ) -> Report | None:
        """Re-index the stories whose files changed, unless a check ran within `max_age` seconds."""

    def update(
        self,
        files: Mapping[str, StoryFile],
        load: Load,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        embedding_progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """Bring the index in line with `files` (id → file), or rebuild it from them (and the semantic
        layer's vectors, when it is on)."""

    def expire(self) -> None:
        """Check the files on the next search, however recent the last check."""

    def search(self, request: EngineQuery, *, limit: int, offset: int, facets: bool = True) -> RawResult:
        """The page of hits (best first, ties by id), the total, and theme counts of every match."""

    def similar(self, story_id: str, request: EngineQuery, *, limit: int) -> list[RawHit]:
        """Stories like this one, among those the request's consent requirements allow."""

    def suggest(self, word: str, request: EngineQuery) -> str | None:
        """A word close to `word` that a story the request allows contains."""

    def unknown_words(self, text: str) -> list[str]:
        """The words of the text no story has, in any form (what a correction may replace)."""

    def close(self) -> None:
        """Close any files the backend keeps open (it opens them again when needed)."""
