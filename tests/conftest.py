"""Shared helpers: real story files in temporary bank folders, and the real CLI entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import BODY, CHROMIUM, CHROMIUM_ARGS, SUPPORT_TOML, Result, front_matter, needs, story_text
from storybank.cli import main


@pytest.fixture(autouse=True, scope="session")
def private_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The sentence model's cache (search/model_cache.py) in a folder of the test run, not the user's."""
    import os

    from storybank.search.model_cache import CACHE_ENV

    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("model-cache"))
    yield
    if previous is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = previous


@pytest.fixture(autouse=True)
def words_only(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests pin the lexical ranking exactly: they search by words alone. A test marked `semantic`
    (tests/test_semantic.py) has the semantic layer on, as a bank with the extra installed has."""
    if request.node.get_closest_marker("semantic") is None:
        monkeypatch.setenv("STORYBANK_SEMANTIC", "off")


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """A bank folder with the support settings every handout carries (helpers.SUPPORT_TOML)."""
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "storybank.toml").write_text(SUPPORT_TOML, encoding="utf-8")
    return folder


@pytest.fixture
def write_story(bank_dir: Path) -> Callable[..., Path]:
    """Write a story file into the bank: `write_story("my-id", status="draft")`."""

    def write(
        story_id: str = "back-to-the-kitchen",
        *,
        body: str = BODY,
        text: str | None = None,
        **changes: Any,
    ) -> Path:
        path = bank_dir / f"{story_id}.md"
        if text is None:
            text = story_text(front_matter(id=story_id, **changes), body)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the real CLI entry point (`main`) in-process and capture what it prints."""

    def invoke(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            main([str(arg) for arg in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected golden files from what the code makes now (then review the diff)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright (skipped when missing — except under CI)."""
    needs("Chromium", Path(CHROMIUM).is_file(), "apt-get install chromium, or run bash scripts/test.sh")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        needs("Playwright", False, "pip install -e '.[test]'")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()
