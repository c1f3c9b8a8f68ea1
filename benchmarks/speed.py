"""Speed benchmark: storybank's index and search on synthetic banks, next to SQLite FTS5.

    python3 benchmarks/speed.py --sizes 1000,10000,50000 [--workdir DIR] [--queries N] [--no-write]

For each size the script writes (or reuses) a deterministic bank of synthetic story files in the real
format, then measures storybank (full build, one-story update, the freshness check searches make,
a fresh CLI search process, warm `StoryBank.search` latencies for four kinds of query) and the same work
on the same files in SQLite FTS5. It prints a Markdown table and, unless --no-write, puts it in
docs/performance.md between the markers `<!-- speed:start -->` and `<!-- speed:end -->`.

These are benchmark numbers, not tests: nothing fails when a target is missed.

The corpus is the same on every run: story N is made by `random.Random(f"{SEED}:{N}")`, so a larger bank
is a superset of a smaller one (its first files are hard links to the smaller bank's files where
possible). Consent dates are fixed calendar dates: about 5 % of the stories were withdrawn or expired
in 2022-2023; the others run to 2035 or later, or have no end date.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import inspect
import itertools
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml
from whoosh.analysis import STOP_WORDS

from storybank import StoryBank
from storybank.search import semantic
from storybank.taxonomy import ContentWarning, Taxonomy, default_taxonomy

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "storybank-speed"
MANIFEST = ".speed-corpus.json"

SEED = 1729
GENERATOR_VERSION = 1
DEFAULT_QUERIES = 40
QUERY_SAMPLE = 200  # queries are drawn from the first stories, which every size holds
REPEATS = 3  # update, freshness check and CLI: median of this many
KINDS = ("word", "multi-word", "filtered", "phrase", "description")
# "What did the person say?": how specialists describe a person on the web page (15-20 words, a person
# cue the teller signals read, one word in three descriptions misspelt as typed in a hurry).
PERSON_CUES = (
    "a woman in her forties",
    "a man in his fifties",
    "a young mom, 24,",
    "an older guy around 60",
    "a dad in his thirties",
    "a Spanish-speaking grandmother",
    "a teenager, 17,",
    "a woman in her twenties",
)
CONNECTORS = ("who", "and", "after", "about", "with", "since", "feels", "lost", "wants", "is", "her", "his")
WORDS_OFF = {"STORYBANK_SEMANTIC": "off"}  # the word-ranking rows; the semantic rows turn it on
SPANISH_SHARE = 0.10
ENDED_SHARE = 0.05  # withdrawn or expired

# -- word lists --------------------------------------------------------------------------------------


def wordlist(text: str) -> list[str]:
    """Whitespace-separated words (keeps the long lists below readable)."""
    return text.split()


EN_FUNCTION = wordlist(
    """the and i to a of was my in it that me he she we they for on with but had at not so be is
as you his her then there all out up when what just about from would could one this were did no like or if
an by got again them do still how more have into after because before even over only our very much
never some than their him who every other"""
)
EN_NOUNS = wordlist(
    """kitchen group morning night mother father sister brother friend work job house car street
church meeting clinic nurse doctor counselor program shelter bed room table door window phone money rent
shift boss school class teacher kid daughter son baby wife husband partner dog garden river bridge bus
train road town city year week month hour coffee rice bread letter paper court judge prison officer
lawyer sponsor chair basement circle story voice song music guitar book notebook prayer breath body hands
heart head eyes face tears sleep dream fear shame anger pain trust help love peace noise light rain snow
winter summer holiday birthday anniversary medal coin chip milestone step path walk drive call message
visit appointment medicine pill bottle drink beer whiskey needle smoke cigarette craving urge trigger
habit routine schedule plan goal budget debt paycheck loan landlord apartment couch porch yard fence truck
highway diner restaurant store warehouse factory farm field barn horse engine garage library college
degree exam certificate uniform army deployment grandmother grandfather uncle aunt cousin neighbor
stranger pastor choir drum dance ceremony village island ocean beach mountain forest trail camp tent
blanket jacket shoes mirror bathroom hospital ambulance bills food groceries soup dinner breakfast lunch
eggs stove apron bike ticket tattoo radio"""
)
EN_VERBS = wordlist(
    """started stopped tried kept learned remember felt knew thought wanted needed asked told said
called found lost left came went stayed slept cried laughed listened talked walked worked drove prayed
wrote cooked cleaned moved waited helped carried held showed opened closed believed forgave promised
finished failed changed healed breathed noticed watched"""
)
EN_ADJECTIVES = wordlist(
    """small long hard quiet tired scared angry proud ashamed grateful honest safe steady broken
empty full heavy warm cold early late first last new old good bad real whole little big"""
)
ES_FUNCTION = wordlist(
    """de la que el en y a los se no me mi un una por con para las lo pero su al del más como yo
era fue ya muy todo cuando también porque sin sobre hasta nos le otra vez ella él hay eso"""
)
ES_NOUNS = wordlist(
    """cocina grupo mañana noche madre padre hermana hermano amigo amiga trabajo casa coche calle
iglesia reunión clínica enfermera médico programa cama mesa puerta ventana teléfono dinero renta escuela
hijo hija esposa perro jardín río puente autobús pueblo ciudad año semana mes café arroz pan carta corte
cárcel abogado padrino silla círculo historia voz canción música guitarra libro oración cuerpo manos
corazón cabeza ojos lágrimas sueño miedo vergüenza dolor esperanza confianza ayuda amor paz luz lluvia
invierno verano medicina botella cerveza abuela abuelo tío tía vecino taller"""
)
ES_VERBS = wordlist(
    """empecé dejé intenté aprendí recuerdo sentí sabía pensé quería necesitaba pedí dije llamé
encontré perdí volví lloré hablé caminé trabajé recé escribí cociné esperé"""
)
ES_ADJECTIVES = wordlist(
    """pequeño largo difícil tranquilo cansado orgulloso agradecido seguro nuevo viejo bueno
primero último"""
)
NAMES = wordlist(
    """Rosa Luis Carmen Dee Sam Alex Jordan Maria Ana Tom Grace Omar Lena Priya Malik Jun Sofia Eli Noor
