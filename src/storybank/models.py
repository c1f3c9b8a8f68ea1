"""The story model: front matter fields, their vocabularies and the rules a curator would expect.

Models know nothing of files. Themes and content warnings are checked against the vocabulary passed as
validation context (`{"taxonomy": ...}`), else the package vocabulary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from storybank.errors import quote
from storybank.kinds import Attribution as Attribution
from storybank.kinds import EventKind as EventKind
from storybank.kinds import Language as Language
from storybank.kinds import Purpose as Purpose
from storybank.kinds import Status as Status
from storybank.taxonomy import SLUG_PATTERN, Taxonomy, closest, default_taxonomy


def _one_of(kind: str, choices: type[StrEnum]) -> BeforeValidator:
    """Accept a value of `choices`; otherwise say which values exist and which one was probably meant."""

    allowed = {str(choice) for choice in choices}

    def check(value: object) -> object:
        if isinstance(value, str) and value in allowed:
            return value
        guess = closest(value, allowed) if isinstance(value, str) else None
        hint = f" — did you mean '{guess}'?" if guess else ""
        raise ValueError(f"unknown {kind} {quote(value)}{hint} (choose from: {', '.join(sorted(allowed))})")

    return BeforeValidator(check)


def _parse_date(value: object) -> object:
    # YAML timestamps are kept as text by the store, so every date is checked here the same way.
    if value is None or value == "":
        raise ValueError("is empty: write the date as YYYY-MM-DD")
    if isinstance(value, dt.datetime):
        raise ValueError("write a date without a time: YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a real date") from None
    raise ValueError(f"{quote(value)} is not a date: write it as YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_parse_date)]
PurposeField = Annotated[Purpose, _one_of("purpose", Purpose)]
# `readme` would be README.md, which every bank folder may hold and no command treats as a story.
RESERVED_IDS = frozenset({"readme"})


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise ValueError(
            f"'{value}' is reserved (a bank's {value}.md is its notes, not a story): choose another id"
        )
    return value


Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=3, max_length=80)]
StoryId = Annotated[Slug, AfterValidator(_not_reserved)]
Text = Annotated[str, Field(min_length=1)]


def _taxonomy(info: ValidationInfo) -> Taxonomy:
    context = info.context or {}
    taxonomy = context.get("taxonomy")
    return taxonomy if isinstance(taxonomy, Taxonomy) else default_taxonomy()


def _known_theme(value: str, info: ValidationInfo) -> str:
    taxonomy = _taxonomy(info)
    if value not in taxonomy.theme_ids:
        guess = taxonomy.suggest_theme(value)
        hint = f" — did you mean '{guess}'?" if guess else ""
        raise ValueError(f"unknown theme {quote(value)}{hint} (storybank themes lists them all)")
    return value


def _known_warning(value: str, info: ValidationInfo) -> str:
    taxonomy = _taxonomy(info)
    if value not in taxonomy.warning_ids:
        guess = taxonomy.suggest_warning(value)
        hint = f" — did you mean '{guess}'?" if guess else ""
        raise ValueError(
            f"unknown content warning {quote(value)}{hint} "
            f"(choose from: {', '.join(sorted(taxonomy.warning_ids))})"
        )
    return value


def _no_repeats(values: list[Any]) -> list[Any]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}")
    return values


def check_age_range(value: str) -> str:
    """An age range as story files write it ("30-39", "under-18"), else ValueError."""
    if value == "under-18":
        return value
    match = re.fullmatch(r"(\d{1,2})-(\d{1,3})", value)
    if not match or int(match[1]) > int(match[2]):
        raise ValueError(f"age_range {quote(value)} should look like 30-39 (or under-18)")
    return value


ThemeId = Annotated[str, AfterValidator(_known_theme)]
WarningId = Annotated[str, AfterValidator(_known_warning)]
AgeRange = Annotated[str, AfterValidator(check_age_range)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Storyteller(_Model):
    attribution: Annotated[Attribution, _one_of("attribution", Attribution)]
    display_name: str | None = Field(default=None, validate_default=True, max_length=80)
    age_range: AgeRange | None = None
    pronouns: str | None = Field(default=None, max_length=40)
    recovery_since: int | None = Field(default=None, ge=1900, le=2100)

    @field_validator("display_name")
    @classmethod
    def _name_matches_attribution(cls, value: str | None, info: ValidationInfo) -> str | None:
        attribution = info.data.get("attribution")
        if attribution is None:  # the attribution itself was wrong; that error is enough
            return value
        if attribution == Attribution.ANONYMOUS and value:
            raise ValueError(
                "must be null when attribution is anonymous — an anonymous storyteller is never "
                "named: remove the name, or change the attribution if the teller agreed to one"
            )
        if attribution != Attribution.ANONYMOUS and not value:
            raise ValueError(
                f"required when attribution is {attribution}: the name the teller agreed to "
                "(or set attribution: anonymous)"
            )
        return value

    @property
    def under_18(self) -> bool:
        if self.age_range is None:
            return False
        return self.age_range == "under-18" or int(self.age_range.split("-")[0]) < 18

    def credit(self, language: str = "en") -> str:
        """The attribution exactly as consented: a name, a marked pseudonym, or Anonymous."""
        if self.attribution == Attribution.ANONYMOUS or not self.display_name:
            return "Anónimo" if language == "es" else "Anonymous"
        if self.attribution == Attribution.PSEUDONYM:
            return (
                f"{self.display_name} (seudónimo)"
                if language == "es"
                else (f"{self.display_name} (a pseudonym)")
            )
        return self.display_name


class ConsentEvent(_Model):
    date: Date
    event: Annotated[EventKind, _one_of("event", EventKind)]
    purposes: list[PurposeField] | None = None
    until: Date | None = None
    by: str | None = None
    note: str | None = None


class Consent(_Model):
    form_ref: Text
    given_on: Date
    purposes: Annotated[list[PurposeField], Field(min_length=1), AfterValidator(_no_repeats)]
    expires_on: Date | None = None
    withdrawn_on: Date | None = None
    text_approved_on: Date | None = None
    text_approved_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    guardian_form_ref: str | None = None
    history: list[ConsentEvent] = []

    @field_validator("expires_on", "withdrawn_on")
    @classmethod
    def _not_before_given(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        given = info.data.get("given_on")
        if value is not None and given is not None and value < given:
            raise ValueError(
                f"{info.field_name} ({value}) is before given_on ({given}) — check the dates on the form"
            )
        return value


class AcceptedFinding(_Model):
    """A curator's reviewed decision to keep what one check found in this story (see docs/checks.md)."""

    rule: Annotated[str, Field(pattern=r"^[a-z]+(?:\.[a-z-]+)+$")]
    note: Annotated[str, Field(min_length=3, max_length=300)]
    by: Text
    date: Date
    text: str | None = None  # when set, only findings whose message holds this text are accepted


