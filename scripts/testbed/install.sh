#!/usr/bin/env bash
# Installs the parts the end-to-end suite runs against, on Debian bookworm (idempotent, as root):
# Debian's docker.io engine, docker-buildx from trixie (only that package), skopeo, nginx,
# docker-registry, and busybox-static for a locally made base image.
set -euo pipefail

need=()
for pkg in curl ca-certificates docker.io skopeo nginx-light docker-registry busybox-static; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
buildx_missing=0
dpkg-query -W -f='${Status}' docker-buildx 2>/dev/null | grep -q 'install ok installed' || buildx_missing=1

if [ ${#need[@]} -eq 0 ] && [ $buildx_missing -eq 0 ]; then
  echo "test bed packages already installed"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# trixie is added at a priority below 100 so that nothing comes from it unless asked for with -t.
if [ ! -f /etc/apt/sources.list.d/trixie-buildx.sources ]; then
  cat > /etc/apt/sources.list.d/trixie-buildx.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  cat > /etc/apt/preferences.d/trixie-buildx.pref <<'PREF'
Package: *
Pin: release n=trixie
Pin-Priority: 50
PREF
fi
apt-get update -qq
# policy-rc.d keeps the packages from starting their own services: the scripts start what they need.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if [ $buildx_missing -eq 1 ]; then
  apt-get install -y -qq --no-install-recommends -t trixie docker-buildx
fi