Ray June Theo Ivy Marcus Dana Kim Rafa Bea Hugo Nia Tess Cal Mina Joe Lupe Iris Wes Ada Rio Zoe"""
)
PRONOUNS = ("she/her", "he/him", "they/them", None)
AGE_RANGES = ("18-24", "25-29", "30-39", "40-49", "50-59", "60-69", "70-79")
ATTRIBUTIONS = ("named", "first-name", "pseudonym", "anonymous")
OPTIONAL_PURPOSES = ("handout", "public", "training", "research")

EN_SYLLABLES = (
    wordlist("b br c cl d dr f fl g gr h j k l m n p pl r s st sh t tr v w"),
    wordlist("a e i o u ai ea oo"),
    ["", "", "n", "r", "st", "ng", "l", "t", "m", "ck"],
)
ES_SYLLABLES = (
    wordlist("b br c d f g gu j l ll m n p r rr s t v z ch"),
    wordlist("a e i o u ue ie"),
    ["o", "a", "es", "ar", "er", "ido", "ada", "illo", "ero"],
)
EN_TEMPLATES = (
    "{P} was part of it.",
    "I remember when {p}.",
    "Later, {p}, and things began to change.",
    "People asked about {p}, and I told them the truth.",
    "Nobody warned me about {p}.",
)
ES_TEMPLATES = (
    "{P} fue parte de todo.",
    "Recuerdo cuando {p}.",
    "Después, {p}, y todo empezó a cambiar.",
    "Nadie me habló de {p}.",
)

# -- the synthetic corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """One language's words, ranked for a Zipf-like draw, and its recurring phrases."""

    words: list[str]
    cum_weights: list[float]
    phrases: list[str]
    phrase_cum_weights: list[float]
    nouns: list[str]
    verbs: list[str]
    adjectives: list[str]
    templates: tuple[str, ...]

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=count)

    def phrase(self, rng: random.Random) -> str:
        return rng.choices(self.phrases, cum_weights=self.phrase_cum_weights, k=1)[0]


def zipf_cum_weights(count: int, exponent: float = 1.0, shift: float = 2.7) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights for ranks 1..count."""
    return list(itertools.accumulate(1.0 / (rank + shift) ** exponent for rank in range(1, count + 1)))


def pseudo_words(rng: random.Random, parts: tuple[list[str], ...], count: int, taken: set[str]) -> list[str]:
    """`count` distinct made-up words (2-3 syllables), none of them in `taken`."""
    onsets, vowels, codas = parts
    found: list[str] = []
    seen = set(taken)
    while len(found) < count:
        syllables = rng.choice((2, 2, 3))
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)) + rng.choice(codas)
        if word not in seen and len(word) >= 4:
            seen.add(word)
            found.append(word)
    return found


def vocabulary(
    rng: random.Random,
    function: list[str],
    nouns: list[str],
    verbs: list[str],
    adjectives: list[str],
    *,
    syllables: tuple[list[str], ...],
    size: int,
    phrase_count: int,
    templates: tuple[str, ...],
) -> Vocabulary:
    """Function words rank first, real content words next, made-up words fill the long tail."""
    content = [*nouns, *verbs, *adjectives]
    rng.shuffle(content)
    made_up = pseudo_words(rng, syllables, size - len(function) - len(content), {*function, *content})
    words = [*function, *content, *made_up]
    phrases: set[str] = set()
    while len(phrases) < phrase_count:
        first = rng.choice(adjectives) if rng.random() < 0.6 else rng.choice(nouns)
        phrases.add(f"{first} {rng.choice(nouns)}")
    ordered = sorted(phrases)
    rng.shuffle(ordered)
    return Vocabulary(
        words=words,
        cum_weights=zipf_cum_weights(len(words)),
        phrases=ordered,
        phrase_cum_weights=zipf_cum_weights(len(ordered), exponent=0.8),
        nouns=nouns,
        verbs=verbs,
        adjectives=adjectives,
        templates=templates,
    )


@dataclass(frozen=True)
class StoryDoc:
    """One generated story: its id, what search needs to know about it, and its file text."""

    id: str
    language: str
    themes: tuple[str, ...]
    body: str
    text: str


class CorpusGenerator:
    """Makes story N the same way every time, whatever the size of the bank."""

    def __init__(self, seed: int, taxonomy: Taxonomy) -> None:
        self.seed = seed
        self.taxonomy = taxonomy
        rng = random.Random(f"{seed}:vocabulary")
        self.english = vocabulary(
            rng,
            EN_FUNCTION,
            EN_NOUNS,
            EN_VERBS,
            EN_ADJECTIVES,
            syllables=EN_SYLLABLES,
            size=4000,
            phrase_count=80,
            templates=EN_TEMPLATES,
        )
        self.spanish = vocabulary(
            rng,
            ES_FUNCTION,
            ES_NOUNS,
            ES_VERBS,
            ES_ADJECTIVES,
            syllables=ES_SYLLABLES,
            size=2000,
            phrase_count=40,
            templates=ES_TEMPLATES,
        )
        theme_ids = [theme.id for theme in taxonomy.themes]
        rng.shuffle(theme_ids)  # some themes are common, most are rare, as in a real bank
        self.theme_ids = theme_ids
        self.theme_cum_weights = zipf_cum_weights(len(theme_ids), exponent=0.9, shift=1.0)
        self.warning_ids = [warning.id for warning in taxonomy.warnings]

    def digest(self) -> str:
        """Changes whenever the generator's inputs do (so an old corpus is not reused by mistake)."""
        inputs = {
            "version": GENERATOR_VERSION,
            "seed": self.seed,
            "taxonomy": self.taxonomy.model_dump(mode="json"),
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]

    def story(self, number: int) -> StoryDoc:
        rng = random.Random(f"{self.seed}:{number}")
        language = "es" if rng.random() < SPANISH_SHARE else "en"
        vocab = self.spanish if language == "es" else self.english
        themes = self._themes(rng)
        warnings = self._warnings(rng)
        title = self._title(rng, vocab, language)
        story_id = f"{slug(title)}-{number:06d}"
        body = self._body(rng, vocab, language, themes, warnings)
        front = self._front_matter(rng, vocab, story_id, title, language, themes, warnings)
        return StoryDoc(story_id, language, tuple(themes), body, f"---\n{front}---\n{body}")

    def _themes(self, rng: random.Random) -> list[str]:
        wanted = rng.randint(2, 5)
        chosen: list[str] = []
        while len(chosen) < wanted:
            theme = rng.choices(self.theme_ids, cum_weights=self.theme_cum_weights, k=1)[0]
            if theme not in chosen:
                chosen.append(theme)
        return chosen

    def _warnings(self, rng: random.Random) -> list[str]:
        count = rng.choices((0, 1, 2), weights=(50, 35, 15), k=1)[0]
        return rng.sample(self.warning_ids, count)

    @staticmethod
    def _title(rng: random.Random, vocab: Vocabulary, language: str) -> str:
        noun, other, adjective = (
            rng.choice(vocab.nouns),
            rng.choice(vocab.nouns),
            rng.choice(vocab.adjectives),
        )
        if language == "es":
            patterns = [f"{noun} y {other}", f"{noun} {adjective}", f"después de la {noun}"]
        else:
            patterns = [f"the {adjective} {noun}", f"{noun} and {other}", f"after the {noun}"]
        return rng.choice(patterns).capitalize()

    def _sentence(self, rng: random.Random, vocab: Vocabulary, length: int) -> list[str]:
        words = vocab.draw(rng, length)
        if length > 8 and rng.random() < 0.3:
            words[rng.randrange(2, length - 2)] += ","
        return words

    def _special_sentences(
        self, rng: random.Random, vocab: Vocabulary, language: str, themes: list[str], warnings: list[str]
    ) -> list[str]:
        """Sentences with the taxonomy's everyday phrases for this story, and recurring phrases."""
        entries: list[ContentWarning] = [self.taxonomy.theme(t) for t in themes]
        entries += [w for w in self.taxonomy.warnings if w.id in warnings]
        sentences = []
        for entry in entries:
            phrases = entry.phrases.get(language) or entry.phrases.get("en") or [entry.id.replace("-", " ")]
            phrase = rng.choice(phrases)
            template = rng.choice(vocab.templates)
            sentences.append(template.format(p=phrase, P=phrase[:1].upper() + phrase[1:]))
        for _ in range(rng.randint(2, 5)):
            words = self._sentence(rng, vocab, rng.randint(5, 12))
            words.insert(rng.randrange(len(words) + 1), vocab.phrase(rng))
            sentences.append(finish(words))
        return sentences

    def _body(
        self, rng: random.Random, vocab: Vocabulary, language: str, themes: list[str], warnings: list[str]
    ) -> str:
        special = self._special_sentences(rng, vocab, language, themes, warnings)
        target = rng.randint(320, 860)
        count = sum(len(s.split()) for s in special)
        sentences = list(special)
        while count < target:
            length = rng.randint(6, 18)
            sentences.insert(rng.randrange(len(sentences) + 1), finish(self._sentence(rng, vocab, length)))
            count += length
        paragraphs = []
        while sentences:
            size = rng.randint(3, 7)
            paragraphs.append(" ".join(sentences[:size]))
            sentences = sentences[size:]
        return "\n\n".join(paragraphs) + "\n"

    def _front_matter(
        self,
        rng: random.Random,
        vocab: Vocabulary,
        story_id: str,
        title: str,
        language: str,
        themes: list[str],
        warnings: list[str],
    ) -> str:
        consent = consent_lines(rng, story_id)
        attribution = rng.choice(ATTRIBUTIONS)
        name = None if attribution == "anonymous" else rng.choice(NAMES)
        if attribution == "named" and name:
            name = f"{name} {rng.choice(NAMES)}son"
        helped = [finish(vocab.draw(rng, rng.randint(4, 9)))[:-1] for _ in range(rng.randint(0, 3))]
        lines = [
            f"id: {story_id}",
            f"title: {quoted(title)}",
            f"summary: {quoted(finish(vocab.draw(rng, rng.randint(12, 24))))}",
            f"language: {language}",
            "status: published",
            f"themes: [{', '.join(themes)}]",
            f"content_warnings: [{', '.join(warnings)}]",
            "storyteller:",
            f"  attribution: {attribution}",
            f"  display_name: {quoted(name)}",
            f"  age_range: {rng.choice(AGE_RANGES)}",
            f"  pronouns: {quoted(rng.choice(PRONOUNS))}",
            f"  recovery_since: {rng.randint(1990, 2024)}",
            *(["what_helped:", *(f"  - {quoted(item)}" for item in helped)] if helped else []),
            *consent,
        ]
        return "\n".join(lines) + "\n"


