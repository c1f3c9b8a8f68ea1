"""Every error storybank raises on purpose, and the `Problem` record that names what is wrong.

Each error's `str()` is one line a curator can act on: which file, which field, what to do. The CLI prints
that line and exits 2; it never needs to know the error's type.
"""

from __future__ import annotations

import reprlib
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

_QUOTE = reprlib.Repr()  # (keyword arguments only from Python 3.12)
_QUOTE.maxlevel, _QUOTE.maxlist, _QUOTE.maxdict, _QUOTE.maxtuple, _QUOTE.maxset = 2, 4, 4, 4, 4
_QUOTE.maxstring, _QUOTE.maxother, _QUOTE.maxlong = 60, 60, 40


MAX_LINE_CHARS = 1000
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: str) -> str:
    """A message as one line of bounded length, whatever text it quotes (line breaks shown escaped)."""
    text = text.translate(_LINE_BREAKS)
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def quote(value: object) -> str:
    """A value as a message quotes it: repr, cut short. A rejected value can be a huge number or an
    alias "bomb" of nested lists, and a full repr of one takes minutes and gigabytes."""
    try:
        return _QUOTE.repr(value)
    except ValueError:  # an integer past Python's 4,300-digit limit for turning it into text
        return f"<a {type(value).__name__} too long to show>"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a story file or in the bank's settings."""

    file: str
    message: str
    rule: str
    severity: Severity = Severity.ERROR
    line: int | None = None
    field: str | None = None
    story: str | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        return one_line(f"{where}: {self.severity}:{field} {self.message}{hint}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


class StorybankError(Exception):
    """Base class: a problem a user can fix. `str(error)` is one actionable line."""


class BankNotFoundError(StorybankError):
    """The bank folder does not exist or is not a folder."""


class ConfigError(StorybankError):
    """`storybank.toml` cannot be read or has a wrong setting."""


class SupportMissingError(ConfigError):
    """A handout would go out without the organisation's contact or the crisis lines."""


class InvalidStoryIdError(StorybankError):
    """A story id is not a slug, so it could not name a file inside the bank."""


class StoryNotFoundError(StorybankError):
    """No story file with this id in the bank."""


class StoryExistsError(StorybankError):
    """Refused to add a story whose id (file) already exists."""


class ConsentRefusedError(StorybankError):
    """A story may not be used for the asked purpose on the asked date."""

    def __init__(self, story_id: str, purpose: str, reason: str) -> None:
        super().__init__(f"story '{story_id}' may not be used for {purpose}: {reason}")
        self.story_id = story_id
        self.purpose = purpose
        self.reason = reason


class UnknownTermError(StorybankError):
    """A theme or content warning that is not in the bank's vocabulary."""

    def __init__(self, kind: str, value: str, guess: str | None) -> None:
        hint = f" — did you mean '{guess}'?" if guess else ""
        super().__init__(f"unknown {kind} '{value}'{hint} (storybank themes lists them all)")


class IndexBusyError(StorybankError):
    """Another process has held the index lock for too long."""


class QueryTooLongError(StorybankError):
    """A search text longer than storybank searches (it would cost seconds and find no better)."""


class StoryFileError(StorybankError):
    """A story file cannot be loaded; `problems` holds every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("StoryFileError needs at least one problem")
        more = f" (and {len(problems) - 1} more problem(s): run storybank check)"
        super().__init__(str(problems[0]) + (more if len(problems) > 1 else ""))
        self.problems = problems
