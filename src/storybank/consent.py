"""The consent policy: the one place that decides whether a story may be used for a purpose on a date.

Every way a story leaves the bank (search, similar, handouts, export, the web app) asks `may_use` at the
moment of use, with the story as its file is then. Rules (docs/consent.md):

- the story is `published` (for `read`, a draft or in-review story is fine too);
- consent was given on or before the date;
- the purpose is among the consented purposes;
- the date is before `expires_on` (the first day consent is no longer valid), if set;
- the date is before `withdrawn_on`, if set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from storybank.models import Consent, FrontMatter, Purpose, Status

READABLE_STATUSES = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED})


class ConsentState(StrEnum):
    """Where a consent stands on a date, whatever the purpose."""

    NOT_YET_GIVEN = "not-yet-given"
    ACTIVE = "active"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Decision:
    """The policy's answer: allowed, or not and why (one line for a person to read)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def consent_state(consent: Consent, on: dt.date) -> ConsentState:
    if consent.withdrawn_on is not None and on >= consent.withdrawn_on:
        return ConsentState.WITHDRAWN
    if consent.expires_on is not None and on >= consent.expires_on:
        return ConsentState.EXPIRED
    if on < consent.given_on:
        return ConsentState.NOT_YET_GIVEN
    return ConsentState.ACTIVE


def may_use(story: FrontMatter, purpose: Purpose, on: dt.date) -> Decision:
    """May `story` be used for `purpose` on the date `on`? The answer says why not."""
    consent = story.consent
    state = consent_state(consent, on)
    if state is ConsentState.WITHDRAWN:
        return Decision(False, f"consent was withdrawn on {consent.withdrawn_on}")
    if state is ConsentState.EXPIRED:
        return Decision(False, f"consent expired on {consent.expires_on}")
    if state is ConsentState.NOT_YET_GIVEN:
        return Decision(False, f"consent is only given from {consent.given_on}")
    if purpose not in consent.purposes:
        agreed = ", ".join(consent.purposes)
        return Decision(False, f"the storyteller did not agree to '{purpose}' (agreed: {agreed})")
    allowed_statuses = READABLE_STATUSES if purpose is Purpose.READ else {Status.PUBLISHED}
    if story.status not in allowed_statuses:
        return Decision(False, f"the story is {story.status}, not published")
    return ALLOWED


def usable_purposes(story: FrontMatter, on: dt.date) -> list[Purpose]:
    """Every purpose the story may be used for on the date (for curation views)."""
    return [purpose for purpose in Purpose if may_use(story, purpose, on)]


def consent_summary(consent: Consent, on: dt.date) -> str:
    """A few words on where consent stands, for lists: 'active until 2027-03-02'."""
    state = consent_state(consent, on)
    if state is ConsentState.WITHDRAWN:
        return f"withdrawn {consent.withdrawn_on}"
    if state is ConsentState.EXPIRED:
        return f"expired {consent.expires_on}"
    if state is ConsentState.NOT_YET_GIVEN:
        return f"from {consent.given_on}"
    if consent.withdrawn_on is not None:  # a withdrawal received ahead of its date
        return f"active until {consent.withdrawn_on} (withdrawal recorded)"
    if consent.expires_on is not None:
        return f"active until {consent.expires_on}"
    return "active, no end date"


def valid_until(consent: Consent) -> dt.date | None:
    """The first day the consent is no longer valid (the earlier of expiry and withdrawal), if any."""
    ends = [day for day in (consent.expires_on, consent.withdrawn_on) if day is not None]
    return min(ends) if ends else None
