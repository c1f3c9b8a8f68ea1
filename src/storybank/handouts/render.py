"""Turn a handout's content into Markdown (its source), HTML (one self-contained page) and PDF.

Markdown comes from a Jinja2 template; HTML is that Markdown through Python-Markdown, sanitised by nh3
(an allow-list: no script, no event handler, no iframe, links only to http, https, mailto and tel), put
in a page whose Content-Security-Policy forbids scripts and fetching anything. PDF is that page printed
by WeasyPrint (the optional `storybank[pdf]`), which is never allowed to fetch anything either.
A bank may override the templates, and add CSS, in its `templates/` folder.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import jinja2
import markdown
import nh3
from markupsafe import Markup

from storybank.errors import ConfigError, StorybankError
from storybank.handouts.content import HandoutContent

BANK_TEMPLATES = "templates"
BANK_CSS = "handout.css"
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "b", "em", "i", "ul", "ol", "li",
    "blockquote", "a", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": {"class"}, "a": {"href", "title"}}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
_FETCHING_CSS = re.compile(r"url\s*\(|@import", re.IGNORECASE)


class Format(StrEnum):
    MD = "md"
    HTML = "html"
    PDF = "pdf"


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"


def environment(bank_root: Path) -> jinja2.Environment:
    """Templates from the bank's `templates/` first, then the package's."""
    loaders: list[jinja2.BaseLoader] = []
    if (bank_root / BANK_TEMPLATES).is_dir():
        loaders.append(jinja2.FileSystemLoader(bank_root / BANK_TEMPLATES))
    loaders.append(jinja2.PackageLoader("storybank", "handouts/templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def to_markdown(content: HandoutContent, env: jinja2.Environment) -> str:
    text = _render(env, "handout.md.j2", handout=content)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def to_html(content: HandoutContent, env: jinja2.Environment, *, bank_root: Path, paper: Paper) -> str:
    clean = safe_html(to_markdown(content, env))
    css = _render(env, "base.css", paper=paper.value.upper() if paper is Paper.A4 else "letter",
                  page_word=content.words["page"])  # fmt: skip
    css += _bank_css(bank_root)
    titles = [story.title for story in content.stories]
    title = content.words["packet_title"] if content.is_packet else titles[0]
    # The body is sanitised and the CSS is ours or checked: both go in as they are.
    return _render(
        env, "handout.html.j2", handout=content, title=_unescaped(title), css=Markup(css), body=Markup(clean)
    )


def safe_html(markdown_text: str) -> str:
    """Markdown as HTML that can be shown anywhere: Python-Markdown, then nh3's allow-list."""
    body = markdown.markdown(markdown_text, extensions=["attr_list", "sane_lists"], output_format="html")
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        link_rel="noopener noreferrer",
    )


def to_pdf(page: str) -> bytes:
    try:
        import weasyprint  # optional: storybank[pdf]
    except ImportError:
        raise StorybankError(
            "PDF handouts need WeasyPrint: pip install 'storybank[pdf]' (or choose md or html)"
        ) from None
    document = weasyprint.HTML(string=page, url_fetcher=_fetch_nothing)
    data: bytes = document.write_pdf()
    return data


def _render(env: jinja2.Environment, name: str, **values: Any) -> str:
    try:
        return env.get_template(name).render(**values)
    except jinja2.TemplateError as error:
        where = getattr(error, "filename", None) or name
        raise ConfigError(f"handout template {where}: {error.message}") from None


def _bank_css(bank_root: Path) -> str:
    path = bank_root / BANK_TEMPLATES / BANK_CSS
    if not path.is_file():
        return ""
    css = path.read_text(encoding="utf-8")
    if _FETCHING_CSS.search(css) or "</" in css:
        raise ConfigError(
            f"{path}: a handout's CSS may not load anything (url(), @import) or close the style: "
            "remove those rules"
        )
    return "\n/* this bank's own rules */\n" + css


def _unescaped(one_line: str) -> str:
    return re.sub(r"\\(.)", r"\1", one_line)


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    raise ValueError(f"a handout fetches nothing ({url[:40]})")
