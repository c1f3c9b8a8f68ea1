"""`storybank schema`: its JSON Schema accepts every valid story and rejects the broken ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from helpers import SAMPLE_BANK, front_matter
from storybank.schema import front_matter_schema
from storybank.taxonomy import default_taxonomy

VALIDATOR = Draft202012Validator(
    front_matter_schema(default_taxonomy()), format_checker=Draft202012Validator.FORMAT_CHECKER
)
SAMPLE_FILES = sorted(p for p in SAMPLE_BANK.glob("*.md") if p.name != "README.md")


def plain_yaml_front_matter(path: Path) -> Any:
    """Front matter as any tool would read it: PyYAML's safe_load (dates become date objects)."""
    return yaml.safe_load(path.read_text("utf-8").split("---\n")[1])


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(front_matter_schema(default_taxonomy()))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_schema_accepts_sample_story_as_parsed_yaml(path: Path) -> None:
    assert list(VALIDATOR.iter_errors(plain_yaml_front_matter(path))) == []


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_schema_accepts_sample_story_as_json(path: Path) -> None:
    as_json = json.loads(json.dumps(plain_yaml_front_matter(path), default=str))
    assert list(VALIDATOR.iter_errors(as_json)) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"themes": ["relaps"]},
        {"content_warnings": ["gore"]},
        {"storyteller.attribution": "anonymous"},
        {"storyteller.display_name": None},
        {"storyteller.age_range": "under-18"},
        {"storyteller.age_range": "16-19"},
        {"consent.given_on": "2024-02-30"},
        {"consent.given_on": 2024},
        {"consent.purposes": ["shar"]},
        {"consent.purposes": []},
        {"storyteller.displayname": "Rosa"},
        {"status": "live"},
        {"id": "Not A Slug"},
        {"language": "fr"},
    ],
    ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()),
)
def test_schema_rejects_broken_front_matter(changes: dict[str, Any]) -> None:
    assert list(VALIDATOR.iter_errors(front_matter(**changes))) != []


def test_schema_accepts_a_minor_with_a_guardian_form() -> None:
    minor = front_matter(**{"storyteller.age_range": "under-18", "consent.guardian_form_ref": "GF-1"})
    assert list(VALIDATOR.iter_errors(minor)) == []
