"""The package vocabulary: the ids DESIGN.md promises, complete entries, and a bank's own themes."""

from __future__ import annotations

import pytest

from helpers import REPO
from storybank import package_data
from storybank.taxonomy import Theme, default_taxonomy

TAXONOMY = default_taxonomy()
DESIGN_THEMES = [
    "relapse",
    "hope",
    "family",
    "parenting",
    "employment",
    "housing",
    "homelessness",
    "incarceration",
    "trauma",
    "grief",
    "stigma",
    "medication-assisted-treatment",
    "harm-reduction",
    "spirituality",
    "identity",
    "connectedness",
    "meaning",
    "empowerment",
    "mental-health",
    "depression",
    "anxiety",
    "psychosis",
    "bipolar",
    "alcohol",
    "opioids",
    "stimulants",
    "cannabis",
    "veterans",
    "lgbtq",
    "youth",
    "older-adults",
    "peer-support",
    "mutual-aid",
    "treatment",
    "physical-health",
    "education",
    "loneliness",
    "recovery-community",
    "culture",
]
DESIGN_WARNINGS = [
    "suicide",
    "self-harm",
    "overdose",
    "violence",
    "sexual-violence",
    "child-abuse",
    "death",
    "incarceration",
]


def test_every_design_theme_is_in_the_vocabulary() -> None:
    assert set(DESIGN_THEMES) <= TAXONOMY.theme_ids


def test_vocabulary_has_at_least_forty_themes() -> None:
    assert len(TAXONOMY.themes) >= 40


def test_every_design_warning_is_in_the_vocabulary() -> None:
    assert set(DESIGN_WARNINGS) <= TAXONOMY.warning_ids


def test_themes_are_grouped_in_the_five_groups() -> None:
    assert [group.id for group in TAXONOMY.groups] == [
        "chime",
        "life-areas",
        "recovery-paths",
        "conditions-substances",
        "communities",
    ]


@pytest.mark.parametrize("theme", TAXONOMY.themes, ids=lambda theme: theme.id)
def test_theme_entry_is_complete(theme: Theme) -> None:
    assert set(theme.labels) == {"en", "es"}
    assert all(theme.description.get(lang) for lang in ("en", "es"))
    assert len(theme.phrases["en"]) >= 10
    assert len(theme.phrases["es"]) >= 5
    assert all(phrase == phrase.lower() for phrase in theme.phrases["en"])
    assert all(len(theme.reflection[lang]) >= 2 for lang in ("en", "es"))


def test_everyday_relapse_phrases_belong_to_relapse() -> None:
    phrases = TAXONOMY.theme("relapse").phrases["en"]
    assert {"slip", "lapse", "used again", "picked up again", "went back out", "started drinking again"} <= (
        set(phrases)
    )


def test_reflection_questions_invite_rather_than_direct() -> None:
    questions = [q for theme in TAXONOMY.themes for q in theme.reflection["en"]]
    assert not [q for q in questions if any(w in q.lower() for w in ("you should", "you must", "have to"))]


def test_bank_theme_is_added() -> None:
    spec = {
        "group": "communities",
        "labels": {"en": "Farmers", "es": "Agricultores"},
        "description": {"en": "Farming life.", "es": "La vida del campo."},
    }
    assert "farmers" in TAXONOMY.with_extra_themes({"farmers": spec}).theme_ids


def test_bank_theme_may_not_redefine_a_package_theme() -> None:
    with pytest.raises(ValueError, match="redefines package theme"):
        TAXONOMY.with_extra_themes({"hope": {}})


def test_bank_theme_needs_a_known_group() -> None:
    spec = {"group": "hobbies", "labels": {"en": "Fishing"}, "description": {"en": "Fishing."}}
    with pytest.raises(ValueError, match="unknown group 'hobbies'"):
        TAXONOMY.with_extra_themes({"fishing": spec})


@pytest.mark.parametrize("name", package_data.yaml_names())
def test_each_package_data_file_is_read_from_a_json_copy_of_its_yaml(name: str) -> None:
    copy = REPO / "src" / "storybank" / "data" / package_data.json_name(name)
    assert copy.read_text("utf-8") == package_data.json_copy(name), (
        f"{copy.name} differs from {name}: run python scripts/package_data_json.py"
    )
