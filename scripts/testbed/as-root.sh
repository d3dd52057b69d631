#!/usr/bin/env bash
# Runs a command as root: directly when already root (CI), through sudo otherwise.
if [ "$(id -u)" -eq 0 ]; then exec "$@"; fi
if command -v sudo >/dev/null 2>&1; then exec sudo --preserve-env=TESTBED_DIR,REGISTRY_PORT,BACKEND_PORT "$@"; fi
echo "This step needs root (apt-get, dockerd): run it as root or install sudo." >&2
exit 1
