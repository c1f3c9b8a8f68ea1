"""What every text check works on: a passage, what is known about its story, and what it finds there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storybank.models import Attribution
from storybank.settings import DEFAULT_PHONE_REGIONS


@dataclass(frozen=True)
class Context:
    """What a check may know about the story a passage comes from."""

    attribution: Attribution = Attribution.ANONYMOUS
    display_name: str | None = None
    content_warnings: frozenset[str] = field(default_factory=frozenset)
    language: str = "en"
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS


@dataclass(frozen=True)
class Finding:
    """Something a check found in a passage: where (character offsets), what, and what to do."""

    start: int
    end: int
    text: str
    message: str
    suggestion: str


_QUOTED = re.compile(
    '"[^"\n]{1,200}"|\u201c[^\u201d\n]{1,200}\u201d|\u2018[^\u2019\n]{1,200}\u2019|\u00ab[^\u00bb\n]{1,200}\u00bb'
)
_REPORTED = re.compile(
    r"(?:the words?|the label|the term|called (?:me|us|him|her|them|myself)|calling (?:me|us|him|her|them)"
    r"|labell?ed (?:me|us|him|her|them)|(?:me|us|him|her|them) a|nicknamed)\s+(?:an?\s+)?['\u2018\"\u201c]?$",
    re.IGNORECASE,
)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _QUOTED.finditer(text)]


def reported(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether the words at start:end are someone else's words being reported: quoted, or named as a
    word ("the word addict", "they called me a junkie") — a story about stigma, not stigma."""
    if any(left <= start and end <= right for left, right in spans):
        return True
    return bool(_REPORTED.search(text[max(0, start - 40) : start]))
