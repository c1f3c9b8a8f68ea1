"""What a search becomes in Whoosh: the user's words (our query language, not the index's), the
vocabulary's boosts, and the consent policy's requirements as a filter.

The query language users get is storybank's: words, "phrases", AND / OR / NOT and brackets. Whoosh's
field syntax (`status:published`), wildcards, ranges, boosts and `*:*` are not offered: the schema is not
user interface. A syntax mistake (Whoosh marks it with an error node) falls back to the plain words.
"""

from __future__ import annotations

import re

from whoosh import fields, qparser, query
from whoosh.qparser import syntax
from whoosh.searching import Searcher

from storybank.consent import requirements
from storybank.search.backend import EngineQuery
from storybank.search.whoosh.schema import ENGLISH_FIELDS, TEXT_FIELDS, day

# Ranking (tuned with benchmarks/relevance.py): a word in the title or summary counts more than in the body.
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5}
ALL_WORDS_BONUS = 0.9  # Whoosh's OrGroup factor: stories with more of the query's words rank higher
TEXT_LENGTH_DAMPING = 0.5
SYNONYM_WEIGHT = 0.8  # a brand or street name's generic word counts a little less than the word typed
# The person described ("a man in his fifties"): a teller of that age and gender ranks higher.
TELLER_AGE_WEIGHT = 1.5
TELLER_NEAR_AGE_WEIGHT = 0.5  # a decade next to the one described
TELLER_GENDER_WEIGHT = 1.5
# "Spanish-speaking dad": stories told in Spanish rank first when every language is searched.
PERSON_LANGUAGE_WEIGHT = 8.0
# Whoosh syntax storybank does not offer: fields, wildcards, ranges, boosts, "everything".
_NOT_OURS = (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
             qparser.EveryPlugin)  # fmt: skip
_NOT_OUR_SYNTAX = re.compile(r"[:\[\]{}*?^~]")  # what those plugins would have read: plain spaces now


def user_query(request: EngineQuery, schema: fields.Schema) -> tuple[query.Query, list[query.Query]]:
    """The scored query (words, expansions, theme and warning boosts) and its clauses."""
    text_query = parse(request.text, schema)
    clauses: list[query.Query] = []
    if text_query is not None:
        # A long query sums many words' scores; scaled down, the themes it names keep their weight.
        words = max(1, len(plain_words(request.text)))
        text_query.boost = words**-TEXT_LENGTH_DAMPING
        clauses.append(text_query)
    if request.expansions:
        expanded = parse(" ".join(request.expansions), schema)
        if expanded is not None:
            expanded.boost = SYNONYM_WEIGHT
            clauses.append(expanded)
    clauses += [query.Term("themes", t, boost=b) for t, b in request.theme_boosts.items()]
    clauses += [query.Term("warnings", w, boost=b) for w, b in request.warning_boosts.items()]
    if not clauses:
        return query.Every(), clauses
    matching: query.Query = query.Or(clauses)
    person = person_boosts(request)
    if person:  # a teller like the person ranks higher among the matches; it never makes a match
        matching = query.AndMaybe(matching, query.Or(person))
    return matching, clauses


def person_boosts(request: EngineQuery) -> list[query.Query]:
    """Boosts for a teller like the person the text describes: their decade (and, less, the next ones)
    and their gender, from the teller's own fields."""
    near = {d + step for d in request.person_decades for step in (-10, 10)} - set(request.person_decades)
    boosts = [query.Term("teller_decades", str(d), boost=TELLER_AGE_WEIGHT) for d in request.person_decades]
    boosts += [query.Term("teller_decades", str(d), boost=TELLER_NEAR_AGE_WEIGHT) for d in sorted(near)]
    if request.person_gender:
        boosts.append(query.Term("teller_gender", request.person_gender, boost=TELLER_GENDER_WEIGHT))
    if request.person_language:
        boosts.append(query.Term("language", request.person_language, boost=PERSON_LANGUAGE_WEIGHT))
    return boosts


def teller_filter(request: EngineQuery) -> query.Query | None:
    """The explicit teller filters (`teller_age`, `teller_pronouns`), or None when there are none."""
    parts: list[query.Query] = []
    if request.teller_decades:
        parts.append(query.Or([query.Term("teller_decades", str(d)) for d in request.teller_decades]))
    if request.teller_gender:
        parts.append(query.Term("teller_gender", request.teller_gender))
    return query.And(parts) if parts else None


def consent_filter(request: EngineQuery) -> query.Query:
    """The consent policy's rules (`consent.requirements`) as a Whoosh query over the index's consent
    fields. It narrows the search; every hit is still checked by the policy against its file."""
    rules = requirements(request.purpose, request.on, request.now)
    on = day(rules.on)
    parts: list[query.Query] = [
        query.Term("purposes", str(rules.purpose)),
        query.NumericRange("given", None, on),
        query.NumericRange("expires", on + 1, None),
        query.NumericRange("withdrawn", day(rules.withdrawn_by) + 1, None),
        query.Or([query.Term("status", str(status)) for status in sorted(rules.statuses)]),
    ]
    if rules.not_held:
        parts.append(query.Term("held", "no"))
    return query.And(parts)


def parse(text: str, schema: fields.Schema) -> query.Query | None:
    """The user's text as a query over the text fields, in storybank's query language."""
    text = _NOT_OUR_SYNTAX.sub(" ", text)
    if not text.strip():
        return None
    boosts = {
        f"{name}{suffix}": FIELD_BOOSTS.get(name, 1.0) for name in ENGLISH_FIELDS for suffix in ("", "_es")
    }
    parser = qparser.MultifieldParser(
        list(TEXT_FIELDS), schema, fieldboosts=boosts, group=qparser.OrGroup.factory(ALL_WORDS_BONUS)
    )
    for plugin in _NOT_OURS:
        parser.remove_plugin_class(plugin)
    try:
        tree = parser.process(text)
        if not _has_error(tree):
            parsed = tree.query(parser)
            if parsed:  # as `parser.parse` does: an empty query is Whoosh's NullQuery
                return parsed.normalize()
    except Exception:  # Whoosh's parser on unusual input: the plain words below, never an error
        pass
    words = " ".join(word.lower() for word in plain_words(text))
    return parser.parse(words) if words else None


def unknown_words(searcher: Searcher, text: str) -> list[str]:
    """The words no story has, as written or in any form (stemmed); common words and short ones never."""
    reader = searcher.reader()
    unknown = []
    for word in plain_words(text):
        if len(word) < 3 or reader.frequency("words", word):
            continue
        stems = [
            (name, token.text)
            for name in ("body", "body_es")
            for token in searcher.schema[name].analyzer(word)
        ]
        if stems and not any(reader.frequency(name, stem) for name, stem in stems):
            unknown.append(word)  # (no stems at all: a stop word, which is a real word)
    return unknown


def plain_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text.lower()) if w not in {"and", "or", "not"}]


def split(value: object) -> list[str]:
    return [part for part in str(value or "").split(",") if part]


def _has_error(node: syntax.SyntaxNode) -> bool:
    """Whether Whoosh's parser marked a syntax mistake anywhere in the tree."""
    if isinstance(node, syntax.ErrorNode):
        return True
    return any(_has_error(child) for child in getattr(node, "nodes", ()) or ())
