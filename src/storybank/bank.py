"""`StoryBank`: the facade other tools, the CLI and the web app use. Nothing else reaches into modules."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storybank import store
from storybank.checks import consent_findings
from storybank.consent import Decision, may_use
from storybank.errors import BankNotFoundError, ConfigError, ConsentRefusedError, Problem
from storybank.models import Language, Purpose, Story
from storybank.scaffold import new_story_text
from storybank.schema import front_matter_schema
from storybank.settings import Settings, load_settings
from storybank.taxonomy import Taxonomy, default_taxonomy

DEFAULT_BANK = "stories"
BANK_ENV = "STORYBANK_HOME"


@dataclass(frozen=True)
class ThemeCount:
    """How many stories in the bank carry a theme: all of them, and those usable for sharing today."""

    stories: int
    shareable: int


class StoryBank:
    """A bank folder of story files. Every read goes to the files, so an edit counts at once."""

    def __init__(
        self, root: Path, *, settings: Settings, taxonomy: Taxonomy, as_of: dt.date | None = None
    ) -> None:
        self.root = root
        self.settings = settings
        self.taxonomy = taxonomy
        self._as_of = as_of

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
        return may_use(story, purpose, on or self.today)

    # -- curation --------------------------------------------------------------------------------

    def check(self) -> list[Problem]:
        """Every problem in the bank: files that do not load (errors) and consent warnings."""
        scan = self.scan()
        problems = list(scan.problems)
        for story in scan.stories:
            path = store.story_path(self.root, story.id)
            problems.extend(consent_findings(story, store.display(path), self.today))
        return sorted(problems, key=lambda p: (p.file, p.line or 0, p.rule))

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
