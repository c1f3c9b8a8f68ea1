"""A filter's documents as the warm searcher computes them (search/whoosh/generation.py: postings, day
columns, And / Or) are the documents Whoosh's own matchers find, over a real index of our schema with
several segments, deleted documents and documents with no consent days at all (an unreadable file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index, query
from whoosh.searching import Searcher

from storybank.consent import Purpose
from storybank.search.backend import EngineQuery
from storybank.search.whoosh import schema as documents
from storybank.search.whoosh.columns import numbers
from storybank.search.whoosh.generation import Generation
from storybank.search.whoosh.query import consent_filter

DAYS = [documents.day(dt.date(2024, 1, 1) + dt.timedelta(days=step)) for step in range(0, 1500, 37)]
STATUSES = ["draft", "review", "published", "unreadable"]


def consent_document(number: int) -> dict[str, object]:
    """Consent fields only, varied by the number; every seventh document unreadable (no days but given)."""
    story_id = f"story-{number:03d}"
    if number % 7 == 0:
        return documents.unreadable(story_id, f"print-{number}")
    return {
        "id": story_id,
        "fingerprint": f"print-{number}",
        "status": STATUSES[number % 3],
        "held": "yes" if number % 5 == 0 else "no",
        "purposes": ",".join(["read", "share", "print"][: 1 + number % 3]),
        "given": DAYS[number % len(DAYS)],
        "expires": documents.NEVER if number % 4 == 0 else DAYS[(number * 3) % len(DAYS)],
        "withdrawn": documents.NEVER if number % 3 else DAYS[(number * 5) % len(DAYS)],
    }


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    """Three segments of 60 documents each, a few of the first two deleted."""
    folder: Path = tmp_path_factory.mktemp("flags")
    ix = index.create_in(str(folder), documents.schema())
    for first in (0, 60, 120):
        with ix.writer() as writer:
            for number in range(first, first + 60):
                writer.add_document(**consent_document(number))
    with ix.writer() as writer:
        for number in (3, 11, 64, 100):
            writer.delete_by_term("id", f"story-{number:03d}")
    with ix.searcher() as opened:
        assert len(opened.leaf_searchers()) == 3
        assert opened.reader().has_deletions()
        yield opened


def whoosh_documents(searcher: Searcher, wanted: query.Query) -> list[int]:
    return sorted(searcher.docs_for_query(wanted))


def flag_documents(searcher: Searcher, wanted: query.Query) -> list[int]:
    return [int(d) for d in np.flatnonzero(Generation(searcher).flags(wanted))]


days = st.one_of(st.none(), st.sampled_from(DAYS), st.integers(20230101, 20281231))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field_name=st.sampled_from(["given", "expires", "withdrawn"]),
    start=days,
    end=days,
    startexcl=st.booleans(),
    endexcl=st.booleans(),
)
def test_a_day_range_read_from_its_column_matches_as_whooshs(
    searcher: Searcher, field_name: str, start: int | None, end: int | None, startexcl: bool, endexcl: bool
) -> None:
    wanted = query.NumericRange(field_name, start, end, startexcl=startexcl, endexcl=endexcl)
    assert flag_documents(searcher, wanted) == whoosh_documents(searcher, wanted)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    purpose=st.sampled_from(list(Purpose)),
    on=st.dates(dt.date(2023, 6, 1), dt.date(2028, 6, 1)),
    later=st.integers(0, 400),
)
def test_the_consent_filter_matches_as_whooshs(
    searcher: Searcher, purpose: Purpose, on: dt.date, later: int
) -> None:
    request = EngineQuery("", {}, {}, purpose=purpose, on=on, now=on + dt.timedelta(days=later))
    wanted = consent_filter(request)
    assert flag_documents(searcher, wanted) == whoosh_documents(searcher, wanted)


def test_documents_with_no_days_are_in_no_range(searcher: Searcher) -> None:
    ids = [searcher.stored_fields(d)["id"] for d in range(searcher.doc_count_all())]
    unreadable = {d for d, story_id in enumerate(ids) if story_id == "story-007"}
    assert unreadable
    everything = query.NumericRange("expires", None, None)
    assert unreadable.isdisjoint(flag_documents(searcher, everything))
    assert not unreadable.isdisjoint(flag_documents(searcher, query.NumericRange("given", None, None)))


def test_a_field_with_no_column_is_left_to_whoosh(searcher: Searcher) -> None:
    segment = searcher.leaf_searchers()[0][0].reader()
    assert numbers(segment, "status") is None
    assert numbers(segment, "given") is not None
