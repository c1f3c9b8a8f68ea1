"""Search as the bank serves it: the text read with the vocabulary, the index kept fresh, and every hit
re-read from its file and checked by the consent policy before it is served.

A hit the files no longer allow means the index was stale: it is brought up to date and the search runs
again, then — if it still disagrees — rebuilt, so totals and facets are right too.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from storybank.errors import QueryTooLongError, StorybankError, UnknownTermError, quote
from storybank.models import Purpose, Story, check_age_range
from storybank.search.backend import (
    EngineQuery,
    IndexUnavailable,
    Load,
    RawResult,
    Report,
    SearchBackend,
    StoryFile,
)
from storybank.search.freshness import TIMED_SECONDS
from storybank.search.language import detect
from storybank.search.request import SearchRequest
from storybank.search.results import Hit, SearchResult, marked
from storybank.search.teller import GENDER_OF, TellerCues, decades_of, gender_of, read_person
from storybank.search.teller import matched as teller_matched
from storybank.search.vocabulary import QueryVocabulary
from storybank.taxonomy import Taxonomy

ATTEMPTS = 3  # on a stale or damaged index: check again; then rebuild
MAX_QUERY_CHARS = 1000  # what a specialist types is a sentence or two; the web takes 200
MAX_CORRECTED_WORDS = 3  # misspelt words corrected in one search
MAX_CORRECTED_LENGTH = 24  # letters; no longer word is corrected

log = logging.getLogger("storybank")
T = TypeVar("T")

Served = Callable[[str, Purpose], Story | None]  # the story as its file is now, if usable for the purpose


class SearchService:
    def __init__(
        self,
        backend: SearchBackend,
        taxonomy: Taxonomy,
        *,
        files: Callable[[], Mapping[str, StoryFile]],
        load: Load,
        served: Served,
        today: Callable[[], dt.date],
    ) -> None:
        self.backend = backend
        self.taxonomy = taxonomy
        self._vocabulary = QueryVocabulary(taxonomy)
        self._files = files
        self._load = load
        self._story = served
        self._today = today

    def index(
        self,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        embedding_progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        files = self._files()
        return self.backend.update(
            files, self._load, rebuild=rebuild, progress=progress, embedding_progress=embedding_progress
        )

    def search(self, request: SearchRequest) -> SearchResult:
        if len(request.text) > MAX_QUERY_CHARS:
            raise QueryTooLongError(
                f"the search text is {len(request.text):,} characters; storybank searches at most "
                f"{MAX_QUERY_CHARS:,}: keep the words that describe the person and what they need"
            )
        self._known(request.filters.themes, request.filters.exclude_warnings)
        return self._search(request, request.text)

    def similar(self, story_id: str, *, limit: int) -> list[Hit]:
        request = EngineQuery(
            text="", theme_boosts={}, warning_boosts={}, on=self._today(), now=dt.date.today()
        )
        raw = self._fresh(lambda: self.backend.similar(story_id, request, limit=limit + 1))
        hits = [self._served(h.id, h.score, "", request) for h in raw if h.id != story_id]
        return [hit for hit in hits if hit is not None][:limit]

    def _search(self, request: SearchRequest, text: str) -> SearchResult:
        filters = request.filters
        excluded = frozenset(filters.exclude_warnings)
        said = self._vocabulary.read(text)  # abbreviations read ("2 yrs" is "2 years"), never corrected
        spoken = detect(said, self._vocabulary.language_words)  # (said: "55 yo" is not Spanish "yo")
        person = read_person(said)
        language = _stories_language(filters.language, person.language or spoken)
        engine = EngineQuery(
            text=said,
            theme_boosts=self._vocabulary.theme_boosts(said),
            warning_boosts=self._vocabulary.warning_boosts(said, excluded),
            expansions=self._vocabulary.expansions(said),
            themes=tuple(filters.themes),
            any_theme=filters.any_theme,
            exclude_warnings=tuple(sorted(excluded)),
            language=language,
            purpose=request.purpose,
            on=self._today(),
            now=dt.date.today(),
            person_decades=person.decades,
            person_gender=person.gender,
            person_language=person.language,
            teller_decades=_teller_decades(filters.teller_age),
            teller_gender=_teller_gender(filters.teller_pronouns),
            text_language=spoken,
        )
        limit, offset = max(0, request.limit), max(0, request.offset)
        unknown = self._fresh(lambda: self.backend.unknown_words(said))
        # (The wider search below has the typed words still in it: its own suggestion would be dropped.)
        suggestion = self._suggestion(text, unknown, engine) if text == request.text else None
        if request.fuzzy and suggestion:
            # A word no story knows finds nothing as typed: search with its correction too — in one
            # search, as the words no story knows are known before searching.
            wider = self._search(request, f"{text} {suggestion}")
            return replace(
                wider, query=request.text, suggestion=suggestion, explanation=_with(wider, suggestion)
            )
        raw, hits = self._served_search(engine, limit=limit, offset=offset, facets=request.facets)
        explanation = _explanation(engine, unknown, raw, suggestion, person) if request.explain else None
        more = raw.other_languages if filters.language is None else 0
        return SearchResult(
            request.text,
            raw.total,
            hits,
            raw.facets,
            suggestion,
            explanation,
            language,
            more,
            raw.teller_facets,
        )

    def _served_search(
        self, request: EngineQuery, *, limit: int, offset: int, facets: bool
    ) -> tuple[RawResult, list[Hit]]:
        """Search, then re-check every hit at its file; a hit the files no longer allow means the index
        was stale, so it is brought up to date (at last rebuilt) and the search runs again."""
        served: list[Hit] = []
        raw = RawResult(0, [], {})
        failure = None
        for attempt in range(ATTEMPTS):
            try:
                self._refresh(force=attempt > 0, rebuild=attempt == ATTEMPTS - 1)
                raw = self.backend.search(request, limit=limit, offset=offset, facets=facets)
            except IndexUnavailable as error:
                failure = error
                continue
            hits = [self._served(h.id, h.score, marked(h.snippet, h.highlights), request) for h in raw.hits]
            served = [hit for hit in hits if hit is not None]
            if len(served) == len(hits):
                return raw, served
        if failure is not None and not raw.hits:
            raise self._failing(failure)
        log.warning("the search index disagrees with the story files; showing only the stories they allow")
        return raw, served

    def _fresh(self, read: Callable[[], T]) -> T:
        """`read` from an index brought up to date; when it is unavailable, checked again, then rebuilt."""
        failure = None
        for attempt in range(ATTEMPTS):
            try:
                self._refresh(force=attempt > 0, rebuild=attempt == ATTEMPTS - 1)
                return read()
            except IndexUnavailable as error:
                failure = error
        raise self._failing(failure)

    def _failing(self, failure: IndexUnavailable | None) -> StorybankError:
        return StorybankError(
            f"the search index in {self.backend.path} keeps failing ({failure}): delete it and retry"
        )

    def _refresh(self, *, force: bool, rebuild: bool) -> None:
        if rebuild:
            self.index(rebuild=True)
        else:
            self.backend.ensure_current(self._files, self._load, max_age=0.0 if force else TIMED_SECONDS)

    def _served(self, story_id: str, score: float, snippet: str, request: EngineQuery) -> Hit | None:
        """The hit as served: re-read from its file and checked by the consent policy now."""
        story = self._story(story_id, request.purpose)
        if story is None:
            return None
        matched = [t for t in story.themes if t in request.theme_boosts or t in request.themes]
        person = TellerCues(request.person_decades, request.person_gender)
        return Hit(story, score, snippet, matched, teller_matched(story.storyteller, person))

    def _suggestion(self, text: str, unknown: list[str], request: EngineQuery) -> str | None:
        """The text with each misspelt word no story knows replaced by a close word that one does.

        A correction is made in the query's language, prefers the taxonomy's own words and the smallest
        edit (Damerau-Levenshtein: "lonley" is one swap from "lonely", two edits from "only"), and a
        real but rare word one letter from a theme word is taken for it ("spiritualty").
        """
        language = request.text_language or request.language
        misspelt = self._vocabulary.misspelt(text, unknown, language)
        near_themes = [w for w in unknown if w not in misspelt and self._vocabulary.theme_word_near(w)]
        # Each correction looks through the index's words: a few short ones are what a person mistypes;
        # a long run of unknown words, or a 900-letter one, would cost seconds and correct nothing.
        words = [w for w in [*misspelt, *near_themes] if len(w) <= MAX_CORRECTED_LENGTH][:MAX_CORRECTED_WORDS]
        suggested = text
        in_language = replace(request, language=language) if language else request
        for word in words:
            better = self._vocabulary.best_correction(word, self.backend.suggest(word, in_language), language)
            if better:
                suggested = re.sub(rf"\b{re.escape(word)}\b", better, suggested, flags=re.IGNORECASE)
        return suggested if suggested != text else None

    def _known(self, themes: tuple[str, ...], warnings: tuple[str, ...]) -> None:
        for theme in themes:
            if theme not in self.taxonomy.theme_ids:
                raise UnknownTermError("theme", theme, self.taxonomy.suggest_theme(theme))
        for warning in warnings:
            if warning not in self.taxonomy.warning_ids:
                raise UnknownTermError("content warning", warning, self.taxonomy.suggest_warning(warning))


def _stories_language(asked: str | None, spoken: str | None) -> str | None:
    """The stories' language to search: as asked, "any" for all, else the one the person reads when the
    query names it ("Spanish-speaking dad"), else the query's own (when it shows)."""
    if asked == "any":
        return None
    return asked or spoken


