"""The theme and content-warning vocabularies: ids, labels, descriptions, everyday phrases, groups.

The package ships `data/taxonomy.yaml`; a bank adds its own themes in `storybank.toml` (`[themes.extra]`).
"""

from __future__ import annotations

import difflib
from functools import cache, cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from storybank import package_data

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Entry):
    id: str = Field(pattern=SLUG_PATTERN)
    labels: dict[str, str]


class ContentWarning(_Entry):
    id: str = Field(pattern=SLUG_PATTERN)
    labels: dict[str, str]
    description: dict[str, str]
    phrases: dict[str, list[str]] = {}

    def label(self, language: str = "en") -> str:
        return self.labels.get(language) or self.labels["en"]


class Theme(ContentWarning):
    group: str
    reflection: dict[str, list[str]] = {}


class Taxonomy(_Entry):
    """A vocabulary of themes and content warnings, grouped."""

    version: int = 1
    groups: list[Group]
    themes: list[Theme]
    warnings: list[ContentWarning]

    @model_validator(mode="after")
    def _ids_are_unique_and_groups_known(self) -> Taxonomy:
        group_ids = {group.id for group in self.groups}
        seen: set[str] = set()
        for theme in self.themes:
            if theme.id in seen:
                raise ValueError(f"theme '{theme.id}' is defined twice")
            if theme.group not in group_ids:
                raise ValueError(
                    f"theme '{theme.id}' has unknown group '{theme.group}' "
                    f"(groups: {', '.join(sorted(group_ids))})"
                )
            seen.add(theme.id)
        if len({w.id for w in self.warnings}) != len(self.warnings):
            raise ValueError("a content warning is defined twice")
        return self

    # Cached: every story parsed checks its themes against these (the model is frozen).
    @cached_property
    def theme_ids(self) -> frozenset[str]:
        return frozenset(theme.id for theme in self.themes)

    @cached_property
    def warning_ids(self) -> frozenset[str]:
        return frozenset(warning.id for warning in self.warnings)

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def warning(self, warning_id: str) -> ContentWarning:
        for warning in self.warnings:
            if warning.id == warning_id:
                return warning
        raise KeyError(warning_id)

    def with_extra_themes(self, extra: dict[str, dict[str, Any]]) -> Taxonomy:
        """This vocabulary plus a bank's own themes (raises ValueError on a clash or a bad entry)."""
        clashes = sorted(set(extra) & self.theme_ids)
        if clashes:
            raise ValueError(f"themes.extra redefines package theme(s): {', '.join(clashes)}")
        added = [Theme.model_validate({"id": theme_id, **spec}) for theme_id, spec in extra.items()]
        return Taxonomy(
            version=self.version,
            groups=self.groups,
            themes=[*self.themes, *added],
            warnings=self.warnings,
        )

    def words(self) -> frozenset[str]:
        """Every word of every theme and warning phrase (for "did you mean" on search words)."""
        entries: list[ContentWarning] = [*self.themes, *self.warnings]
        return frozenset(
            word
            for entry in entries
            for phrases in entry.phrases.values()
            for phrase in phrases
            for word in phrase.split()
            if word.isalpha() and len(word) > 3
        )

    def suggest_theme(self, value: str) -> str | None:
        """The theme a mistyped or everyday word most likely meant ('relaps' → 'relapse', 'suboxone' →
        medication-assisted-treatment, 'hopefulness' → hope, by its everyday word 'hopeful')."""
        return _suggest(value, list(self.themes))

    def suggest_warning(self, value: str) -> str | None:
        return _suggest(value, list(self.warnings))


def _suggest(value: str, entries: list[Theme] | list[ContentWarning]) -> str | None:
    """An entry's id for a value: one of its phrases exactly, else a word of its phrases the value grows
    from ("hopefulness" from "hopeful"), else the closest id or phrase."""
    said = value.lower().strip()
    phrases: dict[str, str] = {p: entry.id for entry in entries for ps in entry.phrases.values() for p in ps}
    if said in phrases:
        return phrases[said]
    stems = [p for p in phrases if " " not in p and len(p) >= 4 and said.startswith(p)]
    if stems:
        return phrases[max(stems, key=len)]
    ids: dict[str, str] = {entry.id: entry.id for entry in entries}
    guess = closest(said, [*ids, *phrases])
    return ids.get(guess or "") or phrases.get(guess or "")


def closest(value: str, choices: frozenset[str] | set[str] | list[str]) -> str | None:
    """The closest choice to a misspelt value, or None when nothing is close."""
    if len(value) > 80:  # no vocabulary word is this long, and difflib's work grows with the length
        return None
    matches = difflib.get_close_matches(value.lower(), sorted(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


@cache
def default_taxonomy() -> Taxonomy:
    """The package vocabulary (loaded once per process)."""
    return Taxonomy.model_validate(package_data.load("taxonomy.yaml"))
