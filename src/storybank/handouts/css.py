"""A bank's own handout CSS, checked by parsing it (tinycss2), not by pattern: nothing in it may fetch.

A regular expression is escaped round (`\\75 rl(`, `u\\72 l(`, `@\\69mport`, `url/**/(`); the tokenizer
reads escapes and comments as a browser does, so what it finds is what a browser would fetch. The page's
Content-Security-Policy is the second wall.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import tinycss2

# Functions and at-rules that load a resource, and the ones that name one for another rule to load.
FETCHING_FUNCTIONS = frozenset(
    {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade", "element"}
)
FETCHING_AT_RULES = frozenset({"import", "font-face", "namespace", "document", "-moz-document"})


def fetching_rule(css: str) -> str | None:
    """What in the stylesheet would load something ('url()', '@import'…), or None when nothing would."""
    if "</" in css or "<!--" in css:
        return "a '</' or '<!--' (it would close the page's style element)"
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for node in _walk(rules):
        kind = getattr(node, "type", "")
        if kind == "url":
            return "url()"
        if kind == "function" and node.lower_name in FETCHING_FUNCTIONS:
            return f"{node.lower_name}()"
        if kind == "at-rule" and node.lower_at_keyword in FETCHING_AT_RULES:
            return f"@{node.lower_at_keyword}"
        if kind == "ident" and node.lower_value in FETCHING_FUNCTIONS:
            return f"'{node.value}' (a word that names a loading function)"
        if kind == "error":
            return f"a part that cannot be read as CSS ({node.message})"
    return None


def _walk(nodes: Iterable[Any]) -> Iterator[Any]:
    for node in nodes:
        yield node
        for part in ("prelude", "content", "arguments", "value"):
            children = getattr(node, part, None)
            if isinstance(children, list):
                yield from _walk(children)
        if getattr(node, "type", "") in ("qualified-rule", "at-rule") and isinstance(node.content, list):
            yield from _walk(tinycss2.parse_blocks_contents(node.content))