def _teller_decades(age_range: str | None) -> tuple[int, ...]:
    if not age_range:
        return ()
    try:
        check_age_range(age_range)  # the story format's own rule
    except ValueError:
        raise StorybankError(
            f"--teller-age {quote(age_range)} should look like 50-59 (or under-18)"
        ) from None
    return decades_of(age_range)


def _teller_gender(pronouns: str | None) -> str | None:
    if not pronouns:
        return None
    gender = gender_of(pronouns) or GENDER_OF.get(pronouns.lower().strip())
    if gender is None:
        raise StorybankError(
            f"--teller-pronouns {pronouns[:20]!r}: give he/him, she/her or they/them "
            "(or a word for them: man, woman, nonbinary)"
        )
    return gender


def _explanation(
    engine: EngineQuery, unknown: list[str], raw: RawResult, suggestion: str | None, person: TellerCues
) -> dict[str, Any]:
    """How the text was read, for `--explain`: what a specialist can check when a search surprises."""
    return {
        "text_read_as": engine.text,
        "query_language": engine.text_language,
        "person": {
            "decades": list(person.decades),
            "gender": person.gender,
            "language": person.language,
            "words": list(person.said),
        },
        "themes_named": dict(sorted(engine.theme_boosts.items())),
        "warnings_named": dict(sorted(engine.warning_boosts.items())),
        "expansions": list(engine.expansions),
        "unknown_words": list(unknown),
        "corrected": suggestion,
        "filters": {
            "themes": list(engine.themes),
            "any_theme": engine.any_theme,
            "exclude_warnings": list(engine.exclude_warnings),
            "language": engine.language,
            "teller_decades": list(engine.teller_decades),
            "teller_gender": engine.teller_gender,
            "purpose": str(engine.purpose),
            "on": engine.on.isoformat(),
        },
        "engine_query": raw.engine_query,
        "semantic": raw.semantic,
        "ranks": [
            {"id": hit.id, "lexical": hit.lexical_rank, "semantic": hit.semantic_rank} for hit in raw.hits
        ],
    }


def _with(wider: SearchResult, suggestion: str) -> dict[str, Any] | None:
    if wider.explanation is None:
        return None
    return {**wider.explanation, "corrected": suggestion}
