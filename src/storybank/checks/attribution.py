"""`privacy.name` on the credit itself: a `display_name` that says more than the attribution allows.

Under `attribution: first-name` the credit is printed as it is written, so "Karen Whitfield" there would
credit a surname the teller never agreed to. (A pseudonym may be a whole made-up name; a named teller
agreed to the full name; an anonymous one has no display name at all — the model sees to that.)
"""

from __future__ import annotations

import re

from storybank.checks.passages import Context, Finding
from storybank.checks.privacy import NAME, given_names
from storybank.models import Attribution

RULE = NAME
_NAME_WORD = re.compile(r"(?:Mc|Mac|O')?[A-ZÁÉÍÓÚÑ][a-záéíóúñ'-]+")  # a word written as a name is


def display_name(context: Context) -> list[Finding]:
    name = context.display_name or ""
    if context.attribution is not Attribution.FIRST_NAME or len(name.split()) < 2:
        return []
    extra = [
        word for word in name.split()[1:] if _NAME_WORD.fullmatch(word) and word.title() not in given_names()
    ]
    if not extra:  # "Mary Ann", "José María": two given names are still a first name
        return []
    return [
        Finding(
            0,
            len(name),
            name,
            f"display_name '{name}' looks like a full name ('{extra[0]}' is not a given name); the teller "
            "agreed to their first name only",
            f"write the first name alone ('{name.split()[0]}'), or change the attribution if the teller "
            "agreed to be named",
        )
    ]