def consent_lines(rng: random.Random, story_id: str) -> list[str]:
    """The consent block: fixed calendar dates, about ENDED_SHARE of them withdrawn or expired."""
    ended = rng.random() < ENDED_SHARE
    first = dt.date(2019, 1, 1)
    given = first + dt.timedelta(days=rng.randrange(3 * 365 if ended else 6 * 365))
    expires: dt.date | None = None
    withdrawn: dt.date | None = None
    if ended and rng.random() < 0.5:
        withdrawn = given + dt.timedelta(days=rng.randint(30, 600))
    elif ended:
        expires = given + dt.timedelta(days=rng.randint(365, 700))
    elif rng.random() < 0.6:
        expires = dt.date(rng.randint(2035, 2040), rng.randint(1, 12), rng.randint(1, 28))
    purposes = ["read", "share", *(p for p in OPTIONAL_PURPOSES if rng.random() < 0.3)]
    listed = ", ".join(purposes)
    staff = f"staff-{rng.randint(1, 40):02d}"
    history = [f"    - {{date: {given}, event: given, purposes: [{listed}], by: {staff}}}"]
    if withdrawn:
        history.append(f"    - {{date: {withdrawn}, event: withdrawn, by: {staff}}}")
    return [
        "consent:",
        f"  form_ref: CF-{given.year}-{int(story_id.rsplit('-', 1)[1]):06d}",
        f"  given_on: {given}",
        f"  purposes: [{listed}]",
        f"  expires_on: {expires or 'null'}",
        f"  withdrawn_on: {withdrawn or 'null'}",
        f"  text_approved_on: {given + dt.timedelta(days=rng.randint(5, 40))}",
        "  text_approved_sha256: null",
        "  guardian_form_ref: null",
        "  history:",
        *history,
    ]


def finish(words: list[str]) -> str:
    """Words as a sentence: capital first letter, full stop."""
    text = " ".join(words).rstrip(",")
    return text[:1].upper() + text[1:] + "."


def quoted(value: str | None) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def slug(text: str) -> str:
    ascii_text = text.lower().translate(str.maketrans("áéíóúñü", "aeiounu"))
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:60].strip("-") or "story"


# -- banks on disk -----------------------------------------------------------------------------------


def bank_dir(workdir: Path, size: int) -> Path:
    return workdir / f"bank-{size}"


def corpus_is_ready(folder: Path, size: int, digest: str) -> bool:
    """The folder holds exactly the files this generator makes for `size` (by manifest, count, bytes)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("digest") != digest or manifest.get("size") != size:
        return False
    files = list(folder.glob("*.md"))
    return len(files) == size and sum(f.stat().st_size for f in files) == manifest.get("bytes")


def write_corpus(folder: Path, size: int, generator: CorpusGenerator, donor: Path | None) -> None:
    """Write stories 0..size-1; hard-link those a smaller ready bank (`donor`) already holds."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    donor_files = {path.name: path for path in donor.glob("*.md")} if donor else {}
    total = 0
    for number in range(size):
        story = generator.story(number)
        path = folder / f"{story.id}.md"
        source = donor_files.get(path.name)
        if source is not None:
            try:
                os.link(source, path)
            except OSError:
                shutil.copyfile(source, path)
        else:
            path.write_text(story.text, encoding="utf-8")
        total += path.stat().st_size
        if number and number % 5000 == 0:
            progress(f"  wrote {number} of {size} stories")
    manifest = {"digest": generator.digest(), "size": size, "bytes": total}
    (folder / MANIFEST).write_text(json.dumps(manifest))


