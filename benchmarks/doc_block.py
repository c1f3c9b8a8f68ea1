"""The one way the benchmark scripts put their numbers in a doc: between `<!-- NAME:start -->` and
`<!-- NAME:end -->`, keeping every word outside the markers."""

from __future__ import annotations

from pathlib import Path


def write_block(path: Path, name: str, text: str, *, heading: str, new_file: str = "") -> None:
    """Replace the block `name` in `path` with `text`; add it under `heading` at the end when missing
    (starting the file from `new_file` when there is none)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    doc = path.read_text(encoding="utf-8") if path.exists() else new_file
    if start not in doc or end not in doc:
        doc = doc.rstrip("\n") + f"\n\n{heading}\n\n{start}\n{end}\n".replace("\n\n\n\n", "\n\n")
    before, rest = doc.split(start, 1)
    after = rest.split(end, 1)[1]
    path.write_text(f"{before}{start}\n{text.rstrip()}\n{end}{after}", encoding="utf-8")
