#!/usr/bin/env bash
# Installs the parts the end-to-end suite runs against, on Debian bookworm (idempotent, as root):
#   - Debian's docker.io engine (Docker 20.10, on the default socket), skopeo, nginx,
#     docker-registry, and busybox-static for a locally made base image;
#   - qemu-user-static and binfmt-support, so that a build runs arm64 RUN steps on this host;
#     and busybox-static for arm64, fetched as a .deb (with apt lists of its own, the machine's
#     architectures untouched) into $TESTBED_DIR/busybox-arm64 for a two-platform base image;
#   - docker-buildx from trixie (only that package: trixie is pinned below 100);
#   - trixie's docker.io (Docker 26) and containerd (1.7), unpacked with `dpkg -x` into
#     $TESTBED_DIR/trixie: the engines a runner's Docker-in-Docker sidecar has. They run with
#     bookworm's runc and never replace anything the machine has;
#   - two signature verifiers from trixie, unpacked with `dpkg -x` into $TESTBED_DIR/trixie-verifiers
#     with trixie's own libc (skopeo asks for GLIBC_2.38, bookworm has 2.36) and run through its
#     loader by wrappers in $TESTBED_DIR/bin: skopeo-trixie (skopeo 1.18, built with sigstore, which
#     bookworm's 1.9.3 lacks) and cosign (2.5; its own `cosign version` says only "devel");
#   - the Go programs, built from the Go module proxy at pinned versions by go-tools.sh: nektos/act
#     (runs the example workflow files), cosign v3 (a third verifier), crane and regctl (peers in
#     the benchmark).
# The Debian mirror is the one the machine's own apt sources name: no host is written here.
set -euo pipefail

TESTBED_DIR=${TESTBED_DIR:-/tmp/build-push-image-testbed}
trixie_root="$TESTBED_DIR/trixie"

bash "$(dirname "$0")/go-tools.sh"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

need=()
for pkg in curl ca-certificates docker.io skopeo nginx-light docker-registry busybox-static runc \
  qemu-user-static binfmt-support; do
  installed "$pkg" || need+=("$pkg")
done
buildx_missing=0
installed docker-buildx || buildx_missing=1
engines_missing=0
[ -x "$trixie_root/usr/sbin/dockerd" ] && [ -x "$trixie_root/usr/bin/containerd" ] || engines_missing=1
verifiers_root="$TESTBED_DIR/trixie-verifiers"
verifiers_missing=0
[ -x "$TESTBED_DIR/bin/skopeo-trixie" ] && [ -x "$TESTBED_DIR/bin/cosign" ] &&
  [ -x "$verifiers_root/usr/bin/skopeo" ] && [ -x "$verifiers_root/usr/bin/cosign" ] || verifiers_missing=1
arm64_busybox="$TESTBED_DIR/busybox-arm64/busybox"
arm64_missing=0
[ -x "$arm64_busybox" ] || arm64_missing=1

