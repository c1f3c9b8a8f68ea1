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

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import NDArray

SEMANTIC_WEIGHT = 0.4  # chosen on the tuning set, checked on the development set (docs/search.md)
SEMANTIC_CANDIDATES = 10
MIN_SIMILARITY = 0.25  # cosine; below it a story gets no semantic part (measured: 0.20 to 0.35)


def semantic_boosts(similarities: NDArray[np.float64], name: Callable[[int], str]) -> dict[int, float]:
    """place → the semantic part of the fused score, for the stories close enough to get one
    (`similarities`: every story the search allows, by place; `name(place)`: its id, which orders ties)."""
    if len(similarities) < 2:
        return {}
    floor = float(np.median(similarities))
    count = min(SEMANTIC_CANDIDATES, len(similarities))
    least = np.partition(similarities, -count)[-count]  # the closest few are at or above it
    near = np.flatnonzero(similarities >= least).tolist()
    closest = sorted(near, key=lambda place: (-similarities[place], name(place)))[:SEMANTIC_CANDIDATES]
    best = float(similarities[closest[0]])
    if best <= floor:
        return {}
    boosts = {}
    for place in closest:
        similarity = float(similarities[place])
        part = (similarity - floor) / (best - floor)
        if part > 0 and similarity >= MIN_SIMILARITY:
            boosts[place] = SEMANTIC_WEIGHT * part
    return boosts


def fused(lexical: Mapping[str, float], best_lexical: float, boosts: Mapping[str, float]) -> dict[str, float]:
    """id → fused score, for every story with a lexical score or a semantic part."""
    scale = best_lexical if best_lexical > 0 else 1.0
    scores = {story_id: score / scale for story_id, score in lexical.items()}
    for story_id, part in boosts.items():
        scores[story_id] = scores.get(story_id, 0.0) + part
    return scores


def semantic_ranks(similarities: NDArray[np.float64], shown: Mapping[str, float]) -> dict[str, int]:
    """id → 1-based rank by similarity among all `similarities`, for the stories shown (id → its
    similarity; `--explain`)."""
    return {story_id: int(np.count_nonzero(similarities > value)) + 1 for story_id, value in shown.items()}
