"""The questions of `storybank tell`, asked in the terminal one at a time (click's prompts). Every answer
is kept as it is given, so an interruption (Ctrl-C, the end of input) loses nothing: the caller saves
what was answered (`Interrupted.answered`) to continue later with `tell --answers`."""

from __future__ import annotations

import getpass
from typing import Any

import click

from storybank.handouts.teller_wording import PURPOSES
from storybank.models import Attribution, Purpose, check_age_range
from storybank.telling import DEFAULT_YEARS, PARTS, QUESTIONS


class Interrupted(Exception):
    """The telling stopped before its end; `answered` holds every answer given."""

    def __init__(self, answered: dict[str, Any]) -> None:
        super().__init__("the telling was interrupted")
        self.answered = answered


def ask(language: str) -> dict[str, Any]:
    """Every question in turn; the answers as an `--answers` file would hold them."""
    answered: dict[str, Any] = {"language": language}
    said = QUESTIONS[language]
    try:
        click.echo(said["intro"])
        answered["title"] = _line(said["title"])
        for part in PARTS:
            lines = _lines(said[part])
            if lines:
                answered[part] = lines if part == "what_helped" else "\n\n".join(lines)
        answered["summary"] = _line(said["summary"])
        click.echo()
        click.echo(said["consent_intro"])
        answered["purposes"] = []
        for purpose in Purpose:
            click.echo()
            click.echo(PURPOSES[language][str(purpose)])
            if click.confirm(said["purpose"], default=False):
                answered["purposes"].append(str(purpose))
        answered["years"] = click.prompt(said["years"], type=click.IntRange(1, 10), default=DEFAULT_YEARS)
        choices = click.Choice([str(a) for a in Attribution])
        answered["attribution"] = click.prompt(said["attribution"], type=choices, default="anonymous")
        if answered["attribution"] != "anonymous":
            answered["display_name"] = click.prompt(said["display_name"])
        answered["age_range"] = _line(said["age_range"], check=check_age_range)
        answered["pronouns"] = _line(said["pronouns"])
        if answered["age_range"] == "under-18":
            answered["guardian_form_ref"] = _line(said["guardian"])
        answered["recorded_by"] = click.prompt(said["recorded_by"], default=getpass.getuser())
    except (click.Abort, KeyboardInterrupt, EOFError):
        raise Interrupted(
            {key: value for key, value in answered.items() if value not in (None, "", [])}
        ) from None
    return {key: value for key, value in answered.items() if value not in (None, "", [])}


def _line(question: str, check: Any = None) -> str | None:
    """One line, or None when skipped; `check` (a validator) asks again until the answer passes."""
    while True:
        answer = str(click.prompt(question, default="", show_default=False)).strip()
        if not answer or check is None:
            return answer or None
        try:
            check(answer)
        except ValueError as error:
            click.echo(str(error))
            continue
        return answer


def _lines(question: str) -> list[str]:
    """Lines until an empty one (each line a paragraph, or an item of a list)."""
    click.echo()
    click.echo(question)
    lines: list[str] = []
    while True:
        line = str(click.prompt("", default="", show_default=False, prompt_suffix="> ")).strip()
        if not line:
            return lines
        lines.append(line)