def ensure_corpus(workdir: Path, size: int, generator: CorpusGenerator, ready: list[int]) -> bool:
    """Make sure the bank for `size` exists; True when it had to be written."""
    folder = bank_dir(workdir, size)
    if corpus_is_ready(folder, size, generator.digest()):
        return False
    smaller = [s for s in ready if s < size]
    donor = bank_dir(workdir, max(smaller)) if smaller else None
    write_corpus(folder, size, generator, donor)
    return True


def replace_text(path: Path, text: str) -> None:
    """Write a file by rename: a new inode, so a hard-linked twin in another bank is untouched."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def check_files(folder: Path) -> int:
    """How many problems `StoryBank.scan()` finds (the corpus must have none)."""
    scan = StoryBank.open(folder).scan()
    for problem in scan.problems[:5]:
        progress(f"  problem: {problem}")
    return len(scan.problems)


# -- queries -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    """One query, as storybank reads it and as an FTS5 MATCH expression."""

    kind: str
    text: str
    fts: str
    theme: str | None = None


@dataclass
class QuerySet:
    """Per kind, one list of queries for each facets setting, and how many drawn queries repeat."""

    by_kind: dict[tuple[str, bool], list[BenchQuery]] = field(default_factory=dict)
    warmup: list[BenchQuery] = field(default_factory=list)
    cli: list[BenchQuery] = field(default_factory=list)
    repeats: int = 0


def fts_term(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def theme_token(theme: str) -> str:
    """A theme id as one FTS5 token (unicode61 would split it at hyphens)."""
    return "th" + theme.replace("-", "")


def plain_words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def is_query_word(word: str) -> bool:
    return len(word) >= 4 and word not in STOP_WORDS and word not in FUNCTION_WORDS


FUNCTION_WORDS = frozenset(EN_FUNCTION) | frozenset(ES_FUNCTION)


class QueryMaker:
    """Draws distinct queries from the words and phrases of sample stories."""

    def __init__(self, samples: list[StoryDoc], generator: CorpusGenerator, seed: int) -> None:
        self.rng = random.Random(f"{seed}:queries")
        self.samples = samples
        self.words = [[w for w in plain_words(s.body) if is_query_word(w)] for s in samples]
        phrases = [*generator.english.phrases, *generator.spanish.phrases]
        self.phrases = sorted({p for p in phrases for s in samples if p in s.body.lower()})
        self.used: set[str] = set()
        self.repeats = 0

    def _distinct(self, make: Callable[[], BenchQuery]) -> BenchQuery:
        for _ in range(200):
            query = make()
            key = f"{query.kind}|{query.text}|{query.theme}"
            if key not in self.used:
                self.used.add(key)
                return query
        self.repeats += 1
        return query

    def _story(self) -> int:
        while True:
            number = self.rng.randrange(len(self.samples))
            if len(self.words[number]) >= 8:
                return number

    def word(self) -> BenchQuery:
        def make() -> BenchQuery:
            word = self.rng.choice(self.words[self._story()])
            return BenchQuery("word", word, fts_term(word))

        return self._distinct(make)

    def multi_word(self) -> BenchQuery:
        def make() -> BenchQuery:
            pool = self.words[self._story()]
            words = self.rng.sample(sorted(set(pool)), self.rng.randint(2, 4))
            return BenchQuery("multi-word", " ".join(words), " OR ".join(fts_term(w) for w in words))

        return self._distinct(make)

    def filtered(self) -> BenchQuery:
        def make() -> BenchQuery:
            number = self._story()
            word, theme = self.rng.choice(self.words[number]), self.rng.choice(self.samples[number].themes)
            fts = f"{fts_term(word)} AND themes : {fts_term(theme_token(theme))}"
            return BenchQuery("filtered", word, fts, theme)

        return self._distinct(make)

    def phrase(self) -> BenchQuery:
        def make() -> BenchQuery:
            if self.phrases and self.rng.random() < 0.5:
                words = self.rng.choice(self.phrases)
            else:
                number = self._story()
                tokens = plain_words(self.samples[number].body)
                pairs = [
                    (a, b) for a, b in itertools.pairwise(tokens) if is_query_word(a) and is_query_word(b)
                ]
                words = " ".join(self.rng.choice(pairs)) if pairs else self.rng.choice(self.words[number])
            return BenchQuery("phrase", f'"{words}"', fts_term(words))

        return self._distinct(make)

    def description(self) -> BenchQuery:
        def make() -> BenchQuery:
            pool = sorted(set(self.words[self._story()]))
            content = self.rng.sample(pool, min(len(pool), self.rng.randint(6, 8)))
            if self.rng.random() < 1 / 3:  # one word misspelt: searched as typed, then corrected
                at = self.rng.randrange(len(content))
                word = content[at]
                cut = self.rng.randrange(1, len(word) - 1)
                content[at] = word[:cut] + word[cut + 1 :]
            words = [*self.rng.choice(PERSON_CUES).split(), "who"]
            for word in content:
                words += [word, self.rng.choice(CONNECTORS)]
            words = words[:20]
            fts = " OR ".join(fts_term(w) for w in sorted(set(content)))
            return BenchQuery("description", " ".join(words), fts)

        return self._distinct(make)

    def make(self, kind: str) -> BenchQuery:
        makers = {
            "word": self.word,
            "multi-word": self.multi_word,
            "filtered": self.filtered,
            "description": self.description,
        }
        return makers.get(kind, self.phrase)()


def make_queries(generator: CorpusGenerator, sample_size: int, per_kind: int) -> QuerySet:
    samples = [generator.story(number) for number in range(sample_size)]
    maker = QueryMaker(samples, generator, SEED)
    queries = QuerySet()
    queries.warmup = [maker.make(kind) for kind in KINDS]
    queries.cli = [maker.multi_word() for _ in range(REPEATS + 1)]
    for facets in (True, False):
        for kind in KINDS:
            queries.by_kind[(kind, facets)] = [maker.make(kind) for _ in range(per_kind)]
    queries.repeats = maker.repeats
    return queries


# -- measuring ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    mean_hits: float


@dataclass
class EngineNumbers:
    """One engine's numbers for one size."""

    build_s: float = math.nan
    update_s: float = math.nan
    warm_update_s: float = math.nan  # a one-story change reaching a warm bank that watches its folder
    freshness_s: float = math.nan
    cli_s: float = math.nan
    help_s: float = math.nan
    search: dict[tuple[str, bool], Latency] = field(default_factory=dict)
    # With the semantic extra: embedding the bank (nan when the vectors were there), warm searches, CLI.
    embed_s: float = math.nan
    semantic_cli_s: float = math.nan
    semantic_search: dict[str, Latency] = field(default_factory=dict)


