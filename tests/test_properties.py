"""Properties checked with hypothesis, on real story files in temporary folders (nothing is mocked):

- a story file with hostile front matter is only ever that file's `StoryFileError` (one line, bounded),
  and never hides a valid neighbour from `scan` or from search;
- no generated query, filter or purpose returns a story the consent policy refuses;
- withdraw and renew round-trip on generated dates, and a withdrawal refuses every day from its date on.

Every example gets a fresh folder (`tempfile.TemporaryDirectory()` in the test body): function-scoped
fixtures are not reset between hypothesis examples.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from helpers import BODY, VALID_FRONT_MATTER, front_matter, story_text
from storybank import StoryBank, store
from storybank.consent import may_use
from storybank.errors import Problem, StorybankError, StoryFileError
from storybank.models import Purpose, Story
from storybank.taxonomy import default_taxonomy

# When a property fails, hypothesis's pytest plugin imports libcst (to write the failing example as a patch),
# which warns through mypy_extensions; under `filterwarnings = error` that turns the failure into an
# INTERNALERROR that hides it. Only that third-party warning is let through.

TAXONOMY = default_taxonomy()
TODAY = dt.date(2025, 6, 1)
MAX_MESSAGE_CHARS = 2_000
GOOD_ID = "good-story"
FUZZED_ID = "fuzzed-story"


# -- 1. hostile front matter ----------------------------------------------------------------------


def _field_paths(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for key, value in data.items():
        paths.append((*prefix, key))
        if isinstance(value, dict):
            paths.extend(_field_paths(value, (*prefix, key)))
    return paths


# Every field of the valid front matter, and keys no story has (`body` and `on` have messages of their own).
FIELD_PATHS = [
    *_field_paths(VALID_FRONT_MATTER),
    *[(name,) for name in ("body", "on", "extra", "accepted")],
    ("storyteller", "extra"),
    ("consent", "guardian_form_ref"),
    ("consent", "text_approved_sha256"),
]
REMOVE = object()  # a field to leave out


def _value_at(data: dict[str, Any], path: tuple[str, ...]) -> object:
    value: object = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _replace(data: dict[str, Any], path: tuple[str, ...], value: object) -> None:
    """Set (or remove) the value at a path of keys; a path whose parent is no longer a group is skipped."""
    *parents, last = path
    target: object = data
    for key in parents:
        if not isinstance(target, dict) or not isinstance(target.get(key), dict):
            return
        target = target[key]
    assert isinstance(target, dict)
    if value is REMOVE:
        target.pop(last, None)
    else:
        target[last] = value


_ANY_CHARACTER = st.characters(codec="utf-8")  # (no lone surrogates: those cannot be written as UTF-8)
_ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\u202eesrever\u202c",  # RTL override
        "مرحبا بالعالم",
        "שלום עולם",
        "😀🔥👩‍👩‍👧",
        "\x00",
        "a\x00b",
        "line one\nline two",
        "a\nb",
        "a\rb",
        "a\r\nb",
        "a\x1cb\x85c\u2028d",
        "tab\there",
        "\r\n",
        "\u2028\u2029\x85\x0b\x0c\x1c",
        "\ufeff",
        "---",
        "a: b",
        "'\"#&*!|>%@`",
        "null",
        "~",
        "on",
        "yes",
        "2024-02-30",
        "2024-03-02T10:00:00",
        "0x1F",
        "1e400",
        "readme",
        "-leading-hyphen",
        "Back-To-The-Kitchen",
    ]
)
_LONG_TEXT = st.builds(
    lambda char, n: char * n, _ANY_CHARACTER, st.sampled_from([600, 2_100, 5_000])
) | st.builds(lambda word, n: (word + " ") * n, _ODD_TEXT, st.sampled_from([100, 600]))
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**60)
    | st.floats()
    | st.dates()
    | st.datetimes()
    | st.text(_ANY_CHARACTER, max_size=40)
    | _ODD_TEXT
    | _LONG_TEXT
)
_TEXTS = st.text(_ANY_CHARACTER, max_size=40) | _ODD_TEXT | _LONG_TEXT
_ANY_VALUE = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(_TEXTS | st.integers() | st.none(), children, max_size=4)
    ),
    max_leaves=8,
)
# A consent event or an accepted finding: the right keys (some), odd keys, wrong values.
_EVENT_KEYS = ["date", "event", "purposes", "until", "by", "note", "rule", "text"]
_GROUPS = st.dictionaries(st.sampled_from(_EVENT_KEYS) | _TEXTS, _ANY_VALUE | _TEXTS, max_size=6)
WRONG_VALUES = _ANY_VALUE | _TEXTS | st.lists(_TEXTS, min_size=1, max_size=3) | st.lists(_GROUPS, max_size=3)
_TEXT_FIELDS = [path for path in FIELD_PATHS if isinstance(_value_at(VALID_FRONT_MATTER, path), str)]
_LIST_FIELDS = [path for path in FIELD_PATHS if isinstance(_value_at(VALID_FRONT_MATTER, path), list)]
_NEW_KEYS = st.builds(
    lambda parent, key: (*parent, key), st.sampled_from([(), ("storyteller",), ("consent",)]), _TEXTS
)
# A field and its wrong value: anything anywhere; odd text where text goes, or in the lists; a key no
# story has (at the top, in storyteller or consent).
REPLACEMENTS = (
    st.tuples(st.sampled_from(FIELD_PATHS), WRONG_VALUES)
    | st.tuples(st.sampled_from(_TEXT_FIELDS), _TEXTS)
    | st.tuples(st.sampled_from(_LIST_FIELDS), st.lists(_TEXTS, min_size=1, max_size=3))
    | st.tuples(_NEW_KEYS, _ANY_VALUE)
)


def _alias_bomb(levels: int, width: int) -> str:
    """`[&l0 [lol, lol…], &l1 [*l0, *l0…], …]`: a few hundred bytes, width**levels values expanded."""
    parts = ["&l0 [" + ", ".join(["lol"] * width) + "]"]
    parts += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


# Raw YAML put where a value goes (one line each).
VALUE_FRAGMENTS = (
    st.sampled_from(
        [
            "!!timestamp x",
            "!!timestamp 2023-02-30",
            "!!timestamp 2024-03-02",
            "!!timestamp 2024-03-02T10:00:00Z",
            "!!int abc",
            "!!int 12",
            "!!float abc",
            "!!bool maybe",
            "!!bool true",
            "!!null x",
            "!!str",
            "!!python/object:os.system",
            "!!python/object/apply:os.system [echo hacked]",
            "!!python/name:os.system",
            "!!binary aGVsbG8=",
            "!!binary '*not base64*'",
            "!!set {a, b}",
            "!!set [a, b]",
            "!!omap [a: 1, b: 2]",
            "!!omap [a, b]",
            "!!pairs [a: 1]",
            "!!map [a]",
            "!!seq {a: 1}",
            "!custom x",
            "!<tag:example.com,2000:x> y",
            "!<tag:x%0Ay> z",
            "!" + "t" * 3_000 + " z",
            "&a [*a]",
            "&a {x: *a}",
            "&a [1, &b [*a, *b]]",
            "*undefined",
            "{? [a, b]: x}",
            "{[a, b]: x}",
            "{{a: 1}: x}",
            "{a: 1, a: 2}",
            "[a, b",
            "'unclosed",
            "\x00",
            "\x07bell",
            "\u202e\u05e9\u05dc\u05d5\u05dd",
            "1e99999",
            "-.inf",
            ".nan",
            "0o777",
            "0x_ff",
            "1_000_000",
            "<<",
        ]
    )
    | st.builds(_alias_bomb, st.integers(2, 9), st.integers(2, 9))
    | st.builds(
        lambda lead, n: lead + "7" * n, st.sampled_from(["", "-", "+", "0", "9"]), st.integers(4_000, 5_000)
    )
    | st.builds(lambda n: "[" * n + "]" * n, st.integers(1, 300))
    | st.builds(lambda n: "{a: " * n + "1" + "}" * n, st.integers(1, 300))
    | st.builds(lambda n: "[" * n + "x" + "]" * n, st.integers(15, 30))
)
# Raw YAML lines put anywhere between the fences.
LINE_FRAGMENTS = st.sampled_from(
    [
        "? [a, b]\n: x",
        "? {a: 1}\n: x",
        "? - a\n  - b\n: x",
        "? !!python/object:os.system\n: x",
        "title: said twice",
        f"id: {FUZZED_ID}",
        "consent: {}",
        "storyteller:",
        "\tstatus: published",
        "status:\tpublished",
        "themes:\n\t- hope",
        "---",
        "...",
        "%YAML 1.2",
        "%TAG ! tag:example.com,2000:",
        "# a comment",
        "<<: {title: merged in}",
        "<<: *undefined",
        "on: yes",
        "True: 1",
        "null: x",
        "'': empty key",
        "&anchor key: value",
        "bomb: " + _alias_bomb(9, 9),
        "self: &s [*s]",
        "- a list item where fields go",
        "  indented: oddly",
        "\ufeffbom: inside",
        "key: \x00",
    ]
)
_LINE_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "duplicate", "tab", "delete"]), st.integers(0, 10**6), LINE_FRAGMENTS
    ),
    max_size=4,
)


def _mostly(usual: Any, *rare: Any) -> st.SearchStrategy[Any]:
    """`usual` most of the time (so that most files get as far as the checks of their fields)."""
    return st.sampled_from([usual] * 5 * len(rare) + list(rare))


_BODIES = _mostly(BODY, "", "   \n", "---\nmore fences\n---\n", "a NUL \x00 in the text\n") | st.text(
    _ANY_CHARACTER, max_size=200
)


_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: 10x faster


def _edit_lines(lines: list[str], edits: list[tuple[str, int, str]]) -> list[str]:
    lines = list(lines)
    for kind, position, fragment in edits:
        at = position % (len(lines) + 1)
        if kind == "insert":
            lines.insert(at, fragment)
        elif lines and kind == "duplicate":
            lines.insert(at, lines[at % len(lines)])
        elif lines and kind == "tab":
            line = lines[at % len(lines)]
            lines[at % len(lines)] = (
                "\t" + line.lstrip(" ") if line.startswith(" ") else line.replace(": ", ":\t")
            )
        elif lines and kind == "delete":
            del lines[at % len(lines)]
    return lines


# What a file breaks: its fields' values (so that the file gets as far as the checks of its fields), its
# YAML, its envelope (name, fences, BOM, line ends, encoding), or all of these at once.
_HOW = st.sampled_from(["fields", "yaml", "envelope", "all"])


@st.composite
def hostile_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A story file's name (no `.md`) and bytes: the valid front matter, broken in generated ways."""
    how = draw(_HOW)
    fields, raw_yaml, envelope = how in ("fields", "all"), how in ("yaml", "all"), how in ("envelope", "all")
    data = front_matter(id=FUZZED_ID)
    if fields:
        for path, value in draw(st.lists(REPLACEMENTS, min_size=1, max_size=4)):
            _replace(data, path, value)
        for path in draw(st.lists(st.sampled_from(FIELD_PATHS), max_size=2)):
            _replace(data, path, REMOVE)
    splices = (
        draw(st.lists(st.tuples(st.sampled_from(FIELD_PATHS), VALUE_FRAGMENTS), max_size=3))
        if raw_yaml
        else []
    )
    for number, (path, _) in enumerate(splices):
        _replace(data, path, f"SPLICE{number}MARK")
    yaml_text = yaml.dump(
        data,
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([80, 4096])),
    )
    for number, (_, fragment) in enumerate(splices):
        yaml_text = yaml_text.replace(f"SPLICE{number}MARK", fragment)
    lines = yaml_text.splitlines()
    if raw_yaml:
        lines = _edit_lines(lines, draw(_LINE_EDITS))
    text = "---\n" + "\n".join(lines) + "\n---\n" + BODY
    name = FUZZED_ID
    if envelope:
        opening = draw(_mostly("---\n", "--- \n", "---\t\n", "", "----\n", "--- x\n"))
        closing = draw(_mostly("---\n", "--- \n", "---", "", "...\n", "---\n---\n", "-- -\n"))
        text = opening + "\n".join(lines) + "\n" + closing + draw(_BODIES)
        if draw(st.booleans()):
            text = "\ufeff" + text
        text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
        name = draw(_mostly(FUZZED_ID, "Fuzzed_Story", "ab", "readme", "fuzzed-story-2"))
    # Not UTF-8, now and then: a byte no UTF-8 has, a cut sequence, a lone surrogate.
    tail = draw(_mostly(b"", b"\xff", b"\xc3\x28", b"\xed\xb2\x80")) if envelope else b""
    return name, text.encode("utf-8") + tail


