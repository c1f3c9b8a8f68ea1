"""Read and write story files in a bank folder.

One bad file never hides the others: `scan` returns every story it could load and a `Problem` for each
file it could not, naming the file, the line, the field and what to do. Writes are atomic.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import stat
import tempfile
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from storybank import frontmatter
from storybank.errors import (
    InvalidStoryIdError,
    Problem,
    StorybankError,
    StoryExistsError,
    StoryFileError,
    StoryNotFoundError,
    one_line,
    quote,
)
from storybank.locking import locked
from storybank.models import RESERVED_IDS, Story
from storybank.taxonomy import SLUG_PATTERN, Taxonomy, closest

MAX_FILE_BYTES = 1_000_000
CACHE_DIR = ".storybank"  # the bank's own working files: the index and the story locks
LOCK_TIMEOUT_SECONDS = 10.0
_SLUG = re.compile(SLUG_PATTERN)


@dataclass
class Scan:
    """What loading a bank folder found: the stories that loaded, and every problem."""

    stories: list[Story] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def is_story_id(value: str) -> bool:
    return 3 <= len(value) <= 80 and _SLUG.fullmatch(value) is not None and value not in RESERVED_IDS


def story_path(folder: Path, story_id: str) -> Path:
    """The file of a story; an id that is not a slug (and so could escape the folder) is refused."""
    if not is_story_id(story_id):
        raise InvalidStoryIdError(
            f"'{story_id}' is not a story id: use lowercase letters, digits and hyphens "
            "(3 to 80 characters, not 'readme'), like back-to-the-kitchen"
        )
    return folder / f"{story_id}.md"


def _not_a_story(name: str) -> bool:
    """README.md (any case) and hidden files: every command leaves them alone alike."""
    return name.startswith(".") or name[:-3].lower() in RESERVED_IDS


def is_story_file_name(name: str) -> bool:
    """A name that `story_entries` lists: `<story id>.md`, not README.md, not hidden (a story id starts
    with a letter or digit, and "readme" is reserved). The freshness check tests every name in the
    folder, so this is the id test alone (7 ms at 10,000 names; testing hidden and README first was 25)."""
    return name.endswith(".md") and is_story_id(name[:-3])


def story_files(folder: Path) -> list[Path]:
    """Every story file directly in the folder (README.md and hidden files are not stories)."""
    return sorted(path for path in folder.glob("*.md") if not _not_a_story(path.name))


def story_entries(folder: Path) -> dict[str, os.DirEntry[str]]:
    """The story files whose names are story ids, by id: one directory read, no sorting (the index's
    freshness check runs this on every search, so it has to be cheap on 50,000 files)."""
    entries = {}
    with os.scandir(folder) as found:
        for entry in found:
            name = entry.name
            if not is_story_file_name(name):
                continue
            try:
                regular = entry.is_file()
            except OSError:  # a link that loops or points nowhere: `scan` reports it
                continue
            if regular:
                entries[name[:-3]] = entry
    return entries


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def scan(folder: Path, taxonomy: Taxonomy) -> Scan:
    result = Scan()
    for path in story_files(folder):
        result.files += 1
        try:
            result.stories.append(read_story(path, taxonomy))
        except StoryFileError as error:
            result.problems.extend(error.problems)
    return result


def load_story(folder: Path, story_id: str, taxonomy: Taxonomy) -> Story:
    path = story_path(folder, story_id)
    if not path.is_file():
        raise not_found(folder, story_id)
    return read_story(path, taxonomy)


def not_found(folder: Path, story_id: str) -> StoryNotFoundError:
    """The error for an id with no file, naming the bank's closest id when one is near (a typo)."""
    hint = _closest_id(folder, story_id)
    return StoryNotFoundError(f"no story '{story_id}' in {display(folder)} ({story_id}.md not found){hint}")


def _closest_id(folder: Path, story_id: str) -> str:
    """ "; did you mean 'x'?" for the bank's closest story id to a mistyped one, else ""."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    found = process.extractOne(story_id, list(story_entries(folder)), scorer=Levenshtein.normalized_distance,
                               score_cutoff=0.34)  # fmt: skip
    return f"; did you mean '{found[0]}'?" if found else ""


def read_text(path: Path) -> str:
    """A story file's text, normalised as stories are parsed (BOM and CRLF removed)."""
    return frontmatter.normalise(path.read_bytes().decode("utf-8"))


def read_story(path: Path, taxonomy: Taxonomy) -> Story:
    """Load one story file, or raise StoryFileError with every problem found in it.

    Nothing else ever escapes: whatever a hostile or broken file makes go wrong is that file's problem.
    """
    return read_story_and_text(path, taxonomy)[0]


