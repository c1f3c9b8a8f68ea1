"""Score storybank's ranking against the development evaluation set, side by side with plain BM25.

    python benchmarks/relevance.py [--set development|tuning] [--no-write]

Runs every query of an evaluation set over the sample bank (`stories/`), judged as of the day the set was
written: the development set (`benchmarks/relevance/queries.yaml`, the default) or the tuning set
(`benchmarks/relevance/tuning.yaml`, written blind later, for choosing weights so the development set
stays a check of them), through `StoryBank.search` and through a plain BM25 baseline (Whoosh's
BM25F over one English-stemmed field holding title, summary, body and what helped; the same shareable
stories and the same filters; no taxonomy, no synonyms, no spelling help). nDCG@10, recall@10 and MRR come
from ir-measures (`pip install -e '.[bench]'`). The tables go to stdout and, unless --no-write, into
`docs/search.md` between the relevance markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ir_measures
import yaml
from ir_measures import RR, R, nDCG
from whoosh import analysis, fields, qparser, query
from whoosh.filedb.filestore import RamStorage

from storybank import StoryBank
from storybank.models import Purpose
from storybank.search.semantic import wanted as semantic_wanted
from storybank.settings import SearchSettings

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "search.md"


@dataclass(frozen=True)
class EvalSet:
    queries: Path
    as_of: dt.date  # the day the judgments were made: who may be shared is fixed to it
    marker: str  # the block of docs/search.md its tables go to


SETS_DIR = REPO / "benchmarks" / "relevance"
SETS = {
    "development": EvalSet(SETS_DIR / "queries.yaml", dt.date(2026, 11, 22), "relevance"),
    "tuning": EvalSet(SETS_DIR / "tuning.yaml", dt.date(2026, 12, 3), "relevance-tuning"),
}
DEPTH = 10
MEASURES = [nDCG @ DEPTH, R @ DEPTH, RR]


@dataclass(frozen=True)
class EvalQuery:
    id: str
    kind: str
    text: str
    judgments: dict[str, int]
    filters: dict[str, Any] = field(default_factory=dict)


Ranker = Callable[[EvalQuery], list[str]]
# A ranker that also says which stories count: the default search shows the query's language first, so a
# story judged relevant in another language is one flag away ("N more in another language") — it is left
# out of that query's judgments for that run, and counted in the "every language" run.
Judged = Callable[[EvalQuery], dict[str, int]]


def load_queries(path: Path) -> list[EvalQuery]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    filter_keys = ("themes", "any_theme", "exclude_warnings", "language")
    return [
        EvalQuery(
            id=entry["id"],
            kind=entry["kind"],
            text=entry["query"],
            judgments=dict(entry["judgments"]),
            filters={key: entry[key] for key in filter_keys if key in entry},
        )
        for entry in entries
    ]


def storybank_ranker(bank: StoryBank, *, every_language: bool = False) -> tuple[Ranker, Judged]:
    """storybank as a specialist gets it: the query's language first (or, with `every_language`, all)."""
    searched: dict[str, str | None] = {}
    languages = {story.id: str(story.language) for story in bank.stories()}

    def rank(q: EvalQuery) -> list[str]:
        filters = dict(q.filters)
        if every_language:
            filters.setdefault("language", "any")
        result = bank.search(q.text, limit=DEPTH, **filters)
        searched[q.id] = result.language
        return [hit.story.id for hit in result.hits]

    def judged(q: EvalQuery) -> dict[str, int]:
        language = searched.get(q.id)
        if language is None:
            return q.judgments
        return {doc: grade for doc, grade in q.judgments.items() if languages.get(doc) == language}

    return rank, judged


