"""A bank's settings file, `storybank.toml` (optional): the organisation, crisis lines, extra themes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storybank.errors import ConfigError

SETTINGS_FILE = "storybank.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(_Section):
    name: str | None = None
    contact: str | None = None


class CrisisLine(_Section):
    name: str
    contact: str


class ThemeSettings(_Section):
    # Same shape as a theme in the package vocabulary; checked when the taxonomy is built.
    extra: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Settings(_Section):
    organization: Organization = Organization()
    crisis_lines: list[CrisisLine] = []
    themes: ThemeSettings = ThemeSettings()


def load_settings(folder: Path) -> Settings:
    """Read `storybank.toml` from the bank folder; a missing file means defaults."""
    path = folder / SETTINGS_FILE
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read as TOML: {error}") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(step) for step in first["loc"])
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None
