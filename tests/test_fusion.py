"""The semantic part of the fused score (search/fusion.py), computed on arrays, is what its rule says
when written plainly over a dict by id: the closest few (ties by id), above the median, scaled to the
best, at MIN_SIMILARITY or more."""

from __future__ import annotations

import heapq
import statistics

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from storybank.search.fusion import (
    MIN_SIMILARITY,
    SEMANTIC_CANDIDATES,
    SEMANTIC_WEIGHT,
    semantic_boosts,
    semantic_ranks,
)


def boosts_by_rule(similarities: dict[str, float]) -> dict[str, float]:
    if len(similarities) < 2:
        return {}
    floor = statistics.median(similarities.values())
    closest = heapq.nsmallest(SEMANTIC_CANDIDATES, similarities, key=lambda i: (-similarities[i], i))
    best = similarities[closest[0]]
    if best <= floor:
        return {}
    parts = {i: (similarities[i] - floor) / (best - floor) for i in closest}
    return {
        i: SEMANTIC_WEIGHT * part
        for i, part in parts.items()
        if part > 0 and similarities[i] >= MIN_SIMILARITY
    }


# Few distinct values, so that ties (and ties at the tenth place) are common.
values = st.lists(st.sampled_from([-0.1, 0.1, 0.25, 0.3, 0.3, 0.45, 0.6, 0.6, 0.9]), max_size=40)
shuffled_ids = st.randoms(use_true_random=False)


@given(values=values, random=shuffled_ids)
def test_semantic_parts_follow_the_rule(values: list[float], random: object) -> None:
    ids = [f"story-{number:03d}" for number in range(len(values))]
    random.shuffle(ids)  # type: ignore[attr-defined]  # places are not in id order
    parts = semantic_boosts(np.array(values, dtype=np.float64), lambda place: ids[place])
    by_id = dict(zip(ids, values, strict=True))
    assert {ids[place]: part for place, part in parts.items()} == boosts_by_rule(by_id)


@given(values=values)
def test_a_semantic_rank_counts_the_closer_stories(values: list[float]) -> None:
    shown = {f"story-{number}": value for number, value in enumerate(values[:3])}
    ranked = sorted(values, reverse=True)
    expected = {story_id: ranked.index(value) + 1 for story_id, value in shown.items()}
    assert semantic_ranks(np.array(values, dtype=np.float64), shown) == expected
