#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine (Python 3.11+, pip), then run it.
# Arguments go to pytest: `bash scripts/test.sh -k consent`.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m pytest "$@"
