"""`language.stigma`: stigmatising terms, each with a person-first alternative from a published guide."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from storybank import package_data
from storybank.checks.passages import Context, Finding, quoted_spans, reported

RULE = "language.stigma"
_EXCEPT_REACH = 40  # characters around a term an exception may match in


@dataclass(frozen=True)
class Term:
    pattern: re.Pattern[str]
    exceptions: tuple[re.Pattern[str], ...]
    suggestion: str
    guide: str


@cache
def terms() -> tuple[Term, ...]:
    data = package_data.load("stigma.yaml")
    guides = data["guides"]
    return tuple(
        Term(
            re.compile(rf"(?<![\w-])(?:{entry['pattern']})(?![\w-])", re.IGNORECASE),
            tuple(re.compile(rf"\b(?:{e})\b", re.IGNORECASE) for e in entry.get("except", [])),
            entry["suggest"],
            guides[entry["guide"]],
        )
        for entry in data["terms"]
    )


def stigma(text: str, context: Context) -> list[Finding]:
    spans = quoted_spans(text)
    found: list[Finding] = []
    for term in terms():
        for match in term.pattern.finditer(text):
            start, end = match.span()
            if reported(text, start, end, spans) or _excepted(text, start, end, term):
                continue
            if any(f.start < end and start < f.end for f in found):
                continue  # one finding for overlapping terms
            found.append(
                Finding(
                    start,
                    end,
                    match.group(),
                    f"'{match.group()}' can label a person by a condition ({term.guide})",
                    f"consider: {term.suggestion} — or keep the teller's own words, and accept this",
                )
            )
    return sorted(found, key=lambda f: f.start)


def _excepted(text: str, start: int, end: int, term: Term) -> bool:
    left = max(0, start - _EXCEPT_REACH)
    window = text[left : end + _EXCEPT_REACH]
    for exception in term.exceptions:
        for match in exception.finditer(window):
            if match.start() + left < end and start < match.end() + left:
                return True
    return False
