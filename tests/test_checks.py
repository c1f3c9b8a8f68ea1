"""Curation checks on real story files: findings with file, line, rule and suggestion; accepted findings;
and each text rule's precision and recall on the labelled passages."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from helpers import REPO, Result
from storybank import StoryBank

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
ACCEPTED = {
    "rule": "privacy.contact",
    "note": "the clinic's public number",
    "by": "staff-12",
    "date": "2025-05-01",
}


def findings(bank_dir: Path, rule: str) -> list[dict[str, object]]:
    problems = StoryBank.open(bank_dir, as_of=TODAY).check()
    return [problem.to_dict() for problem in problems if problem.rule == rule]


def measurements() -> ModuleType:
    spec = importlib.util.spec_from_file_location("checks_benchmark", REPO / "benchmarks" / "checks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_text_rule_meets_its_targets_on_the_labelled_passages() -> None:
    bench = measurements()
    scores, misses = bench.evaluate(bench.load(bench.LABELLED))
    below = {
        rule: (round(score.precision, 2), round(score.recall, 2))
        for rule, score in scores.items()
        if score.precision < 0.9 or score.recall < 0.8
    }
    assert below == {}, misses


def test_labelled_passages_cover_every_rule_both_ways() -> None:
    bench = measurements()
    scores, _ = bench.evaluate(bench.load(bench.LABELLED))
    assert all(score.positives >= 10 and score.negatives >= 10 for score in scores.values())


def test_contact_finding_names_file_line_rule_and_what_to_do(write_story: WriteStory, bank_dir: Path) -> None:
    path = write_story("kitchen-story", body="First line.\n\nCall me at 555-0142 any time.\n")
    [finding] = findings(bank_dir, "privacy.contact")
    body_line = path.read_text().splitlines().index("First line.") + 1
    assert finding["line"] == body_line + 2
    assert finding["story"] == "kitchen-story"
    assert finding["severity"] == "error"
    assert finding["field"] == "body"
    assert "555-0142" in str(finding["message"])
    assert finding["suggestion"]


def test_finding_in_a_field_points_at_that_field(write_story: WriteStory, bank_dir: Path) -> None:
    path = write_story("kitchen-story", summary="A junkie no more: a cook finds steady ground.")
    [finding] = findings(bank_dir, "language.stigma")
    assert finding["field"] == "summary"
    assert path.read_text().splitlines()[int(str(finding["line"])) - 1].startswith("summary:")


def test_teller_surname_is_flagged_when_only_a_first_name_was_agreed(
    write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="My name is Rosa Delgado, and I cook.\n")
    [finding] = findings(bank_dir, "privacy.name")
    assert "Rosa Delgado" in str(finding["message"])


def test_first_names_alone_are_not_flagged(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="Eddie became my sponsor. My sister Ana drove me to meetings.\n")
    assert findings(bank_dir, "privacy.name") == []


def test_undeclared_content_names_the_warning(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", content_warnings=[], body="That winter I overdosed in my car.\n")
    [finding] = findings(bank_dir, "warnings.undeclared")
    assert "consider content warning `overdose`" in str(finding["message"])


def test_declared_content_is_not_flagged(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", content_warnings=["overdose"], body="That winter I overdosed in my car.\n")
    assert findings(bank_dir, "warnings.undeclared") == []


def test_hard_reading_is_flagged_only_for_stories_agreed_for_handouts(
    write_story: WriteStory, bank_dir: Path
) -> None:
    hard = (
        "Notwithstanding considerable institutional fragmentation, interdisciplinary collaboration "
        "between psychiatric professionals, pharmacological specialists and community organisations "
        "substantially facilitated my comprehensive rehabilitation, notwithstanding the bureaucratic "
        "complications characterising contemporary healthcare administration and its documentation.\n"
    )
    write_story("printed-story", body=hard)
    write_story("shared-story", body=hard, **{"consent.purposes": ["read", "share"]})
    assert [f["story"] for f in findings(bank_dir, "readability.grade")] == ["printed-story"]


def test_consent_warning_points_at_its_line(write_story: WriteStory, bank_dir: Path) -> None:
    path = write_story("kitchen-story", **{"consent.expires_on": "2025-06-10"})
    [finding] = findings(bank_dir, "consent.expiring")
    assert path.read_text().splitlines()[int(str(finding["line"])) - 1].strip().startswith("expires_on:")


def test_accepted_finding_is_left_out(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="Call the clinic at 555-0142.\n", accepted=[ACCEPTED])
    assert findings(bank_dir, "privacy.contact") == []


def test_accepting_one_text_keeps_the_others(write_story: WriteStory, bank_dir: Path) -> None:
    write_story(
        "kitchen-story",
        body="Call the clinic at 555-0142, or me at 555-0199.\n",
        accepted=[{**ACCEPTED, "text": "555-0142"}],
    )
    assert ["555-0199" in str(f["message"]) for f in findings(bank_dir, "privacy.contact")] == [True]


def test_accepted_without_a_note_is_an_error(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", accepted=[{key: v for key, v in ACCEPTED.items() if key != "note"}])
    [problem] = StoryBank.open(bank_dir, as_of=TODAY).scan().problems
    assert "accepted" in str(problem)
    assert "note" in str(problem)


def test_check_json_lists_findings_and_exits_1_on_errors(
    write_story: WriteStory, bank_dir: Path, run: Callable[..., Result]
) -> None:
    write_story("kitchen-story", body="Email me at rosa@example.org.\n")
    result = run("--bank", bank_dir, "--as-of", TODAY, "check", "--json")
    assert result.code == 1
    [finding] = [f for f in json.loads(result.out) if f["rule"] == "privacy.contact"]
    assert set(finding) >= {"story", "file", "line", "rule", "severity", "message", "suggestion"}


def test_warnings_alone_exit_0(write_story: WriteStory, bank_dir: Path, run: Callable[..., Result]) -> None:
    write_story("kitchen-story", content_warnings=[], body="That winter I overdosed in my car.\n")
    assert run("--bank", bank_dir, "--as-of", TODAY, "check").code == 0


@pytest.mark.parametrize(
    "text",
    ["I keep a clean kitchen now.", "I was committed to the plan.", "We went to Alcoholics Anonymous."],
)
def test_everyday_senses_are_not_stigma(write_story: WriteStory, bank_dir: Path, text: str) -> None:
    write_story("kitchen-story", body=f"{text}\n")
    assert findings(bank_dir, "language.stigma") == []
