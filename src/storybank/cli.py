"""The `storybank` command: a thin layer over `StoryBank` that only formats output and errors.

Errors the library raises on purpose (`StorybankError`) and usage mistakes become one line on stderr and
exit code 2; `check` exits 1 when it finds errors. No traceback ever reaches the user.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import gc
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from storybank.errors import BankNotFoundError, Severity, StorybankError, one_line
from storybank.kinds import Language, Purpose
from storybank.search.request import SearchFilters, SearchRequest

# Everything else is imported where it is used: `storybank --help` (and every command's) loads click and
# these few plain modules only, not the bank, the index, the story model or rich (docs/performance.md).
if TYPE_CHECKING:
    from rich.console import Console

    from storybank.bank import StoryBank
    from storybank.lifecycle import Recall
    from storybank.models import Story
    from storybank.search.results import Hit

EXIT_FOUND_ERRORS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
GLOBAL_OPTIONS = ("--bank", "--as-of")


date_type = click.DateTime(formats=["%Y-%m-%d"])  # every date the CLI takes: YYYY-MM-DD
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def _open_bank(ctx: click.Context) -> StoryBank:
    """The bank of the global options, opened on first use (`--help` and `schema` need none)."""
    from storybank.bank import StoryBank

    root = ctx.find_root()
    if not isinstance(root.obj, StoryBank):
        options = root.params
        as_of: dt.datetime | None = options["as_of"]
        root.obj = StoryBank.open(options["bank"], as_of=as_of.date() if as_of else None)
        _collect_from_here()
    return root.obj


def _collect_from_here() -> None:
    """`run` starts a process with the cyclic garbage collector paused. Its passes over the objects made by
    importing the bank's modules (pydantic's models, Whoosh, numpy) and opening it took about 50 ms of a
    fresh search of 10,000 stories (148 collections; 6 ms left, gc callbacks), and none of those objects
    is garbage. Once the bank is open they are frozen (`gc.freeze`: later passes skip them) and the
    collector runs again, for what the command itself leaves. In-process callers of `main` (the tests)
    never had it paused, so nothing changes for them."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


Command = TypeVar("Command", bound=Callable[..., None])


