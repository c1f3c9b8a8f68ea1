"""`warnings.undeclared`: content the text suggests that the front matter does not announce."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from storybank import package_data
from storybank.checks.passages import Context, Finding, quoted_spans

RULE = "warnings.undeclared"
_EXCEPT_REACH = 40


@dataclass(frozen=True)
class Cues:
    warning: str
    cues: re.Pattern[str]
    exceptions: tuple[re.Pattern[str], ...]


@cache
def cues() -> tuple[Cues, ...]:
    data = package_data.load("warning_cues.yaml")
    return tuple(
        Cues(
            warning,
            re.compile(r"(?<![\w-])(?:" + "|".join(spec["cues"]) + r")(?![\w-])", re.IGNORECASE),
            tuple(re.compile(rf"(?<![\w-])(?:{e})(?![\w-])", re.IGNORECASE) for e in spec.get("except", [])),
        )
        for warning, spec in data.items()
    )


def undeclared(text: str, context: Context) -> list[Finding]:
    """The first passage of each undeclared warning topic (one finding a topic is enough to act on)."""
    spans = quoted_spans(text)
    found: list[Finding] = []
    for topic in cues():
        if topic.warning in context.content_warnings:
            continue
        for match in topic.cues.finditer(text):
            start, end = match.span()
            if _excepted(text, start, end, topic.exceptions) or _in_quote(start, end, spans):
                continue
            found.append(
                Finding(
                    start,
                    end,
                    topic.warning,
                    f"the text mentions '{match.group()}': consider content warning `{topic.warning}`",
                    f"add {topic.warning} to content_warnings, or accept this if it does not apply",
                )
            )
            break
    return sorted(found, key=lambda f: f.start)


def _excepted(text: str, start: int, end: int, exceptions: tuple[re.Pattern[str], ...]) -> bool:
    left = max(0, start - _EXCEPT_REACH)
    window = text[left : end + _EXCEPT_REACH]
    return any(
        m.start() + left < end and start < m.end() + left for e in exceptions for m in e.finditer(window)
    )


def _in_quote(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    # A quoted song title or saying is not the story's content; a long quote of speech still is.
    return any(left <= start and end <= right and right - left < 60 for left, right in spans)
