"""Curation findings about a story that loaded fine: where its consent and approval stand."""

from __future__ import annotations

import datetime as dt

from storybank.consent import ConsentState, consent_state
from storybank.errors import Problem, Severity
from storybank.models import Status, Story

EXPIRY_NOTICE_DAYS = 30


def consent_findings(story: Story, file: str, on: dt.date) -> list[Problem]:
    consent = story.consent
    found: list[Problem] = []

    def warn(rule: str, field: str, message: str, suggestion: str | None = None) -> None:
        found.append(
            Problem(
                file,
                message,
                rule,
                Severity.WARNING,
                field=field,
                story=story.id,
                suggestion=suggestion,
            )
        )

    state = consent_state(consent, on)
    if state is ConsentState.EXPIRED:
        warn(
            "consent.expired",
            "consent.expires_on",
            f"consent expired on {consent.expires_on}: the story is not used until it is renewed",
            "ask the storyteller to renew, or retire the story",
        )
    elif (
        state is ConsentState.ACTIVE
        and consent.expires_on is not None
        and (consent.expires_on - on).days <= EXPIRY_NOTICE_DAYS
    ):
        warn(
            "consent.expiring",
            "consent.expires_on",
            f"consent expires on {consent.expires_on} ({(consent.expires_on - on).days} days)",
            "ask the storyteller whether to renew",
        )
    if story.status == Status.PUBLISHED and consent.text_approved_on is None:
        warn(
            "consent.text-not-approved",
            "consent.text_approved_on",
            "published, but the storyteller's approval of the text is not recorded",
            "record text_approved_on once the teller has approved the final text",
        )
    if consent.text_approved_sha256 is not None and consent.text_approved_sha256 != story.body_sha256:
        warn(
            "consent.text-changed",
            "consent.text_approved_sha256",
            "the text changed since the storyteller approved it",
            "ask the teller to approve the new text, or restore the approved one",
        )
    return found
