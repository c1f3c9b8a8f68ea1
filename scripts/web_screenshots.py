"""Take screenshots of the web page at desktop and phone widths, for docs/screenshots/.

    python scripts/web_screenshots.py

Serves the sample bank on a free loopback port and drives Debian's Chromium with Playwright.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from storybank.web import create_app

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
PAGES = {
    "search": "/?q=started+drinking+again",
    "story": "/stories/back-to-the-kitchen",
    "themes": "/themes",
    "handout": "/stories/back-to-the-kitchen/handout",
}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        bank = Path(scratch) / "bank"
        shutil.copytree(REPO / "stories", bank)  # a copy: the handout view writes the print log
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        app = create_app(bank, as_of=dt.date(2026, 11, 22))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for width_name, (width, height) in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                for name, path in PAGES.items():
                    page.goto(f"http://127.0.0.1:{port}{path}")
                    page.screenshot(path=OUT / f"{name}-{width_name}.png", full_page=False)
                    print(OUT / f"{name}-{width_name}.png")
                page.close()
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
