"""Write docs/cli.md from the command's own `--help`, so the reference can never drift from the code.

python scripts/cli_docs.py          # rewrite docs/cli.md
python scripts/cli_docs.py --check  # exit 1 if docs/cli.md is out of date (the test suite does this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from storybank.cli import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

HEADER = """\
# Command-line reference

`storybank [--bank DIR] [--as-of DATE] COMMAND …` — global options come before the command.

- The bank is `--bank DIR`, else `$STORYBANK_HOME`, else `./stories`.
- `--as-of DATE` judges consent on that date instead of today (for tests, and for "what will be
  usable on…" questions).
- `--json` prints machine-readable output on every command that lists or shows something.

Exit codes: `0` success; `1` `check` found errors (warnings alone exit 0); `2` bad input or usage — one
line on stderr saying what is wrong and what to do, never a traceback; `3` an internal error (a bug in
storybank: please report it; `STORYBANK_DEBUG=1` shows the details).

This page is generated from `storybank --help` by `python scripts/cli_docs.py`; a test fails when it is out
of date.

## `--json` shapes

The same names mean the same things in every command's JSON:

- `id` is always the story id; `file` a path as you would type it.
- A story's consent state is `consent_state` (`active`, `expired`, `withdrawn`, `not-yet-given`) with
  `consent_summary` in words and `usable_for` (the purposes usable today); `held` is the privacy hold's
  reason, or null (`list`, `show`). `list --json` also lists each file that does not load, as
  `{"id", "file", "status": null, "usable_for": [], "problem"}` (`problem` is null for the others).
- `search --explain` adds `"semantic"` (whether meaning joined the ranking) and `"ranks": [{"id",
  "lexical", "semantic"}]`. `handout --json` gives `{"handout_id", "format", "stories", "file"}`, and a
  packet adds `"asked"` and `"language"`.
- `search` and `similar` print the same object: `{"query", "total", "results": [hit…], "facets":
  {"themes": {id: count}, "teller_decades": {"50": count}, "teller_pronouns": {"he": count}},
  "suggestion", "language", "more_in_other_languages"}` (`similar` adds
  `similar_to`; `search --explain` adds `explain`). A hit is `{"id", "title", "summary", "score",
  "themes", "matched_themes", "content_warnings", "snippet", "reading_minutes", "credit", "age_range",
  "pronouns", "language", "matched_teller"}`.
- Dates are `YYYY-MM-DD`; a recall lists `{"handout_id", "printed_on"}` and `{"bundle_id",
  "exported_on", "purpose"}`.
- `check --json` is a list of problems: `{"file", "line", "field", "rule", "severity", "message",
  "suggestion", "story"}`.
"""


def help_text(*args: str) -> str:
    result = CliRunner().invoke(
        cli, [*args, "--help"], prog_name="storybank", terminal_width=100, max_content_width=100
    )
    return result.output.rstrip()


def render() -> str:
    sections = [HEADER, "## storybank\n\n```text\n" + help_text() + "\n```\n"]
    for name in sorted(cli.commands):
        sections.append(f"## storybank {name}\n\n```text\n{help_text(name)}\n```\n")
    return "\n".join(sections)


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if DOC.read_text("utf-8") != text:
            print(f"{DOC} is out of date: run python scripts/cli_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
