"""A guided telling (`storybank tell`): answers in the terminal or a YAML file become a draft with the
consent the teller chose; an interrupted telling keeps what was answered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import CliRunner

from helpers import Result
from storybank import StoryBank
from storybank.cli import cli

Run = Callable[..., Result]
ANSWERS = {
    "title": "Starting again at the bakery",
    "life_before": "I worked nights for years and drank to sleep.",
    "what_happened": "After I went back out, my sister drove me to a meeting. Nobody looked down on me.",
    "what_helped": ["my sister's car every Tuesday", "a sponsor who texted first"],
    "life_now": "Two years now. I bake bread in the mornings.",
    "message": "You are not too far gone.",
    "purposes": ["read", "share"],
    "years": 1,
    "attribution": "first-name",
    "display_name": "Ana",
    "age_range": "40-49",
    "pronouns": "she/her",
    "recorded_by": "staff-12",
}


def _answers(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({**ANSWERS, **changes}, allow_unicode=True), encoding="utf-8")
    return path


def test_answers_make_a_valid_draft_with_the_chosen_consent(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    result = run("--bank", bank_dir, "--as-of", "2026-12-01", "tell", "--answers", _answers(tmp_path))
    assert result.code == 0, result.err
    story = StoryBank.open(bank_dir, as_of=dt.date(2026, 12, 1)).get("starting-again-at-the-bakery")
    assert story.status == "draft"
    assert [str(p) for p in story.consent.purposes] == ["read", "share"]
    assert story.consent.expires_on == dt.date(2027, 12, 1)
    assert story.storyteller.credit() == "Ana"
    assert story.what_helped == ["my sister's car every Tuesday", "a sponsor who texted first"]
    assert "relapse" in story.themes  # "went back out", read from the teller's words
    assert story.body.startswith("I worked nights")


def test_consent_lasts_two_years_unless_the_teller_chooses(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    answers = {key: value for key, value in ANSWERS.items() if key != "years"}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    run("--bank", bank_dir, "--as-of", "2026-12-01", "tell", "--answers", path)
    story = StoryBank.open(bank_dir).get("starting-again-at-the-bakery")
    assert story.consent.expires_on == dt.date(2028, 12, 1)


def test_an_anonymous_teller_is_never_named(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    run(
        "--bank",
        bank_dir,
        "tell",
        "--answers",
        _answers(tmp_path, attribution="anonymous", display_name="Ana"),
    )
    story = StoryBank.open(bank_dir).get("starting-again-at-the-bakery")
    assert story.storyteller.display_name is None
    assert "Ana" not in (bank_dir / "starting-again-at-the-bakery.md").read_text().split("---")[1]


def test_a_telling_is_never_published_nor_shared(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    run("--bank", bank_dir, "tell", "--answers", _answers(tmp_path))
    bank = StoryBank.open(bank_dir)
    assert bank.search("bakery").hits == []
    assert "review-copy" in run("--bank", bank_dir, "tell", "--answers", _answers(tmp_path, id="second")).out


def test_check_explains_a_finding_in_the_telling(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    path = _answers(tmp_path, life_now="Call me on 555-867-5309 any time.")
    result = run("--bank", bank_dir, "--as-of", "2026-12-01", "tell", "--answers", path)
    assert result.code == 0, result.err
    assert "phone number" in result.out


def test_no_purpose_agreed_is_one_clear_line(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    result = run("--bank", bank_dir, "tell", "--answers", _answers(tmp_path, purposes=[]))
    assert result.code == 2
    assert "no purpose was agreed" in result.err
    assert list(bank_dir.glob("*.md")) == []


def test_a_wrong_answers_file_is_one_line_naming_the_field(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    result = run("--bank", bank_dir, "tell", "--answers", _answers(tmp_path, years="forever"))
    assert result.code == 2
    assert "years" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_the_terminal_telling_asks_and_writes_the_draft(bank_dir: Path) -> None:
    typed = "\n".join(
        [
            "Bread at dawn",  # title
            "I drank to sleep.",
            "",  # life before
            "I went back out, then my sister drove me to a meeting.",
            "",  # what happened
            "my sister",
            "",  # what helped
            "",
            "",  # life now: skipped; message: skipped
            "",  # summary: skipped
            "y",
            "y",
            "n",
            "n",
            "n",
            "n",  # read, share; not handout, public, training, research
            "2",
            "anonymous",
            "",
            "",
            "staff-3",
        ]
    )
    result = CliRunner().invoke(cli, ["--bank", str(bank_dir), "tell"], input=typed + "\n")
    assert result.exit_code == 0, result.output
    story = StoryBank.open(bank_dir).get("bread-at-dawn")
    assert [str(p) for p in story.consent.purposes] == ["read", "share"]
    assert story.storyteller.attribution == "anonymous"
    assert story.consent.history[0].by == "staff-3"


def test_an_interrupted_telling_keeps_what_was_answered(bank_dir: Path) -> None:
    typed = "Bread at dawn\nI drank to sleep.\n\n"  # then the input ends, like Ctrl-C
    result = CliRunner().invoke(cli, ["--bank", str(bank_dir), "tell"], input=typed)
    assert result.exit_code == 1
    saved = list((bank_dir / "tellings").glob("partial-*.yaml"))
    assert len(saved) == 1
    kept = yaml.safe_load(saved[0].read_text())
    assert kept["title"] == "Bread at dawn"
    assert kept["life_before"] == "I drank to sleep."
    assert list(bank_dir.glob("*.md")) == []  # no story file until the telling is whole


def test_a_mistyped_id_gets_the_closest_one(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story("back-to-the-kitchen")
    for command in ("withdraw", "approve", "show"):
        result = run("--bank", bank_dir, command, "back-the-kitchen")
        assert result.code == 2
        assert "did you mean 'back-to-the-kitchen'?" in result.err, command


def test_list_json_names_a_file_that_does_not_load(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    import json

    write_story("back-to-the-kitchen")
    (bank_dir / "broken-one.md").write_text("---\nid: [x\n---\nhi\n")
    rows = json.loads(run("--bank", bank_dir, "list", "--json").out)
    broken = [row for row in rows if row["id"] == "broken-one"]
    assert broken[0]["status"] is None
    assert "YAML" in broken[0]["problem"]
    assert [row["problem"] for row in rows if row["id"] == "back-to-the-kitchen"] == [None]


def test_a_hostile_answers_file_is_one_line(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    from helpers import alias_bomb

    path = tmp_path / "answers.yaml"
    path.write_text(alias_bomb(9), encoding="utf-8")
    result = run("--bank", bank_dir, "tell", "--answers", path)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert list(bank_dir.glob("*.md")) == []


def test_continuing_an_interrupted_telling_removes_its_saved_answers(bank_dir: Path, run: Run) -> None:
    saved = bank_dir / "tellings" / "partial-20261201-100000.yaml"
    saved.parent.mkdir()
    saved.write_text(yaml.safe_dump(ANSWERS), encoding="utf-8")
    result = run("--bank", bank_dir, "tell", "--answers", saved)
    assert result.code == 0, result.err
    assert not saved.exists()
    assert (bank_dir / "starting-again-at-the-bakery.md").exists()
