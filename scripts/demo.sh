#!/usr/bin/env bash
# The README's first command: sets up the test bed (Docker engine, buildx, skopeo, and a
# zot-like registry on 127.0.0.1) and runs the committed action against it: a first push of
# v1.0.0 and the commit tag, a second push of v1.0.0 from another commit being refused, and
# a re-run of the first commit converging without a build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/testbed/as-root.sh bash scripts/testbed/install.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
bash scripts/testbed/as-root.sh bash scripts/testbed/start.sh
node scripts/demo.mjs
