"""storybank: a consent-first collection of peer-support recovery stories.

The names below are imported when first used (PEP 562), so `import storybank.cli` — every command,
`--help` included — does not pay for the bank, the index and the story model before it needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from storybank.kinds import Attribution, Language, Purpose, Status
    from storybank.models import Consent, ConsentEvent, Story

_WHERE = {
    "storybank.bank": ["Packet", "StoryBank", "ThemeCount"],
    "storybank.consent": ["ConsentState", "Decision", "consent_state", "may_use"],
    "storybank.errors": [
        "BankNotFoundError", "ConfigError", "ConsentRefusedError", "InvalidStoryIdError", "Problem",
        "Severity", "StorybankError", "StoryExistsError", "StoryFileError", "StoryNotFoundError",
    ],
    "storybank.kinds": ["Attribution", "Language", "Purpose", "Status"],
    "storybank.models": ["Consent", "ConsentEvent", "Story"],
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'storybank' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


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
