#!/usr/bin/env node
// build-push-image on the command line (written by scripts/bundle.sh): the bundle is in cli/.
import './cli/index.js';
