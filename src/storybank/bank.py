"""`StoryBank`: the facade other tools, the CLI and the web app use. Nothing else reaches into modules."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from storybank import printlog, store
from storybank.consent import ConsentState, Decision, consent_state, hold_reason, may_use, usable_purposes
from storybank.errors import (
    BankNotFoundError,
    ConfigError,
    ConsentRefusedError,
    Problem,
    Severity,
    StorybankError,
    StoryFileError,
)
from storybank.models import ConsentEvent, Language, Purpose, Status, Story
from storybank.scaffold import new_story_text
from storybank.schema import front_matter_schema
from storybank.search import Hit, SearchFilters, SearchRequest, SearchResult
from storybank.search.backend import Report
from storybank.search.semantic import wanted as semantic_wanted
from storybank.search.service import SearchService
from storybank.search.whoosh import WhooshBackend
from storybank.settings import Settings, load_settings
from storybank.taxonomy import Taxonomy, default_taxonomy

if TYPE_CHECKING:  # handouts, the lifecycle and exchange are imported when first used: a search is
    # a fresh process more often than not, and their libraries (Jinja2, ruamel.yaml…) cost time to load
    from storybank.exchange import ImportReport
    from storybank.handouts import Handout
    from storybank.intake import IntakeReport
    from storybank.lifecycle import Recall, ReportRow
    from storybank.telling import Answers

DEFAULT_BANK = "stories"
BANK_ENV = "STORYBANK_HOME"

log = logging.getLogger("storybank")


@dataclass(frozen=True)
class Purged:
    """What `purge` removed beside the story file, and what is left to ask back."""

    leftovers_removed: int
    recall: Recall
    impact_removed: int = 0  # the story's anonymous marks in log/impact.jsonl


@dataclass(frozen=True)
class ThemeCount:
    """How many stories in the bank carry a theme: all of them, and those usable for sharing today."""

    stories: int
    shareable: int


@dataclass(frozen=True)
class Packet:
    """The stories chosen for a handout packet (`StoryBank.packet`)."""

    story_ids: list[str]
    language: str | None
    asked: int

    @property
    def short(self) -> bool:
        """Fewer stories matched than were asked for."""
        return len(self.story_ids) < self.asked


class StoryBank:
    """A bank folder of story files. Every read goes to the files, so an edit counts at once."""

    def __init__(
        self, root: Path, *, settings: Settings, taxonomy: Taxonomy, as_of: dt.date | None = None
    ) -> None:
        self.root = root
        self.settings = settings
        self.taxonomy = taxonomy
        self._as_of = as_of
        self.phone_regions = settings.privacy.phone_regions
        self._index = WhooshBackend(
            root,
            held=lambda story: hold_reason(story, self.phone_regions) is not None,
            policy_key=",".join(self.phone_regions),
            semantic=semantic_wanted(settings.search.semantic),
        )
        self._search = SearchService(
            self._index,
            taxonomy,
            files=lambda: store.story_entries(self.root),
            load=self._load_or_none,
            served=self._usable_or_none,
            today=lambda: self.today,
        )

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, as_of: dt.date | None = None) -> StoryBank:
        """Open a bank folder: `path`, else $STORYBANK_HOME, else ./stories."""
        root = Path(path if path is not None else os.environ.get(BANK_ENV) or DEFAULT_BANK)
        if not root.is_dir():
            what = "is not a folder" if root.exists() else "does not exist"
            raise BankNotFoundError(f"bank folder {root} {what}: pass --bank DIR or set {BANK_ENV}")
        settings = load_settings(root)
        try:
            taxonomy = default_taxonomy().with_extra_themes(settings.themes.extra)
        except ValueError as error:  # pydantic's ValidationError is a ValueError too
            first_line = str(error).splitlines()[0]
            raise ConfigError(f"{root / 'storybank.toml'}: themes.extra: {first_line}") from None
        return cls(root, settings=settings, taxonomy=taxonomy, as_of=as_of)

    @property
    def today(self) -> dt.date:
        """The date consent is judged on: `as_of` when given, else the machine's local date."""
        return self._as_of or dt.date.today()

    # -- reading ---------------------------------------------------------------------------------

    def get(self, story_id: str, *, purpose: Purpose | None = None) -> Story:
        """The story as its file is now. With `purpose`, raise ConsentRefusedError unless usable."""
        story = store.load_story(self.root, story_id, self.taxonomy)
        if purpose is not None:
            decision = self.may_use(story, purpose)
            if not decision:
                raise ConsentRefusedError(story.id, purpose, decision.reason)
        return story

    def scan(self) -> store.Scan:
        """Every story that loads, and a problem for each file that does not."""
        return store.scan(self.root, self.taxonomy)

    def stories(self) -> list[Story]:
        """Every story that loads (a curation view: consent is not applied here)."""
        return self.scan().stories

    def usable(self, purpose: Purpose) -> list[Story]:
        """The stories that may be used for `purpose` today."""
        return [story for story in self.stories() if self.may_use(story, purpose)]

    def may_use(self, story: Story, purpose: Purpose, on: dt.date | None = None) -> Decision:
        # `now`: `as_of` asks "was it usable then?", but a story is used now, and a withdrawal counts at once.
        return may_use(
            story, purpose, on or self.today, phone_regions=self.phone_regions, now=dt.date.today()
        )

    def usable_purposes(self, story: Story) -> list[Purpose]:
        """Every purpose the story may be used for today (for curation views)."""
        return usable_purposes(story, self.today, phone_regions=self.phone_regions, now=dt.date.today())

    def hold(self, story: Story) -> str | None:
        """Why the story is held back from every use but `read` (a privacy error stands in it), or None."""
        return hold_reason(story, self.phone_regions)

    # -- curation --------------------------------------------------------------------------------

    def check(self, story_ids: Sequence[str] = ()) -> list[Problem]:
        """Every problem in the bank (or in the stories named): files that do not load (errors), findings in
        the stories that do, and a note for each temporary copy a killed write had left (removed now)."""
        problems = self._tidy(story_ids)
        if story_ids:
            scan = store.Scan()
            for story_id in story_ids:
                path = store.story_path(self.root, story_id)
                if not path.is_file():
                    raise store.not_found(self.root, story_id)
                try:
                    scan.stories.append(store.read_story(path, self.taxonomy))
                except StoryFileError as error:
                    scan.problems.extend(error.problems)
        else:
            scan = self.scan()
        problems.extend(scan.problems)
        for story in scan.stories:
            problems.extend(self._findings(story))
        return sorted(problems, key=lambda p: (p.file, p.line or 0, p.rule))

    def _findings(self, story: Story) -> list[Problem]:
        from storybank.checks import story_findings  # curation only: a search never loads the checks

        path = store.story_path(self.root, story.id)
        return story_findings(
            story, store.display(path), store.read_text(path), self.today, phone_regions=self.phone_regions
        )

    def _tidy(self, story_ids: Sequence[str] = ()) -> list[Problem]:
        """Remove what killed writes left (each story's under its lock, so never a write under way)."""
        notes = []
        for path in store.story_paths_with_leftovers(self.root):
            if story_ids and path.stem not in story_ids:
                continue
            with store.story_lock(path):
                removed = store.remove_leftovers(path)
            if removed:
                notes.append(
                    Problem(
                        store.display(path),
                        f"removed {len(removed)} temporary copy(ies) of this story left by an interrupted "
                        "write (the story file itself is whole)",
                        "file.leftover",
                        Severity.WARNING,
                        story=path.stem,
                    )
                )
        return notes

    def theme_counts(self) -> dict[str, ThemeCount]:
        stories = self.stories()
        everything = Counter(theme for story in stories for theme in story.themes)
        shareable = Counter(
            theme for story in stories if self.may_use(story, Purpose.SHARE) for theme in story.themes
        )
        return {
            theme.id: ThemeCount(everything[theme.id], shareable[theme.id]) for theme in self.taxonomy.themes
        }

    def front_matter_schema(self) -> dict[str, Any]:
        """The JSON Schema of a story's front matter, with this bank's vocabularies."""
        return front_matter_schema(self.taxonomy)

    def new_story(self, story_id: str, *, title: str | None = None, language: Language = Language.EN) -> Path:
        """Create a draft story file with every field to fill; refuse an id that exists."""
        return store.create_story_file(
            self.root, story_id, new_story_text(story_id, title=title, language=language)
        )

    def tell(self, answers: Answers) -> tuple[Story, list[Problem]]:
        """Write the draft a guided telling makes (storybank tell), and what check finds in it. The
        draft is shared with nobody until it is approved and published, like any other."""
        from storybank import telling

        story_id = telling.story_id_for(answers, self.today)
        text = telling.draft_text(answers, story_id, self.taxonomy, self.today)
        store.parse_story(text, file=f"{story_id}.md", expected_id=story_id, taxonomy=self.taxonomy)
        path = store.create_story_file(self.root, story_id, text)
        story = store.read_story(path, self.taxonomy)
        return story, self._findings(story)

    def save_partial_telling(self, answered: dict[str, Any]) -> Path:
        """Keep what was answered of an interrupted telling, to continue it with `tell --answers`."""
        import yaml

        folder = self.root / TELLINGS_DIR
        folder.mkdir(exist_ok=True)
        path = folder / f"partial-{dt.datetime.now():%Y%m%d-%H%M%S}.yaml"
        text = yaml.safe_dump(answered, sort_keys=False, allow_unicode=True)
        store.atomic_write(path, text, overwrite=False)
        return path

    # -- handouts --------------------------------------------------------------------------------

    def handout(
        self,
        story_ids: Sequence[str],
        *,
        format: str = "html",
        paper: str = "a4",
        max_words: int | None = None,
        handout_id: str | None = None,
        fit: str | None = None,
        large_print: bool = False,
        without_support: bool = False,
    ) -> Handout:
        """Render a handout of these stories (one, or a packet) in memory; nothing is written or logged.

        Every story must be usable for `handout` today, else ConsentRefusedError names it and why. The
        bank's `storybank.toml` must give the organisation's contact and crisis lines, else
        SupportMissingError (unless `without_support`). `fit="page"` shortens a one-story handout at a
        sentence boundary until it prints on one page; `large_print` sets the body in 16 pt.
        """
        ids = list(story_ids)
        if not ids:
            raise StorybankError("a handout needs at least one story id")
        repeated = sorted({story_id for story_id in ids if ids.count(story_id) > 1})
        if repeated:
            raise StorybankError(f"story '{repeated[0]}' is listed twice: name each story once")
        if max_words is not None and max_words < 1:
            raise StorybankError(f"--max-words must be at least 1 (got {max_words})")
        stories = [self.get(story_id, purpose=Purpose.HANDOUT) for story_id in ids]
        from storybank.handouts import Fit, Format, Paper, render_handout

        return render_handout(
            stories,
            bank_root=self.root,
            settings=self.settings,
            taxonomy=self.taxonomy,
            printed_on=self.today,
            format=_choice(Format, format, "format"),
            paper=_choice(Paper, paper, "paper size"),
            max_words=max_words,
            handout_id=handout_id,
            fit=_choice(Fit, fit, "fit") if fit else None,
            large_print=large_print,
            support=not without_support,
        )

    def write_handout(
        self,
        story_ids: Sequence[str],
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        paper: str = "a4",
        max_words: int | None = None,
        fit: str | None = None,
        large_print: bool = False,
        without_support: bool = False,
    ) -> Handout:
        """Render a handout, record it in the print log, then write the whole file (never half of one).

        The format comes from `format`, else from the file's extension (.md, .html, .pdf); the other
        options are `handout`'s.
        """
        target = _output(path)
        chosen = format or _format_of(target)
        handout = self.handout(
            story_ids,
            format=chosen,
            paper=paper,
            max_words=max_words,
            fit=fit,
            large_print=large_print,
            without_support=without_support,
        )
        self.record_print(handout)
        store.atomic_write(target, handout.data, overwrite=True)
        return handout

    def teller_paper(
        self, story_id: str, kind: str, path: str | os.PathLike[str], *, format: str | None = None,
        paper: str = "a4",
    ) -> Path:  # fmt: skip
        """Write a paper for the story's teller: `kind` "consent-form" (what they agree to, to sign),
        "review-copy" (the exact text, to approve) or "impact-letter" (how often it was printed, shared and
        marked helpful: counts only). From the story's file as it is now, in its language;
        written whole, never logged as a print (it is not a handout). The review copy, which holds the
        text, needs `read` consent (ConsentRefusedError otherwise), as `show` does."""
        from storybank.handouts import Format, Paper
        from storybank.handouts.teller import consent_form, impact_letter, review_copy

        def letter(story: Story, **options: Any) -> Any:  # the counts, from the logs, since consent was given
            return impact_letter(
                story, counts=self.impact(since=story.consent.given_on).get(story.id), **options
            )

        papers: dict[str, Callable[..., Any]] = {
            "consent-form": consent_form, "review-copy": review_copy, "impact-letter": letter,
        }  # fmt: skip
        if kind not in papers:
            raise StorybankError(f"unknown paper '{kind}' (choose from: {', '.join(papers)})")
        target = _output(path)
        # The review copy holds the story's text: like `show`, only while its teller agrees to it being read.
        story = self.get(story_id, purpose=Purpose.READ if kind == "review-copy" else None)
        made = papers[kind](
            story, settings=self.settings, bank_root=self.root,
            format=_choice(Format, format or _format_of(target), "format"),
            paper=_choice(Paper, paper, "paper size"),
        )  # fmt: skip
        store.atomic_write(target, made.data, overwrite=True)
        return target

    def record_print(self, handout: Handout) -> None:
        """Log a handout as printed (story ids, consent dates, handout id; never a file name or reader).

        Consent is checked once more at this edge, so a story withdrawn while it rendered is refused.
        """
        for story in handout.content.stories:
            self.get(story.id, purpose=Purpose.HANDOUT)
        printlog.append(self.root, handout.print_record(dt.datetime.now(dt.UTC)))

    # -- consent lifecycle -------------------------------------------------------------------------

    def withdraw(
        self, story_id: str, *, on: dt.date | None = None, by: str | None = None, note: str | None = None
    ) -> tuple[Story, Recall]:
        """Record a withdrawal (today, or a past day it was received); return the story as written and
        what to recall: every handout printed and every bundle exported with it."""
        from storybank import lifecycle

        story = self._changed(
            lifecycle.withdraw(
                self._path(story_id), self.taxonomy, on=on or self.today, today=self.today, by=_who(by),
                note=note,
            )
        )  # fmt: skip
        return story, lifecycle.recall_list(self.root, story_id)

    def renew(
        self,
        story_id: str,
        *,
        until: dt.date,
        purposes: Sequence[Purpose] | None = None,
        by: str | None = None,
        note: str | None = None,
        undo_withdrawal: bool = False,
    ) -> Story:
        """Extend consent to `until` (optionally with new purposes). A withdrawn story is refused unless
        `undo_withdrawal` (a withdrawal made by mistake, the teller agreeing): a withdrawal wins any race."""
        from storybank import lifecycle

        return self._changed(
            lifecycle.renew(
                self._path(story_id),
                self.taxonomy,
                until=until,
                purposes=list(purposes) if purposes else None,
                today=self.today,
                by=_who(by),
                note=note,
                undo_withdrawal=undo_withdrawal,
            )
        )

    def history(self, story_id: str) -> list[ConsentEvent]:
        return list(self.get(story_id).consent.history)

    def consent_report(self) -> list[ReportRow]:
        """Stories that need a curator: withdrawn, expired, expiring within 30 days, unapproved, held."""
        from storybank import lifecycle

        stories = self.stories()
        held = {story.id: reason for story in stories if (reason := self._hold_in_use(story))}
        return lifecycle.consent_report(stories, self.today, held=held)

    def _hold_in_use(self, story: Story) -> str | None:
        # A hold is news for a published story (a draft's privacy errors are the curator's work in hand).
        return self.hold(story) if story.status == Status.PUBLISHED else None

    def publish(
        self, story_id: str, *, by: str | None = None, note: str | None = None, without_approval: bool = False
    ) -> Story:
        """Move a draft or in-review story to published: the one way to `published`. Refused while check
        finds errors in it, its consent is not active, or the teller has not approved its text as it is
        now (`approve`) — unless `without_approval`, which needs a `note` saying why (decided on the file
        as it is, under its lock)."""
        from storybank import lifecycle

        if without_approval and not (note and note.strip()):
            raise StorybankError("--without-approval needs --note WHY (it is kept in the story's history)")

        def refusal(story: Story) -> str | None:
            errors = [str(p) for p in self._findings(story) if p.severity is Severity.ERROR]
            return lifecycle.publish_refusal(story, errors, self.today, without_approval=without_approval)

        return self._changed(
            lifecycle.move(
                self._path(story_id), self.taxonomy, to=Status.PUBLISHED, kind="published", today=self.today,
                by=_who(by), note=note, refusal=refusal,
            )
        )  # fmt: skip

    def approve(
        self, story_id: str, *, on: dt.date | None = None, by: str | None = None, note: str | None = None
    ) -> Story:
        """Record that the storyteller approved the story's text as it is now (on `on`, default today):
        the date, the text's hash and a history event. Editing the text afterwards makes `check` warn and
        `publish` refuse until it is approved again."""
        from storybank import lifecycle

        return self._changed(
            lifecycle.approve(
                self._path(story_id), self.taxonomy, on=on or self.today, today=self.today, by=_who(by),
                note=note,
            )
        )  # fmt: skip

    def retire(self, story_id: str, *, by: str | None = None, note: str | None = None) -> Story:
        """Take a story out of use for good (it stays on file; `purge` erases it)."""
        from storybank import lifecycle

        def refusal(story: Story) -> str | None:
            return f"story '{story_id}' is already retired" if story.status == Status.RETIRED else None

        return self._changed(
            lifecycle.move(
                self._path(story_id), self.taxonomy, to=Status.RETIRED, kind="retired", today=self.today,
                by=_who(by), note=note, refusal=refusal,
            )
        )  # fmt: skip

    def purge(self, story_id: str, *, reason: str, by: str | None = None) -> Purged:
        """Erase a story: its file, any temporary copies a killed write left, and its index entry go (the
        index is merged, so no text stays in its files), and a line without content is added to
        log/tombstones.jsonl. Returns what was removed and what storybank cannot erase: the handouts
        printed with it and the bundles exported with it (and git history, which the caller checks)."""
        from storybank import lifecycle

        path = self._path(story_id)
        with store.story_lock(path):
            story = store.read_story(path, self.taxonomy)
            lifecycle.tombstone(self.root, story, today=self.today, reason=reason, by=_who(by))
            path.unlink()
            leftovers = store.remove_leftovers(path)
        from storybank import impact

        marks = impact.erase(self.root, story_id)
        self._index.close()
        self.index()
        return Purged(len(leftovers), lifecycle.recall_list(self.root, story_id), marks)

    def record_impact(self, story_id: str, *, how: str = "helped") -> dict[str, str]:
        """Count that sharing a story helped, felt relatable or taught something: the story, the kind and
        the month are stored, nothing about anyone (docs/consent.md). Only a story usable for sharing or
        handouts today can be marked; a withdrawn one keeps its past counts."""
        from storybank import impact

        kind = _choice(impact.Kind, how, "kind of mark")
        story = self.get(story_id)
        shared = self.may_use(story, Purpose.SHARE)
        if not (shared or self.may_use(story, Purpose.HANDOUT)):  # the policy decides; the words follow it
            if consent_state(story.consent, self.today) is ConsentState.WITHDRAWN:
                raise StorybankError(
                    f"story '{story.id}' cannot be marked again: {shared.reason} (its past counts are kept "
                    "for the teller's letter)"
                )
            raise ConsentRefusedError(story.id, Purpose.SHARE, shared.reason)
        return impact.record(self.root, story.id, kind, self.today)

    def impact(self, *, since: dt.date | None = None) -> dict[str, dict[str, int]]:
        """Per story: times printed and exported (from their logs) and the marks, since a date (default:
        ever). Stories that were never printed, exported or marked are left out."""
        from storybank import exchange, impact

        first = since or dt.date.min
        found: dict[str, impact.StoryImpact] = {}
        for _, entry in printlog.read(self.root).records:
            if _on_or_after(entry.get("printed_on"), first):
                for listed in entry.get("stories") or []:
                    if isinstance(listed, dict) and isinstance(listed.get("id"), str):
                        found.setdefault(listed["id"], impact.StoryImpact()).printed += 1
        for _, entry in exchange.export_log(self.root).records:
            if _on_or_after(entry.get("exported_on"), first):
                for story_id in entry.get("stories") or []:
                    if isinstance(story_id, str):
                        found.setdefault(story_id, impact.StoryImpact()).exported += 1
        for story_id, counts in impact.marks(self.root, since=since).items():
            found.setdefault(story_id, impact.StoryImpact()).marks.update(counts)
        return {story_id: found[story_id].to_dict() for story_id in sorted(found)}

    def impact_by_theme(self, counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        """The same figures summed over each theme of the stories that still load."""
        themes: dict[str, dict[str, int]] = {}
        for story in self.stories():
            for theme in story.themes:
                for key, value in counts.get(story.id, {}).items():
                    themes.setdefault(theme, {}).setdefault(key, 0)
                    themes[theme][key] += value
        return dict(sorted(themes.items()))

    def in_git(self) -> bool:
        from storybank import lifecycle

        return lifecycle.in_git(self.root)

    def _changed(self, story: Story) -> Story:
        """After this process wrote a story: the next search looks at the files first, so its totals and
        theme counts agree with what it serves at once."""
        self._index.expire()
        return story

    # -- exchange ----------------------------------------------------------------------------------

    def export(self, purpose: Purpose, path: str | os.PathLike[str]) -> list[str]:
        """Write a bundle of the stories usable for `purpose` today, for a partner organisation; return
        their ids. Only purposes that mean leaving the organisation are taken (`public`, `research`);
        every bundle is logged (log/exports.jsonl: bundle id, date, purpose, ids) for recall."""
        from storybank import exchange

        refusal = exchange.export_refusal(purpose)
        if refusal:
            raise StorybankError(refusal)
        target = Path(path)
        if not target.parent.is_dir():
            raise StorybankError(f"cannot write {target}: the folder {target.parent} does not exist")
        if target.is_dir():
            raise StorybankError(f"cannot write {target}: it is a folder; give a file name")
        stories = self.usable(purpose)
        bundle_id = exchange.new_bundle_id(self.today)
        text = exchange.bundle_text(stories, self.settings.organization.name, bundle_id)
        for story in stories:  # once more at the edge, as for a print
            self.get(story.id, purpose=purpose)
        ids = [story.id for story in stories]
        exchange.log_export(self.root, bundle_id=bundle_id, purpose=purpose, on=self.today, ids=ids)
        store.atomic_write(target, text, overwrite=True)
        return ids

    def import_bundle(self, path: str | os.PathLike[str]) -> ImportReport:
        """Add a bundle's valid stories that do not exist here, each as `in-review` (publish them with
        `publish`, which runs the checks); report each refused record by line."""
        from storybank import exchange

        report = exchange.import_bundle(Path(path), self.root, self.taxonomy, today=self.today)
        self._index.expire()
        return report

    def bring_in(self, path: str | os.PathLike[str]) -> IntakeReport:
        """Drafts from a spreadsheet (.csv, .xlsx: a row a story) or a Word document (.docx), never
        published; the report says per row what was added, what publishing still needs, what was
        refused and why."""
        from storybank import intake

        source = Path(path)
        if not source.is_file():
            raise StorybankError(f"cannot read {source}: no such file")
        report = intake.bring_in(source, self.root, self.taxonomy, today=self.today)
        self._index.expire()
        return report

    # -- search ----------------------------------------------------------------------------------

    def index(
        self,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        embedding_progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """Bring the search index up to date (only changed stories), or rebuild it from the files.

        `progress(done, total)` follows the stories indexed; `embedding_progress` the stories embedded,
        when the semantic layer is on (`report.embedded` lists them)."""
        return self._search.index(rebuild=rebuild, progress=progress, embedding_progress=embedding_progress)

    def search(
        self,
        text: str = "",
        *,
        filters: SearchFilters | None = None,
        themes: Sequence[str] = (),
        any_theme: bool = False,
        exclude_warnings: Sequence[str] = (),
        language: str | None = None,
        limit: int = 10,
        offset: int = 0,
        facets: bool = True,
        fuzzy: bool = True,
        purpose: Purpose = Purpose.SHARE,
        explain: bool = False,
    ) -> SearchResult:
        """Stories usable for sharing today that match, best first; every hit re-checked at its file.

        `filters` (a SearchFilters, as the CLI and the web pass it) or the separate filter arguments.
        With `fuzzy` (the default), a word no story knows (as typed or in any form) is searched with its
        suggested correction added; `suggestion` shows the corrected text. `facets=False` skips
        counting the themes of all matches. `purpose=Purpose.HANDOUT` finds stories to print instead.
        `explain=True` adds how the text was read (`result.explanation`).
        """
        chosen = filters or SearchFilters(tuple(themes), any_theme, tuple(exclude_warnings), language)
        return self.find(SearchRequest(text, chosen, limit, offset, facets, fuzzy, purpose, explain))

    def find(self, request: SearchRequest) -> SearchResult:
        """`search` with the whole request as one object."""
        return self._search.search(request)

    def packet(self, text: str = "", *, filters: SearchFilters | None = None, limit: int = 3) -> Packet:
        """The stories for a handout packet: the best `limit` matches agreed for handouts, in one
        language (the query's, the `language` filter's, else the best match's), put in order with the
        stories without content warnings first and those about suicide or self-harm last. With no text,
        the filters choose (a theme: stories that put it first are the best)."""
        chosen = filters or SearchFilters()
        wide = max(limit * 4, 20)  # enough to fill the packet after the language is chosen
        result = self.find(SearchRequest(text, chosen, wide, facets=False, purpose=Purpose.HANDOUT))
        language = result.language or (str(result.hits[0].story.language) if result.hits else None)
        hits = [hit for hit in result.hits if language is None or str(hit.story.language) == language]
        if not text.strip() and chosen.themes:
            first = chosen.themes[0]
            hits.sort(key=lambda hit: hit.story.themes.index(first) if first in hit.story.themes else 99)
        best = hits[:limit]
        best.sort(key=lambda hit: _gentleness(hit.story))  # stable: the ranking stays within each step
        return Packet([hit.story.id for hit in best], language, limit)

    def similar(self, story_id: str, *, limit: int = 5) -> list[Hit]:
        """Stories like this one ("more like this"), usable for sharing today."""
        self.get(story_id, purpose=Purpose.SHARE)
        return self._search.similar(story_id, limit=limit)

    def watch(self, *, wait: float = 0.0) -> bool:
        """Learn of other processes' changes to the story files from file-system events from now on,
        instead of checking every file once a second (docs/search.md, "Fresh before a search"). A server
        calls this as it starts; a bank kept open starts it by itself at its second search. Waits up to
        `wait` seconds for the watch to run; False if it does not (yet): the timed check stands in."""
        watch = self._index.watch()
        if watch is None:
            return False
        return watch.wait_ready(wait) if wait > 0 else watch.trusted

    def close(self) -> None:
        """Close the index files a search keeps open, and stop watching the files (a later search opens
        them again)."""
        self._index.close()

    def __enter__(self) -> StoryBank:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _usable_or_none(self, story_id: str, purpose: Purpose) -> Story | None:
        try:
            return self.get(story_id, purpose=purpose)
        except StorybankError:
            return None

    def _path(self, story_id: str) -> Path:
        self.get(story_id)  # an unknown or broken story stops here, with its one-line error
        return store.story_path(self.root, story_id)

    def _load_or_none(self, path: Path) -> Story | None:
        try:
            return store.read_story(path, self.taxonomy)
        except StorybankError:
            return None


def _who(by: str | None) -> str:
    """Who makes a change: as given, else the operating-system user."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


_Choice = TypeVar("_Choice", bound=StrEnum)


TELLINGS_DIR = "tellings"  # interrupted tellings, kept to be continued (not story files: never loaded)

# Safe-messaging practice: a packet does not open with a story about suicide or self-harm.
LAST_IN_A_PACKET = frozenset({"suicide", "self-harm"})


def _gentleness(story: Story) -> int:
    """A packet's order: stories without content warnings, then with others, then suicide or self-harm."""
    if not story.content_warnings:
        return 0
    return 2 if LAST_IN_A_PACKET.intersection(story.content_warnings) else 1


def _output(path: str | os.PathLike[str]) -> Path:
    """A file a command writes (a handout, a paper for a teller), refused before any work if it cannot be."""
    target = Path(path)
    if not target.parent.is_dir():
        raise StorybankError(f"cannot write {target}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise StorybankError(f"cannot write {target}: it is a folder; give a file name")
    return target


def _on_or_after(day: object, first: dt.date) -> bool:
    """Whether a log's ISO date is on or after `first` (a record with no readable date counts)."""
    try:
        return dt.date.fromisoformat(str(day)) >= first
    except ValueError:
        return first == dt.date.min


def _choice(kind: type[_Choice], value: str, what: str) -> _Choice:
    try:
        return kind(value.lower())
    except ValueError:
        raise StorybankError(
            f"unknown {what} '{value}' (choose from: {', '.join(member.value for member in kind)})"
        ) from None


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    known = {"md": "md", "markdown": "md", "html": "html", "htm": "html", "pdf": "pdf"}
    if suffix not in known:
        raise StorybankError(
            f"cannot tell the handout format from '{path.name}': end the name in .md, .html or .pdf, "
            "or pass --format"
        )
    return known[suffix]