if [ ${#need[@]} -eq 0 ] && [ $buildx_missing -eq 0 ] && [ $engines_missing -eq 0 ] &&
  [ $verifiers_missing -eq 0 ] && [ $arm64_missing -eq 0 ]; then
  echo "test bed packages already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

# trixie comes from the mirror the machine already uses for bookworm, at a priority below 100,
# so that nothing comes from it unless asked for by name.
if [ ! -f /etc/apt/sources.list.d/trixie-testbed.sources ]; then
  mirror=$(apt-cache policy | awk '$3 ~ /^bookworm\/main$/ && $2 ~ /^https?:/ { print $2; exit }')
  if [ -z "$mirror" ]; then
    echo "install.sh: none of this machine's apt sources serves Debian bookworm main" >&2
    exit 1
  fi
  rm -f /etc/apt/sources.list.d/trixie-buildx.sources /etc/apt/preferences.d/trixie-buildx.pref
  cat >/etc/apt/sources.list.d/trixie-testbed.sources <<SRC
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  cat >/etc/apt/preferences.d/trixie-testbed.pref <<'PREF'
Package: *
Pin: release n=trixie
Pin-Priority: 50
PREF
  apt-get update -qq
fi

# policy-rc.d keeps the packages from starting their own services: the scripts start what they need.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if [ $buildx_missing -eq 1 ]; then
  apt-get install -y -qq --no-install-recommends -t trixie docker-buildx
fi
if [ $engines_missing -eq 1 ]; then
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -qq docker.io/trixie containerd/trixie)
  mkdir -p "$trixie_root"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$trixie_root"; done
  rm -rf "$debs"
  "$trixie_root/usr/sbin/dockerd" --version
  "$trixie_root/usr/bin/containerd" --version
fi
if [ $verifiers_missing -eq 1 ]; then
  # skopeo's libraries come with it, at trixie's versions, so that its loader finds them all there.
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download -qq skopeo/trixie cosign/trixie libc6/trixie libgpgme11t64/trixie \
    libassuan9/trixie libgpg-error0/trixie libsqlite3-0/trixie)
  cosign_version=$(dpkg-deb -f "$debs"/cosign_*.deb Version)
  rm -rf "$verifiers_root"
  mkdir -p "$verifiers_root" "$TESTBED_DIR/bin"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$verifiers_root"; done
  rm -rf "$debs"
  for tool in skopeo cosign; do
    wrapper="$TESTBED_DIR/bin/$tool"
    [ "$tool" = cosign ] || wrapper="$TESTBED_DIR/bin/$tool-trixie"
    cat >"$wrapper" <<WRAPPER
#!/bin/sh
# trixie's $tool on trixie's libc, both unpacked by scripts/testbed/install.sh beside the machine's.
exec "$verifiers_root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$verifiers_root/usr/lib/x86_64-linux-gnu" \\
  "$verifiers_root/usr/bin/$tool" "\$@"
WRAPPER
    chmod 755 "$wrapper"
  done
  skopeo_version=$("$TESTBED_DIR/bin/skopeo-trixie" --version)
  echo "$skopeo_version"
  case "$skopeo_version" in "skopeo version 1.18."*) ;; *)
    echo "install.sh: $TESTBED_DIR/bin/skopeo-trixie is not skopeo 1.18" >&2; exit 1 ;;
  esac
  "$TESTBED_DIR/bin/cosign" version --json | grep -q '"platform": "linux/amd64"' ||
    { echo "install.sh: $TESTBED_DIR/bin/cosign does not run" >&2; exit 1; }
  echo "cosign $cosign_version"
  case "$cosign_version" in 2.5.*) ;; *)
    echo "install.sh: trixie's cosign is $cosign_version, not 2.5" >&2; exit 1 ;;
  esac
fi
if [ $arm64_missing -eq 1 ]; then
  # The same sources, read for arm64 into lists of their own: dpkg's architectures stay as they are.
  apt_arm64="$TESTBED_DIR/apt-arm64"
  mkdir -p "$apt_arm64/lists/partial" "$apt_arm64/cache/archives/partial" "$TESTBED_DIR/busybox-arm64"
  arm64_apt=(-qq -o APT::Architectures::=arm64 -o APT::Architecture=arm64
    -o Dir::State::Lists="$apt_arm64/lists" -o Dir::Cache="$apt_arm64/cache" -o Dir::State::status=/dev/null)
  apt-get "${arm64_apt[@]}" update
  unpacked=$(mktemp -d)
  (cd "$unpacked" && apt-get "${arm64_apt[@]}" download busybox-static/bookworm 2>/dev/null &&
    dpkg -x ./*.deb root)
  cp "$unpacked/root/bin/busybox" "$arm64_busybox"
  rm -rf "$unpacked" "$apt_arm64"
  file_type=$(od -An -j18 -N2 -tx1 "$arm64_busybox" | tr -d ' ')
  [ "$file_type" = b700 ] || { echo "install.sh: $arm64_busybox is not an arm64 binary" >&2; exit 1; }
fi