def read_story_and_text(path: Path, taxonomy: Taxonomy) -> tuple[Story, str]:
    """`read_story`, with the (normalised) text it was parsed from: one read of the file for both."""
    name = display(path)
    try:
        problem = _file_problem(path, name)
        if problem is not None:
            raise StoryFileError([problem])
        text = frontmatter.normalise(path.read_bytes().decode("utf-8"))
        return _parse_remembered(text, name, path.stem, taxonomy), text
    except StoryFileError:
        raise
    except UnicodeDecodeError:
        raise StoryFileError(
            [Problem(name, "is not UTF-8 text: save it as UTF-8", "file.encoding", story=path.stem)]
        ) from None
    except OSError as error:
        raise StoryFileError(
            [Problem(name, f"cannot be read: {error.strerror}", "file.read", story=path.stem)]
        ) from None
    except Exception as error:  # a bug's way in must not take the bank down with it
        reason = " ".join(str(error).split())[:120]
        raise StoryFileError(
            [
                Problem(
                    name,
                    f"cannot be loaded ({type(error).__name__}: {reason}): fix or remove the file",
                    "file.unreadable",
                    story=path.stem,
                )
            ]
        ) from None


_REMEMBERED: collections.OrderedDict[tuple[str, str], tuple[Taxonomy, Story]] = collections.OrderedDict()
_REMEMBER_AT_MOST = 1024


def _parse_remembered(text: str, file: str, expected_id: str, taxonomy: Taxonomy) -> Story:
    # Keyed by the file's whole text, so a story is parsed again the moment one byte of it changes;
    # searches re-read every hit from its file, and this keeps that cheap.
    key = (file, text)
    remembered = _REMEMBERED.get(key)
    if remembered is not None and remembered[0] is taxonomy and remembered[1].id == expected_id:
        _REMEMBERED.move_to_end(key)
        return remembered[1]
    story = parse_story(text, file=file, expected_id=expected_id, taxonomy=taxonomy)
    _REMEMBERED[key] = (taxonomy, story)
    if len(_REMEMBERED) > _REMEMBER_AT_MOST:
        _REMEMBERED.popitem(last=False)
    return story


def parse_story(text: str, *, file: str, expected_id: str | None, taxonomy: Taxonomy) -> Story:
    """Parse a story's normalised text; `file` names it in problems."""
    try:
        parts = frontmatter.split(text)
        data = frontmatter.parse_yaml(parts.yaml_text)
    except frontmatter.FrontMatterError as error:
        raise StoryFileError(
            [Problem(file, str(error), error.rule, line=error.line, story=expected_id)]
        ) from None
    if not isinstance(data, dict):
        raise StoryFileError(
            [
                Problem(
                    file,
                    "the front matter must be fields (key: value lines)",
                    "front-matter.yaml",
                    line=2,
                )
            ]
        )
    problems: list[Problem] = []
    story_id = data.get("id") if isinstance(data.get("id"), str) else expected_id
    if expected_id is not None and data.get("id") != expected_id:
        problems.append(
            Problem(
                file,
                f"the id {quote(data.get('id'))} must equal the file name ({expected_id}.md): "
                "rename the file or fix the id",
                "story.id",
                line=frontmatter.line_of(parts.yaml_text, ("id",)),
                field="id",
                story=story_id,
            )
        )
    if "body" in data:
        problems.append(
            Problem(
                file,
                "unknown field 'body': the text goes below the closing '---'",
                "front-matter.field",
                line=frontmatter.line_of(parts.yaml_text, ("body",)),
                field="body",
                story=story_id,
            )
        )
        del data["body"]
    try:
        story = Story.model_validate({**data, "body": parts.body}, context={"taxonomy": taxonomy})
    except ValidationError as error:
        problems.extend(_field_problem(details, file, parts, story_id) for details in error.errors())
        raise StoryFileError(problems) from None
    if problems:
        raise StoryFileError(problems)
    return story


def create_story_file(folder: Path, story_id: str, text: str) -> Path:
    """Write a new story file atomically; refuse if a story with this id already exists."""
    path = story_path(folder, story_id)
    with story_lock(path):
        atomic_write(path, text, overwrite=False)
    return path