@dataclass
class SizeRun:
    size: int
    storybank: EngineNumbers
    fts: EngineNumbers
    wrote_corpus: bool
    elapsed_s: float = 0.0


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency(run: Callable[[BenchQuery], int], queries: Iterable[BenchQuery]) -> Latency:
    """Time `run` once per query (it returns the hit count); p50/p95 in milliseconds."""
    times, hits = [], []
    for query in queries:
        start = time.perf_counter()
        hits.append(run(query))
        times.append((time.perf_counter() - start) * 1000)
    return Latency(statistics.median(times), percentile(times, 0.95), statistics.fmean(hits))


def rewritten(original: str, attempt: int) -> str:
    """The same file with its body changed: paragraphs reversed and a new closing line."""
    end = original.index("\n---\n", 4) + 5
    paragraphs = original[end:].strip().split("\n\n")
    return (
        original[:end]
        + "\n\n".join(reversed(paragraphs))
        + f"\n\nEdited for the benchmark, take {attempt}.\n"
    )


def update_target(files: list[Path]) -> Path:
    """The story whose body the update measurements rewrite: the middle one."""
    return files[len(files) // 2]


@cache
def facets_supported() -> bool:
    return "facets" in inspect.signature(StoryBank.search).parameters


def measure_storybank(folder: Path, queries: QuerySet, with_facets_off: bool) -> EngineNumbers:
    numbers = EngineNumbers()
    shutil.rmtree(folder / ".storybank" / "index", ignore_errors=True)  # the vectors are kept: see below
    with environment(WORDS_OFF):
        bank = StoryBank.open(folder)
        progress("  storybank: full build")
        numbers.build_s = seconds(lambda: bank.index(rebuild=True))
        progress(f"  storybank: built in {numbers.build_s:.1f} s; one-story update")
        numbers.update_s = storybank_update(bank, update_target(sorted(folder.glob("*.md"))))
        numbers.freshness_s = statistics.median(seconds(bank.index) for _ in range(REPEATS))
        progress("  storybank: fresh CLI searches")
        numbers.cli_s = cli_seconds(storybank_cli(folder), queries.cli)
        numbers.help_s = cli_seconds(lambda _q: [sys.executable, "-m", "storybank", "--help"], queries.cli)
        progress("  storybank: warm searches")
        for query in queries.warmup:
            bank.search(query.text, themes=[query.theme] if query.theme else [])
        for (kind, facets), chosen in queries.by_kind.items():
            if facets or with_facets_off:
                run = partial(storybank_search, bank, facets=facets)
                numbers.search[(kind, facets)] = latency(run, chosen)
        progress("  storybank: a change reaching a warm bank")
        numbers.warm_update_s = warm_update(bank, update_target(sorted(folder.glob("*.md"))))
        bank.close()
    if semantic.available():
        measure_semantic(folder, queries, numbers)
    return numbers


def measure_semantic(folder: Path, queries: QuerySet, numbers: EngineNumbers) -> None:
    """The same searches with the semantic extra on (as installed), once the bank's vectors are made.
    The vectors are a cache in .storybank/ like the index, kept between runs: embedding 10,000 stories
    takes minutes, and is timed only when it happens."""
    bank = StoryBank.open(folder)
    progress("  storybank + semantic: embedding (only stories not embedded yet)")
    started = time.perf_counter()
    report = bank.index()
    stories = len(list(folder.glob("*.md")))
    if len(report.embedded) >= stories // 2:  # else the vectors were there: a few changed stories only
        numbers.embed_s = (time.perf_counter() - started) * stories / len(report.embedded)
    progress("  storybank + semantic: fresh CLI and warm searches")
    numbers.semantic_cli_s = cli_seconds(storybank_cli(folder), queries.cli)
    for query in queries.warmup:
        bank.search(query.text, themes=[query.theme] if query.theme else [])
    for (kind, facets), chosen in queries.by_kind.items():
        if facets:
            numbers.semantic_search[kind] = latency(partial(storybank_search, bank, facets=True), chosen)
    bank.close()


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for this process and the processes it starts, then restore them."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def storybank_cli(folder: Path) -> Callable[[BenchQuery], list[str]]:
    return lambda q: [sys.executable, "-m", "storybank", "--bank", str(folder), "search", q.text]


def warm_update(bank: StoryBank, path: Path) -> float:
    """A curator's edit reaching a warm bank that watches its folder: from the moment the watch has
    counted the change, the first search that shows it (the search finds only the edited story)."""
    if not bank.watch(wait=5.0):
        return math.nan
    watch = bank._index._freshness.watch
    assert watch is not None
    bank.search("benchmark")
    bank.search("benchmark")  # from the third check on, only the files the watch names are read
    original = path.read_text(encoding="utf-8")
    times = []
    try:
        for attempt in range(REPEATS):
            counted = watch.changes
            marker = f"benchmarkmarker{'abcdefghij'[attempt]}"
            replace_text(path, f"{original.rstrip()}\n\nA closing word: {marker}.\n")
            deadline = time.monotonic() + 5
            while watch.changes == counted and time.monotonic() < deadline:
                time.sleep(0.002)
            start = time.perf_counter()
            total = bank.search(marker, limit=0).total
            times.append(time.perf_counter() - start)
            if total != 1:
                raise SystemExit(f"the warm bank did not see the edit of {path.name} (total {total})")
    finally:
        replace_text(path, original)
        bank.index()
    return statistics.median(times)


def storybank_update(bank: StoryBank, path: Path) -> float:
    original = path.read_text(encoding="utf-8")
    times = []
    try:
        for attempt in range(REPEATS):
            replace_text(path, rewritten(original, attempt))
            start = time.perf_counter()
            report = bank.index()
            times.append(time.perf_counter() - start)
            if report.indexed != [path.stem]:
                raise SystemExit(f"the update re-indexed {report.indexed}, not [{path.stem}]")
    finally:
        replace_text(path, original)
        bank.index()
    return statistics.median(times)


def storybank_search(bank: StoryBank, query: BenchQuery, facets: bool) -> int:
    options: dict[str, Any] = {"facets": facets} if facets_supported() else {}
    result = bank.search(query.text, themes=[query.theme] if query.theme else [], limit=10, **options)
    return result.total


def cli_seconds(command: Callable[[BenchQuery], list[str]], queries: list[BenchQuery]) -> float:
    """Median wall time of fresh processes (the first query warms the OS caches and is not counted).

    Python writes its compiled modules as an installed package has them (a machine that sets
    PYTHONDONTWRITEBYTECODE would otherwise compile storybank's source in every process)."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for number, query in enumerate(queries):
        start = time.perf_counter()
        done = subprocess.run(command(query), capture_output=True, text=True, check=False, env=env)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{shlex.join(command(query))} failed: {done.stderr.strip()[-500:]}")
        if number:
            times.append(elapsed)
    return statistics.median(times)


# -- SQLite FTS5 -------------------------------------------------------------------------------------

FTS_SCHEMA = """
CREATE VIRTUAL TABLE stories USING fts5(
    title, summary, body, what_helped, themes, tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE meta(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, status TEXT, purposes TEXT, language TEXT,
    warnings TEXT, given INTEGER, expires INTEGER, withdrawn INTEGER
);
CREATE TABLE story_themes(story INTEGER, theme TEXT);
"""
FTS_INDEXES = "CREATE INDEX story_themes_story ON story_themes(story);"
CONSENT_SQL = (
    "m.status = 'published' AND instr(m.purposes, ',share,') > 0 "
    "AND m.given <= :day AND m.expires > :day AND m.withdrawn > :day"
)
MATCHED_SQL = (
    f"FROM stories JOIN meta AS m ON m.rowid = stories.rowid WHERE stories MATCH :q AND {CONSENT_SQL}"
)
TOP_SQL = (
    "SELECT m.id, bm25(stories, 3.0, 1.5, 1.0, 1.0, 0.0) AS score, "
    f"snippet(stories, 2, '**', '**', ' … ', 24) {MATCHED_SQL} ORDER BY score, m.id LIMIT 10"
)
COUNT_SQL = f"SELECT count(*) {MATCHED_SQL}"
FACETS_SQL = (
    f"SELECT theme, count(*) FROM story_themes WHERE story IN (SELECT stories.rowid {MATCHED_SQL}) "
    "GROUP BY theme"
)
FTS_CLI = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
params = {"q": sys.argv[2], "day": int(sys.argv[3])}
for sql in sys.argv[4:]:
    print(con.execute(sql, params).fetchall())
"""
NEVER = 99991231
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def day_number(value: object) -> int:
    if isinstance(value, dt.date):
        return value.year * 10000 + value.month * 100 + value.day
    return NEVER


def fts_row(path: Path) -> tuple[dict[str, Any], list[str]]:
    """One story file as a row of the FTS table plus its meta row (a light split and PyYAML)."""
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    data = yaml.load(head, Loader=YAML_LOADER)
    consent = data["consent"]
    row = {
        "title": data["title"],
        "summary": data["summary"],
        "body": body,
        "what_helped": "\n".join(data.get("what_helped") or []),
        "themes": " ".join(theme_token(t) for t in data["themes"]),
        "id": data["id"],
        "status": data["status"],
        "purposes": "," + ",".join(consent["purposes"]) + ",",
        "language": data["language"],
        "warnings": ",".join(data.get("content_warnings") or []),
        "given": day_number(consent["given_on"]),
        "expires": day_number(consent.get("expires_on")),
        "withdrawn": day_number(consent.get("withdrawn_on")),
    }
    return row, list(data["themes"])


def fts_build(db: Path, files: list[Path]) -> None:
    con = sqlite3.connect(db)
    try:
        con.executescript(FTS_SCHEMA)
        with con:
            for rowid, path in enumerate(files, 1):
                row, themes = fts_row(path)
                con.execute(
                    "INSERT INTO stories(rowid, title, summary, body, what_helped, themes) "
                    "VALUES (:rowid, :title, :summary, :body, :what_helped, :themes)",
                    {"rowid": rowid, **row},
                )
                con.execute(
                    "INSERT INTO meta VALUES (:rowid, :id, :status, :purposes, :language, :warnings, "
                    ":given, :expires, :withdrawn)",
                    {"rowid": rowid, **row},
                )
                con.executemany("INSERT INTO story_themes VALUES (?, ?)", [(rowid, t) for t in themes])
            con.execute(FTS_INDEXES)
    finally:
        con.close()


def fts_update(con: sqlite3.Connection, rowid: int, path: Path) -> float:
    original = path.read_text(encoding="utf-8")
    times = []
    for attempt in range(REPEATS):
        body = rewritten(original, attempt).split("\n---\n", 1)[1]
        start = time.perf_counter()
        with con:
            con.execute("UPDATE stories SET body = ? WHERE rowid = ?", (body, rowid))
        times.append(time.perf_counter() - start)
    with con:
        con.execute("UPDATE stories SET body = ? WHERE rowid = ?", (original.split("\n---\n", 1)[1], rowid))
    return statistics.median(times)


def fts_search(con: sqlite3.Connection, query: BenchQuery, facets: bool, day: int) -> int:
    params = {"q": query.fts, "day": day}
    con.execute(TOP_SQL, params).fetchall()
    total = int(con.execute(COUNT_SQL, params).fetchone()[0])
    if facets:
        con.execute(FACETS_SQL, params).fetchall()
    return total


def measure_fts(folder: Path, queries: QuerySet) -> EngineNumbers:
    numbers = EngineNumbers()
    files = sorted(folder.glob("*.md"))
    day = day_number(dt.date.today())
    with tempfile.TemporaryDirectory(prefix="storybank-fts5-") as scratch:
        db = Path(scratch) / "stories.db"
        progress("  FTS5: build")
        numbers.build_s = seconds(lambda: fts_build(db, files))
        con = sqlite3.connect(db)
        try:
            target = update_target(files)
            numbers.update_s = fts_update(con, files.index(target) + 1, target)
            numbers.cli_s = cli_seconds(
                lambda q: [
                    sys.executable,
                    "-c",
                    FTS_CLI,
                    str(db),
                    q.fts,
                    str(day),
                    TOP_SQL,
                    COUNT_SQL,
                    FACETS_SQL,
                ],
                queries.cli,
            )
            for query in queries.warmup:
                fts_search(con, query, True, day)
            for (kind, facets), chosen in queries.by_kind.items():
                numbers.search[(kind, facets)] = latency(
                    partial(fts_search, con, facets=facets, day=day), chosen
                )
        finally:
            con.close()
    return numbers


# -- the report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    size: int
    measure: str  # "build", "update", "warm-update", "cli", "help" or a query kind (warm p95, facets on)
    bound: float  # stories/s for "build"; FTS5's p95 times this for a relative target; else seconds
    text: str
    relative: bool = False  # a query kind's p95 against FTS5's in the same run


# Issue 19's targets (docs/performance.md).
TARGETS = (
    *(Target(10_000, kind, 3.0, "≤ 3x FTS5", True) for kind in ("word", "multi-word", "filtered")),
    Target(10_000, "description", 3.0, "≤ 3x FTS5", True),
    Target(10_000, "phrase", 10.0, "≤ 10x FTS5", True),
    Target(10_000, "update", 0.1, "≤ 100 ms"),
    Target(10_000, "warm-update", 0.1, "≤ 100 ms"),
    Target(1_000, "cli", 0.3, "≤ 0.3 s"),
    Target(10_000, "cli", 0.5, "≤ 0.5 s"),
    Target(10_000, "help", 0.15, "≤ 0.15 s"),
    Target(10_000, "build", 200.0, "≥ 200 stories/s"),
)
TARGET_NAMES = {
    "build": "full build",
    "update": "one-story update (`bank.index()`)",
    "warm-update": "one-story change reaching a warm bank",
    "cli": "fresh CLI search",
    "help": "`storybank --help`",
}


def target_value(run: SizeRun, target: Target) -> float:
    """The storybank number a target is judged on: stories/s for builds, a ratio to FTS5's p95 for a
    relative target, else seconds."""
    numbers, measure = run.storybank, target.measure
    if measure == "build":
        return run.size / numbers.build_s
    seconds_of = {
        "update": numbers.update_s,
        "warm-update": numbers.warm_update_s,
        "cli": numbers.cli_s,
        "help": numbers.help_s,
    }
    if measure in seconds_of:
        return seconds_of[measure]
    p95 = numbers.search[(measure, True)].p95_ms
    return p95 / run.fts.search[(measure, True)].p95_ms if target.relative else p95 / 1000


def target_met(target: Target, value: float) -> bool:
    return value >= target.bound if target.measure == "build" else value <= target.bound


def target_cell(run: SizeRun, measure: str) -> str:
    for target in TARGETS:
        if target.size == run.size and target.measure == measure:
            return f"{target.text} {'✓' if target_met(target, target_value(run, target)) else '✗'}"
    return ""


def fmt_seconds(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def fmt_ratio(mine: float, theirs: float) -> str:
    if math.isnan(mine) or math.isnan(theirs) or theirs <= 0:
        return "—"
    return f"{mine / theirs:.1f}x"


def fmt_latency(value: Latency | None) -> str:
    return "—" if value is None else f"{value.p50_ms:.1f} / {value.p95_ms:.1f} ms"


def latency_ratio(mine: Latency | None, theirs: Latency | None) -> str:
    if mine is None or theirs is None:
        return "—"
    return f"{fmt_ratio(mine.p50_ms, theirs.p50_ms)} / {fmt_ratio(mine.p95_ms, theirs.p95_ms)}"


def size_rows(run: SizeRun, facets_off: bool) -> list[list[str]]:
    mine, theirs, size = run.storybank, run.fts, f"{run.size:,}"
    rows = [
        [
            size,
            "full build",
            f"{fmt_seconds(mine.build_s)} ({run.size / mine.build_s:,.0f} stories/s)",
            f"{fmt_seconds(theirs.build_s)} ({run.size / theirs.build_s:,.0f} stories/s)",
            fmt_ratio(mine.build_s, theirs.build_s),
            target_cell(run, "build"),
        ],
        [
            size,
            "one-story update, median of 3",
            fmt_seconds(mine.update_s),
            fmt_seconds(theirs.update_s),
            fmt_ratio(mine.update_s, theirs.update_s),
            target_cell(run, "update"),
        ],
        [
            size,
            "one-story change reaching a warm bank that watches its folder: the first search after",
            fmt_seconds(mine.warm_update_s),
            "—",
            "—",
            target_cell(run, "warm-update"),
        ],
        [
            size,
            "a full check of the files, nothing changed (`bank.index()`; a CLI process's first search)",
            fmt_seconds(mine.freshness_s),
            "—",
            "—",
            "",
        ],
        [
            size,
            "fresh CLI search process, median of 3",
            fmt_seconds(mine.cli_s),
            fmt_seconds(theirs.cli_s),
            fmt_ratio(mine.cli_s, theirs.cli_s),
            target_cell(run, "cli"),
        ],
        [
            size,
            "`storybank --help`, median of 3",
            fmt_seconds(mine.help_s),
            "—",
            "—",
            target_cell(run, "help"),
        ],
    ]
    for facets in (True, False):
        for kind in KINDS:
            ours, other = mine.search.get((kind, facets)), theirs.search.get((kind, facets))
            label = f"warm {kind} p50 / p95, facets {'on' if facets else 'off'}"
            if not facets and not facets_off:
                label += " (storybank: no `facets` keyword)"
            target = target_cell(run, kind) if facets else ""
            rows.append(
                [size, label, fmt_latency(ours), fmt_latency(other), latency_ratio(ours, other), target]
            )
    rows += semantic_rows(run)
    return rows


def semantic_rows(run: SizeRun) -> list[list[str]]:
    """With the semantic extra: embedding, a fresh CLI search and warm searches (facets on); the last
    column says what meaning adds to the same query's p95 by words alone."""
    mine, theirs, size = run.storybank, run.fts, f"{run.size:,}"
    if not mine.semantic_search:
        return []
    embedded = (
        f"{fmt_seconds(mine.embed_s)} ({run.size / mine.embed_s:,.0f} stories/s)"
        if not math.isnan(mine.embed_s)
        else "vectors reused"
    )
    rows = [
        [size, "+ semantic: embedding every story (once; then only changed ones)", embedded, "—", "—", ""],
        [
            size,
            "+ semantic: fresh CLI search process, median of 3",
            fmt_seconds(mine.semantic_cli_s),
            fmt_seconds(theirs.cli_s),
            fmt_ratio(mine.semantic_cli_s, theirs.cli_s),
            "",
        ],
    ]
    for kind in KINDS:
        ours, other, words = (
            mine.semantic_search.get(kind),
            theirs.search.get((kind, True)),
            mine.search.get((kind, True)),
        )
        added = f"{ours.p95_ms - words.p95_ms:+.0f} ms p95 on words alone" if ours and words else ""
        label = f"+ semantic: warm {kind} p50 / p95, facets on"
        rows.append([size, label, fmt_latency(ours), fmt_latency(other), latency_ratio(ours, other), added])
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---:" if name in ("size",) else "---" for name in header]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def target_lines(runs: list[SizeRun]) -> list[str]:
    by_size = {run.size: run for run in runs}
    lines = []
    for target in TARGETS:
        name = TARGET_NAMES.get(target.measure, f"warm {target.measure} p95")
        run = by_size.get(target.size)
        if run is None:
            lines.append(
                f"- {target.size:,}: {name} {target.text} — not measured ({target.size} not in --sizes)"
            )
            continue
        value = target_value(run, target)
        if target.measure == "build":
            shown = f"{value:,.0f} stories/s"
        else:
            shown = f"{value:.1f}x FTS5's p95" if target.relative else fmt_seconds(value)
        mark = "✓" if target_met(target, value) else "✗"
        lines.append(f"- {target.size:,}: {name} {target.text} — {mark} {shown}")
    return lines


def hit_lines(runs: list[SizeRun]) -> list[str]:
    lines = []
    for run in runs:
        parts = []
        for kind in KINDS:
            ours, other = run.storybank.search.get((kind, True)), run.fts.search.get((kind, True))
            if ours and other:
                parts.append(f"{kind} {ours.mean_hits:,.1f} / {other.mean_hits:,.1f}")
        lines.append(f"- {run.size:,}: " + "; ".join(parts))
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    whoosh = importlib.metadata.version("whoosh-reloaded")
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024**2:.1f} GiB RAM; "
        f"Python {platform.python_version()}; whoosh-reloaded {whoosh}; SQLite {sqlite3.sqlite_version}"
    )


def code_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" with uncommitted changes in src/" if dirty else "")


