"""The privacy hold: whether an unresolved privacy error stands in a story as it is now.

`consent.may_use` asks this for every purpose but `read`, at every use, so a story edited after publishing
to hold a phone number, or to name an anonymous teller, leaves search, handouts, export and the web at
once, and comes back when the text is fixed or the finding is accepted. It runs the same rules as
`storybank check` (privacy.contact, privacy.name, and the credit itself), and remembers its answer per
story text so that a search does not run the checks again for every hit.
"""

from __future__ import annotations

import collections

from storybank.checks import PRIVACY_RULES, attribution, context_of, is_accepted, text_fields
from storybank.models import Story

_REMEMBER_AT_MOST = 4096
_remembered: collections.OrderedDict[tuple[object, ...], str | None] = collections.OrderedDict()


def privacy_hold(story: Story, phone_regions: tuple[str, ...] | None) -> str | None:
    """The first privacy error that stands in the story ('body: a phone number …'), or None."""
    teller = story.storyteller
    key = (
        story.id,
        *(text for _, text in text_fields(story)),
        teller.attribution,
        teller.display_name,
        tuple(story.accepted),
        phone_regions,
    )
    if key in _remembered:
        _remembered.move_to_end(key)
        return _remembered[key]
    found = _first_error(story, phone_regions)
    _remembered[key] = found
    if len(_remembered) > _REMEMBER_AT_MOST:
        _remembered.popitem(last=False)
    return found


def _first_error(story: Story, phone_regions: tuple[str, ...] | None) -> str | None:
    context = context_of(story, phone_regions)
    for finding in attribution.display_name(context):
        if not is_accepted(story, attribution.RULE, finding.message):
            return f"storyteller.display_name: {finding.message}"
    for field, text in text_fields(story):
        for rule in PRIVACY_RULES:
            for finding in rule.check(text, context):
                if not is_accepted(story, rule.id, finding.message):
                    return f"{field}: {finding.message}"
    return None
