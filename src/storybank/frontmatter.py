"""Split a story file into front matter and body, and parse the front matter as safe YAML.

PyYAML's SafeLoader never runs code; on top of it this loader
- keeps dates as text, so every date is checked by the model the same way ("2024-02-30" is an error there,
  not a crash here);
- reads only `true`/`false` as booleans (YAML 1.2), so a key `on` or a value `no` stays a word;
- refuses a key given twice, instead of silently keeping the last one;
- refuses YAML aliases that expand far past the file's own size (an alias "bomb" of nested lists is a
  few kilobytes on disk and billions of values in memory), and nesting deeper than any story needs;
- turns every failure of a value's constructor (`!!int abc`, `!!timestamp 2023-02-30`, a 5,000-digit
  number, a list as a key) into a FrontMatterError with its line: one broken file is that file's problem.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from storybank.errors import quote

_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_BOOL_1_2 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
MAX_DEPTH = 20  # a story's deepest value is a field of a history event, at depth 4
MAX_EXPANSION = 10  # aliases may repeat values, but the whole may be at most this many times its parts
MIN_VALUES_ALLOWED = 5_000  # ...or this many values, whichever is more


# libyaml's parser when PyYAML has it (about 10x faster; same safe constructor), else the pure-Python one.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StoryYamlLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader with text dates, YAML 1.2 booleans and no duplicate keys."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return self.construct_document(node)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except ConstructorError:
            raise
        except Exception as error:  # a tag's constructor failed: ValueError, KeyError, OverflowError…
            raise ConstructorError(
                None, None, f"cannot read this value as {_tag_name(node)}: {_reason(error)}", node.start_mark
            ) from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    raise ConstructorError(
                        None, None, "a key must be a word, not a list or a group", key_node.start_mark
                    )
                if key in seen:
                    raise ConstructorError(
                        None, None, f"the key {quote(key)} appears twice: keep one", key_node.start_mark
                    )
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


StoryYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StoryYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_1_2, list("tTfF"))


def _check_size(root: Node) -> None:
    """Refuse a document whose aliases expand to far more values than it holds, or that nests too deep.

    Counts each node's expanded size once (aliases are the same node object), so the check itself
    costs one pass over the distinct nodes.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            raise ConstructorError(
                None, None, f"values are nested more than {MAX_DEPTH} levels deep", node.start_mark
            )
        if key in in_progress:
            raise ConstructorError(None, None, "an alias refers to itself", node.start_mark)
        in_progress.add(key)
        if isinstance(node, SequenceNode):
            total = 1 + sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        else:
            total = 1
        in_progress.discard(key)
        sizes[key] = total
        return total

    expanded = size(root, 0)
    if expanded > max(MIN_VALUES_ALLOWED, MAX_EXPANSION * len(sizes)):
        raise ConstructorError(
            None,
            None,
            f"YAML aliases (*name) expand the front matter to {expanded:,} values from {len(sizes):,}: "
            "write the values out instead of repeating aliases",
            root.start_mark,
        )


def _tag_name(node: Node) -> str:
    tag = str(node.tag)
    return tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split())[:120]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@dataclass(frozen=True)
class SplitFile:
    """A story file's parts; `body_line` is the 1-based line where the body starts."""

    yaml_text: str
    body: str
    body_line: int


class FrontMatterError(ValueError):
    """The file has no front matter fences, or its YAML cannot be read."""

    def __init__(self, message: str, line: int | None, rule: str) -> None:
        super().__init__(message)
        self.line = line
        self.rule = rule


def normalise(text: str) -> str:
    """Accept a BOM and CRLF or CR line ends: the rest of storybank sees plain LF text."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split(text: str) -> SplitFile:
    """Split normalised text at its `---` fences (the first line must be one)."""
    first_line, _, rest = text.partition("\n")
    if first_line.rstrip() != "---":
        raise FrontMatterError(
            "no front matter: the file must start with a line '---', then the fields, then '---'",
            1,
            "front-matter.missing",
        )
    closing = _FENCE.search(rest)
    if closing is None:
        raise FrontMatterError(
            "the front matter is never closed: add a line '---' after the last field",
            1,
            "front-matter.missing",
        )
    yaml_text = rest[: closing.start()]
    body_line = 2 + yaml_text.count("\n") + 1
    return SplitFile(yaml_text, rest[closing.end() :].removeprefix("\n"), body_line)


def parse_yaml(yaml_text: str) -> Any:
    """Parse front matter YAML safely; errors name the file line (front matter starts on line 2)."""
    try:
        return yaml.load(yaml_text, Loader=StoryYamlLoader)
    except ConstructorError as error:
        line = _file_line(error.problem_mark or error.context_mark)
        if error.problem and "could not determine a constructor" in error.problem:
            tag = error.problem.split("tag", 1)[-1].strip(" '")
            raise FrontMatterError(
                f"unsafe or unknown YAML tag {tag}: storybank never runs code from a story file; "
                "remove the tag",
                line,
                "front-matter.unsafe-tag",
            ) from None
        raise FrontMatterError(_one_line(error), line, "front-matter.yaml") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise FrontMatterError(
            f"YAML syntax error: {_one_line(error)} — check indentation, colons and quotes",
            _file_line(mark),
            "front-matter.yaml",
        ) from None
    except Exception as error:  # RecursionError, MemoryError… : still this file's problem, never a crash
        raise FrontMatterError(
            f"the front matter cannot be read as YAML ({_reason(error)})", None, "front-matter.yaml"
        ) from None


def line_of(yaml_text: str, path: tuple[str | int, ...]) -> int | None:
    """The file line of the value at `path` in the front matter (or of its nearest parent)."""
    try:
        node: Node | None = yaml.compose(yaml_text, Loader=StoryYamlLoader)
    except yaml.YAMLError:
        return None
    line = _file_line(node.start_mark) if node is not None else None
    for step in path:
        if isinstance(node, MappingNode):
            found = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, ScalarNode) and key.value == str(step)
                ),
                None,
            )
            if found is None:
                return line
            line = _file_line(found[0].start_mark)
            node = found[1]
        elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = _file_line(node.start_mark)
        else:
            return line
    return line


def _file_line(mark: Any) -> int | None:
    return None if mark is None else int(mark.line) + 2


def _one_line(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    text = f"{problem} ({context})" if context else str(problem)
    return " ".join(text.split())
