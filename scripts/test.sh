#!/usr/bin/env bash
# The README's test command: sets up everything the tests need on a Debian or Ubuntu machine
# (the test bed's packages, node modules, the engine and the zot-like registry), then runs
# the unit and end-to-end suites with `npm test`. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/testbed/as-root.sh bash scripts/testbed/install.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
bash scripts/testbed/as-root.sh bash scripts/testbed/start.sh
npm test
