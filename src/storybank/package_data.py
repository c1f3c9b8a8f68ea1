"""The package's own data files (taxonomy, synonyms, warning cues, stigma list).

Each is written in YAML, for the people who keep it, and read from the JSON copy beside it, for speed:
the taxonomy alone took 15 ms of every fresh `storybank search` through libyaml, and takes about 1 ms as
JSON. `python scripts/package_data_json.py` writes the copies; a test fails when one differs from its
YAML. These files ship with storybank and are trusted; story files are read with the bounded loader of
frontmatter.py, never with this.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The folder itself (storybank installs as files, never zipped): importlib.resources would import
# zipfile and tempfile on the way, 20 ms of a fresh search.
DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> Any:
    """`data/NAME` of the package ("taxonomy.yaml"), parsed: read from its JSON copy."""
    return json.loads(text(json_name(name)))


def text(name: str) -> str:
    """`data/NAME` of the package as text."""
    return (DATA / name).read_text("utf-8")


def json_name(name: str) -> str:
    return name.removesuffix(".yaml") + ".json"


def json_copy(name: str) -> str:
    """What the JSON copy of `data/NAME` holds: the YAML's data, one value a line."""
    import yaml  # only to write the copies (and to test them)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text(name), Loader=loader)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def yaml_names() -> list[str]:
    return sorted(path.name for path in DATA.glob("*.yaml"))
