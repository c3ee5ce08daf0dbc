#!/usr/bin/env bash
# The main job: sets up what is missing, builds everything, and runs a whole
# eID login against the reference backend (eid-bridge demo). Options go to
# the demo: --browser firefox, --headless, --port N.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> Building the native host, the command-line tool and the extension"
npm run --silent build
exec node dist/eid-bridge.mjs demo "$@"
