"""What every route of the web app shares: the bank (opened once, in the app's state), the lock around
its warm index, the page templates, and the two answers a route may give instead of its page."""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from storybank.bank import StoryBank
from storybank.errors import ConfigError, StorybankError
from storybank.models import Purpose, Story
from storybank.search import SearchRequest
from storybank.web.words import WORDS, pick_language

if TYPE_CHECKING:
    from storybank.handouts import Handout

T = TypeVar("T")
PDF_AVAILABLE = importlib.util.find_spec("weasyprint") is not None


class NotFound(Exception):
    """Unknown, or not usable for this purpose now: both answer the same 404."""


class Forbidden(Exception):
    """A write (a print) asked from another site, or without the page's own origin."""


class WebBank:
    """The bank as the web app uses it: one request at a time on its warm index."""

    def __init__(self, bank: StoryBank) -> None:
        self.bank = bank
        self._lock = threading.Lock()
        self.pages = jinja2.Environment(
            loader=jinja2.PackageLoader("storybank.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.pages.filters["snippet"] = _snippet_html

    def locked(self, work: Callable[[], T]) -> T:
        with self._lock:
            return work()

    def shared(self, story_id: str, purpose: Purpose = Purpose.SHARE) -> Story:
        """The story if it may be used for `purpose` now, else NotFound (as if there were none)."""
        try:
            return self.locked(lambda: self.bank.get(story_id, purpose=purpose))
        except StorybankError:
            raise NotFound from None

    def search(self, request: SearchRequest) -> dict[str, Any]:
        return self.locked(lambda: self.bank.find(request)).to_dict()

    def shareable_counts(self) -> dict[str, int]:
        # From the index (every shareable story, counted by theme): no story file is parsed for this.
        return self.locked(lambda: self.bank.search("", limit=0).facets)

    def handout(self, story_id: str, format: str, *, printed: bool) -> Handout:
        """A one-story handout; `printed` logs it (consent checked once more as it is logged)."""

        def make() -> Handout:
            made = self.bank.handout([story_id], format=format)
            if printed:
                self.bank.record_print(made)
            return made

        try:
            return self.locked(make)
        except ConfigError:
            raise
        except StorybankError:
            raise NotFound from None

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = pick_language(request.query_params.get("lang"), request.headers.get("accept-language"))
        html = self.pages.get_template(template).render(w=WORDS[lang], lang=lang, bank=self.bank, **values)
        return HTMLResponse(html, status_code=status)


def web_bank(request: Request) -> WebBank:
    """The app's WebBank (a FastAPI dependency)."""
    found: WebBank = request.app.state.web
    return found


def same_origin(request: Request) -> bool:
    """Whether a write comes from this site's own page: the browser says so (`Sec-Fetch-Site`), or the
    `Origin` it sends is this site's. A request that says neither is refused too."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    return origin is not None and origin.lower() in {f"http://{host}".lower(), f"https://{host}".lower()}


def _snippet_html(snippet: str) -> Markup:
    """A snippet's **matched words** as <strong>, everything else escaped."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", str(escape(snippet))))
