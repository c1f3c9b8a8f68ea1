"""Change a story file's front matter in place, keeping the curator's comments, key order and layout.

The front matter is edited round-trip with ruamel.yaml (never re-dumped from the model), the new file is
parsed and validated as a story before anything is written, and it is written whole or not at all.
Every edit holds the story's lock from reading the file to the rename, so two changes at the same moment
(a withdrawal and a renewal, from two processes) are made one after the other and neither is lost.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from storybank import frontmatter, store
from storybank.errors import StorybankError
from storybank.models import Story
from storybank.taxonomy import Taxonomy

# Sees the story as its file is now (read under the lock) and the front matter to change; it may refuse
# the change by raising StorybankError.
FrontMatterChange = Callable[[Story, CommentedMap], None]


_FLUSH_LIST = re.compile(r"^( *)[\w-]+:[ \t]*\n\1- ", re.MULTILINE)  # "key:\n- item", not "key:\n  - item"


def _yaml(yaml_text: str) -> YAML:
    yaml = YAML()  # round-trip, YAML 1.2
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a curator's long lines
    if _FLUSH_LIST.search(yaml_text):  # keep the file's own way of indenting lists
        yaml.indent(mapping=2, sequence=2, offset=0)
    else:
        yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.ignore_aliases = lambda *_: True  # the same date twice is written twice, not &id001
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def edit_story(path: Path, change: FrontMatterChange, taxonomy: Taxonomy) -> Story:
    """Apply `change` to the story's front matter and write the file; return the story as written.

    Raises StoryFileError (and writes nothing) when the changed file would not be a valid story, and
    StorybankError when the file changed on disk while it was being edited. Returns only once the
    change is in the file.
    """
    with store.story_lock(path):
        store.remove_leftovers(path)  # under the lock, a temporary copy is a killed write's
        current, before = store.read_story_and_text(path, taxonomy)
        parts = frontmatter.split(before)
        yaml = _yaml(parts.yaml_text)
        data = yaml.load(parts.yaml_text)
        change(current, data)
        out = io.StringIO()
        yaml.dump(data, out)
        text = f"---\n{out.getvalue()}---\n{parts.body}"
        story = store.parse_story(text, file=store.display(path), expected_id=path.stem, taxonomy=taxonomy)
        if store.read_text(path) != before:  # an editor outside storybank holds no lock
            raise _changed(path)
        store.atomic_write(path, text, overwrite=True)
        if store.read_text(path) != text:
            raise StorybankError(f"{store.display(path)} was changed as it was saved: check it and run again")
        return story


def _changed(path: Path) -> StorybankError:
    return StorybankError(f"{store.display(path)} changed while it was being edited: run the command again")


def event(day: dt.date, kind: str, **fields: Any) -> CommentedMap:
    """A history event, written on one line like the others: {date: …, event: …, by: …}."""
    entry = CommentedMap([("date", day), ("event", kind)])
    for key, value in fields.items():
        if value is not None:
            entry[key] = _flow(value) if isinstance(value, list) else value
    entry.fa.set_flow_style()
    return entry


def append_event(data: CommentedMap, entry: CommentedMap) -> None:
    consent = data["consent"]
    if consent.get("history") is None:
        consent["history"] = CommentedSeq()
    consent["history"].append(entry)


def set_value(mapping: CommentedMap, key: str, value: Any) -> None:
    """Set a key, keeping its place; a new key goes at the end of the mapping."""
    mapping[key] = _flow(value) if isinstance(value, list) else value


def _flow(values: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq
