"""The consent policy, rule by rule, on its boundary dates (docs/consent.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from helpers import BODY, front_matter
from storybank.consent import ConsentState, consent_state, may_use, usable_purposes, valid_until
from storybank.models import Purpose, Story

GIVEN = dt.date(2024, 3, 2)
EXPIRES = dt.date(2027, 3, 2)


def story(**changes: Any) -> Story:
    return Story.model_validate({**front_matter(**changes), "body": BODY})


def test_published_story_may_be_shared_on_the_day_consent_was_given() -> None:
    assert may_use(story(), Purpose.SHARE, GIVEN)


def test_story_may_not_be_used_the_day_before_consent_was_given() -> None:
    decision = may_use(story(), Purpose.SHARE, GIVEN - dt.timedelta(days=1))
    assert not decision
    assert "only given from 2024-03-02" in decision.reason


def test_story_may_be_used_on_the_last_day_before_expiry() -> None:
    assert may_use(story(), Purpose.SHARE, EXPIRES - dt.timedelta(days=1))


def test_story_may_not_be_used_on_the_expiry_day() -> None:
    decision = may_use(story(), Purpose.SHARE, EXPIRES)
    assert not decision
    assert decision.reason == "consent expired on 2027-03-02"


def test_story_may_be_used_the_day_before_withdrawal() -> None:
    withdrawn = story(**{"consent.withdrawn_on": "2025-06-10"})
    assert may_use(withdrawn, Purpose.SHARE, dt.date(2025, 6, 9))


def test_story_may_not_be_used_on_the_withdrawal_day() -> None:
    withdrawn = story(**{"consent.withdrawn_on": "2025-06-10"})
    decision = may_use(withdrawn, Purpose.SHARE, dt.date(2025, 6, 10))
    assert not decision
    assert decision.reason == "consent was withdrawn on 2025-06-10"


def test_withdrawal_is_the_reason_given_when_also_expired() -> None:
    both = story(**{"consent.withdrawn_on": "2025-06-10"})
    assert may_use(both, Purpose.SHARE, EXPIRES).reason == "consent was withdrawn on 2025-06-10"


def test_story_without_an_expiry_date_stays_usable() -> None:
    open_ended = story(**{"consent.expires_on": None})
    assert may_use(open_ended, Purpose.SHARE, dt.date(2099, 1, 1))


def test_purpose_not_consented_is_refused_with_the_agreed_purposes() -> None:
    decision = may_use(story(), Purpose.PUBLIC, GIVEN)
    assert not decision
    assert decision.reason == "the storyteller did not agree to 'public' (agreed: read, share, handout)"


@pytest.mark.parametrize("status", ["draft", "in-review", "retired"])
def test_only_published_stories_may_be_shared(status: str) -> None:
    decision = may_use(story(status=status), Purpose.SHARE, GIVEN)
    assert not decision
    assert decision.reason == f"the story is {status}, not published"


@pytest.mark.parametrize("status", ["draft", "in-review", "published"])
def test_curators_may_read_drafts_in_review_and_published_stories(status: str) -> None:
    assert may_use(story(status=status), Purpose.READ, GIVEN)


def test_read_on_a_retired_story_is_refused() -> None:
    assert not may_use(story(status="retired"), Purpose.READ, GIVEN)


def test_read_on_a_draft_still_needs_read_consent() -> None:
    no_read = story(status="draft", **{"consent.purposes": ["share"]})
    assert not may_use(no_read, Purpose.READ, GIVEN)


def test_read_on_a_draft_is_refused_after_withdrawal() -> None:
    withdrawn = story(status="draft", **{"consent.withdrawn_on": "2024-05-01"})
    assert not may_use(withdrawn, Purpose.READ, dt.date(2024, 5, 1))


@pytest.mark.parametrize(
    ("on", "state"),
    [
        (dt.date(2024, 3, 1), ConsentState.NOT_YET_GIVEN),
        (GIVEN, ConsentState.ACTIVE),
        (dt.date(2027, 3, 1), ConsentState.ACTIVE),
        (EXPIRES, ConsentState.EXPIRED),
    ],
)
def test_consent_state_on_boundary_days(on: dt.date, state: ConsentState) -> None:
    assert consent_state(story().consent, on) is state


def test_usable_purposes_lists_only_consented_ones() -> None:
    assert usable_purposes(story(), GIVEN) == [Purpose.READ, Purpose.SHARE, Purpose.HANDOUT]


def test_valid_until_is_the_earlier_of_expiry_and_withdrawal() -> None:
    withdrawn = story(**{"consent.withdrawn_on": "2025-06-10"})
    assert valid_until(withdrawn.consent) == dt.date(2025, 6, 10)
