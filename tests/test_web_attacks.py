"""The web page as an attacker meets it: DNS rebinding, forged prints, error paths, odd tokens, off-site
redirects — in process, over the real app and a real bank."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import LOCAL
from storybank.web import create_app

TODAY = dt.date(2025, 6, 1)
PORT = 8123
WriteStory = Callable[..., Path]
HOSTILE_HOSTS = ["evil.example", "attacker.invalid:80", "127.0.0.1.nip.io", "", "localhost.evil.example:8123",
                 "127.0.0.1:9999", "[::1]:1", "127.0.0.1:8123.evil.example"]  # fmt: skip


@pytest.fixture
def bank_dir(write_story: WriteStory, bank_dir: Path) -> Path:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n")
    return bank_dir


@pytest.fixture
def served(bank_dir: Path) -> TestClient:
    """The app as `storybank serve --port 8123` makes it."""
    return TestClient(create_app(bank_dir, as_of=TODAY, port=PORT), base_url=f"http://127.0.0.1:{PORT}")


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
@pytest.mark.parametrize("path", ["/api/stories/kitchen-story", "/", "/static", "/static/site.css"])
def test_a_rebinding_host_gets_400_and_no_story(served: TestClient, host: str, path: str) -> None:
    response = served.get(path, headers={"Host": host}, follow_redirects=False)
    assert response.status_code == 400
    assert "Zucchini" not in response.text
    assert "location" not in response.headers
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}", f"LOCALHOST:{PORT}"]
)
def test_the_bound_address_is_answered(served: TestClient, host: str) -> None:
    response = served.get("/api/stories/kitchen-story", headers={"Host": host})
    assert response.status_code == 200
    assert response.json()["id"] == "kitchen-story"


def test_a_configured_host_name_is_answered_only_with_a_token(bank_dir: Path) -> None:
    app = create_app(bank_dir, as_of=TODAY, port=PORT, token="tok", host_names=["stories.example.org"])
    client = TestClient(app, base_url="https://stories.example.org")
    assert client.get("/api/themes", headers={"Authorization": "Bearer tok"}).status_code == 200
    open_app = create_app(bank_dir, as_of=TODAY, port=PORT, host_names=["stories.example.org"])
    assert TestClient(open_app, base_url="https://stories.example.org").get("/api/themes").status_code == 400


def test_viewing_a_handout_three_times_logs_nothing(served: TestClient, bank_dir: Path) -> None:
    for _ in range(3):
        assert "Zucchini every night" in served.get("/stories/kitchen-story/handout").text
    assert not (bank_dir / "log" / "prints.jsonl").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {},
    ],
)
def test_a_print_not_from_the_page_itself_is_refused_and_not_logged(
    served: TestClient, bank_dir: Path, headers: dict[str, str]
) -> None:
    response = served.post("/stories/kitchen-story/print", data={"format": "html"}, headers=headers)
    assert response.status_code == 403
    assert not (bank_dir / "log" / "prints.jsonl").exists()


def test_a_cross_site_get_of_the_print_action_is_not_a_print(served: TestClient, bank_dir: Path) -> None:
    response = served.get("/stories/kitchen-story/print", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 405
    assert not (bank_dir / "log" / "prints.jsonl").exists()


def test_a_print_with_the_pages_own_origin_is_logged(served: TestClient, bank_dir: Path) -> None:
    response = served.post(
        "/stories/kitchen-story/print",
        data={"format": "html"},
        headers={"Origin": f"http://127.0.0.1:{PORT}"},
    )
    assert response.status_code == 200
    assert "kitchen-story" in (bank_dir / "log" / "prints.jsonl").read_text()


def test_the_story_page_offers_the_print_form(served: TestClient) -> None:
    page = served.get("/stories/kitchen-story").text
    assert '<form class="print" method="post" action="/stories/kitchen-story/print">' in page
    assert 'href="/stories/kitchen-story/handout"' in page


def test_a_server_error_carries_the_headers_and_no_traceback(
    bank_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (bank_dir / ".storybank").mkdir(exist_ok=True)
    app = create_app(bank_dir, as_of=TODAY, port=PORT)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail of the crash")

    client = TestClient(app, base_url=f"http://127.0.0.1:{PORT}", raise_server_exceptions=False)
    with caplog.at_level(logging.INFO):
        browser = client.get("/boom", headers={"Accept": "text/html"})
        api = client.get("/boom")
    for response in (browser, api):
        assert response.status_code == 500
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert browser.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in browser.text
    assert api.json()["detail"] == "something went wrong"
    assert "secret detail" not in caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("token", ["té", "🔑", "tok\u00e9n"])
def test_a_non_ascii_token_gets_401(bank_dir: Path, token: str) -> None:
    client = TestClient(create_app(bank_dir, as_of=TODAY, token="s3cret"), base_url=LOCAL)
    assert client.get("/api/themes", headers={"Authorization": f"Bearer {token}".encode()}).status_code == 401
    assert client.get("/api/themes", params={"token": token}).status_code == 401


def test_the_token_redirect_never_leaves_the_site(bank_dir: Path) -> None:
    client = TestClient(create_app(bank_dir, as_of=TODAY, token="s3cret"), base_url=LOCAL)
    for path in ("//evil.example/", "///evil.example/x", "/\\evil.example/"):
        response = client.get(path, params={"token": "s3cret"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/")
        assert not response.headers["location"].startswith(("//", "/\\"))


def test_a_sandboxed_template_cannot_reach_python(bank_dir: Path) -> None:
    (bank_dir / "templates").mkdir()
    (bank_dir / "templates" / "handout.md.j2").write_text("{{ cycler.__init__.__globals__.os.getpid() }}\n")
    client = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL)
    response = client.get("/stories/kitchen-story/handout")
    assert response.status_code == 500
    assert response.headers["cache-control"] == "no-store"
    assert str(__import__("os").getpid()) not in response.text
