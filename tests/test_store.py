"""Loading and writing story files: real files in a temporary bank folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers import BODY, story_text
from storybank.errors import (
    InvalidStoryIdError,
    Problem,
    StoryExistsError,
    StoryFileError,
    StoryNotFoundError,
)
from storybank.store import create_story_file, is_story_file_name, is_story_id, load_story, read_story, scan
from storybank.taxonomy import default_taxonomy

TAXONOMY = default_taxonomy()


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(StoryFileError) as caught:
        read_story(path, TAXONOMY)
    return caught.value.problems


def test_valid_story_loads_with_its_body(write_story: Callable[..., Path]) -> None:
    story = read_story(write_story(), TAXONOMY)
    assert story.body.startswith("I burned the rice")


def test_byte_order_mark_and_crlf_line_ends_are_accepted(bank_dir: Path) -> None:
    path = bank_dir / "back-to-the-kitchen.md"
    path.write_bytes(b"\xef\xbb\xbf" + story_text().replace("\n", "\r\n").encode())
    story = read_story(path, TAXONOMY)
    assert (story.id, story.body) == ("back-to-the-kitchen", BODY.strip())


def test_unsafe_yaml_tag_is_an_error_and_runs_nothing(bank_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = bank_dir / "evil-story.md"
    path.write_text(
        f"---\nid: evil-story\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\nText\n"
    )
    [problem] = problems_of(path)
    assert problem.rule == "front-matter.unsafe-tag"
    assert problem.line == 3
    assert "never runs code" in problem.message
    assert not marker.exists()


def test_yaml_syntax_error_names_the_line(bank_dir: Path) -> None:
    path = bank_dir / "broken-yaml.md"
    path.write_text("---\nid: broken-yaml\ntitle: [unclosed\nsummary: x\n---\nText\n")
    [problem] = problems_of(path)
    assert problem.rule == "front-matter.yaml"
    assert problem.line is not None
    assert "YAML syntax error" in problem.message


def test_key_given_twice_is_an_error(bank_dir: Path) -> None:
    path = bank_dir / "twice.md"
    path.write_text(story_text().replace("id: back-to-the-kitchen\n", "id: twice\nid: twice\n"))
    [problem] = problems_of(path)
    assert "the key 'id' appears twice" in problem.message
    assert problem.line == 3


def test_file_over_one_megabyte_is_refused_unread(bank_dir: Path) -> None:
    path = bank_dir / "huge-story.md"
    path.write_text(story_text() + "x" * 2_000_000)
    [problem] = problems_of(path)
    assert problem.rule == "file.too-large"
    assert "limited to 1 MB" in problem.message


def test_missing_front_matter_is_explained(bank_dir: Path) -> None:
    path = bank_dir / "no-fences.md"
    path.write_text("Just a story without fields.\n")
    [problem] = problems_of(path)
    assert problem.rule == "front-matter.missing"
    assert problem.line == 1


def test_field_problem_names_file_line_and_field(write_story: Callable[..., Path]) -> None:
    path = write_story(themes=["hope", "relaps"])
    [problem] = problems_of(path)
    assert (problem.field, problem.story) == ("themes[1]", "back-to-the-kitchen")
    assert path.read_text().splitlines()[problem.line - 1] == "- relaps"
    assert str(problem).startswith(f"{path}:{problem.line}: error: themes[1]: unknown theme")


def test_unknown_key_suggests_the_field_meant(write_story: Callable[..., Path]) -> None:
    [problem] = problems_of(write_story(**{"storyteller.displayname": "Rosa"}))
    assert problem.field == "storyteller.displayname"
    assert problem.suggestion == "did you mean 'display_name'?"


def test_id_must_equal_the_file_name(bank_dir: Path) -> None:
    path = bank_dir / "another-name.md"
    path.write_text(story_text())
    [problem] = problems_of(path)
    assert problem.field == "id"
    assert "must equal the file name (another-name.md)" in problem.message


def test_every_problem_of_a_file_is_reported(write_story: Callable[..., Path]) -> None:
    path = write_story(themes=["relaps"], content_warnings=["overdoses"], language="fr")
    assert {p.field for p in problems_of(path)} == {"themes[0]", "content_warnings[0]", "language"}


def test_one_broken_file_does_not_hide_the_others(write_story: Callable[..., Path], bank_dir: Path) -> None:
    write_story("first-story")
    write_story("second-story")
    (bank_dir / "broken-story.md").write_text("---\nid: [\n---\n")
    result = scan(bank_dir, TAXONOMY)
    assert sorted(story.id for story in result.stories) == ["first-story", "second-story"]
    assert [problem.file for problem in result.problems] == [str(bank_dir / "broken-story.md")]


def test_readme_is_not_a_story(write_story: Callable[..., Path], bank_dir: Path) -> None:
    write_story()
    (bank_dir / "README.md").write_text("# About these stories\n")
    result = scan(bank_dir, TAXONOMY)
    assert (len(result.stories), result.problems) == (1, [])


def test_file_name_that_is_not_an_id_is_a_problem(bank_dir: Path) -> None:
    (bank_dir / "My Story.md").write_text(story_text())
    [problem] = scan(bank_dir, TAXONOMY).problems
    assert problem.rule == "file.name"


def test_file_that_is_not_utf8_is_a_problem(bank_dir: Path) -> None:
    path = bank_dir / "latin-one.md"
    path.write_bytes(story_text().replace("Rosa", "Ros\xe1").encode("latin-1"))
    [problem] = problems_of(path)
    assert problem.rule == "file.encoding"


@pytest.mark.parametrize("story_id", ["../outside", "sub/story", "/etc/passwd", "CAPS"])
def test_ids_cannot_escape_the_folder(bank_dir: Path, story_id: str) -> None:
    with pytest.raises(InvalidStoryIdError):
        load_story(bank_dir, story_id, TAXONOMY)


def test_unknown_id_is_not_found(bank_dir: Path) -> None:
    with pytest.raises(StoryNotFoundError, match="no story 'nobody-here'"):
        load_story(bank_dir, "nobody-here", TAXONOMY)


def test_new_story_file_is_written_whole(bank_dir: Path) -> None:
    path = create_story_file(bank_dir, "fresh-story", "text\n")
    assert path.read_text() == "text\n"
    assert sorted(os.listdir(bank_dir)) == [".storybank", "fresh-story.md", "storybank.toml"]  # (the locks)


def test_adding_an_existing_id_is_refused_and_keeps_the_story(bank_dir: Path) -> None:
    (bank_dir / "kept-story.md").write_text("original\n")
    with pytest.raises(StoryExistsError, match="already exists"):
        create_story_file(bank_dir, "kept-story", "replacement\n")
    assert (bank_dir / "kept-story.md").read_text() == "original\n"
    assert sorted(os.listdir(bank_dir)) == [".storybank", "kept-story.md", "storybank.toml"]


names = st.one_of(
    st.from_regex(r"[a-z0-9.-]{0,84}\.md", fullmatch=True),
    st.sampled_from(["README.md", "readme.md", ".hidden-story.md", "abc.md", "ab.md", "a-.md", "story.MD"]),
    st.text(max_size=20),
)


@given(name=names)
@example(name="a" * 2 + ".md")
@example(name="a" * 3 + ".md")
@example(name="a" * 80 + ".md")
@example(name="a" * 81 + ".md")
def test_a_story_file_name_is_a_story_id_then_md(name: str) -> None:
    """`is_story_file_name` (the id test alone, for the freshness check) leaves out hidden files and
    README.md as the id rules and the name's parts say."""
    by_parts = name.endswith(".md") and not name.startswith(".") and is_story_id(name[:-3])
    assert is_story_file_name(name) == by_parts
