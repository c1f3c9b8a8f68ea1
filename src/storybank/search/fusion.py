"""How the semantic layer's similarities join the lexical ranking: a weighted sum, chosen by measurement
(docs/search.md: reciprocal rank fusion cost 0.04 to 0.06 nDCG@10 on our evaluation set; this gains).

The lexical score is divided by the best lexical score of the search, so it runs from 0 to 1. Only the
SEMANTIC_CANDIDATES most similar stories, and only those at MIN_SIMILARITY or above, get a semantic part:
their similarity above the median of every story the search allows, divided by the best one's, times
SEMANTIC_WEIGHT (so in a small bank a story does not join the results just for being above the median).
A story no word matched can so join the results, and a close lexical tie is settled by meaning; the
taxonomy-led lexical ranking stays in charge (a semantic part is at most SEMANTIC_WEIGHT of the best
lexical score).
"""

from __future__ import annotations

import bisect
import heapq
import statistics
from collections.abc import Iterable, Mapping

SEMANTIC_WEIGHT = 0.2
SEMANTIC_CANDIDATES = 10
MIN_SIMILARITY = 0.25  # cosine; below it a story gets no semantic part (measured: 0.20 to 0.35)


def semantic_boosts(similarities: Mapping[str, float]) -> dict[str, float]:
    """id → the semantic part of the fused score, for the stories close enough to get one."""
    if len(similarities) < 2:
        return {}
    floor = statistics.median(similarities.values())
    closest = heapq.nsmallest(SEMANTIC_CANDIDATES, similarities, key=lambda i: (-similarities[i], i))
    best = similarities[closest[0]]
    if best <= floor:
        return {}
    boosts = {}
    for story_id in closest:
        part = (similarities[story_id] - floor) / (best - floor)
        if part > 0 and similarities[story_id] >= MIN_SIMILARITY:
            boosts[story_id] = SEMANTIC_WEIGHT * part
    return boosts


def fused(lexical: Mapping[str, float], best_lexical: float, boosts: Mapping[str, float]) -> dict[str, float]:
    """id → fused score, for every story with a lexical score or a semantic part."""
    scale = best_lexical if best_lexical > 0 else 1.0
    scores = {story_id: score / scale for story_id, score in lexical.items()}
    for story_id, part in boosts.items():
        scores[story_id] = scores.get(story_id, 0.0) + part
    return scores


def semantic_ranks(similarities: Mapping[str, float], shown: Iterable[str]) -> dict[str, int]:
    """id → 1-based rank by similarity among all `similarities`, for the stories shown (`--explain`)."""
    values = sorted(similarities.values())
    return {
        story_id: len(values) - bisect.bisect_right(values, similarities[story_id]) + 1
        for story_id in shown
        if story_id in similarities
    }
