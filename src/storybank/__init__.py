"""storybank: a consent-first collection of peer-support recovery stories."""

from storybank.bank import Packet, StoryBank, ThemeCount
from storybank.consent import ConsentState, Decision, consent_state, may_use
from storybank.errors import (
    BankNotFoundError,
    ConfigError,
    ConsentRefusedError,
    InvalidStoryIdError,
    Problem,
    Severity,
    StorybankError,
    StoryExistsError,
    StoryFileError,
    StoryNotFoundError,
)
from storybank.models import Attribution, Consent, ConsentEvent, Language, Purpose, Status, Story

__all__ = [
    "Attribution",
    "BankNotFoundError",
    "ConfigError",
    "Consent",
    "ConsentEvent",
    "ConsentRefusedError",
    "ConsentState",
    "Decision",
    "InvalidStoryIdError",
    "Language",
    "Packet",
    "Problem",
    "Purpose",
    "Severity",
    "Status",
    "Story",
    "StoryBank",
    "StoryExistsError",
    "StoryFileError",
    "StoryNotFoundError",
    "StorybankError",
    "ThemeCount",
    "consent_state",
    "may_use",
]
