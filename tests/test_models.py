"""Front matter rules a curator would expect, checked by the model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from helpers import BODY, DELETE, front_matter
from storybank.models import Story, body_sha256


def errors_for(body: str = BODY, **changes: Any) -> list[tuple[str, str]]:
    """(dotted location, message) of every error the model reports."""
    with pytest.raises(ValidationError) as caught:
        Story.model_validate({**front_matter(**changes), "body": body})
    return [(".".join(str(step) for step in error["loc"]), error["msg"]) for error in caught.value.errors()]


def test_valid_front_matter_loads() -> None:
    story = Story.model_validate({**front_matter(), "body": BODY})
    assert story.storyteller.credit() == "Rosa"


@pytest.mark.parametrize("bad_id", ["Back-To-Kitchen", "ab", "../etc/passwd", "a b c", "-abc"])
def test_id_must_be_a_slug(bad_id: str) -> None:
    assert [loc for loc, _ in errors_for(id=bad_id)] == ["id"]


def test_anonymous_storyteller_must_not_have_a_name() -> None:
    [(loc, message)] = errors_for(**{"storyteller.attribution": "anonymous"})
    assert loc == "storyteller.display_name"
    assert "must be null when attribution is anonymous" in message


def test_named_storyteller_needs_a_name() -> None:
    [(loc, message)] = errors_for(**{"storyteller.display_name": DELETE})
    assert loc == "storyteller.display_name"
    assert "required when attribution is first-name" in message


def test_anonymous_credit_is_never_a_name() -> None:
    anonymous = front_matter(**{"storyteller.attribution": "anonymous", "storyteller.display_name": None})
    story = Story.model_validate({**anonymous, "body": BODY})
    assert (story.storyteller.credit("en"), story.storyteller.credit("es")) == (
        "Anonymous",
        "Anónimo",
    )


def test_pseudonym_credit_says_it_is_a_pseudonym() -> None:
    story = Story.model_validate({**front_matter(**{"storyteller.attribution": "pseudonym"}), "body": BODY})
    assert story.storyteller.credit() == "Rosa (a pseudonym)"


def test_date_must_be_real() -> None:
    [(loc, message)] = errors_for(**{"consent.given_on": "2024-02-30"})
    assert (loc, message) == ("consent.given_on", "Value error, '2024-02-30' is not a real date")


def test_date_must_be_written_as_year_month_day() -> None:
    [(loc, message)] = errors_for(**{"consent.given_on": "03/02/2024"})
    assert loc == "consent.given_on"
    assert "write it as YYYY-MM-DD" in message


def test_expiry_before_consent_is_an_error() -> None:
    [(loc, message)] = errors_for(**{"consent.expires_on": "2024-03-01"})
    assert loc == "consent.expires_on"
    assert "is before given_on (2024-03-02)" in message


def test_expiry_on_the_day_consent_was_given_is_accepted() -> None:
    Story.model_validate({**front_matter(**{"consent.expires_on": "2024-03-02"}), "body": BODY})


def test_withdrawal_before_consent_is_an_error() -> None:
    [(loc, _)] = errors_for(**{"consent.withdrawn_on": "2023-12-31"})
    assert loc == "consent.withdrawn_on"


@pytest.mark.parametrize("age_range", ["under-18", "16-19"])
def test_minor_needs_a_guardian_form(age_range: str) -> None:
    [(_, message)] = errors_for(**{"storyteller.age_range": age_range})
    assert "guardian's signed form" in message


def test_minor_with_a_guardian_form_is_accepted() -> None:
    minor = front_matter(**{"storyteller.age_range": "under-18", "consent.guardian_form_ref": "GF-2025-004"})
    assert Story.model_validate({**minor, "body": BODY}).storyteller.under_18


def test_unknown_theme_suggests_the_closest() -> None:
    [(loc, message)] = errors_for(themes=["hope", "relaps"])
    assert loc == "themes.1"
    assert "unknown theme 'relaps' — did you mean 'relapse'?" in message


def test_everyday_word_as_theme_suggests_its_theme() -> None:
    [(_, message)] = errors_for(themes=["suboxone"])
    assert "did you mean 'medication-assisted-treatment'?" in message


def test_unknown_content_warning_suggests_the_closest() -> None:
    [(loc, message)] = errors_for(content_warnings=["overdoses"])
    assert loc == "content_warnings.0"
    assert "did you mean 'overdose'?" in message


def test_unknown_purpose_suggests_the_closest() -> None:
    [(loc, message)] = errors_for(**{"consent.purposes": ["read", "shar"]})
    assert loc == "consent.purposes.1"
    assert "did you mean 'share'?" in message


def test_theme_listed_twice_is_an_error() -> None:
    [(loc, message)] = errors_for(themes=["hope", "hope"])
    assert (loc, message) == ("themes", "Value error, listed more than once: hope")


def test_unknown_key_is_an_error() -> None:
    [(loc, _)] = errors_for(**{"storyteller.displayname": "Rosa"})
    assert loc == "storyteller.displayname"


def test_empty_body_is_an_error() -> None:
    [(loc, message)] = errors_for(body="  \n\n")
    assert loc == "body"
    assert "the story has no text" in message


def test_unsupported_language_lists_the_supported_ones() -> None:
    [(_, message)] = errors_for(language="fr")
    assert "unknown language 'fr'" in message
    assert "(choose from: en, es)" in message


def test_body_hash_ignores_line_endings_and_outer_blank_lines() -> None:
    assert body_sha256("one\r\ntwo\r\n\r\n") == body_sha256("one\ntwo")