def size_note(run: SizeRun) -> str:
    corpus = "corpus written" if run.wrote_corpus else "corpus reused"
    return f"{run.size:,} took {run.elapsed_s:,.0f} s end to end ({corpus})"


def render(runs: list[SizeRun], queries: QuerySet, command: str, total_s: float, per_kind: int) -> str:
    facets_off = facets_supported()
    header = ["size", "measure", "storybank", "SQLite FTS5", "storybank ÷ FTS5", "target"]
    rows = [row for run in runs for row in size_rows(run, facets_off)]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    repeats = f"{queries.repeats} repeated" if queries.repeats else "none repeats"
    facets_note = (
        "`facets=False` measured through `StoryBank.search(..., facets=False)`."
        if facets_off
        else "`StoryBank.search` has no `facets` keyword yet: storybank is measured with its default "
        "(facet counts always made); the facets-off rows show FTS5 only."
    )
    lines = [
        f"Run {now}; total run time {total_s:,.0f} s.",
        "",
        f"- Command: `{command}`",
        f"- Machine: {machine()}",
        f"- storybank: {code_version()}",
        f"- Sizes: {', '.join(f'{run.size:,}' for run in runs)} stories; "
        + "; ".join(size_note(run) for run in runs),
        f"- Queries: {per_kind} different ones per kind and per facets setting, drawn from the corpus "
        f"({repeats}); 10 hits shown with snippets. p50 / p95 in milliseconds; ratios above 1x mean "
        "storybank is slower.",
        f"- {facets_note}",
        "- The rows without a `+ semantic` mark rank by words alone (`STORYBANK_SEMANTIC=off`); the "
        "`+ semantic` rows search the same bank with the semantic extra on, as installed. *description*: "
        "15-20 words describing a person as specialists type them on the web page (an age, gender or "
        "language cue the teller signals read; one in three with a misspelt word); FTS5 gets the "
        "description's content words OR'ed.",
        "- Fresh processes run with compiled modules written, as an installed package has them.",
        "",
        *markdown_table(header, rows),
        "",
        "Targets (storybank, facets on):",
        "",
        *target_lines(runs),
        "",
        "Mean hits per query, storybank / FTS5 (a check that both find the same stories; storybank finds "
        "more when a query word is one of the taxonomy's everyday phrases, as that theme's stories match "
        "too):",
        "",
        *hit_lines(runs),
    ]
    return "\n".join(lines) + "\n"


