#!/usr/bin/env bash
# Starts the end-to-end test bed on loopback and writes its coordinates to $TESTBED_DIR/env:
#   - the Docker engine (Debian's dockerd, no bridge, no iptables), unless one already answers;
#   - Debian's docker-registry on 127.0.0.1:$BACKEND_PORT (storage under $TESTBED_DIR);
#   - nginx on 127.0.0.1:$REGISTRY_PORT answering like zot: anonymous reads, a 200 ping that
#     carries a Basic challenge, writes only with the test identity's zak_ key, and every
#     request that carries credentials checked (Basic Og== counting as none);
#   - on 127.0.0.1:$DOOR_PORT, the same registry behind a door that refuses to overwrite an
#     existing tag (403 DENIED), as zot does for an identity with `create` but not `update`;
#   - the paths of the signature verifiers install.sh unpacked from trixie (skopeo 1.18, cosign 2.5),
#     and of the Go programs go-tools.sh built (act, cosign v3, crane, regctl).
# Idempotent: a part that already runs is left as it is.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TESTBED_DIR=${TESTBED_DIR:-/tmp/build-push-image-testbed}
REGISTRY_PORT=${REGISTRY_PORT:-5080}
BACKEND_PORT=${BACKEND_PORT:-5081}
DOOR_PORT=${DOOR_PORT:-5082}
mkdir -p "$TESTBED_DIR"
chmod 711 "$TESTBED_DIR"

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 1 300); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "test bed: $what did not come up; see the logs in $TESTBED_DIR" >&2
  return 1
}

