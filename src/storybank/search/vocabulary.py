"""The query vocabulary: what storybank knows about the words a specialist types.

The taxonomy's everyday words and phrases ("went back out", "started drinking again") add a boost for
stories tagged with their theme — a boost, never a requirement — and longer phrases weigh more, so one
ambiguous word counts less than a phrase. Words that name a content-warning topic match stories carrying
that warning, unless the user left that warning out. Brand and street names reach the words stories use
(`data/synonyms.yaml`), and a word that is no word of the query's language is a typo to correct.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from storybank import package_data
from storybank.models import Language
from storybank.taxonomy import ContentWarning, Taxonomy

if TYPE_CHECKING:  # the spelling libraries load when a query has a word no story knows, not before
    from spellchecker import SpellChecker

LANGUAGES = tuple(str(language) for language in Language)

# Abbreviations in notes, read as the words they stand for (not corrected: "yrs" is not "yes").
ABBREVIATIONS = {
    "yrs": "years", "yr": "year", "wks": "weeks", "wk": "week", "mos": "months", "mo": "month",
    "hrs": "hours", "bc": "because", "b/c": "because", "w/": "with", "w/o": "without", "thru": "through",
    "bf": "boyfriend", "gf": "girlfriend", "info": "information", "appt": "appointment", "tx": "treatment",
}  # fmt: skip
_ABBREVIATION = re.compile(
    r"(?<![\w/])(?:"
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w/])",
    re.IGNORECASE,
)
_AGE_YO = re.compile(
    r"\b(\d{1,2})\s*(?:yo|y/o|y\.o\.)(?![\w/])", re.IGNORECASE
)  # "45 yo"; Spanish "yo" stays
SHORT_WORD = 5  # letters; a word this short is corrected by one edit at most
PHRASE_WEIGHT = 2.0  # a theme or warning named in the query, against the words' own scores
PHRASE_WORD_WEIGHT = 0.75  # each word of a matched phrase past the first adds this to its boost
COMMUNITIES = "communities"  # the taxonomy group of who a person is: veterans, LGBTQ+, youth, older adults…
COMMUNITY_WEIGHT = 2.0  # its themes named in a query count twice (the teller is like the person)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[\w']+", text.lower())) + " "


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    return {str(name): tuple(words) for name, words in package_data.load("synonyms.yaml").items()}


@cache
def _dictionary(language: str) -> SpellChecker:
    # Word lists from pyspellchecker (loaded only when a query has a word no story knows).
    from spellchecker import SpellChecker

    return SpellChecker(language=language if language in LANGUAGES else "en")


def _phrase_table(entries: list[ContentWarning]) -> dict[str, list[tuple[str, int]]]:
    """Each entry's id, labels and phrases, normalised once: {id: [(" words ", number of words)]}."""
    table = {}
    for entry in entries:
        phrases = {entry.id.replace("-", " "), *(label.lower() for label in entry.labels.values())}
        phrases.update(p for ps in entry.phrases.values() for p in ps)
        table[entry.id] = [(_words(p), len(p.split())) for p in phrases]
    return table