DOC_INTRO = """# Performance

These are benchmark numbers, not tests: they depend on the machine and on what else runs on it, and
nothing fails when a target is missed. `benchmarks/speed.py` makes deterministic synthetic banks (story
files in the real format, 300-900 words each, themes and warnings from the real taxonomy, about 5 % with
consent withdrawn or expired, about 10 % in Spanish), measures storybank on them and the same work in
SQLite FTS5, and rewrites the block between the markers below; text outside the markers is kept.

storybank does more per search than the FTS5 baseline: it checks the index against the story files (a
fresh process on its first search; a warm one when its watch of the folder reports a change, reading only
the changed files), and it re-reads every shown hit from its file to apply the consent policy. FTS5 runs
three SQL queries (top 10 by `bm25()` with `snippet()`, a count, and the theme facets by GROUP BY over a
side table) and uses Porter stemming for all text, Spanish too.

"""


# -- main --------------------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes wants numbers separated by commas, not {text!r}") from None
    if not sizes or sizes[0] < 10:
        raise argparse.ArgumentTypeError("every size must be at least 10")
    return sizes


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"want a whole number of at least 1, not {text!r}")
    return int(text)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10_000, 50_000], help="e.g. 1000,10000")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"where the banks live (default {DEFAULT_WORKDIR})",
    )
    parser.add_argument(
        "--queries", type=positive, default=DEFAULT_QUERIES, help="queries per kind (default 40)"
    )
    parser.add_argument("--no-write", action="store_true", help="print the table only; leave docs alone")
    return parser.parse_args(argv)


