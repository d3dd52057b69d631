#!/usr/bin/env bash
# The README's test command: sets up everything the tests need on a Debian or Ubuntu machine
# (the test bed's packages, node modules, the three engines and the zot-like registry), then runs
# `npm test`: the unit suite once, and the end-to-end suite once per row of the matrix below,
# each with DOCKER_HOST naming the engine under test and BPI_NODE the Node that runs the bundle.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/testbed/as-root.sh bash scripts/testbed/install.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
bash scripts/testbed/as-root.sh bash scripts/testbed/start.sh
npm test
