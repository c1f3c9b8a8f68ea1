"""Docs and README stay true to the code: a command or field missing from the docs fails a test."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest

from helpers import REPO
from storybank.cli import cli
from storybank.models import Consent, FrontMatter, Storyteller


def cli_docs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_docs", REPO / "scripts" / "cli_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_a_section_in_cli_md(command: str) -> None:
    assert f"\n## storybank {command}\n" in (REPO / "docs" / "cli.md").read_text()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_help_has_an_example(command: str) -> None:
    assert re.search(r"Examples?: (STORYBANK_\w+=\S+ )?storybank ", cli.commands[command].help or "")


def test_cli_md_matches_the_help_output() -> None:
    assert (REPO / "docs" / "cli.md").read_text() == cli_docs_script().render(), (
        "docs/cli.md is out of date: run python scripts/cli_docs.py"
    )


def test_every_front_matter_field_is_in_story_format_md() -> None:
    text = (REPO / "docs" / "story-format.md").read_text()
    fields = [
        *FrontMatter.model_fields,
        *(f"storyteller.{name}" for name in Storyteller.model_fields),
        *(f"consent.{name}" for name in Consent.model_fields),
    ]
    assert [field for field in fields if f"`{field}`" not in text] == []


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    command = "bash scripts/test.sh"
    assert command in readme
    assert re.search(rf"^{re.escape(command)}(\s+#.*)?$", ci, re.MULTILINE)


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in quick_start.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
