"""The `storybank` command over real bank folders: output, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import SAMPLE_BANK, Result

Run = Callable[..., Result]


def test_list_json_shows_every_story_with_consent_state(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story("shared-story")
    write_story("withdrawn-story", **{"consent.withdrawn_on": "2025-01-01"})
    result = run("--bank", bank_dir, "--as-of", "2025-06-01", "list", "--json")
    rows = {row["id"]: row for row in json.loads(result.out)}
    assert result.code == 0
    assert rows["shared-story"]["usable_for"] == ["read", "share", "handout"]
    assert rows["withdrawn-story"]["consent_state"] == "withdrawn"
    assert rows["withdrawn-story"]["usable_for"] == []


def test_list_table_names_each_story(run: Run, write_story: Callable[..., Path], bank_dir: Path) -> None:
    write_story("shared-story")
    result = run("--bank", bank_dir, "--as-of", "2025-06-01", "list")
    assert "shared-story" in result.out
    assert "active until 2027-03-02" in result.out


def test_list_still_lists_the_others_when_a_file_is_broken(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story("good-story")
    (bank_dir / "bad-story.md").write_text("---\nid: [\n---\n")
    result = run("--bank", bank_dir, "list", "--json")
    rows = json.loads(result.out)
    assert [row["id"] for row in rows if row["problem"] is None] == ["good-story"]
    assert [row["id"] for row in rows if row["problem"]] == ["bad-story"]
    assert "1 file(s) could not be loaded (storybank check says why):" in result.err
    assert "bad-story.md" in result.err


def test_show_puts_the_content_note_before_the_text(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story()
    out = run("--bank", bank_dir, "--as-of", "2025-06-01", "show", "back-to-the-kitchen").out
    assert out.index("Content note: overdose") < out.index("I burned the rice")


def test_show_withholds_the_text_after_withdrawal(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story(**{"consent.withdrawn_on": "2025-01-01"})
    result = run("--bank", bank_dir, "--as-of", "2025-06-01", "show", "back-to-the-kitchen", "--json")
    data = json.loads(result.out)
    assert (data["body"], data["body_withheld"]) == (None, "consent was withdrawn on 2025-01-01")


def test_show_json_gives_the_story_as_consented(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story(**{"storyteller.attribution": "anonymous", "storyteller.display_name": None})
    data = json.loads(run("--bank", bank_dir, "show", "back-to-the-kitchen", "--json").out)
    assert (data["credit"], data["storyteller"]["display_name"]) == ("Anonymous", None)
    assert data["consent"]["form_ref"] == "CF-2024-017"


def test_show_unknown_story_is_one_line_and_exit_2(run: Run, bank_dir: Path) -> None:
    result = run("--bank", bank_dir, "show", "nobody-here")
    assert result.code == 2
    assert result.err == f"storybank: no story 'nobody-here' in {bank_dir} (nobody-here.md not found)\n"


def test_check_exits_0_with_only_warnings(run: Run, write_story: Callable[..., Path], bank_dir: Path) -> None:
    write_story()
    result = run("--bank", bank_dir, "--as-of", "2027-03-02", "check")
    assert result.code == 0
    assert "warning: consent.expires_on: consent expired on 2027-03-02" in result.out


def test_check_exits_1_on_errors_and_names_file_line_field(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    path = write_story(themes=["relaps"])
    result = run("--bank", bank_dir, "check")
    assert result.code == 1
    assert f"{path}:8: error: themes[0]: unknown theme 'relaps' — did you mean 'relapse'?" in result.out


def test_check_json_lists_problems_with_their_fields(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story(language="fr")
    [problem] = json.loads(run("--bank", bank_dir, "check", "--json").out)
    assert {key: problem[key] for key in ("story", "field", "line", "severity", "rule")} == {
        "story": "back-to-the-kitchen",
        "field": "language",
        "line": 5,
        "severity": "error",
        "rule": "front-matter.field",
    }


def test_themes_json_counts_stories_and_shareable_ones(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story("shared-story")
    write_story("draft-story", status="draft")
    data = json.loads(run("--bank", bank_dir, "--as-of", "2025-06-01", "themes", "--json").out)
    relapse = next(theme for theme in data["themes"] if theme["id"] == "relapse")
    assert (relapse["stories"], relapse["shareable"]) == (2, 1)
    assert "went back out" in relapse["phrases"]["en"]
    assert relapse["labels"]["es"]


def test_themes_table_shows_labels_and_phrases(run: Run, bank_dir: Path) -> None:
    out = run("--bank", bank_dir, "themes").out
    assert "relapse" in out
    assert "Content warnings: suicide, self-harm, overdose" in out


def test_bank_themes_from_settings_are_accepted(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    (bank_dir / "storybank.toml").write_text(
        '[themes.extra.fishing]\ngroup = "life-areas"\n'
        'labels = { en = "Fishing", es = "Pesca" }\n'
        'description = { en = "Time on the water.", es = "Tiempo en el agua." }\n'
        'phrases = { en = ["fishing trip", "the lake"] }\n'
    )
    write_story(themes=["fishing", "hope"])
    assert run("--bank", bank_dir, "check").code == 0


def test_bad_settings_file_is_one_line_and_exit_2(run: Run, bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text("[organization\nname = 'x'\n")
    result = run("--bank", bank_dir, "list")
    assert result.code == 2
    assert result.err.startswith(f"storybank: {bank_dir / 'storybank.toml'}: cannot be read as TOML")
    assert result.err.count("\n") == 1


def test_missing_bank_is_one_line_and_exit_2(run: Run, tmp_path: Path) -> None:
    result = run("--bank", tmp_path / "nowhere", "list")
    assert result.code == 2
    assert result.err == (
        f"storybank: bank folder {tmp_path / 'nowhere'} does not exist: "
        "pass --bank DIR or set STORYBANK_HOME\n"
    )


def test_bank_comes_from_storybank_home(
    run: Run, write_story: Callable[..., Path], bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_story()
    monkeypatch.setenv("STORYBANK_HOME", str(bank_dir))
    assert [row["id"] for row in json.loads(run("list", "--json").out)] == ["back-to-the-kitchen"]


def test_bad_date_option_is_one_line_and_exit_2(run: Run, bank_dir: Path) -> None:
    result = run("--bank", bank_dir, "--as-of", "2024-13-01", "list")
    assert result.code == 2
    assert result.err.count("\n") == 1


def test_new_creates_a_draft_that_check_asks_to_fill(run: Run, bank_dir: Path) -> None:
    assert run("--bank", bank_dir, "new", "my-new-story", "--title", "My new story").code == 0
    problems = json.loads(run("--bank", bank_dir, "check", "--json").out)
    assert {p["field"] for p in problems} == {
        "summary",
        "themes",
        "consent.form_ref",
        "consent.given_on",
        "consent.purposes",
        "body",
    }


def test_new_refuses_an_existing_id_and_keeps_the_file(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    before = write_story().read_text()
    result = run("--bank", bank_dir, "new", "back-to-the-kitchen")
    assert result.code == 2
    assert "already exists" in result.err
    assert (bank_dir / "back-to-the-kitchen.md").read_text() == before


def test_schema_prints_json_schema(run: Run, bank_dir: Path) -> None:
    schema = json.loads(run("--bank", bank_dir, "schema").out)
    assert "relapse" in schema["properties"]["themes"]["items"]["enum"]


def test_console_script_shows_no_traceback_on_a_broken_bank(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(SAMPLE_BANK, bank)
    (bank / "evil-story.md").write_text("---\nid: !!python/object/apply:os.system ['echo hi']\n---\n")
    script = Path(sys.executable).parent / "storybank"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "storybank"]
    result = subprocess.run(
        [*command, "--bank", str(bank), "check"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "STORYBANK_DEBUG": ""},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "evil-story.md:2: error: unsafe or unknown YAML tag" in result.stdout


def test_a_global_option_after_the_command_says_where_it_goes(run: Run, bank_dir: Path) -> None:
    result = run("list", "--bank", bank_dir)
    assert result.code == 2
    assert "--bank goes before the command" in result.err


def test_similar_json_is_the_search_object(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n")
    write_story("garden-story", body="Zucchini every night in a busy garden.\n")
    data = json.loads(run("--bank", bank_dir, "similar", "kitchen-story", "--json").out)
    search_keys = {"query", "total", "results", "facets", "suggestion", "language", "more_in_other_languages"}
    assert set(data) == {*search_keys, "similar_to"}
    assert [row["id"] for row in data["results"]] == ["garden-story"]


def test_check_one_story_reports_only_that_story(
    run: Run, write_story: Callable[..., Path], bank_dir: Path
) -> None:
    write_story("good-story")
    (bank_dir / "bad-story.md").write_text("---\nid: [\n---\n")
    only_good = run("--bank", bank_dir, "check", "good-story")
    only_bad = run("--bank", bank_dir, "check", "bad-story")
    assert (only_good.code, only_bad.code) == (0, 1)
    assert "bad-story" not in only_good.out
    assert "bad-story.md" in only_bad.out


def test_the_help_loads_neither_the_bank_nor_the_story_model() -> None:
    # What makes `storybank --help` answer at once (docs/performance.md): a plain-module check, not a timing.
    import subprocess
    import sys

    heavy = ("storybank.bank", "storybank.models", "pydantic", "rich", "whoosh", "yaml", "jinja2")
    code = (
        "import sys; from storybank.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_command_runs_its_work_with_the_collector_on_and_the_imports_frozen(bank_dir: Path) -> None:
    # `run` pauses the garbage collector for the imports only (cli._collect_from_here): after the bank
    # is open it must be collecting again, with what the imports made frozen out of its passes.
    code = (
        "import atexit, gc, sys\n"
        "from storybank import cli\n"
        "atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count() > 1000))\n"
        f"sys.argv = ['storybank', '--bank', {str(bank_dir)!r}, 'list']\n"
        "cli.run()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "True True"


def test_every_public_name_of_the_package_is_importable() -> None:
    import storybank

    assert sorted(storybank.__all__) == sorted(storybank._MODULE_OF)
    assert all(getattr(storybank, name) is not None for name in storybank.__all__)
