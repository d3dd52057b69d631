#!/usr/bin/env bash
# Builds the Go programs of the test bed from the Go module proxy, each at a pinned version, once:
# into $TESTBED_DIR/go/<name>-<version>/, with a link $TESTBED_DIR/bin/<name> to the one in use
# (cosign v3 is `cosign-v3` there: `cosign` is trixie's 2.5, see install.sh).
# A binary that is already there is checked, not built again. Each build's module versions come
# from the program's own go.sum (`go install module@version`), so a build is the same on every
# machine; GOTOOLCHAIN=local makes a program that needs a newer Go fail here instead of fetching
# a toolchain. The module cache and build cache live in the test bed too.
#
# Why each is pinned at its version (docs/development.md lists them too):
#   act     the one release of nektos/act the proxy serves here; runs the example workflow files
#           in host mode (Forgejo's runner, a fork of act, is not served: see docs/development.md)
#   cosign-v3  cosign v3: signs as a sigstore bundle by default and must still verify the action's .sig
#   crane   go-containerregistry's client, a peer in `npm run bench`
#   regctl  regclient's client, a peer in `npm run bench`
set -euo pipefail

TESTBED_DIR=${TESTBED_DIR:-/tmp/build-push-image-testbed}
GO=$(command -v go || echo /usr/local/go/bin/go)
[ -x "$GO" ] || { echo "go-tools.sh: no Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2; exit 1; }

# name in $TESTBED_DIR/bin  the main package  version
TOOLS=(
  "act github.com/nektos/act v0.2.89"
  "cosign-v3 github.com/sigstore/cosign/v3/cmd/cosign v3.1.3"
  "crane github.com/google/go-containerregistry/cmd/crane v0.22.1"
  "regctl github.com/regclient/regclient/cmd/regctl v0.11.7"
)

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
export GOPATH="$TESTBED_DIR/go/path" GOMODCACHE="$TESTBED_DIR/go/mod" GOCACHE="$TESTBED_DIR/go/cache"
mkdir -p "$TESTBED_DIR/bin"

# The module version a binary was built from, as its own build information says.
built_from() { # binary, module
  "$GO" version -m "$1" 2>/dev/null | awk -v module="$2" '$1 == "mod" && $2 == module { print $3 }'
}

for tool in "${TOOLS[@]}"; do
  read -r name package version <<<"$tool"
  module=${package%/cmd/*}
  dir="$TESTBED_DIR/go/$name-$version"
  binary="$dir/$(basename "$package")"
  if [ "$(built_from "$binary" "$module")" != "$version" ]; then
    echo "building $name $version ($package)"
    rm -rf "$dir"
    mkdir -p "$dir"
    # Each module it fetches is one line; the errors are what a log needs.
    GOBIN="$dir" "$GO" install -trimpath -ldflags='-s -w' "$package@$version" 2> >(grep -v '^go: downloading ' >&2)
    got=$(built_from "$binary" "$module")
    if [ "$got" != "$version" ]; then
      echo "go-tools.sh: $binary says it was built from $module ${got:-(nothing)}, not $version" >&2
      exit 1
    fi
  fi
  ln -sfn "$binary" "$TESTBED_DIR/bin/$name"
done
echo "Go tools: $(for tool in "${TOOLS[@]}"; do read -r n _ v <<<"$tool"; printf '%s %s, ' "$n" "$v"; done | sed 's/, $//')"
