"""`privacy.name` on the credit itself: a `display_name` that says more than the attribution allows.

Under `attribution: first-name` the credit is printed as it is written, so "Karen Whitfield" there would
credit a surname the teller never agreed to. (A pseudonym may be a whole made-up name; a named teller
agreed to the full name; an anonymous one has no display name at all — the model sees to that.)
"""

from __future__ import annotations

import re

from storybank.checks.passages import Context, Finding
from storybank.checks.privacy import NAME, given_names, plain_letters
from storybank.models import Attribution

RULE = NAME
_NAME_WORD = re.compile(
    r"[^\W\d_][^\W\d_'\u2019.-]*(?:['\u2019-][^\W\d_]+)*\.?"
)  # a word of letters (any case)


def display_name(context: Context) -> list[Finding]:
    name = context.display_name or ""
    if context.attribution is not Attribution.FIRST_NAME or len(name.split()) < 2:
        return []
    words = name.replace(",", " ").split()
    extra = [
        word
        for word in words[1:]
        if _NAME_WORD.fullmatch(word)
        and plain_letters(word.title()) not in given_names()
        and word.title() not in given_names()
    ]
    if "," in name and len(words) > 1:  # "Whitfield, Karen": a surname first
        extra = extra or [words[0]]
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
