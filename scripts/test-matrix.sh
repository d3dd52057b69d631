#!/usr/bin/env bash
# `npm test`: the unit suite, then the end-to-end suite against every engine of the test bed,
# the bundle run by the Node versions runners have. Each row: engine, Node major, whom it stands for.
#   Docker 20.10 on the socket      Node 20   a host runner on Debian bookworm
#   Docker 26, classic store, tcp   Node 22   the Forgejo runner: a DinD sidecar, the job image's Node
#   Docker 26, containerd store     Node 22   the same sidecar with the containerd image store
#   Docker 26, classic store, TLS   Node 22   the docker:dind image's own TLS set-up
#   Docker 20.10 on the socket      Node 24   GitHub-hosted runners (node24, the socket)
# A row that fails stops the run; the test bed must be up (scripts/test.sh starts it).
set -euo pipefail
cd "$(dirname "$0")/.."
node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit

env_file="${TESTBED_DIR:-/tmp/build-push-image-testbed}/env"
TESTBED_TLS_ENGINE=$(sed -n 's/^TESTBED_TLS_ENGINE=//p' "$env_file")
TESTBED_TLS_CERTS=$(sed -n 's/^TESTBED_TLS_CERTS=//p' "$env_file")
rows=(
  "unix:///var/run/docker.sock 20"
  "tcp://127.0.0.1:2375 22"
  "tcp://127.0.0.1:2376 22"
  "tcp://127.0.0.1:2377 22"
  "unix:///var/run/docker.sock 24"
)
for row in "${rows[@]}"; do
  read -r host major <<<"$row"
  node_bin=$(bash scripts/testbed/node.sh "$major")
  tls=()
  [ "$host" != "$TESTBED_TLS_ENGINE" ] || tls=("DOCKER_TLS_VERIFY=1" "DOCKER_CERT_PATH=$TESTBED_TLS_CERTS")
  echo "== e2e: DOCKER_HOST=$host ${tls[*]}, bundle under Node $("$node_bin" --version)"
  env -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH "${tls[@]}" DOCKER_HOST="$host" BPI_NODE="$node_bin" \
    node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects e2e --runInBand
done
