"""The closed vocabularies of the story format (purposes, statuses, attributions, languages, consent
events): plain enums, in a module of their own so that the command line can name them without loading
the story model (pydantic) — `storybank --help` should answer at once."""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """What a storyteller may agree to (see docs/consent.md)."""

    READ = "read"
    SHARE = "share"
    HANDOUT = "handout"
    PUBLIC = "public"
    TRAINING = "training"
    RESEARCH = "research"


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in-review"
    PUBLISHED = "published"
    RETIRED = "retired"


class Attribution(StrEnum):
    NAMED = "named"
    FIRST_NAME = "first-name"
    PSEUDONYM = "pseudonym"
    ANONYMOUS = "anonymous"


class Language(StrEnum):
    EN = "en"
    ES = "es"


class EventKind(StrEnum):
    GIVEN = "given"
    RENEWED = "renewed"
    WITHDRAWN = "withdrawn"
    TEXT_APPROVED = "text-approved"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    RETIRED = "retired"
    IMPORTED = "imported"
