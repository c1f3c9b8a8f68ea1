"""Test helpers: builders for real story files (a valid story, or one with chosen fields changed)."""

from __future__ import annotations

import copy
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE_BANK = REPO / "stories"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's: Playwright's download fails here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

VALID_FRONT_MATTER: dict[str, Any] = {
    "id": "back-to-the-kitchen",
    "title": "Back to the kitchen",
    "summary": "After two relapses, a line cook finds steady ground and goes back to work.",
    "language": "en",
    "status": "published",
    "themes": ["employment", "relapse", "hope"],
    "content_warnings": ["overdose"],
    "storyteller": {
        "attribution": "first-name",
        "display_name": "Rosa",
        "age_range": "30-39",
        "pronouns": "she/her",
        "recovery_since": 2016,
    },
    "what_helped": ["a Saturday group where nobody had to talk"],
    "consent": {
        "form_ref": "CF-2024-017",
        "given_on": "2024-03-02",
        "purposes": ["read", "share", "handout"],
        "expires_on": "2027-03-02",
        "withdrawn_on": None,
        "text_approved_on": "2024-03-20",
        "history": [
            {
                "date": "2024-03-02",
                "event": "given",
                "purposes": ["read", "share", "handout"],
                "by": "staff-12",
            }
        ],
    },
}
# What every handout carries (storybank.toml): a test bank has it unless a test takes it away.
SUPPORT_TOML = """[organization]
name = "Riverside Peer Recovery Center"
contact = "555-0100 · 12 Mill Street"

[[crisis_lines]]
name = "988 Suicide & Crisis Lifeline"
contact = "call or text 988"
"""
BODY = "I burned the rice on my first day back, and nobody yelled.\n\nThat was the start.\n"


def front_matter(**changes: Any) -> dict[str, Any]:
    """A valid front matter dict; `changes` replace fields (dotted keys reach nested ones)."""
    data = copy.deepcopy(VALID_FRONT_MATTER)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        target = data
        for key in parents:
            target = target[key]
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return data


DELETE = object()


def story_text(data: dict[str, Any] | None = None, body: str = BODY) -> str:
    data = front_matter() if data is None else data
    return f"---\n{yaml.safe_dump(data, sort_keys=False, allow_unicode=True)}---\n{body}"


def alias_bomb(levels: int) -> str:
    """Front-matter lines whose YAML aliases nest `levels` deep: 9**levels values from a few kilobytes."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + f"\nstatus: *a{levels - 1}\n"


def broken_story(trigger: str, story_id: str = "broken-story") -> str:
    """A valid story file with `trigger` (front-matter lines) put first in its front matter."""
    return story_text(front_matter(id=story_id)).replace("---\n", "---\n" + trigger, 1)


@dataclass
class Result:
    code: int
    out: str
    err: str


def needs(component: str, available: bool, how: str) -> None:
    """Skip a test whose component is missing — except under CI, where a skip would hide a failure."""
    if available:
        return
    message = f"{component} is not installed ({how})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must run every test")
    pytest.skip(message)


def needs_weasyprint() -> None:
    """Skip a test that makes a PDF when WeasyPrint (or the Pango it needs) is missing — except under CI."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        needs("WeasyPrint", False, "pip install -e '.[pdf]' and Debian's libpango-1.0-0")


LOCAL = "http://127.0.0.1"  # a test client's base URL: the Host the web app answers to when not told its port