def bm25_ranker(bank: StoryBank) -> Ranker:
    """Plain BM25 over the text of the stories that may be shared, with the same filters."""
    schema = fields.Schema(
        id=fields.ID(stored=True),
        text=fields.TEXT(analyzer=analysis.StemmingAnalyzer()),
        themes=fields.KEYWORD(commas=True),
        warnings=fields.KEYWORD(commas=True),
        language=fields.ID,
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for story in bank.usable(Purpose.SHARE):
            writer.add_document(
                id=story.id,
                text="\n".join([story.title, story.summary, story.body, *story.what_helped]),
                themes=",".join(story.themes),
                warnings=",".join(story.content_warnings),
                language=str(story.language),
            )
    parser = qparser.QueryParser("text", schema, group=qparser.OrGroup)

    def rank(q: EvalQuery) -> list[str]:
        words = " ".join(re.findall(r"\w+", q.text))
        filters: list[query.Query] = [query.Every()]
        themes = [query.Term("themes", t) for t in q.filters.get("themes", [])]
        if themes:
            filters.append(query.Or(themes) if q.filters.get("any_theme") else query.And(themes))
        if q.filters.get("language", "any") != "any":
            filters.append(query.Term("language", q.filters["language"]))
        excluded = [query.Term("warnings", w) for w in q.filters.get("exclude_warnings", [])]
        with ix.searcher() as searcher:
            hits = searcher.search(
                parser.parse(words),
                filter=query.And(filters),
                mask=query.Or(excluded) if excluded else None,
                limit=DEPTH,
            )
            return [hit["id"] for hit in hits]

    return rank


def evaluate(
    queries: list[EvalQuery], rank: Ranker, judged: Judged | None = None
) -> tuple[dict[str, dict[str, float]], dict[str, list[str]]]:
    """Per-query scores {query id: {measure: value}} and the ranked ids."""
    runs = {q.id: rank(q) for q in queries}
    judgments = {q.id: (judged(q) if judged else q.judgments) for q in queries}
    qrels = [
        ir_measures.Qrel(qid, doc, grade) for qid, docs in judgments.items() for doc, grade in docs.items()
    ]
    run = [
        ir_measures.ScoredDoc(qid, doc, float(DEPTH - position))
        for qid, docs in runs.items()
        for position, doc in enumerate(docs)
    ]
    # A query with no judged story to find (here: none in the language searched) is not scored, as
    # trec_eval does: its nDCG is undefined, not 0.
    scores: dict[str, dict[str, float]] = {
        q.id: {str(m): 0.0 for m in MEASURES} for q in queries if any(judgments[q.id].values())
    }
    for metric in ir_measures.iter_calc(MEASURES, qrels, run):
        scores[metric.query_id][str(metric.measure)] = metric.value
    return scores, runs


def mean(scores: dict[str, dict[str, float]], measure: str, ids: list[str] | None = None) -> float:
    chosen = [qid for qid in (ids if ids is not None else list(scores)) if qid in scores]
    return statistics.fmean(scores[qid][measure] for qid in chosen) if chosen else float("nan")


def report(
    queries: list[EvalQuery], bank: StoryBank, words_only: StoryBank | None, *, command: str, as_of: dt.date
) -> str:
    """The tables; `words_only` is the same bank with the semantic layer off (None: it is not installed,
    so `bank` is words only)."""
    ours, our_runs = evaluate(queries, *storybank_ranker(bank))
    everywhere, _ = evaluate(queries, *storybank_ranker(bank, every_language=True))
    plain, _ = evaluate(queries, bm25_ranker(bank))
    lexical = evaluate(queries, *storybank_ranker(words_only))[0] if words_only else None
    lexical_everywhere = (
        evaluate(queries, *storybank_ranker(words_only, every_language=True))[0] if words_only else None
    )
    names = [str(m) for m in MEASURES]
    semantic = "with" if words_only else "without (the semantic extra is not installed)"
    lines = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `{command}`: "
        f"{len(queries)} queries, stories shareable on {as_of}, ir-measures {ir_measures.__version__}, "
        f"storybank {semantic} the semantic layer.",
        "",
        "| ranking | " + " | ".join(names) + " |",
        "| --- | " + " | ".join("---:" for _ in names) + " |",
        "| plain BM25 (every language) | " + " | ".join(f"{mean(plain, m):.3f}" for m in names) + " |",
    ]
    if lexical and lexical_everywhere:
        lines += [
            "| storybank, words only, every language | "
            + " | ".join(f"{mean(lexical_everywhere, m):.3f}" for m in names)
            + " |",
            "| storybank, words only, the query's language | "
            + " | ".join(f"{mean(lexical, m):.3f}" for m in names)
            + " |",
        ]
    lines += [
        "| storybank, every language | " + " | ".join(f"{mean(everywhere, m):.3f}" for m in names) + " |",
        "| **storybank as it runs: the query's language** | "
        + " | ".join(f"{mean(ours, m):.3f}" for m in names)
        + " |",
        "",
        "By kind of query (nDCG@10):",
        "",
        "| kind | queries | plain BM25 | "
        + ("words only, the query's language | " if lexical else "")
        + "storybank, every language | storybank, the query's language |",
        "| --- | ---: | ---: | " + ("---: | " if lexical else "") + "---: | ---: |",
    ]
    kinds = sorted({q.kind for q in queries})
    for kind in kinds:
        ids = [q.id for q in queries if q.kind == kind]
        words = f"| {mean(lexical, names[0], ids):.3f} " if lexical else ""
        lines.append(
            f"| {kind} | {len(ids)} | {mean(plain, names[0], ids):.3f} {words}"
            f"| {mean(everywhere, names[0], ids):.3f} | {mean(ours, names[0], ids):.3f} |"
        )
    lines += [
        "",
        "Lowest storybank nDCG@10:",
        "",
        "| query | nDCG@10 | BM25 | judged 2, not in the top 3 |",
        "| --- | ---: | ---: | --- |",
    ]
    unscored = [q.id for q in queries if q.id not in ours]
    if unscored:
        lines.insert(
            lines.index("By kind of query (nDCG@10):"),
            f"Not scored as it runs (no story judged relevant is told in the query's language; a specialist "
            f'sees "N more in another language"): {", ".join(unscored)}.\n',
        )
    worst = sorted((q for q in queries if q.id in ours), key=lambda q: (ours[q.id][names[0]], q.id))[:6]
    for q in worst:
        ranked = our_runs[q.id]
        missed = [
            f"{doc} ({'#' + str(ranked.index(doc) + 1) if doc in ranked else 'not in 10'})"
            for doc, grade in q.judgments.items()
            if grade == 2 and doc not in ranked[:3]
        ]
        lines.append(
            f"| {q.id} `{q.text}` | {ours[q.id][names[0]]:.3f} | {plain[q.id][names[0]]:.3f} | "
            f"{', '.join(missed) or '—'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="development", help="the evaluation set")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/search.md alone")
    args = parser.parse_args(argv)
    chosen = SETS[args.set]
    command = "python benchmarks/relevance.py" + ("" if args.set == "development" else f" --set {args.set}")
    with StoryBank.open(REPO / "stories", as_of=chosen.as_of) as bank:
        words_only = None
        if semantic_wanted(bank.settings.search.semantic):
            off = bank.settings.model_copy(update={"search": SearchSettings(semantic=False)})
            words_only = StoryBank(bank.root, settings=off, taxonomy=bank.taxonomy, as_of=chosen.as_of)
        text = report(load_queries(chosen.queries), bank, words_only, command=command, as_of=chosen.as_of)
    print(text)
    if not args.no_write:
        from doc_block import write_block  # benchmarks/ is on the path when run as a script

        write_block(DOC, chosen.marker, text, heading="## Relevance, measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
