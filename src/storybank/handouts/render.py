"""Turn a handout's content into Markdown (its source), HTML (one self-contained page) and PDF.

Markdown comes from a Jinja2 template; HTML is that Markdown through Python-Markdown, sanitised by nh3
(an allow-list: no script, no event handler, no iframe, links only to http, https, mailto and tel), put
in a page whose Content-Security-Policy forbids scripts and fetching anything. PDF is that page printed
by WeasyPrint (the optional `storybank[pdf]`), which is never allowed to fetch anything either.

A bank may override the Markdown template and the base CSS, and add CSS, in its `templates/` folder. Its
templates run in Jinja2's sandbox (no attribute of Python's internals is reachable) and only ever make
Markdown, which is sanitised like a story; the page around it — its Content-Security-Policy included — is
built here, so no template can change it. A bank's CSS is parsed and refused if anything in it would fetch.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
import markdown
import nh3
from markupsafe import escape

from storybank.errors import ConfigError, StorybankError
from storybank.handouts.content import HandoutContent
from storybank.handouts.css import fetching_rule
from storybank.handouts.wording import WORDS

BANK_TEMPLATES = "templates"
BANK_CSS = "handout.css"
ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "b", "em", "i", "ul", "ol", "li",
    "blockquote", "a", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": {"class"}, "a": {"href", "title"}}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
BANK_OVERRIDABLE = ("handout.md.j2", "base.css")  # and handout.css, added after the package's rules


class Format(StrEnum):
    MD = "md"
    HTML = "html"
    PDF = "pdf"


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"


def environment(bank_root: Path) -> jinja2.Environment:
    """Templates from the bank's `templates/` first, then the package's; all of them in the sandbox."""
    loaders: list[jinja2.BaseLoader] = []
    folder = bank_root / BANK_TEMPLATES
    if folder.is_dir():
        if (folder / "handout.html.j2").exists():
            raise ConfigError(
                f"{folder / 'handout.html.j2'}: the handout page around the story is storybank's own (its "
                "Content-Security-Policy cannot be changed): remove the file; style the page in "
                f"{BANK_TEMPLATES}/{BANK_CSS} and change the words in {BANK_TEMPLATES}/handout.md.j2"
            )
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.PackageLoader("storybank", "handouts/templates"))
    return jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # the templates make Markdown and CSS; the HTML is sanitised and escaped here
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def to_markdown(content: HandoutContent, env: jinja2.Environment) -> str:
    text = _render(env, "handout.md.j2", handout=content)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def to_html(content: HandoutContent, env: jinja2.Environment, *, bank_root: Path, paper: Paper) -> str:
    titles = [story.title for story in content.stories]
    title = content.words["packet_title"] if content.is_packet else titles[0]
    return _page(
        _closing_kept_together(safe_html(to_markdown(content, env))), env, title=title,
        language=content.language, bank_root=bank_root, paper=paper, large_print=content.large_print,
    )  # fmt: skip


def render_page(
    markdown_text: str, env: jinja2.Environment, *, title: str, language: str, bank_root: Path, paper: Paper,
    pdf: bool,
) -> bytes:  # fmt: skip
    """Any other paper (a consent form, a review copy) as a handout's page: HTML, or PDF with `pdf`."""
    page = _page(safe_html(markdown_text), env, title=title, language=language, bank_root=bank_root,
                 paper=paper, large_print=False)  # fmt: skip
    return to_pdf(page) if pdf else page.encode("utf-8")


def _page(
    clean: str, env: jinja2.Environment, *, title: str, language: str, bank_root: Path, paper: Paper,
    large_print: bool,
) -> str:  # fmt: skip
    words = WORDS.get(language, WORDS["en"])
    css = _render(env, "base.css", paper=paper.value.upper() if paper is Paper.A4 else "letter",
                  page_word=words["page"], large_print=large_print)  # fmt: skip
    _refuse_fetching(css, bank_root / BANK_TEMPLATES / "base.css")
    css += _bank_css(bank_root)
    # Built here, not by a template: whatever a bank's templates make, the page keeps this policy.
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{PAGE_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(_unescaped(title))}</title>\n<style>\n{css}\n</style>\n</head>\n"
        f"<body>\n<main>\n{clean}\n</main>\n</body>\n</html>\n"
    )


def _closing_kept_together(body: str) -> str:
    """The last story's consent line, the support block and the handout id in one block that a page
    break never splits (`.closing { break-inside: avoid }`): the crisis lines never stand alone."""
    start = body.rfind('<p class="permission">')
    if start < 0:
        return body
    return f'{body[:start]}<div class="closing">\n{body[start:]}\n</div>'


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
    data: bytes = _document(page, "PDF handouts need").write_pdf()
    return data


def page_count(page: str) -> int:
    """How many pages the page prints on (laid out by WeasyPrint, as its PDF would be)."""
    return len(_document(page, "--fit page (which lays the handout out to count its pages) needs").pages)


def _document(page: str, who_needs: str) -> Any:
    try:
        import weasyprint  # optional: storybank[pdf]
    except ImportError:
        raise StorybankError(f"{who_needs} WeasyPrint: pip install 'storybank[pdf]'") from None
    return weasyprint.HTML(string=page, url_fetcher=_FetchNothing()).render()


def render_markdown(env: jinja2.Environment, name: str, **values: Any) -> str:
    """A Markdown template of the package (or the bank's), rendered in the sandbox, blank lines tidied."""
    return re.sub(r"\n{3,}", "\n\n", _render(env, name, **values)).strip() + "\n"


def _render(env: jinja2.Environment, name: str, **values: Any) -> str:
    try:
        return env.get_template(name).render(**values)
    except jinja2.exceptions.SecurityError as error:
        raise ConfigError(
            f"handout template {name}: refused: {error} (a bank's templates run in a sandbox: "
            "use the handout's fields only, see docs/handouts.md)"
        ) from None
    except jinja2.TemplateError as error:
        where = getattr(error, "filename", None) or name
        raise ConfigError(f"handout template {where}: {error.message}") from None


def _bank_css(bank_root: Path) -> str:
    path = bank_root / BANK_TEMPLATES / BANK_CSS
    if not path.is_file():
        return ""
    try:
        css = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({type(error).__name__})") from None
    _refuse_fetching(css, path)
    return "\n/* this bank's own rules */\n" + css


def _refuse_fetching(css: str, path: Path) -> None:
    found = fetching_rule(css)
    if found:
        raise ConfigError(
            f"{path}: a handout's CSS may not load anything or close the style, and it has {found}: "
            "remove that rule (the handout is one self-contained page)"
        )


def _unescaped(one_line: str) -> str:
    return re.sub(r"\\(.)", r"\1", one_line)


class _FetchNothing:
    """WeasyPrint's URL fetcher, refusing every URL. A callable for WeasyPrint before 68; an object with
    `fetch` and `_fail_on_errors` (a refused fetch is a warning, not the end of the PDF) for 68 to 70."""

    _fail_on_errors = False

    def __call__(self, url: str, *args: object, **kwargs: object) -> dict[str, Any]:
        raise ValueError(f"a handout fetches nothing ({url[:40]})")

    def fetch(self, url: str, headers: object = None) -> dict[str, Any]:
        return self(url)