def atomic_write(path: Path, content: str | bytes, *, overwrite: bool) -> None:
    """Write the whole content or nothing: a temp file in the same folder, then rename (or link).

    A file that is replaced keeps its mode (a curator's 0600 story stays 0600); a new one follows the
    umask, as any other program's new file would.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, _mode_for(path))
        if overwrite:
            os.replace(temp_name, path)
        else:
            try:
                os.link(temp_name, path)  # fails if the file exists, even if created a moment ago
            except FileExistsError:
                raise StoryExistsError(
                    f"{display(path)} already exists: choose another id (nothing was written)"
                ) from None
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


TEMP_SUFFIX = ".tmp"


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # reading the umask means setting it: put it straight back
        os.umask(umask)
        return 0o666 & ~umask


def leftovers(path: Path) -> list[Path]:
    """Temporary copies of this file that a killed write left behind (`.ID.md.*.tmp`)."""
    return sorted(path.parent.glob(f".{glob_escape(path.name)}.*{TEMP_SUFFIX}"))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def story_paths_with_leftovers(folder: Path) -> list[Path]:
    """The story files (existing or not) that have temporary copies left in the folder."""
    paths = set()
    for leftover in folder.glob(f".*.md.*{TEMP_SUFFIX}"):
        story_id = leftover.name[1:].split(".md.", 1)[0]
        if is_story_id(story_id):
            paths.add(folder / f"{story_id}.md")
    return sorted(paths)


def remove_leftovers(path: Path) -> list[Path]:
    """Remove this story's leftover temporary copies; call it holding the story's lock, so no write
    of this story is under way whose temporary file this could be."""
    removed = []
    for leftover in leftovers(path):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed.append(leftover)
    return removed


@contextlib.contextmanager
def story_lock(path: Path) -> Iterator[None]:
    """Hold this story's lock: every change to a story file happens inside one, from read to rename.

    The lock file lives in the bank's `.storybank/locks/` (filelock: works on every platform).
    """
    locks = path.parent / CACHE_DIR / "locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / CACHE_DIR / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
    except OSError as error:
        raise StorybankError(f"cannot lock {display(path)}: {locks}: {error.strerror}") from None

    def busy() -> StorybankError:
        return StorybankError(
            f"{display(path)} is being changed by another storybank process for over "
            f"{LOCK_TIMEOUT_SECONDS:.0f} s: try again in a moment"
        )

    with locked(locks / f"{path.stem}.lock", LOCK_TIMEOUT_SECONDS, busy):
        yield


def _file_problem(path: Path, name: str) -> Problem | None:
    if not is_story_id(path.stem):
        return Problem(
            name,
            "the file name is not a story id: rename it to lowercase letters, digits and hyphens "
            "(3 to 80 characters) followed by .md",
            "file.name",
        )
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return Problem(name, f"cannot be read: {error.strerror}", "file.read", story=path.stem)
    if not stat.S_ISREG(mode):  # a folder, a FIFO (reading one would wait for ever), a device
        return Problem(
            name, "is not a regular file: a story is a plain text file", "file.kind", story=path.stem
        )
    if path.is_symlink() and path.resolve().parent != path.parent.resolve():
        return Problem(
            name,
            "is a link to a file outside the bank: copy the story in instead",
            "file.link",
            story=path.stem,
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return Problem(
            name,
            f"is {size:,} bytes; story files are limited to 1 MB ({MAX_FILE_BYTES:,} bytes): "
            "is this really a story?",
            "file.too-large",
            story=path.stem,
        )
    return None


def _field_problem(
    details: ErrorDetails, file: str, parts: frontmatter.SplitFile, story_id: str | None
) -> Problem:
    loc: tuple[str | int, ...] = tuple(details["loc"])
    context = details.get("ctx") or {}
    if "field" in context:
        loc = tuple(str(context["field"]).split("."))
    message, suggestion = _explain(details, loc)
    if loc and loc[0] == "body":
        line: int | None = parts.body_line
    else:
        line = frontmatter.line_of(parts.yaml_text, loc)
    return Problem(
        file,
        message,
        "front-matter.field" if loc[:1] != ("body",) else "story.body",
        line=line,
        field=_dotted(loc) or None,
        story=story_id,
        suggestion=suggestion,
    )


def _explain(details: ErrorDetails, loc: tuple[str | int, ...]) -> tuple[str, str | None]:
    kind = details["type"]
    if kind == "value_error":
        return str(details["msg"]).removeprefix("Value error, "), None
    if kind == "missing":
        return "required: add it (see docs/story-format.md)", None
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        if key in ("on", "True"):
            return "never name a key 'on' (YAML 1.1 reads it as true): use 'date'", None
        guess = closest(key, _fields_at(loc[:-1]))
        hint = f"did you mean '{guess}'?" if guess else "see docs/story-format.md for the fields"
        return f"unknown field {quote(key)}: remove it or fix its spelling", hint
    if kind in ("string_type", "str_type"):
        return "should be text: put it in quotes", None
    if kind == "list_type":
        return "should be a list, like [a, b]", None
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "should be a group of fields (indented key: value lines)", None
    if kind == "too_short":
        return "needs at least one entry", None
    if kind == "string_too_short":
        return "must not be empty", None
    if kind == "string_pattern_mismatch" and loc == ("id",):
        return (
            "must be a slug: lowercase letters, digits and hyphens, like back-to-the-kitchen",
            None,
        )
    if kind == "string_pattern_mismatch":
        return "must be 64 hexadecimal characters (the sha256 of the approved text)", None
    return f"{details['msg']} (see docs/story-format.md)", None


def _dotted(loc: tuple[str | int, ...]) -> str:
    """The field's path as written in docs ("storyteller.display_name", "themes[0]"), cut short and on one
    line: a hostile file's key can be anything."""
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return one_line(text)[:120]


def _fields_at(loc: tuple[str | int, ...]) -> list[str]:
    """The field names of the model found at `loc` (for 'did you mean' on an unknown key)."""
    model: type[BaseModel] | None = Story
    for step in loc:
        if model is None:
            return []
        if isinstance(step, int):
            continue
        info = model.model_fields.get(step)
        model = _model_in(info.annotation) if info is not None else None
    return [] if model is None else [name for name in model.model_fields if name != "body"]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in typing.get_args(annotation) if (m := _model_in(arg))), None)