class FrontMatter(_Model):
    """Everything above the story's text: the contract of docs/story-format.md."""

    id: StoryId
    title: Annotated[str, Field(min_length=1, max_length=120)]
    summary: Annotated[str, Field(min_length=1, max_length=300)]
    language: Annotated[Language, _one_of("language", Language)]
    status: Annotated[Status, _one_of("status", Status)]
    themes: Annotated[list[ThemeId], Field(min_length=1), AfterValidator(_no_repeats)]
    content_warnings: Annotated[list[WarningId], AfterValidator(_no_repeats)] = []
    storyteller: Storyteller
    what_helped: list[Text] = []
    consent: Consent
    accepted: list[AcceptedFinding] = []

    @model_validator(mode="after")
    def _minor_needs_guardian_form(self) -> FrontMatter:
        if self.storyteller.under_18 and not self.consent.guardian_form_ref:
            raise PydanticCustomError(
                "guardian_form_required",
                "required because the storyteller's age range ({age_range}) starts below 18: "
                "add the reference of the guardian's signed form",
                {"field": "consent.guardian_form_ref", "age_range": self.storyteller.age_range},
            )
        return self


class Story(FrontMatter):
    """A story: its front matter and its text (Markdown)."""

    body: str

    @field_validator("body")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the story has no text: write it below the closing '---' line")
        return value

    @property
    def body_sha256(self) -> str:
        return body_sha256(self.body)


def body_sha256(body: str) -> str:
    """The hash recorded in `text_approved_sha256`: UTF-8 of the text, LF line ends, trimmed."""
    return hashlib.sha256(body.replace("\r\n", "\n").strip().encode("utf-8")).hexdigest()
