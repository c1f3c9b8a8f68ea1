"""Write the JSON copy of each of the package's YAML data files (storybank/package_data.py says why).

python scripts/package_data_json.py          # rewrite src/storybank/data/*.json
python scripts/package_data_json.py --check  # exit 1 if a copy is out of date (a test checks the same)
"""

from __future__ import annotations

import sys

from storybank import package_data


def main(argv: list[str]) -> int:
    stale = []
    for name in package_data.yaml_names():
        copy, text = package_data.DATA / package_data.json_name(name), package_data.json_copy(name)
        if copy.exists() and copy.read_text("utf-8") == text:
            continue
        stale.append(copy.name)
        if "--check" not in argv:
            copy.write_text(text, "utf-8")
    if stale and "--check" in argv:
        print(f"out of date: {', '.join(stale)}; run python scripts/package_data_json.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
