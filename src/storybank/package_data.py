"""The package's own YAML files (taxonomy, synonyms, warning cues, stigma list), read with libyaml's C
loader where PyYAML has it: the taxonomy alone took a third of a fresh `storybank search` with the
pure-Python loader. These files ship with storybank and are trusted; story files are read with the
bounded loader of frontmatter.py, never with this."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(name: str) -> Any:
    """`data/NAME` of the package, parsed."""
    text = resources.files("storybank").joinpath(f"data/{name}").read_text("utf-8")
    return yaml.load(text, Loader=_LOADER)
