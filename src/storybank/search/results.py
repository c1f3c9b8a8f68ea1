"""Search results as the library, the CLI (`--json`) and the web page give them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from storybank.models import Story
from storybank.search.backend import Highlight

WORDS_PER_MINUTE = 200


def marked(text: str, highlights: tuple[Highlight, ...]) -> str:
    """A snippet with its matched words as **word** (the `--json` contract's form)."""
    out, at = [], 0
    for start, end in highlights:
        out += [text[at:start], "**", text[start:end], "**"]
        at = end
    return "".join([*out, text[at:]])


@dataclass(frozen=True)
class Hit:
    story: Story
    score: float
    snippet: str
    matched_themes: list[str]
    matched_teller: list[str] = field(default_factory=list)  # the teller's attributes the query named

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
            "credit": self.story.storyteller.credit(str(self.story.language)),
            "age_range": self.story.storyteller.age_range,
            "pronouns": self.story.storyteller.pronouns,
            "language": str(self.story.language),
            "matched_teller": self.matched_teller,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None
    explanation: dict[str, Any] | None = None  # how the text was read, when asked (`explain`)
    language: str | None = None  # the stories' language searched (None: every language)
    more_in_other_languages: int = 0  # matches left out because they are told in another language
    teller_facets: dict[str, dict[str, int]] = field(default_factory=dict)  # by decade and by gender

    def to_dict(self) -> dict[str, object]:
        """The contract of `storybank search --json` (docs/cli.md); "explain" only when asked for."""
        data: dict[str, object] = {
            "query": self.query,
            "total": self.total,
            "results": [hit.to_dict() for hit in self.hits],
            "facets": {
                "themes": dict(sorted(self.facets.items())),
                "teller_decades": dict(sorted(self.teller_facets.get("teller_decades", {}).items())),
                "teller_pronouns": dict(sorted(self.teller_facets.get("teller_gender", {}).items())),
            },
            "suggestion": self.suggestion,
            "language": self.language,
            "more_in_other_languages": self.more_in_other_languages,
        }
        if self.explanation is not None:
            data["explain"] = self.explanation
        return data