def run_size(
    workdir: Path, size: int, generator: CorpusGenerator, queries: QuerySet, ready: list[int]
) -> SizeRun:
    started = time.perf_counter()
    progress(f"size {size:,}: corpus in {bank_dir(workdir, size)}")
    wrote = ensure_corpus(workdir, size, generator, ready)
    folder = bank_dir(workdir, size)
    if not ready:
        problems = check_files(folder)
        if problems:
            raise SystemExit(f"the synthetic corpus has {problems} problems: fix the generator")
        progress(f"  scan: {size} files, no problems")
    ready.append(size)
    mine = measure_storybank(folder, queries, facets_supported())
    theirs = measure_fts(folder, queries)
    run = SizeRun(size, mine, theirs, wrote, time.perf_counter() - started)
    progress(f"size {size:,}: done in {run.elapsed_s:.0f} s")
    return run


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(arguments)
    started = time.perf_counter()
    generator = CorpusGenerator(SEED, default_taxonomy())
    queries = make_queries(generator, min(QUERY_SAMPLE, args.sizes[0]), args.queries)
    args.workdir.mkdir(parents=True, exist_ok=True)
    ready: list[int] = []
    runs = [run_size(args.workdir, size, generator, queries, ready) for size in args.sizes]
    command = shlex.join(["python3", "benchmarks/speed.py", *arguments])
    block = render(runs, queries, command, time.perf_counter() - started, args.queries)
    print(block)
    if not args.no_write:
        from doc_block import write_block  # benchmarks/ is on the path when run as a script

        write_block(DOC, "speed", block, heading="## Speed", new_file=DOC_INTRO)
        progress(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
