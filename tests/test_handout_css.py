"""A bank's handout CSS and templates as an attacker writes them: every way of spelling a fetch is refused
by the parser, and — were one to get through — the page's CSP stops it in a real Chromium with the network
off. A template cannot reach Python."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import Result
from storybank import StoryBank
from storybank.errors import ConfigError
from storybank.handouts.css import fetching_rule

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
Run = Callable[..., Result]
TARGET = "http://127.0.0.1:{port}/fetched"
# The variants that passed the old pattern check (issue 13), and a few more of each kind.
VARIANTS = [
    r"body {{ background: \75 rl({target}) }}",
    r"body {{ background: u\72 l({target}) }}",
    "body {{ background: image-set('{target}' 1x) }}",
    "body {{ background: url/**/({target}) }}",
    r"@\69mport '{target}';",
    r"@font-face {{ font-family: x; src: \75rl({target}) }} body {{ font-family: x }}",
    "body {{ background: URL({target}) }}",
    "@media print {{ body {{ background: url({target}) }} }}",
    "body {{ background: -webkit-image-set('{target}' 1x) }}",
    "body {{ list-style: url(  '{target}'  ) }}",
]


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n")
    (bank_dir / "templates").mkdir()
    return StoryBank.open(bank_dir, as_of=TODAY)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A local server that records every request made to it (the only thing the network would reach)."""
    seen: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_way_of_spelling_a_fetch_is_refused(variant: str, bank: StoryBank) -> None:
    css = variant.format(target=TARGET.format(port=9))
    assert fetching_rule(css) is not None
    (bank.root / "templates" / "handout.css").write_text(css)
    with pytest.raises(ConfigError, match="may not load anything"):
        bank.handout(["kitchen-story"], format="html")


def test_plain_styling_is_kept(bank: StoryBank) -> None:
    (bank.root / "templates" / "handout.css").write_text("h1 { color: #0b3d91; font-size: 20pt }\n")
    assert "h1 { color: #0b3d91; font-size: 20pt }" in bank.handout(["kitchen-story"], format="html").text


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_csp_stops_a_fetch_that_got_past_the_parser(
    variant: str, bank: StoryBank, page: Any, listener: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, seen = listener
    html = bank.handout(["kitchen-story"], format="html").text
    smuggled = html.replace("</style>", variant.format(target=TARGET.format(port=port)) + "\n</style>", 1)
    answered: list[str] = []  # (Chromium announces a request the CSP then blocks; it never finishes)
    page.on("requestfinished", lambda request: answered.append(request.url))
    path = tmp_path / "handout.html"
    path.write_text(smuggled, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_timeout(300)
    assert "Zucchini every night" in page.content()
    assert seen == []  # the listener, the only place the fetch could reach, heard nothing
    assert [url for url in answered if not url.startswith("file:")] == []


def test_the_pdf_of_a_css_fetch_exits_2_never_3(bank: StoryBank, run: Run, tmp_path: Path) -> None:
    (bank.root / "templates" / "handout.css").write_text(r"body { background: \75 rl(http://127.0.0.1:9/x) }")
    result = run(
        "--bank", bank.root, "--as-of", str(TODAY), "handout", "kitchen-story", "-o", tmp_path / "x.pdf"
    )
    assert result.code == 2
    assert "handout.css" in result.err
    assert not (tmp_path / "x.pdf").exists()


def test_a_pdf_whose_page_names_a_url_is_made(bank: StoryBank, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    from storybank.handouts.render import to_pdf

    page = bank.handout(["kitchen-story"], format="html").text
    page = page.replace("</style>", "body { background: url(http://127.0.0.1:9/x) }\n</style>", 1)
    assert to_pdf(page).startswith(b"%PDF")  # the fetch is refused, the PDF is still made


def test_a_template_reaching_python_fails_with_one_line(bank: StoryBank, run: Run, tmp_path: Path) -> None:
    (bank.root / "templates" / "handout.md.j2").write_text("{{ cycler.__init__.__globals__.os.getpid() }}\n")
    result = run(
        "--bank", bank.root, "--as-of", str(TODAY), "handout", "kitchen-story", "-o", tmp_path / "x.html"
    )
    assert result.code == 2
    assert "sandbox" in result.err
    assert str(os.getpid()) not in result.err
    assert not (tmp_path / "x.html").exists()


def test_a_bank_page_template_is_refused(bank: StoryBank) -> None:
    (bank.root / "templates" / "handout.html.j2").write_text("<html><body>{{ body }}</body></html>")
    with pytest.raises(ConfigError, match="page around the story is storybank's own"):
        bank.handout(["kitchen-story"], format="html")


def test_a_bank_markdown_template_cannot_drop_the_csp(bank: StoryBank) -> None:
    (bank.root / "templates" / "handout.md.j2").write_text(
        '</main></body></html><html><head><meta http-equiv="Content-Security-Policy" content="default-src *">'
        "<script>alert(1)</script><img src=http://evil.example/x.png>\n{{ handout.stories[0].title }}\n"
    )
    html = bank.handout(["kitchen-story"], format="html").text
    assert html.count("Content-Security-Policy") == 1
    assert "default-src 'none'" in html
    assert "<script" not in html
    assert "<img" not in html