class QueryVocabulary:
    """What storybank knows about the words a specialist types: the taxonomy's phrases, brand and street
    names, and every word of both (built once per bank; the taxonomy is long)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._weight = {t.id: COMMUNITY_WEIGHT if t.group == COMMUNITIES else 1.0 for t in taxonomy.themes}
        self._themes = _phrase_table(list(taxonomy.themes))
        self._warnings = _phrase_table(list(taxonomy.warnings))
        phrases = [p for table in (self._themes, self._warnings) for ps in table.values() for p, _ in ps]
        self.words = frozenset(" ".join([*phrases, *_synonyms(), *ABBREVIATIONS]).split())
        entries = [*taxonomy.themes, *taxonomy.warnings]
        # Every word of each language's everyday phrases (what tells a query's language), and those long
        # enough to be a correction (sorted, so equally close words are always picked the same way).
        self.language_words = {
            lang: frozenset(
                word for entry in entries for p in entry.phrases.get(lang, []) for word in p.split()
            )
            for lang in LANGUAGES
        }
        self._theme_words = {
            lang: sorted(w for w in words if len(w) > 3) for lang, words in self.language_words.items()
        }
        self._all_theme_words = sorted({w for words in self._theme_words.values() for w in words})

    def best_correction(self, word: str, from_stories: str | None, language: str | None) -> str | None:
        """The closest of the taxonomy's words (in the query's language) and the stories' suggestion: the
        smallest edit wins, the taxonomy's word on a tie; nothing further than a word's reach."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein, Indel

        reach = 1 if len(word) <= SHORT_WORD else 2
        vocabulary = self._theme_words.get(language or "", self._all_theme_words)
        close = process.extract(
            word, vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=reach, limit=8
        )
        # Of equally close words, the one a missing or extra letter makes ("parnting": parenting, not
        # painting): the insert/delete distance breaks the tie.
        ranked = sorted((found[1], Indel.distance(word, found[0]), found[0]) for found in close)
        ours = (ranked[0][2], ranked[0][0]) if ranked else None
        theirs = (from_stories, DamerauLevenshtein.distance(word, from_stories)) if from_stories else None
        if ours and (theirs is None or ours[1] <= theirs[1]):
            return str(ours[0])
        return theirs[0] if theirs and theirs[1] <= reach else None

    def theme_word_near(self, word: str) -> bool:
        """Whether a word no story has is one edit from a long taxonomy word ("spiritualty")."""
        if len(word) < 7:
            return False
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        return process.extractOne(word, self._all_theme_words, scorer=DamerauLevenshtein.distance,
                                  score_cutoff=1) is not None  # fmt: skip

    @staticmethod
    def read(text: str) -> str:
        """The text with the abbreviations specialists type written out ("2 yrs" → "2 years"), so they are
        read, never "corrected" into other words."""
        text = _AGE_YO.sub(r"\1 years old", text)
        return _ABBREVIATION.sub(lambda match: ABBREVIATIONS[match.group(0).lower()], text)

    def theme_boosts(self, text: str) -> dict[str, float]:
        """The themes the text names (by id, label or everyday phrase); longer phrases weigh more, and a
        community the text names ("a veteran", "a gay man") weighs COMMUNITY_WEIGHT times as much: it is
        who the person is, which a teller like them shares (docs/search.md)."""
        boosts = _boosts(_words(text), self._themes, frozenset())
        return {theme: weight * self._weight[theme] for theme, weight in boosts.items()}

    def warning_boosts(self, text: str, excluded: frozenset[str]) -> dict[str, float]:
        """The content warnings the text names, except those the user left out."""
        return _boosts(_words(text), self._warnings, excluded)

    def misspelt(self, text: str, candidates: list[str], language: str | None) -> list[str]:
        """Those of `candidates` (words of `text`) that are no word of the text's language, nor of the
        taxonomy: typos, then. A real word is never "corrected" into another."""
        candidates = [word for word in candidates if word not in self.words]
        if not candidates:
            return []
        if language is None:  # the language most of the query's words belong to
            said = _words(text).split()
            counts = {lang: len(_dictionary(lang).known(said)) for lang in LANGUAGES}
            language = max(counts, key=lambda lang: counts[lang])
        real = _dictionary(language).known(candidates)
        return [word for word in candidates if word not in real]

    @staticmethod
    def expansions(text: str) -> tuple[str, ...]:
        """The words stories use for the brand and street names in `text` ("suboxone" → buprenorphine)."""
        said = _words(text)
        found: dict[str, None] = {}
        for name, words in _synonyms().items():
            if f" {name} " in said:
                found.update(dict.fromkeys(words))
        return tuple(found)


def _boosts(said: str, table: dict[str, list[tuple[str, int]]], skip: frozenset[str]) -> dict[str, float]:
    boosts: dict[str, float] = {}
    for entry_id, phrases in table.items():
        if entry_id in skip:
            continue
        longest = max((length for phrase, length in phrases if phrase in said), default=0)
        if longest:
            boosts[entry_id] = PHRASE_WEIGHT * (1.0 + PHRASE_WORD_WEIGHT * (longest - 1))
    return boosts
