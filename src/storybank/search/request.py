"""A search as the library, the CLI and the web page ask it: one object, written once."""

from __future__ import annotations

from dataclasses import dataclass, field

from storybank.kinds import Purpose


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search besides its words."""

    themes: tuple[str, ...] = ()  # all of them, or any with `any_theme`
    any_theme: bool = False
    exclude_warnings: tuple[str, ...] = ()
    language: str | None = None  # None: the query's own language (when it shows); "any": every language
    teller_age: str | None = None  # an age range ("50-59"): tellers whose age range overlaps it
    teller_pronouns: str | None = None  # "he/him", "she/her", "they/them", or a word for them ("man")


@dataclass(frozen=True)
class SearchRequest:
    """A search: its text, filters, page, and the purpose whose consent it serves (share, or handout)."""

    text: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)
    limit: int = 10
    offset: int = 0
    facets: bool = True  # count the themes of every match
    fuzzy: bool = True  # a word no story knows is searched with its correction too
    purpose: Purpose = Purpose.SHARE
    explain: bool = False  # say how the text was read (SearchResult.explanation)
