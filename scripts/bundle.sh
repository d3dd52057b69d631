#!/usr/bin/env bash
# `npm run bundle`: the action's bundle in dist/ (index.js and its chunks), the command line's in
# dist/cli/ (ncc names chunks by module id, so two builds in one folder would overwrite each
# other's), and dist/cli.js, package.json's `bin`, which loads it. Each runs with no node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
ncc=node_modules/.bin/ncc
options=(--license licenses.txt --minify --target es2022)
rm -rf dist
"$ncc" build src/index.ts -o dist "${options[@]}"
"$ncc" build src/bin.ts -o dist/cli "${options[@]}"
cat >dist/cli.js <<'JS'
#!/usr/bin/env node
// build-push-image on the command line (written by scripts/bundle.sh): the bundle is in cli/.
import './cli/index.js';
JS
chmod 755 dist/cli.js
