"""The consent policy: the one place that decides whether a story may be used for a purpose on a date.

Every way a story leaves the bank (search, similar, handouts, export, the web app) asks `may_use` at the
moment of use, with the story as its file is then. Rules (docs/consent.md):

- the story is `published` (for `read`, a draft or in-review story is fine too);
- consent was given on or before the date;
- the purpose is among the consented purposes;
- the date is before `expires_on` (the first day consent is no longer valid), if set;
- the date is before `withdrawn_on`, if set;
- for every purpose but `read`, no privacy error stands in the story as it is now (a contact detail, an
  anonymous teller named, a surname the attribution does not allow): the story is *held back* until the
  text is fixed or a curator accepts the finding.

`requirements` states these rules as data, and both `may_use` and the search index's filter are built from
it, so the index can never let through what the policy refuses (the index only narrows; every hit is still
re-checked here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storybank.models import Consent, Purpose, Status, Story

READABLE_STATUSES = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED})
# The purposes whose meaning is that the story goes out of the organisation (the only ones export takes):
# `public`, and `research`, which docs/consent.md defines as "given to a named research partner".
LEAVES_ORGANISATION = frozenset({Purpose.PUBLIC, Purpose.RESEARCH})


@dataclass(frozen=True)
class Requirements:
    """What the policy asks of a story for one purpose on one day."""

    purpose: Purpose
    on: dt.date
    statuses: frozenset[Status]  # the story's status must be one of these
    not_held: bool  # no privacy error may stand in the story
    withdrawn_by: dt.date  # a withdrawal on or before this day refuses (`on`, or today if later)


def requirements(purpose: Purpose, on: dt.date, now: dt.date | None = None) -> Requirements:
    """The rules for `purpose` on `on`; besides these, consent must be given, unexpired, not withdrawn.

    `now` (the real date) makes a withdrawal count from the moment it is recorded even when `on` is an
    earlier day: "was it usable on…" may look back, but a story used now must not be withdrawn now.
    """
    if purpose is Purpose.READ:  # curators read drafts to fix them, and a held story to lift the hold
        return Requirements(purpose, on, READABLE_STATUSES, not_held=False, withdrawn_by=on)
    withdrawn_by = max(on, now) if now is not None else on
    return Requirements(purpose, on, frozenset({Status.PUBLISHED}), not_held=True, withdrawn_by=withdrawn_by)


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


def may_use(
    story: Story,
    purpose: Purpose,
    on: dt.date,
    *,
    phone_regions: Sequence[str] | None = None,
    now: dt.date | None = None,
) -> Decision:
    """May `story` be used for `purpose` on the date `on`? The answer says why not.

    `phone_regions` are the regions whose phone numbers the privacy hold looks for (the bank's
    `[privacy] phone_regions`; None: the default regions).
    """
    rules = requirements(purpose, on, now)
    consent = story.consent
    if consent.withdrawn_on is not None and consent.withdrawn_on <= rules.withdrawn_by:
        return Decision(False, f"consent was withdrawn on {consent.withdrawn_on}")
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
    if story.status not in rules.statuses:
        return Decision(False, f"the story is {story.status}, not published")
    if rules.not_held:
        reason = hold_reason(story, phone_regions)
        if reason:
            return Decision(False, reason)
    return ALLOWED


def hold_reason(story: Story, phone_regions: Sequence[str] | None = None) -> str | None:
    """Why the story is held back (a privacy error stands in it), or None. Remembered per story text."""
    # Imported here: the checks import this module (consent findings), and this is the only way back.
    from storybank.checks.hold import privacy_hold

    finding = privacy_hold(story, tuple(phone_regions) if phone_regions is not None else None)
    if finding is None:
        return None
    return (
        f"held back for privacy: {finding} — fix the text, or accept the finding if the teller agreed "
        "(storybank check)"
    )


def usable_purposes(
    story: Story, on: dt.date, *, phone_regions: Sequence[str] | None = None, now: dt.date | None = None
) -> list[Purpose]:
    """Every purpose the story may be used for on the date (for curation views)."""
    return [
        purpose for purpose in Purpose if may_use(story, purpose, on, phone_regions=phone_regions, now=now)
    ]


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