def _write_pair(folder: Path, name: str, raw: bytes) -> Path:
    """The generated file, and a valid story beside it."""
    (folder / f"{GOOD_ID}.md").write_text(story_text(front_matter(id=GOOD_ID)), encoding="utf-8")
    path = folder / f"{name}.md"
    path.write_bytes(raw)
    return path


def _assert_one_bounded_line(problem: Problem | StorybankError) -> None:
    text = str(problem)
    assert len(text) <= MAX_MESSAGE_CHARS, f"{len(text):,} characters: {text[:300]!r}…"
    assert not re.search(r"[\r\n]", text), f"a line break: {text[:500]!r}"
    assert text.splitlines() == [text], (
        f"another line separator (\\x1c-\\x1e, \\x85, \\u2028…): {text[:500]!r}"
    )


# Not the explain phase: on these big examples it costs more than the rest of the file together.
_FIND_AND_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
_BIG_EXAMPLES = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


@settings(max_examples=150, deadline=None, phases=_FIND_AND_SHRINK, suppress_health_check=_BIG_EXAMPLES)
@given(hostile_files())
def test_hostile_front_matter_is_only_that_files_problem(generated: tuple[str, bytes]) -> None:
    name, raw = generated
    note(f"{name}.md: {raw!r}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _write_pair(folder, name, raw)
        try:
            story: Story | None = store.read_story(path, TAXONOMY)
        except StoryFileError as error:
            story = None
            _assert_one_bounded_line(error)
            for problem in error.problems:
                _assert_one_bounded_line(problem)
        note(f"read as: {'a story' if story is not None else 'a StoryFileError'}")
        scan = store.scan(folder, TAXONOMY)
        assert GOOD_ID in [loaded.id for loaded in scan.stories]
        for problem in scan.problems:
            _assert_one_bounded_line(problem)


def test_the_valid_neighbour_is_served_on_the_search_day() -> None:
    """The search property below relies on this: VALID_FRONT_MATTER is usable for sharing on TODAY."""
    consent = VALID_FRONT_MATTER["consent"]
    assert VALID_FRONT_MATTER["status"] == "published"
    assert "share" in consent["purposes"]
    assert dt.date.fromisoformat(consent["given_on"]) <= TODAY < dt.date.fromisoformat(consent["expires_on"])
    assert consent["withdrawn_on"] is None


@settings(max_examples=40, deadline=None, phases=_FIND_AND_SHRINK, suppress_health_check=_BIG_EXAMPLES)
@given(hostile_files())
def test_hostile_front_matter_never_hides_a_neighbour_from_search(generated: tuple[str, bytes]) -> None:
    name, raw = generated
    note(f"{name}.md: {raw!r}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_pair(folder, name, raw)
        with StoryBank.open(folder, as_of=TODAY) as bank:
            result = bank.search("")
        assert GOOD_ID in [hit.story.id for hit in result.hits]


# -- 2. generated queries against the consent policy ---------------------------------------------

READ, SHARE, HANDOUT = Purpose.READ, Purpose.SHARE, Purpose.HANDOUT
EVERY_USE = frozenset({READ, SHARE, HANDOUT})
READ_ONLY = frozenset({READ})
NO_USE: frozenset[Purpose] = frozenset()


@dataclass(frozen=True)
class Built:
    """A story of the policy bank, and the purposes it is built to be usable for on TODAY."""

    id: str
    allowed: frozenset[Purpose]
    body: str
    changes: dict[str, Any] = field(default_factory=dict)


def _given(day: str) -> dict[str, Any]:
    history = [{"date": day, "event": "given", "purposes": ["read", "share", "handout"], "by": "staff-12"}]
    return {"consent.given_on": day, "consent.text_approved_on": day, "consent.history": history}


ANONYMOUS = {"storyteller.attribution": "anonymous", "storyteller.display_name": None}
POLICY_BANK = [
    Built(
        "kitchen-days",
        EVERY_USE,
        "Back in the kitchen every morning, coffee first, then the group at noon. Recovery is slow work.\n",
    ),
    Built(
        "garden-hope",
        EVERY_USE,
        "The garden at the recovery house gave me hope; every morning I watered tomatoes before group.\n",
        {"themes": ["hope", "meaning"], "content_warnings": ["death"]},
    ),
    Built(
        "morning-draft",
        READ_ONLY,
        "A draft about the morning group and the coffee that kept me coming back.\n",
        {"status": "draft", "themes": ["relapse"]},
    ),
    Built(
        "review-coffee",
        READ_ONLY,
        "Coffee, the kitchen table and a phone that rang at the right time. Recovery, slowly.\n",
        {"status": "in-review"},
    ),
    Built(
        "retired-group",
        NO_USE,
        "The group met in a church basement; the kitchen there always smelled of coffee.\n",
        {"status": "retired"},
    ),
    Built(
        "expired-kitchen",
        NO_USE,
        "My recovery started in a kitchen, washing dishes every morning for a year.\n",
        {"consent.expires_on": "2025-01-01"},
    ),
    Built(
        "expires-today",
        NO_USE,
        "Hope came back slowly, one morning group at a time, with bad coffee.\n",
        {"consent.expires_on": TODAY.isoformat()},
    ),
    Built(
        "withdrawn-garden",
        NO_USE,
        "The garden and the group carried me through the first winter of recovery.\n",
        {"consent.withdrawn_on": "2025-02-01"},
    ),
    Built(
        "withdrawal-ahead",
        EVERY_USE,
        "Every morning I walked to the group past the kitchen of the diner where I used to work.\n",
        # A withdrawal recorded ahead of its day, a day still to come in real time too: a withdrawal on or
        # before the real date refuses every use but read, whatever day the bank is asked about.
        {
            "consent.withdrawn_on": (dt.date.today() + dt.timedelta(days=400)).isoformat(),
            "consent.expires_on": None,
        },
    ),
    Built(
        "future-consent",
        NO_USE,
        "Recovery is a kitchen full of people who stay for coffee after the group ends.\n",
        _given("2025-09-01"),
    ),
    Built(
        "given-today",
        EVERY_USE,
        "Hope is the group that saved a chair for me every morning, coffee already poured.\n",
        _given(TODAY.isoformat()),
    ),
    Built(
        "handout-only",
        frozenset({READ, HANDOUT}),
        "A short story for the handout: the kitchen, the group, the coffee, and recovery.\n",
        {"consent.purposes": ["read", "handout"]},
    ),
    Built(
        "share-only",
        frozenset({SHARE}),
        "The garden group taught me that hope is something you do every morning.\n",
        {"consent.purposes": ["share"]},
    ),
    Built(
        "held-phone",
        READ_ONLY,
        "In the group I told everyone to call me at 555-867-5309 any morning they needed coffee.\n",
        ANONYMOUS,
    ),
    Built(
        "held-name",
        READ_ONLY,
        "My name is Karen Whitfield and the kitchen at the recovery house gave me hope.\n",
        ANONYMOUS,
    ),
    Built(
        "spanish-hope",
        EVERY_USE,
        "Cada mañana el grupo de recuperación me esperaba con café y esperanza en la cocina.\n",
        {"language": "es", "themes": ["hope", "family"]},
    ),
]
ALLOWED = {purpose: frozenset(b.id for b in POLICY_BANK if purpose in b.allowed) for purpose in EVERY_USE}


@pytest.fixture(scope="module")
def policy_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoryBank]:
    """One bank of the stories above for the module (the searches only read it)."""
    folder = tmp_path_factory.mktemp("policy-bank")
    for built in POLICY_BANK:
        text = story_text(front_matter(id=built.id, **built.changes), built.body)
        (folder / f"{built.id}.md").write_text(text, encoding="utf-8")
    with StoryBank.open(folder, as_of=TODAY) as bank:
        assert sorted(story.id for story in bank.stories()) == sorted(b.id for b in POLICY_BANK)
        yield bank


def test_the_policy_bank_is_built_as_the_table_says(policy_bank: StoryBank) -> None:
    """The table the query property judges by agrees with the policy (else that property proves little)."""
    for built in POLICY_BANK:
        story = policy_bank.get(built.id)
        usable = {purpose for purpose in EVERY_USE if may_use(story, purpose, TODAY)}
        assert usable == built.allowed, built.id


_BODY_WORDS = sorted({word for built in POLICY_BANK for word in re.findall(r"\w+", built.body.lower())})
_FIELDS = [
    "id",
    "fingerprint",
    "status",
    "held",
    "purposes",
    "given",
    "expires",
    "withdrawn",
    "themes",
    "warnings",
    "language",
    "age_range",
    "words",
    "title",
    "summary",
    "body",
    "body_es",
    "what_helped",
    "nofield",
]
_SYNTAX = [
    "status:published",
    "status:draft",
    "status:retired",
    "status:unreadable",
    "id:*",
    "id:held-phone",
    "id:retired-group",
    "fingerprint:*",
    "held:yes",
    "held:no",
    "purposes:read",
    "purposes:handout",
    "given:[0 TO 99999999]",
    "withdrawn:[* TO *]",
    "expires:>20250101",
    "themes:relapse",
    "language:es",
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "ANDMAYBE",
    '"',
    "(",
    ")",
    "*",
    "?",
    "~",
    "~2",
    "^2",
    "^",
    ":",
    "[",
    "]",
    "{",
    "}",
    "TO",
    "-",
    "+",
    "\\",
    "'",
    "<",
    ">",
    "/",
    "%",
]
_WORD = st.sampled_from(_BODY_WORDS)
_QUERY_TOKENS = (
    _WORD
    | st.sampled_from(_SYNTAX)
    | st.builds(
        lambda word, suffix: word + suffix, _WORD, st.sampled_from(["*", "?", "~", "~2", "^2", "^0.5", ":"])
    )
    | st.builds(
        lambda name, word: f"{name}:{word}", st.sampled_from(_FIELDS), _WORD | st.sampled_from(["*", "?"])
    )
    | st.builds(lambda words: '"' + " ".join(words) + '"', st.lists(_WORD, max_size=4))
    | st.text(st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from(["mañana", "café", "esperanza", "كوخ", "שלום", "😀", "\u202e", "\x00", "ﬁ", "İ"])
)
# Mostly words and syntax (so that most queries find stories), sometimes any text at all.
QUERIES = st.one_of(
    *[st.lists(_QUERY_TOKENS, max_size=40).map(lambda tokens: " ".join(tokens)[:300])] * 4,
    st.text(st.characters(codec="utf-8"), max_size=300),
)
_THEMES = ["hope", "relapse", "employment", "meaning", "family", "grief", "not-a-theme"]
_WARNINGS = ["death", "overdose", "suicide", "not-a-warning"]


@dataclass(frozen=True)
class Search:
    text: str
    purpose: Purpose
    themes: list[str]
    any_theme: bool
    exclude_warnings: list[str]
    language: str | None
    limit: int
    offset: int
    facets: bool
    fuzzy: bool


SEARCHES = st.builds(
    Search,
    text=QUERIES,
    purpose=st.sampled_from([SHARE, HANDOUT, READ]),
    themes=_mostly([], ["hope"], ["relapse"], ["hope", "meaning"], ["employment", "family"], ["not-a-theme"])
    | st.lists(st.sampled_from(_THEMES), max_size=3, unique=True),
    any_theme=st.booleans(),
    exclude_warnings=_mostly([], ["death"], ["overdose", "suicide"], ["not-a-warning"]),
    language=_mostly(None, "en", "es", "fr", ""),
    limit=_mostly(10, 0, 1, 3, 20, -2),
    offset=_mostly(0, 1, 2, 5, 20, -1),
    facets=st.booleans(),
    fuzzy=st.booleans(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SEARCHES)
def test_generated_queries_never_return_a_story_the_policy_refuses(
    policy_bank: StoryBank, search: Search
) -> None:
    try:
        result = policy_bank.search(
            search.text,
            themes=search.themes,
            any_theme=search.any_theme,
            exclude_warnings=search.exclude_warnings,
            language=search.language,
            limit=search.limit,
            offset=search.offset,
            facets=search.facets,
            fuzzy=search.fuzzy,
            purpose=search.purpose,
        )
    except StorybankError as error:
        event(f"refused: {type(error).__name__}")
        return
    event("served nothing" if not result.hits else "served stories")
    allowed = ALLOWED[search.purpose]
    for hit in result.hits:
        assert hit.story.id in allowed, f"{hit.story.id} served for {search.purpose}"
        assert may_use(hit.story, search.purpose, policy_bank.today)
    assert result.total <= len(allowed)
    for theme, count in result.facets.items():
        assert count <= result.total, theme


def test_an_empty_query_serves_every_allowed_story(policy_bank: StoryBank) -> None:
    """The other half of the query property: the policy refuses what it should, and no more."""
    for purpose in EVERY_USE:
        result = policy_bank.search("", purpose=purpose, limit=len(POLICY_BANK))
        assert {hit.story.id for hit in result.hits} == ALLOWED[purpose], purpose
        assert result.total == len(ALLOWED[purpose])


def test_similar_serves_only_stories_usable_for_sharing(policy_bank: StoryBank) -> None:
    for story_id in sorted(ALLOWED[SHARE]):
        hits = policy_bank.similar(story_id, limit=len(POLICY_BANK))
        assert {hit.story.id for hit in hits} <= ALLOWED[SHARE] - {story_id}, story_id
        assert all(may_use(hit.story, SHARE, TODAY) for hit in hits)
    for story_id in sorted({b.id for b in POLICY_BANK} - ALLOWED[SHARE]):
        with pytest.raises(StorybankError):
            policy_bank.similar(story_id)


# -- 3. consent round trip on generated dates ----------------------------------------------------

ROUND_TRIP_ID = "round-trip-story"
_DAY_ONE = dt.date(2000, 1, 1)


def _days(low: int, high: int) -> st.SearchStrategy[dt.timedelta]:
    return st.integers(low, high).map(lambda n: dt.timedelta(days=n))


@dataclass(frozen=True)
class ConsentDates:
    given_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date  # given_on <= withdrawn_on <= today
    today: dt.date
    until: dt.date  # after today


@st.composite
def consent_dates(draw: st.DrawFn) -> ConsentDates:
    given_on = draw(st.dates(_DAY_ONE, dt.date(2080, 12, 31)))
    expires = draw(st.none() | _days(0, 6_000))
    withdrawn_on = given_on + draw(_days(0, 3_000))
    today = withdrawn_on + draw(_days(0, 3_000))
    until = today + draw(_days(1, 3_000))
    return ConsentDates(given_on, None if expires is None else given_on + expires, withdrawn_on, today, until)


def _write_consented(folder: Path, given_on: dt.date, expires_on: dt.date | None) -> Path:
    day = given_on.isoformat()
    changes = {
        **_given(day),
        "consent.expires_on": None if expires_on is None else expires_on.isoformat(),
    }
    path = folder / f"{ROUND_TRIP_ID}.md"
    path.write_text(story_text(front_matter(id=ROUND_TRIP_ID, **changes)), encoding="utf-8")
    return path


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consent_dates())
def test_renew_after_a_withdrawal_gives_consent_again(dates: ConsentDates) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_consented(Path(tmp), dates.given_on, dates.expires_on)
        with StoryBank.open(tmp, as_of=dates.today) as bank:
            bank.withdraw(ROUND_TRIP_ID, on=dates.withdrawn_on, by="staff-9")
            bank.renew(ROUND_TRIP_ID, until=dates.until, by="staff-9", undo_withdrawal=True)
            history = bank.history(ROUND_TRIP_ID)
        story = store.read_story(path, TAXONOMY)
    assert [e.event for e in story.consent.history][-2:] == ["withdrawn", "given"]
    assert [(e.date, e.until) for e in story.consent.history[-2:]] == [
        (dates.withdrawn_on, None),
        (dates.today, dates.until),
    ]
    assert history == list(story.consent.history)
    assert story.consent.withdrawn_on is None
    assert story.consent.expires_on == dates.until
    assert may_use(story, SHARE, dates.today)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(_DAY_ONE, dt.date(2080, 12, 31)), _days(0, 3_000), _days(1, 3_000))
def test_a_withdrawal_after_today_is_refused_and_writes_nothing(
    given_on: dt.date, to_today: dt.timedelta, after_today: dt.timedelta
) -> None:
    today = given_on + to_today
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_consented(Path(tmp), given_on, None)
        before = path.read_bytes()
        with StoryBank.open(tmp, as_of=today) as bank, pytest.raises(StorybankError, match="after today"):
            bank.withdraw(ROUND_TRIP_ID, on=today + after_today, by="staff-9")
        assert path.read_bytes() == before
        assert store.leftovers(path) == []
        assert sorted(p.name for p in Path(tmp).iterdir() if p.suffix == ".md") == [path.name]


@st.composite
def withdrawal_days(draw: st.DrawFn) -> tuple[ConsentDates, dt.date, dt.date | None]:
    """Dates of a withdrawal, a day on or after it, and a day from given_on before it (if there is one)."""
    dates = draw(consent_dates())
    after = dates.withdrawn_on + draw(_days(0, 5_000))
    gap = (dates.withdrawn_on - dates.given_on).days
    before = dates.given_on + draw(_days(0, gap - 1)) if gap > 0 else None
    return dates, after, before


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(withdrawal_days())
def test_a_withdrawal_refuses_every_day_from_its_date_on(
    generated: tuple[ConsentDates, dt.date, dt.date | None],
) -> None:
    dates, after, before = generated
    with tempfile.TemporaryDirectory() as tmp:
        path = _write_consented(Path(tmp), dates.given_on, None)  # no expiry: only the withdrawal ends it
        with StoryBank.open(tmp, as_of=dates.today) as bank:
            bank.withdraw(ROUND_TRIP_ID, on=dates.withdrawn_on, by="staff-9")
        story = store.read_story(path, TAXONOMY)
    assert story.consent.withdrawn_on == dates.withdrawn_on
    assert not may_use(story, SHARE, after)
    if before is not None:
        assert may_use(story, SHARE, before)