def pass_bank(command: Command) -> Command:
    """Give a command the bank as its first argument (click's pass_obj, opened on first use)."""

    @functools.wraps(command)
    def with_bank(*args: Any, **kwargs: Any) -> None:
        command(_open_bank(click.get_current_context()), *args, **kwargs)

    return with_bank  # type: ignore[return-value]


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def escape(text: str) -> str:
    """Text shown as it is in rich's markup (rich is loaded only by the commands that print with it)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def display(path: Path) -> str:
    from storybank.store import display as shown

    return shown(path)


def _console() -> Console:
    # Wide enough that piped output is not cut to 80 columns.
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160, highlight=False, soft_wrap=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--bank",
    type=click.Path(path_type=Path),
    default=None,
    envvar="STORYBANK_HOME",
    show_envvar=True,
    help="The bank folder (default: ./stories).",
)
@click.option(
    "--as-of",
    type=date_type,
    metavar="DATE",
    default=None,
    help="Judge consent on this date (YYYY-MM-DD) instead of today.",
)
@click.version_option(package_name="storybank")
def cli(bank: Path | None, as_of: dt.datetime | None) -> None:
    """Keep, check and find peer-support recovery stories, used only as their storytellers agreed."""


@cli.command("list")
@json_option
@pass_bank
def list_stories(bank: StoryBank, as_json: bool) -> None:
    """List every story with its status and consent state (a curation view).

    Example: storybank --bank stories list --json
    """
    scan = bank.scan()
    rows = [_summary(bank, story) for story in scan.stories]
    if as_json:  # a file that does not load is listed too: its file and its first problem, nothing usable
        first: dict[str, str] = {}
        for problem in scan.problems:
            first.setdefault(problem.file, problem.message)
        unloadable: list[dict[str, object]] = [
            {"id": Path(file).stem, "file": file, "status": None, "usable_for": [], "problem": message}
            for file, message in sorted(first.items())
        ]
        _print_json([*({**row, "problem": None} for row in rows), *unloadable])
    else:
        from rich.table import Table

        table = Table("ID", "Title", "Themes", "Status", "Consent", "Usable for", box=None)
        for row in rows:
            table.add_row(
                row["id"],
                _safe(row["title"]),
                ", ".join(row["themes"]),
                row["status"] + (" (held: privacy)" if row["held"] else ""),
                row["consent_summary"],
                ", ".join(row["usable_for"]) or "-",
            )
        _console().print(table)
        for row in rows:
            if row["held"]:
                click.echo(f"{row['id']}: {row['held']}", err=True)
    if scan.problems:
        broken = sorted({problem.file for problem in scan.problems})
        click.echo(f"{len(broken)} file(s) could not be loaded (storybank check says why):", err=True)
        for name in broken:
            click.echo(f"  {name}", err=True)


@cli.command()
@click.argument("story_id", metavar="ID")
@json_option
@pass_bank
def show(bank: StoryBank, story_id: str, as_json: bool) -> None:
    """Show one story: content note first, consent, attribution, themes and text.

    The text is shown only while the storyteller's consent covers reading it.

    Example: storybank show back-to-the-kitchen
    """
    story = bank.get(story_id)
    readable = bank.may_use(story, Purpose.READ)
    data = {
        **_summary(bank, story),
        **story.model_dump(mode="json"),
        "credit": story.storyteller.credit(story.language),
    }
    if not readable:  # the teller's own words are withheld, not only the story's text
        for words in ("body", "summary"):
            data[words] = None
        data["what_helped"] = []
        data["body_withheld"] = readable.reason
    if as_json:
        _print_json(data)
        return
    out = _console()
    out.print(f"[bold]{escape(_safe(story.title))}[/bold]  ({story.id})")
    if story.content_warnings:
        out.print(f"[bold red]Content note:[/bold red] {', '.join(story.content_warnings)}")
    out.print(
        f"Status: {story.status} · Consent: {data['consent_summary']} · "
        f"Usable for: {', '.join(data['usable_for']) or 'nothing today'}",
        markup=False,
    )
    if data["held"]:
        out.print(f"Held back: {data['held']}", markup=False)
    teller = [data["credit"], story.storyteller.age_range, story.storyteller.pronouns]
    if story.storyteller.recovery_since:
        teller.append(f"in recovery since {story.storyteller.recovery_since}")
    out.print(_safe("Storyteller: " + " · ".join(part for part in teller if part)), markup=False)
    out.print(f"Themes: {', '.join(story.themes)}")
    if not readable:
        out.print(f"[Summary, what helped and text not shown: {readable.reason}.]", markup=False)
        return
    out.print(_safe(f"Summary: {story.summary}"), markup=False)
    if story.what_helped:
        out.print("What helped:")
        for item in story.what_helped:
            out.print(_safe(f"  - {item}"), markup=False)
    out.print()
    out.print(_safe(story.body.strip()), markup=False)


@cli.command()
@click.argument("story_ids", metavar="[ID]...", nargs=-1)
@json_option
@click.pass_context
def check(ctx: click.Context, story_ids: tuple[str, ...], as_json: bool) -> None:
    """Check every story file, or the stories named; exit 1 when any has an error (warnings alone exit 0).

    Example: storybank --bank stories check --json
    """
    bank = _open_bank(ctx)
    problems = bank.check(story_ids)
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    if as_json:
        _print_json([problem.to_dict() for problem in problems])
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(
            f"checked {display(bank.root)}: {errors} error(s), {len(problems) - errors} warning(s)",
            err=True,
        )
    ctx.exit(EXIT_FOUND_ERRORS if errors else 0)


@cli.command()
@json_option
@pass_bank
def themes(bank: StoryBank, as_json: bool) -> None:
    """The theme vocabulary with labels, phrases and how many stories carry each theme.

    Example: storybank themes --json
    """
    counts = bank.theme_counts()
    taxonomy = bank.taxonomy
    theme_rows = [
        {
            **theme.model_dump(),
            "stories": counts[theme.id].stories,
            "shareable": counts[theme.id].shareable,
        }
        for theme in taxonomy.themes
    ]
    if as_json:
        _print_json(
            {
                "groups": [group.model_dump() for group in taxonomy.groups],
                "themes": theme_rows,
                "content_warnings": [warning.model_dump() for warning in taxonomy.warnings],
            }
        )
        return
    from rich.table import Table

    table = Table("Theme", "Label (en / es)", "Group", "Stories", "Shareable", "Everyday words", box=None)
    for row in theme_rows:
        phrases = row["phrases"].get("en", [])
        table.add_row(
            row["id"],
            f"{row['labels']['en']} / {row['labels'].get('es', '')}",
            row["group"],
            str(row["stories"]),
            str(row["shareable"]),
            ", ".join(phrases[:6]) + (" …" if len(phrases) > 6 else ""),
        )
    out = _console()
    out.print(table)
    out.print("Content warnings: " + ", ".join(w.id for w in taxonomy.warnings))


@cli.command()
@click.pass_context
def schema(ctx: click.Context) -> None:
    """Print the JSON Schema of a story's front matter (with this bank's themes).

    Example: storybank schema > story.schema.json
    """
    try:
        vocabulary = _open_bank(ctx).taxonomy
    except BankNotFoundError:
        if ctx.find_root().params["bank"] is not None or os.environ.get("STORYBANK_HOME"):
            raise
        from storybank.taxonomy import default_taxonomy

        vocabulary = default_taxonomy()  # no bank here: the package vocabulary
    from storybank.schema import front_matter_schema

    _print_json(front_matter_schema(vocabulary))


@cli.command()
@click.option(
    "--answers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Take the answers from this YAML file instead of asking (docs/collecting.md lists its keys).",
)  # fmt: skip
@click.option(
    "--language", type=click.Choice([lang.value for lang in Language]), default="en", show_default=True,
    help="The language of the questions and of the story.",
)  # fmt: skip
@pass_bank
def tell(bank: StoryBank, answers: Path | None, language: str) -> None:
    """A guided telling: the story in the teller's words, then consent one purpose at a time, written
    as a draft (shared with nobody until approved and published). Ctrl-C keeps what was answered.

    Example: storybank tell --language es   (or: storybank tell --answers answers.yaml)
    """
    from storybank import telling

    if answers is not None:
        given = telling.read_answers(answers.read_text(encoding="utf-8"), str(answers))
    else:
        from storybank import tell_prompts

        try:
            answered = tell_prompts.ask(language)
        except tell_prompts.Interrupted as stopped:
            saved = bank.save_partial_telling(stopped.answered)
            click.echo("\n" + telling.QUESTIONS[language]["saved"].format(path=saved), err=True)
            sys.exit(1)
        given = telling.Answers.model_validate(answered)
    story, findings = bank.tell(given)
    click.echo(telling.explained(story))
    from storybank.bank import TELLINGS_DIR

    if answers is not None and answers.resolve().parent == (bank.root / TELLINGS_DIR).resolve():
        answers.unlink()  # an interrupted telling, now whole: its answers live in the draft
        click.echo(f"the saved answers {answers.name} are in the draft now, and were removed")
    for finding in findings:  # in plain words, with what to do: keep it, change it or remove it
        click.echo(f"  - {finding.message}" + (f": {finding.suggestion}" if finding.suggestion else ""))


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option("--title", help="The story's title (default: from the id).")
@click.option(
    "--language",
    type=click.Choice([lang.value for lang in Language]),
    default="en",
    show_default=True,
    help="The language the story is told in.",
)
@pass_bank
def new(bank: StoryBank, story_id: str, title: str | None, language: str) -> None:
    """Create a draft story file with every field (consent included) to fill in.

    Example: storybank new my-new-story --title "My new story" --language es
    """
    path = bank.new_story(story_id, title=title, language=Language(language))
    click.echo(f"created {display(path)}: fill in every field and the story, then run storybank check")


def search_filters(command: Callable[..., None]) -> Callable[..., None]:
    """The filters `search` and `handout --search` share, given to the command as one `filters`."""
    options = [
        click.option(
            "--theme",
            "themes",
            multiple=True,
            metavar="THEME",
            help="Only stories with this theme (repeat: all of them, or any with --any-theme).",
        ),
        click.option("--any-theme", is_flag=True, help="Stories with any of the --theme themes."),
        click.option(
            "--exclude-warning",
            "exclude_warnings",
            multiple=True,
            metavar="WARNING",
            help="Leave out stories with this content warning (may repeat).",
        ),
        click.option(
            "--language",
            type=click.Choice([*(lang.value for lang in Language), "any"]),
            help="Stories told in this language; any: every language (default: the query's own language).",
        ),
        click.option(
            "--teller-age",
            metavar="RANGE",
            help="Only stories whose teller's age range overlaps this one, like 50-59.",
        ),
        click.option(
            "--teller-pronouns",
            metavar="PRONOUNS",
            help="Only stories whose teller uses these pronouns: he/him, she/her, they/them (or man, woman).",
        ),
    ]

    @functools.wraps(command)
    def with_filters(
        *args: Any,
        themes: tuple[str, ...],
        any_theme: bool,
        exclude_warnings: tuple[str, ...],
        language: str | None,
        teller_age: str | None,
        teller_pronouns: str | None,
        **kwargs: Any,
    ) -> None:
        chosen = SearchFilters(themes, any_theme, exclude_warnings, language, teller_age, teller_pronouns)
        command(*args, filters=chosen, **kwargs)

    wrapped: Callable[..., None] = with_filters
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


@cli.command()
@click.argument("text", default="")
@search_filters
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option(
    "--explain",
    is_flag=True,
    help="Also say how the text was read (themes, names, corrections) and each hit's word and meaning rank.",
)
@json_option
@pass_bank
def search(
    bank: StoryBank,
    text: str,
    filters: SearchFilters,
    limit: int,
    offset: int,
    explain: bool,
    as_json: bool,
) -> None:
    """Find stories to share: words, phrases ("went back out"), AND/OR/NOT, and filters.

    Only stories whose storytellers agreed to sharing, today, are ever shown or counted.
    Example: storybank search "started drinking again" --theme hope --exclude-warning suicide
    """
    # The themes of every match are counted only for JSON, the one output that shows them.
    request = SearchRequest(text, filters, limit, offset, facets=as_json, explain=explain)
    result = bank.find(request)
    if as_json:
        _print_json(result.to_dict())
        return
    lines = []  # in rich's markup, printed at once (one print a line took 15 ms of a fresh search)
    if result.explanation is not None:
        lines.append("How the text was read:")
        for key, value in result.explanation.items():
            lines.append(escape(f"  {key.replace('_', ' ')}: {json.dumps(value, ensure_ascii=False)}"))
    if result.suggestion:
        lines.append(f"Did you mean: [bold]{escape(result.suggestion)}[/bold]?")
    where = f" in {LANGUAGE_NAMES.get(result.language, result.language)}" if result.language else ""
    lines.append(f"{result.total} stor{'y' if result.total == 1 else 'ies'} found{where}")
    if result.more_in_other_languages:
        more = result.more_in_other_languages
        lines.append(f"{more} more in another language: add --language any to include them")
    for hit in result.hits:
        lines.append("")
        if hit.story.content_warnings:
            lines.append(f"[bold red]Content note:[/bold red] {', '.join(hit.story.content_warnings)}")
        title = escape(_safe(hit.story.title))
        lines.append(f"[bold]{title}[/bold]  ({hit.story.id}) · {hit.reading_minutes} min read")
        lines.append(escape(_safe(hit.story.summary)))
        lines.append(escape(_safe(_teller_line(hit))))
        if hit.snippet:
            lines.append("  " + re.sub(r"\*\*(.+?)\*\*", r"[bold]\1[/bold]", escape(_safe(hit.snippet))))
        lines.append(f"Themes: {', '.join(hit.story.themes)}")
    _console().print("\n".join(lines))


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@json_option
@pass_bank
def similar(bank: StoryBank, story_id: str, limit: int, as_json: bool) -> None:
    """Stories like this one ("more like this"), among those shareable today.

    Example: storybank similar back-to-the-kitchen --limit 3
    """
    hits = bank.similar(story_id, limit=limit)
    if as_json:  # the same object as `search --json`, saying which story it is like
        from storybank.search.results import SearchResult

        _print_json({**SearchResult("", len(hits), hits).to_dict(), "similar_to": story_id})
        return
    for hit in hits:
        click.echo(_safe(f"{hit.story.id}  {hit.story.title}  [{', '.join(hit.story.themes)}]"))


def paper_options(command: Callable[..., None]) -> Callable[..., None]:
    """-o, --format and --paper: what every printed paper (handout, consent form, review copy) takes."""
    options = [
        click.option(
            "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
            help="The file to write; its extension (.md, .html, .pdf) gives the format.",
        ),
        click.option(
            "--format", "format_", type=click.Choice(["md", "html", "pdf"]), help="Format (default: from -o)."
        ),
        click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@click.argument("story_ids", metavar="[ID]...", nargs=-1)
@paper_options
@click.option("--max-words", type=click.IntRange(1), help="Shorten each story at a paragraph boundary.")
@click.option(
    "--fit", type=click.Choice(["page"]),
    help="Shorten the story at a sentence boundary until the handout is one page (needs the pdf extra).",
)  # fmt: skip
@click.option("--large-print", is_flag=True, help="Body text in 16 pt, for low vision and older peers.")
@click.option(
    "--without-support", is_flag=True,
    help="Print without the organisation and crisis lines (only when storybank.toml cannot have them).",
)  # fmt: skip
@click.option("--search", "search_text", metavar="TEXT", help="Make a packet of the best matches instead.")
@search_filters
@click.option(
    "--limit", type=click.IntRange(1, 20), default=3, show_default=True,
    help="Stories for a packet (--search, or filters such as --theme).",
)  # fmt: skip
@json_option
@pass_bank
def handout(
    bank: StoryBank,
    story_ids: tuple[str, ...],
    output: Path,
    format_: str | None,
    paper: str,
    max_words: int | None,
    fit: str | None,
    large_print: bool,
    without_support: bool,
    search_text: str | None,
    filters: SearchFilters,
    limit: int,
    as_json: bool,
) -> None:
    """Write a printable handout of one story, or a packet of several, and log it as printed.

    Every story must be agreed for handouts today; if one is not, nothing is written. A packet comes
    from --search TEXT or from filters alone (--theme hope): one language, stories without content
    warnings first. Every handout carries the support lines from storybank.toml.
    Examples: storybank handout back-to-the-kitchen --fit page -o kitchen.pdf;
    storybank handout --theme hope --limit 3 -o packet.pdf
    """
    packet = None
    if story_ids and (search_text is not None or filters != SearchFilters()):
        raise click.UsageError("give story ids, or --search and filters for a packet, not both")
    if not story_ids:
        if search_text is None and filters == SearchFilters():
            raise click.UsageError(
                "name at least one story id, or use --search TEXT or a filter such as --theme"
            )
        packet = bank.packet(search_text or "", filters=filters, limit=limit)
        if not packet.story_ids:
            what = f"matches '{search_text}'" if search_text else "matches"
            raise StorybankError(f"no story agreed for handouts {what} with these filters")
        story_ids = tuple(packet.story_ids)
    made = bank.write_handout(
        story_ids, output, format=format_, paper=paper, max_words=max_words, fit=fit,
        large_print=large_print, without_support=without_support,
    )  # fmt: skip
    summary: dict[str, Any] = {
        "handout_id": made.id,
        "format": str(made.format),
        "stories": [story.id for story in made.content.stories],
        "file": str(output),
    }
    if packet is not None:
        summary |= {"asked": packet.asked, "language": packet.language}
        if packet.short:
            click.echo(
                f"only {len(packet.story_ids)} stor{'y' if len(packet.story_ids) == 1 else 'ies'} agreed for "
                f"handouts matched ({packet.asked} asked)", err=True
            )  # fmt: skip
    if as_json:
        _print_json(summary)
        return
    if packet is not None:  # what was chosen, as a search shows it
        for number, story in enumerate(made.content.stories, 1):
            note = f" · {story.content_note}" if story.content_note else ""
            click.echo(_safe(f"{number}. {story.title} ({story.id}) · {story.byline}{note}"))
    click.echo(
        f"handout {made.id} written to {output} ({len(summary['stories'])} stor"
        f"{'y' if len(summary['stories']) == 1 else 'ies'}: {', '.join(summary['stories'])}); "
        "recorded in the print log"
    )


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from the story files.")
@pass_bank
def index_command(bank: StoryBank, rebuild: bool) -> None:
    """Bring the search index up to date (searches do this by themselves; this shows progress).

    With the semantic extra installed, changed stories are embedded too (the vectors beside the index).

    Example: storybank index --rebuild
    """
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("indexing", total=None)

        def embedding(done: int, total: int) -> None:
            progress.update(task, description="embedding (the semantic layer)", completed=done, total=total)

        report = bank.index(
            rebuild=rebuild,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            embedding_progress=embedding,
        )
    action = "rebuilt" if report.rebuilt else "updated"
    embedded = f", {len(report.embedded)} embedded" if report.embedded else ""
    click.echo(
        f"index {action}: {len(report.indexed)} stor(ies) indexed{embedded}, {len(report.removed)} removed"
    )


# -- consent lifecycle ----------------------------------------------------------------------------

by_option = click.option("--by", metavar="NAME", help="Who makes the change (default: your user name).")
note_option = click.option("--note", metavar="TEXT", help="A short note for the history.")


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option("--on", "on", type=date_type, metavar="DATE", help="The day it was received (default: today).")
@note_option
@by_option
@json_option
@pass_bank
def withdraw(
    bank: StoryBank, story_id: str, on: dt.datetime | None, note: str | None, by: str | None, as_json: bool
) -> None:
    """Withdraw a story at its storyteller's request: at once, everywhere. Lists printed copies to recall.

    Example: storybank withdraw back-to-the-kitchen --note "asked by phone"
    """
    story, recall = bank.withdraw(story_id, on=on.date() if on else None, by=by, note=note)
    if as_json:
        _print_json(
            {
                "id": story.id,
                "withdrawn_on": story.consent.withdrawn_on,
                "recall": [{"handout_id": p.handout_id, "printed_on": p.printed_on} for p in recall.handouts],
                "recall_bundles": [
                    {"bundle_id": b.bundle_id, "exported_on": b.exported_on, "purpose": b.purpose}
                    for b in recall.bundles
                ],
                "damaged_log_lines": recall.damaged,
            }
        )
        return
    click.echo(
        f"withdrew {story.id} on {story.consent.withdrawn_on}: it is no longer shared, printed or exported"
    )
    _echo_recall(recall)


def _echo_recall(recall: Recall) -> None:
    """The recall notice: printed handouts and exported bundles that held the story."""
    for line in recall.damaged:
        click.echo(f"note: {line} is damaged and was skipped: look at it by hand", err=True)
    if not recall.handouts:
        click.echo("no handout with this story is in the print log")
    else:
        count = len(recall.handouts)
        click.echo(f"recall notice: {count} printed handout(s) held this story; ask the copies back:")
        for copy in recall.handouts:
            click.echo(f"  {copy.handout_id}  printed {copy.printed_on}")
    if recall.bundles:
        click.echo(
            f"{len(recall.bundles)} exported bundle(s) held this story; ask the partners to delete it:"
        )
        for bundle in recall.bundles:
            click.echo(f"  {bundle.bundle_id}  exported {bundle.exported_on} for {bundle.purpose}")


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option("--until", type=date_type, metavar="DATE", required=True, help="The new end date of consent.")
@click.option(
    "--purposes",
    multiple=True,
    type=click.Choice([p.value for p in Purpose]),
    help="The purposes agreed now (repeat; default: unchanged).",
)
@click.option(
    "--undo-withdrawal",
    is_flag=True,
    help="The story was withdrawn by mistake and the teller agrees: give consent again.",
)
@note_option
@by_option
@pass_bank
def renew(
    bank: StoryBank,
    story_id: str,
    until: dt.datetime,
    purposes: tuple[str, ...],
    undo_withdrawal: bool,
    note: str | None,
    by: str | None,
) -> None:
    """Renew consent until a date. A withdrawn story only with --undo-withdrawal (a new "given" event).

    Example: storybank renew back-to-the-kitchen --until 2028-01-01 --purposes read --purposes share
    """
    chosen = [Purpose(p) for p in purposes] or None
    story = bank.renew(
        story_id, until=until.date(), purposes=chosen, by=by, note=note, undo_withdrawal=undo_withdrawal
    )
    agreed = ", ".join(story.consent.purposes)
    click.echo(f"renewed {story.id}: consent until {story.consent.expires_on} for {agreed}")


@cli.command()
@click.argument("story_id", metavar="ID")
@json_option
@pass_bank
def history(bank: StoryBank, story_id: str, as_json: bool) -> None:
    """The consent history of a story, oldest first.

    Example: storybank history back-to-the-kitchen --json
    """
    events = bank.history(story_id)
    if as_json:
        _print_json([event.model_dump(mode="json", exclude_none=True) for event in events])
        return
    for event in events:
        details = [
            f"purposes: {', '.join(event.purposes)}" if event.purposes else "",
            f"until {event.until}" if event.until else "",
            f"by {event.by}" if event.by else "",
            event.note or "",
        ]
        click.echo(f"{event.date}  {event.event:<13} {' · '.join(d for d in details if d)}".rstrip())


@cli.command("consent-report")
@json_option
@pass_bank
def consent_report(bank: StoryBank, as_json: bool) -> None:
    """Stories whose consent needs a curator: withdrawn, expired, expiring in 30 days, text not approved.

    Example: storybank consent-report --json
    """
    rows = bank.consent_report()
    counts = bank.impact()  # beside a renewal: how the story was used (counts only; storybank impact)
    if as_json:
        _print_json([{**row.to_dict(), "impact": counts.get(row.id)} for row in rows])
        return
    if not rows:
        click.echo("every story's consent is in order")
    for row in rows:
        used = counts.get(row.id)
        figures = (
            f"  (printed {used['printed']}, helped {used['helped']})"
            if used and row.state == "expiring"
            else ""
        )
        click.echo(f"{row.state:<13} {row.id}  {row.date or ''}  {row.detail}{figures}")


@cli.command()
@click.argument("story_id", metavar="ID")
@note_option
@by_option
@pass_bank
@click.option(
    "--without-approval", is_flag=True,
    help="Publish although the teller has not approved this text (needs --note WHY).",
)  # fmt: skip
def publish(bank: StoryBank, story_id: str, note: str | None, by: str | None, without_approval: bool) -> None:
    """Publish a draft or in-review story; refused while check finds errors, consent is not active, or
    the teller has not approved the text as it is now (storybank approve).

    Example: storybank publish my-new-story --note "checked with the teller"
    """
    story = bank.publish(story_id, by=by, note=note, without_approval=without_approval)
    click.echo(f"published {story.id}")


def _teller_paper_command(kind: str, summary: str, example: str) -> None:
    """`consent-form` and `review-copy`: the same options, a different paper."""

    @cli.command(kind, help=f"{summary}\n\nExample: {example}")
    @click.argument("story_id", metavar="ID")
    @paper_options
    @pass_bank
    def command(bank: StoryBank, story_id: str, output: Path, format_: str | None, paper: str) -> None:
        written = bank.teller_paper(story_id, kind, output, format=format_, paper=paper)
        click.echo(f"{kind} for {story_id} written to {written}")


_teller_paper_command(
    "consent-form",
    "Print the consent form for a story's teller to sign: each purpose in plain words, the dates, the "
    "attribution as it will appear, how to withdraw, the form reference (in the story's language).",
    "storybank consent-form my-new-story -o form.pdf",
)
_teller_paper_command(
    "review-copy",
    "Print the story's exact text for its teller to read before they approve it (storybank approve).",
    "storybank review-copy my-new-story -o copy.pdf",
)
_teller_paper_command(
    "impact-letter",
    "Print a short letter for the story's teller: how many times it was printed, shared and marked helpful "
    "since they gave consent — counts only, nothing about anyone it was shared with.",
    "storybank impact-letter back-to-the-kitchen -o letter.pdf",
)


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option(
    "--how", type=click.Choice(["helped", "relatable", "learned"]), default="helped", show_default=True,
    help="What the person said after the story was shared: it helped, felt like theirs, or taught something.",
)  # fmt: skip
@pass_bank
def helped(bank: StoryBank, story_id: str, how: str) -> None:
    """Count that sharing a story helped (a count, never a record of anyone: the story, the kind, the month).

    Example: storybank helped back-to-the-kitchen --how relatable
    """
    bank.record_impact(story_id, how=how)
    click.echo(f"counted: {story_id} {how} (nothing about the person is kept)")


@cli.command()
@click.option("--since", type=date_type, metavar="DATE", help="Count only from this day (default: ever).")
@json_option
@pass_bank
def impact(bank: StoryBank, since: dt.datetime | None, as_json: bool) -> None:
    """Per story and per theme: times printed and exported, and the helped, relatable and learned counts.

    Example: storybank impact --since 2026-01-01 --json
    """
    counts = bank.impact(since=since.date() if since else None)
    themes = bank.impact_by_theme(counts)
    if as_json:
        _print_json(
            {"since": since.date().isoformat() if since else None, "stories": counts, "themes": themes}
        )
        return
    from rich.table import Table

    from storybank.impact import FIGURES

    table = Table("Story", *(figure.capitalize() for figure in FIGURES), box=None)
    for story_id, row in counts.items():
        table.add_row(story_id, *(str(row[figure]) for figure in FIGURES))
    _console().print(table)


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option(
    "--on", "on", type=date_type, metavar="DATE", help="The day the teller approved it (default: today)."
)
@note_option
@by_option
@pass_bank
def approve(bank: StoryBank, story_id: str, on: dt.datetime | None, note: str | None, by: str | None) -> None:
    """Record that the storyteller approved the story's text as it is now (its date and hash).

    Print the text for them first with storybank review-copy. Editing the text afterwards makes check
    warn and publish refuse until they approve it again.
    Example: storybank approve my-new-story --on 2026-11-30 --by staff-12
    """
    story = bank.approve(story_id, on=on.date() if on else None, by=by, note=note)
    click.echo(f"text of {story.id} approved on {story.consent.text_approved_on}")


@cli.command()
@click.argument("story_id", metavar="ID")
@note_option
@by_option
@pass_bank
def retire(bank: StoryBank, story_id: str, note: str | None, by: str | None) -> None:
    """Retire a story: it stays on file but is used nowhere.

    Example: storybank retire back-to-the-kitchen
    """
    story = bank.retire(story_id, by=by, note=note)
    click.echo(f"retired {story.id}")


@cli.command()
@click.argument("story_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Confirm: the story's text is erased for good.")
@click.option(
    "--reason", default="storyteller asked for erasure", show_default=True, help="Kept in the tombstone."
)
@by_option
@pass_bank
def purge(bank: StoryBank, story_id: str, yes: bool, reason: str, by: str | None) -> None:
    """Erase a story for a storyteller who asks: file and index entry go; a tombstone (no content) stays.

    Example: storybank purge back-to-the-kitchen --yes --reason "asked by letter"
    """
    if not yes:
        raise click.UsageError(f"this erases {story_id} for good: add --yes to confirm")
    purged = bank.purge(story_id, reason=reason, by=by)
    printed = purged.recall.handouts
    click.echo(
        f"purged {story_id}: its file and index entry are gone; log/tombstones.jsonl records the erasure"
    )
    if purged.impact_removed:
        click.echo(f"removed its {purged.impact_removed} anonymous mark(s) from log/impact.jsonl")
    if purged.leftovers_removed:
        click.echo(
            f"also removed {purged.leftovers_removed} temporary copy(ies) of the story left by an "
            "interrupted write"
        )
    for line in purged.recall.damaged:
        click.echo(f"note: {line} is damaged and was skipped: look at it by hand", err=True)
    click.echo("storybank cannot erase:")
    if bank.in_git():
        click.echo(
            "  - earlier versions in git history (the bank is in a git repository): rewrite or purge it there"
        )
    else:
        click.echo("  - copies in any backup or version control of the bank folder")
    click.echo(f"  - printed copies: {len(printed)} handout(s) in the print log" + (":" if printed else ""))
    for copy in printed:
        click.echo(f"      {copy.handout_id}  printed {copy.printed_on}")
    bundles = purged.recall.bundles
    click.echo(
        f"  - bundles exported to partner organisations: {len(bundles)} in the export log"
        + (":" if bundles else "")
    )
    for bundle in bundles:
        click.echo(f"      {bundle.bundle_id}  exported {bundle.exported_on}: ask the partner to delete it")


# -- exchange ----------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--purpose",
    type=click.Choice([p.value for p in Purpose]),
    default="public",
    show_default=True,
    help="public, or research (a named research partner): the purposes that mean leaving the organisation.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_bank
def export(bank: StoryBank, purpose: str, output: Path) -> None:
    """Write a bundle (JSON Lines) of the stories agreed for this purpose today, for a partner.

    Logged in log/exports.jsonl (bundle id, date, purpose, story ids), so a withdrawal names it for recall.

    Example: storybank export --purpose public -o bundle.jsonl
    """
    ids = bank.export(Purpose(purpose), output)
    click.echo(f"exported {len(ids)} stor{'y' if len(ids) == 1 else 'ies'} to {output}")


@cli.command("import")
@click.argument("bundle", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, bundle: Path) -> None:
    """Add a bundle's valid stories, each in review (publish runs the checks); exit 1 if any was refused.

    A .csv or .xlsx sheet (a row a story) or a .docx document comes in as drafts instead, each with what
    it still needs before it can be published (docs/collecting.md). Never replaces a story. A bundle's
    form references and accepted findings are not kept; a story told by someone under 18 is refused
    until a guardian form is held here.

    Example: storybank import bundle.jsonl   (or: storybank import stories.csv)
    """
    from storybank.intake import SUFFIXES

    if bundle.suffix.lower() in SUFFIXES:
        taken = _open_bank(ctx).bring_in(bundle)
        for line in taken.notes:
            click.echo(line, err=True)
        for story_id, where in taken.added.items():
            click.echo(_safe(f"{bundle.name} {where}: draft {story_id}; to publish it still needs: "
                             + "; ".join(taken.missing[story_id])))  # fmt: skip
        for line in taken.refused:
            click.echo(_safe(f"refused {line}"), err=True)
        click.echo(f"imported {len(taken.added)} draft(s), refused {len(taken.refused)}")
        ctx.exit(EXIT_FOUND_ERRORS if taken.refused else 0)
    report = _open_bank(ctx).import_bundle(bundle)
    for line in report.refused:
        click.echo(f"refused {line}", err=True)
    added = len(report.added)
    click.echo(f"imported {added} stor{'y' if added == 1 else 'ies'}, refused {len(report.refused)}")
    ctx.exit(EXIT_FOUND_ERRORS if report.refused else 0)


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Listen here (beyond this machine: set STORYBANK_TOKEN).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--allow-host",
    "host_names",
    multiple=True,
    metavar="NAME",
    help="With a token: also answer to this host name, as browsers send it (repeat; also "
    "$STORYBANK_ALLOWED_HOSTS, comma-separated). Without one, only 127.0.0.1, localhost and [::1].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Server processes, each with its own warm index (default: one per core, at most 4).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, host_names: tuple[str, ...], workers: int | None) -> None:
    """Serve the web page for specialists: search, read and print stories (consent checked each request).

    Answers only to the address it listens on (a page on another site cannot read it by DNS rebinding).

    Example: STORYBANK_TOKEN=a-long-secret storybank serve --host 0.0.0.0 --allow-host stories.example.org
    """
    try:
        import uvicorn  # only this command needs the web server (the `web` extra)

        from storybank.bank import BANK_ENV
        from storybank.web import (
            AS_OF_ENV,
            HOSTS_ENV,
            PORT_ENV,
            TOKEN_ENV,
            check_exposure,
            create_app,
            settle_server_process,
        )
    except ImportError as error:
        raise StorybankError(
            f"the web page needs the web extra ({error.name} is not installed): pip install 'storybank[web]'"
        ) from None

    token = os.environ.get(TOKEN_ENV) or None
    check_exposure(host, token)
    bank = _open_bank(ctx)
    as_of: dt.datetime | None = ctx.find_root().params["as_of"]
    names = [*host_names, *(n.strip() for n in os.environ.get(HOSTS_ENV, "").split(",") if n.strip())]
    if names and not token:
        raise StorybankError(f"--allow-host needs an access token: set {TOKEN_ENV}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        names.append(f"[{host}]" if ":" in host else host)
    workers = workers or default_workers()
    logging.getLogger("storybank.web.access").setLevel(logging.INFO)
    click.echo(
        f"storybank: serving {display(bank.root)} on http://{host}:{port}/ with {workers} "
        f"process{'es' if workers > 1 else ''} (Ctrl+C stops)",
        err=True,
    )
    if workers == 1:
        app = create_app(
            bank.root, as_of=as_of.date() if as_of else None, token=token, port=port, host_names=names
        )
        settle_server_process()
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
        return
    # Several processes: each makes the app from the environment (uvicorn starts them afresh).
    os.environ.update(
        {
            BANK_ENV: str(bank.root.resolve()),
            PORT_ENV: str(port),
            HOSTS_ENV: ",".join(names),
            **({TOKEN_ENV: token} if token else {}),
            **({AS_OF_ENV: as_of.date().isoformat()} if as_of else {}),
        }
    )
    uvicorn.run(
        "storybank.web:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
    )


def default_workers() -> int:
    """One server process per core, at most 4: a search is CPU work under one lock per process, so a
    second process answers while the first is busy; each holds its own warm index in memory
    (docs/performance.md, "The web under load")."""
    return max(1, min(4, os.cpu_count() or 1))


LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    """Story text as it may reach a terminal: control characters (escape sequences) shown as �."""
    return _CONTROL.sub("\ufffd", text)


def _teller_line(hit: Hit) -> str:
    """Who is speaking: "Told by Rosa · 30-39 · she/her · English · matched: 30-39, veterans"."""
    teller = hit.story.storyteller
    parts = [f"Told by {teller.credit(str(hit.story.language))}", teller.age_range, teller.pronouns]
    parts.append(LANGUAGE_NAMES.get(str(hit.story.language), str(hit.story.language)))
    matched = [*hit.matched_teller, *hit.matched_themes]
    if matched:
        parts.append("matched: " + ", ".join(matched))
    return " · ".join(part for part in parts if part)


def _summary(bank: StoryBank, story: Story) -> dict[str, Any]:
    from storybank.consent import consent_state, consent_summary
    from storybank.store import story_path

    return {
        "id": story.id,
        "title": story.title,
        "language": str(story.language),
        "status": str(story.status),
        "themes": list(story.themes),
        "content_warnings": list(story.content_warnings),
        "consent_summary": consent_summary(story.consent, bank.today),
        "consent_state": str(consent_state(story.consent, bank.today)),
        "usable_for": [str(p) for p in bank.usable_purposes(story)],
        "held": bank.hold(story),
        "file": display(story_path(bank.root, story.id)),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning every error into one line and an exit code."""
    logging.basicConfig(format="storybank: %(message)s", level=logging.WARNING)
    try:
        code = cli.main(args=argv, prog_name="storybank", standalone_mode=False)
    except StorybankError as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else "", err=False)
        code = 0
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "storybank"
        message = error.format_message()
        misplaced = next((o for o in GLOBAL_OPTIONS if "No such option" in message and o in message), None)
        if misplaced:
            message += (
                f" ({misplaced} goes before the command: storybank {misplaced} … {command.split()[-1]})"
            )
        _fail(f"{message} (see: {command} --help)", EXIT_BAD_INPUT)
    except click.ClickException as error:
        _fail(error.format_message(), EXIT_BAD_INPUT)
    except click.Abort:
        _fail("aborted", EXIT_FOUND_ERRORS)
    except BrokenPipeError:
        # The reader went away (e.g. `storybank list | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except Exception as error:
        if os.environ.get("STORYBANK_DEBUG"):
            raise
        _fail(
            f"internal error ({type(error).__name__}: {error}); please report it, "
            "or run with STORYBANK_DEBUG=1 to see the details",
            EXIT_INTERNAL,
        )
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The `storybank` command (and `python -m storybank`): `main`, then a prompt exit.

    Before the process ends with `os._exit`, every thread but daemons is joined, what the command wrote
    is flushed and the exit handlers have run (log handlers, temporary folders); what is skipped is the
    interpreter's teardown of every module and memory map, which nothing needs: about 0.1 s of a search
    of 10,000 stories, most of it unmapping the index's files while numpy's thread pool is alive
    (strace). `main` itself ends with SystemExit, so tests can call it in-process. The garbage
    collector is paused until the bank is open (`_collect_from_here`)."""
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as done:  # how main always ends, with a number
        code = done.code if isinstance(done.code, int) else 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone away, a stream closed
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _fail(message: str, code: int) -> None:
    click.echo(f"storybank: {one_line(message)}", err=True)
    sys.exit(code)
