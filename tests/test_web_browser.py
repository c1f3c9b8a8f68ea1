"""The web page in Debian's Chromium (Playwright) against a real server on a free loopback port: a
specialist's path through it, accessibility (axe-core, WCAG 2 AA) on every page, and schemathesis against
the OpenAPI description. Under CI a missing browser fails these tests instead of skipping them."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLE_BANK, needs

DAY = dt.date(2026, 11, 22)
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    uvicorn = pytest.importorskip("uvicorn")
    from storybank.web import create_app

    bank = tmp_path_factory.mktemp("web") / "bank"
    shutil.copytree(SAMPLE_BANK, bank)
    port = free_port()
    config = uvicorn.Config(create_app(bank, as_of=DAY), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def no_violations(page: Any) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = axe.Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def test_specialist_searches_filters_reads_and_prints(page: Any, server: str) -> None:
    page.goto(server)
    page.fill("#q", "started drinking again")
    page.click("button[type=submit]")
    assert "stories found" in page.inner_text("#results")
    page.click("summary")
    page.check("input[name=theme][value=hope]")
    page.click("button[type=submit]")
    first = page.locator("ol.results h2 a").first
    title = first.inner_text()
    first.click()
    assert page.inner_text("h1") == title
    page.click("text=Print a handout")
    assert title in page.inner_text("body")
    assert "Shared with permission" in page.inner_text("body")


@pytest.mark.parametrize(
    "path",
    ["/", "/?q=relapse", "/stories/back-to-the-kitchen", "/themes", "/stories/back-to-the-kitchen/handout",
     "/?lang=es&q=reca%C3%ADda"],
)  # fmt: skip
def test_page_has_no_accessibility_violations(page: Any, server: str, path: str) -> None:
    page.goto(server + path)
    assert page.inner_text("body").strip()  # the content is there before axe looks
    no_violations(page)


def test_story_page_shows_the_content_note_before_the_story(page: Any, server: str) -> None:
    page.goto(server + "/stories/back-to-the-kitchen")
    text = page.inner_text("main")
    assert text.index("Content note") < text.index("I")


def test_api_has_no_server_errors_under_schemathesis(server: str, tmp_path: Path) -> None:
    needs("schemathesis", shutil.which("schemathesis") is not None, "pip install -e '.[test]'")
    done = subprocess.run(
        ["schemathesis", "run", f"{server}/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "25", "--no-color"],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,  # it keeps a cache in cwd
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_server_is_running_the_consent_rules(server: str) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server}/api/stories/counting-days-again", timeout=10)
    refused.value.close()
    assert refused.value.code == 404
