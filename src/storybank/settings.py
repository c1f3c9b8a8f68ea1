"""A bank's settings file, `storybank.toml` (optional): the organisation, crisis lines, extra themes, and
the regions whose phone numbers the privacy check knows, and whether meaning joins the search ranking."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

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


# Where the bank's storytellers live, for phone numbers written the local way ("55 1234 5678" in Mexico,
# "612 34 56 78" in Spain); a number in international form ("+34 …") is found whatever these are.
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "MX", "ES")


class PrivacySettings(_Section):
    # Where the bank's storytellers live: phone numbers written the local way there are found.
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS

    @field_validator("phone_regions", mode="before")
    @classmethod
    def _known_regions(cls, value: object) -> object:
        import phonenumbers  # only when a bank sets its regions: every command start would pay for it

        if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
            raise PydanticCustomError(
                "phone_regions_list", 'should be a list of region codes, such as ["US", "MX", "ES"]'
            )
        for code in value:
            if code not in phonenumbers.SUPPORTED_REGIONS:
                hint = (
                    f'write it in capitals: "{code.upper()}"'
                    if code.upper() in phonenumbers.SUPPORTED_REGIONS
                    else 'use two-letter ISO 3166 codes in capitals, such as "US", "MX", "ES" or "GB"'
                )
                raise PydanticCustomError(
                    "phone_region",
                    '"{code}" is not a region code phonenumbers knows: {hint}',
                    {"code": code, "hint": hint},
                )
        return value


class SearchSettings(_Section):
    # Meaning joins the ranking when the semantic extra is installed; false keeps words alone.
    semantic: bool = True


class Settings(_Section):
    organization: Organization = Organization()
    crisis_lines: list[CrisisLine] = []
    themes: ThemeSettings = ThemeSettings()
    privacy: PrivacySettings = PrivacySettings()
    search: SearchSettings = SearchSettings()


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
