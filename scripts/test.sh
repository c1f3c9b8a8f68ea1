#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine (Python 3.11+, pip; root with apt-get for
# the system packages), then run it. Arguments go to pytest: `bash scripts/test.sh -k consent`.
#   - Debian's Chromium: the browser the handout tests print and check pages with (Playwright drives it;
#     Playwright's own browser download does not work here).
#   - Pango, HarfBuzz-Subset and DejaVu fonts: what WeasyPrint needs to make PDF handouts.
set -euo pipefail
cd "$(dirname "$0")/.."
system_packages=(chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
missing=()
for package in "${system_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "scripts/test.sh: please install ${missing[*]} (Debian packages); their tests are skipped" >&2
    fi
fi
python3 -m pip install --quiet --disable-pip-version-check -e '.[test,pdf,web,semantic]'
python3 -m pytest "$@"