# --- TLS material for the fourth engine, set up as the docker:dind image does it: the classic
# store behind TLS, the client with a certificate (DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH).
tls="$TESTBED_DIR/tls"
if [ ! -f "$tls/client/key.pem" ]; then
  mkdir -p "$tls/server" "$tls/client"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=testbed-ca \
      -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server/key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile server.ext -out server/cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout client/key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile client.ext -out client/cert.pem 2>/dev/null
    cp ca.pem server/ca.pem
    cp ca.pem client/ca.pem
    rm -f ./*.csr ./*.ext
  )
fi

# docker, told how to reach one engine of the test bed (TLS for the fourth).
docker_at() { # host, docker arguments...
  local host=$1; shift
  if [ "$host" = tcp://127.0.0.1:2377 ]; then
    DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$tls/client" docker -H "$host" "$@"
  else
    env -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH docker -H "$host" "$@"
  fi
}

# --- Docker engines
# Debian bookworm's Docker 20.10 on the default socket, as a host runner has it.
if ! docker_at unix:///var/run/docker.sock info >/dev/null 2>&1; then
  echo "starting dockerd (Docker 20.10, unix:///var/run/docker.sock)"
  nohup dockerd --bridge=none --iptables=false --ip6tables=false \
    >"$TESTBED_DIR/dockerd.log" 2>&1 &
  echo $! >"$TESTBED_DIR/dockerd.pid"
  wait_for "dockerd" docker_at unix:///var/run/docker.sock info
fi

# trixie's Docker 26 with containerd 1.7 (unpacked by install.sh, bookworm's runc), as a runner's
# Docker-in-Docker sidecar: reached only over tcp on loopback, each engine with its own data,
# exec root, pid file and managed containerd. Port 2375: the classic image store; port 2376:
# the containerd image store; port 2377: the classic store behind TLS.
start_sidecar() { # name, port, daemon.json, dockerd options...
  local name=$1 port=$2 config=$3 dir="$TESTBED_DIR/engine-$1"
  shift 3
  if docker_at "tcp://127.0.0.1:$port" info >/dev/null 2>&1; then return 0; fi
  echo "starting dockerd 26 ($name, tcp://127.0.0.1:$port)"
  mkdir -p "$dir"
  printf '%s\n' "$config" >"$dir/daemon.json"
  PATH="$TESTBED_DIR/trixie/usr/bin:$TESTBED_DIR/trixie/usr/sbin:$PATH" nohup \
    "$TESTBED_DIR/trixie/usr/sbin/dockerd" --config-file "$dir/daemon.json" \
    --host "tcp://127.0.0.1:$port" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --bridge=none --iptables=false --ip6tables=false "$@" \
    >"$dir/dockerd.log" 2>&1 &
  wait_for "dockerd 26 on $port" docker_at "tcp://127.0.0.1:$port" info
}
start_sidecar classic 2375 '{}'
start_sidecar containerd 2376 '{"features": {"containerd-snapshotter": true}}'
start_sidecar classic-tls 2377 '{}' --tlsverify --tlscacert "$tls/server/ca.pem" \
  --tlscert "$tls/server/cert.pem" --tlskey "$tls/server/key.pem"
engines="unix:///var/run/docker.sock tcp://127.0.0.1:2375 tcp://127.0.0.1:2376 tcp://127.0.0.1:2377"

# --- a base image for builds with RUN, made locally in each engine (no image registry is reachable)
rootfs=""
for host in $engines; do
  if docker_at "$host" image inspect build-push-image-test/busybox:local >/dev/null 2>&1; then continue; fi
  if [ -z "$rootfs" ]; then
    rootfs=$(mktemp -d)
    mkdir -p "$rootfs/bin"
    cp "$(command -v busybox)" "$rootfs/bin/busybox"
    for applet in sh echo cat ls mkdir cp true sleep; do ln -s busybox "$rootfs/bin/$applet"; done
  fi
  tar -C "$rootfs" -c . | docker_at "$host" import - build-push-image-test/busybox:local >/dev/null
done
[ -z "$rootfs" ] || rm -rf "$rootfs"

# --- arm64 builds on this amd64 host: qemu-user-static's handlers in binfmt_misc. They carry the
# F flag (the interpreter is opened when registered), so they work inside a build's container.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || {
  echo "test bed: the qemu-aarch64 handler lacks the F flag; builds could not run arm64 steps" >&2
  exit 1
}

# --- a two-platform base image (linux/amd64 and linux/arm64) in the containerd-store engine, the
# one engine that holds an index: busybox-static of each architecture imported with
# `docker import --platform`, then joined under one tag by a build that only names them.
multi=tcp://127.0.0.1:2376
if ! docker_at "$multi" image inspect build-push-image-test/busybox:multi >/dev/null 2>&1; then
  work=$(mktemp -d)
  for arch in amd64 arm64; do
    mkdir -p "$work/$arch/bin"
    if [ "$arch" = amd64 ]; then cp "$(command -v busybox)" "$work/$arch/bin/busybox"; else
      cp "$TESTBED_DIR/busybox-arm64/busybox" "$work/$arch/bin/busybox"
    fi
    ln -s busybox "$work/$arch/bin/sh"
    tar -C "$work/$arch" -c . |
      docker_at "$multi" import --platform "linux/$arch" - "build-push-image-test/busybox:$arch" >/dev/null
  done
  mkdir -p "$work/join"
  printf 'FROM build-push-image-test/busybox:${TARGETARCH}\n' >"$work/join/Dockerfile"
  docker_at "$multi" buildx build --quiet --platform linux/amd64,linux/arm64 \
    --tag build-push-image-test/busybox:multi --load "$work/join" >/dev/null
  rm -rf "$work"
fi

# --- credentials of the test identity (made once per test bed)
if [ ! -f "$TESTBED_DIR/credentials" ]; then
  key="zak_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  umask 077
  printf 'TESTBED_USERNAME=ci-builder\nTESTBED_API_KEY=%s\n' "$key" >"$TESTBED_DIR/credentials"
fi
# shellcheck disable=SC1091
. "$TESTBED_DIR/credentials"
basic=$(printf '%s:%s' "$TESTBED_USERNAME" "$TESTBED_API_KEY" | base64 -w0)

# --- registry behind nginx
if ! curl -fsS "http://127.0.0.1:$BACKEND_PORT/v2/" >/dev/null 2>&1; then
  echo "starting docker-registry on 127.0.0.1:$BACKEND_PORT"
  mkdir -p "$TESTBED_DIR/registry"
  sed -e "s|@STORAGE@|$TESTBED_DIR/registry|" -e "s|@PORT@|$BACKEND_PORT|" \
    "$here/registry.yml" >"$TESTBED_DIR/registry.yml"
  nohup docker-registry serve "$TESTBED_DIR/registry.yml" >"$TESTBED_DIR/registry.log" 2>&1 &
  echo $! >"$TESTBED_DIR/registry.pid"
  wait_for "docker-registry" curl -fsS "http://127.0.0.1:$BACKEND_PORT/v2/"
fi

# The identity's key list as zot answers it: the key in use expires in 3 days (so the action
# warns), an older one has expired, a newer one lasts 80 days. Dates are made at each start.
day() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
cat >"$TESTBED_DIR/apikeys.json" <<JSON
{"apiKeys":[
 {"label":"ci-expiring-soon","createdAt":"$(day '-87 days')","expirationDate":"$(day '+3 days')","isExpired":false,"lastUsed":"$(day 'now')","scopes":[],"uuid":"6f1d2c3e-0000-4000-8000-000000000001"},
 {"label":"ci-old","createdAt":"$(day '-200 days')","expirationDate":"$(day '-110 days')","isExpired":true,"lastUsed":"$(day '-111 days')","scopes":[],"uuid":"6f1d2c3e-0000-4000-8000-000000000002"},
 {"label":"ci-next","createdAt":"$(day '-10 days')","expirationDate":"$(day '+80 days')","isExpired":false,"lastUsed":"0001-01-01T00:00:00Z","scopes":[],"uuid":"6f1d2c3e-0000-4000-8000-000000000003"}
]}
JSON
chmod 644 "$TESTBED_DIR/apikeys.json"

sed -e "s|@DIR@|$TESTBED_DIR|g" -e "s|@PORT@|$REGISTRY_PORT|g" \
  -e "s|@BACKEND@|$BACKEND_PORT|g" -e "s|@BASIC@|$basic|g" \
  "$here/nginx.conf" >"$TESTBED_DIR/nginx.conf"
mkdir -p "$TESTBED_DIR/nginx-temp"
# Ask the port, not a pid file: after a reboot or a new session a stale pid may name anything.
if curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1; then
  nginx -c "$TESTBED_DIR/nginx.conf" -s reload 2>/dev/null
else
  echo "starting nginx (zot-like front) on 127.0.0.1:$REGISTRY_PORT"
  nginx -c "$TESTBED_DIR/nginx.conf"
fi
wait_for "nginx" curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/"

if ! curl -fsS "http://127.0.0.1:$DOOR_PORT/v2/" >/dev/null 2>&1; then
  echo "starting the create-only door on 127.0.0.1:$DOOR_PORT"
  nohup node "$here/create-only-door.mjs" "$DOOR_PORT" "$REGISTRY_PORT" >"$TESTBED_DIR/door.log" 2>&1 &
  echo $! >"$TESTBED_DIR/door.pid"
  wait_for "the create-only door" curl -fsS "http://127.0.0.1:$DOOR_PORT/v2/"
fi

cat >"$TESTBED_DIR/env" <<ENV
TESTBED_DIR=$TESTBED_DIR
TESTBED_REGISTRY=127.0.0.1:$REGISTRY_PORT
TESTBED_BACKEND=127.0.0.1:$BACKEND_PORT
TESTBED_CREATE_ONLY_REGISTRY=127.0.0.1:$DOOR_PORT
TESTBED_ACCESS_LOG=$TESTBED_DIR/nginx-access.log
TESTBED_CREDENTIALS=$TESTBED_DIR/credentials
TESTBED_API_KEYS=$TESTBED_DIR/apikeys.json
TESTBED_ENGINES=$engines
TESTBED_TLS_ENGINE=tcp://127.0.0.1:2377
TESTBED_TLS_CERTS=$tls/client
TESTBED_SKOPEO_VERIFIER=$TESTBED_DIR/bin/skopeo-trixie
TESTBED_COSIGN=$TESTBED_DIR/bin/cosign
TESTBED_COSIGN_V3=$TESTBED_DIR/bin/cosign-v3
TESTBED_ACT=$TESTBED_DIR/bin/act
TESTBED_CRANE=$TESTBED_DIR/bin/crane
TESTBED_REGCTL=$TESTBED_DIR/bin/regctl
ENV
echo "test bed ready: registry 127.0.0.1:$REGISTRY_PORT (coordinates in $TESTBED_DIR/env)"
