"""Search: turn what a specialist typed into a query, and every hit into a consent-checked result.

The taxonomy's everyday words and phrases ("went back out", "started drinking again") add a boost for
stories tagged with their theme — a boost, never a requirement — and longer phrases weigh more, so one
ambiguous word counts less than a phrase. Words that name a content-warning topic match stories carrying
that warning, unless the user left that warning out. Every hit is checked again against its story file
(the consent policy, at that moment) before it is returned; a hit that fails means the index was stale,
so the story is re-indexed and the search runs again, and totals and facets stay right too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from storybank.models import Story
from storybank.taxonomy import ContentWarning, Taxonomy

WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class Hit:
    story: Story
    score: float
    snippet: str
    matched_themes: list[str]

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(len(self.story.body.split()) / WORDS_PER_MINUTE))

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.story.id,
            "title": self.story.title,
            "summary": self.story.summary,
            "score": round(self.score, 4),
            "themes": list(self.story.themes),
            "matched_themes": self.matched_themes,
            "content_warnings": list(self.story.content_warnings),
            "snippet": self.snippet,
            "reading_minutes": self.reading_minutes,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None

    def to_dict(self) -> dict[str, object]:
        """The contract of `storybank search --json` (docs/cli.md)."""
        return {
            "query": self.query,
            "total": self.total,
            "results": [hit.to_dict() for hit in self.hits],
            "facets": {"themes": dict(sorted(self.facets.items()))},
            "suggestion": self.suggestion,
        }


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[\w']+", text.lower())) + " "


def phrase_boosts(
    text: str, entries: list[ContentWarning], *, skip: frozenset[str] = frozenset()
) -> dict[str, float]:
    """The vocabulary entries the text names (by id, label or phrase); longer phrases weigh more."""
    said = _words(text)
    boosts: dict[str, float] = {}
    for entry in entries:
        if entry.id in skip:
            continue
        phrases = {entry.id.replace("-", " "), *(label.lower() for label in entry.labels.values())}
        phrases.update(p for ps in entry.phrases.values() for p in ps)
        longest = max((len(p.split()) for p in phrases if _words(p) in said), default=0)
        if longest:
            boosts[entry.id] = 1.0 + 0.75 * (longest - 1)
    return boosts


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    text = resources.files("storybank").joinpath("data/synonyms.yaml").read_text(encoding="utf-8")
    return {str(name): tuple(words) for name, words in yaml.safe_load(text).items()}


def synonym_words(text: str) -> tuple[str, ...]:
    """The words stories use for the brand and street names in `text` ("suboxone" → buprenorphine)."""
    said = _words(text)
    found: dict[str, None] = {}
    for name, words in _synonyms().items():
        if f" {name} " in said:
            found.update(dict.fromkeys(words))
    return tuple(found)


def theme_boosts(text: str, taxonomy: Taxonomy) -> dict[str, float]:
    return phrase_boosts(text, list(taxonomy.themes))


def warning_boosts(text: str, taxonomy: Taxonomy, excluded: frozenset[str]) -> dict[str, float]:
    return phrase_boosts(text, list(taxonomy.warnings), skip=excluded)
