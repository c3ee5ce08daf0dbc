#!/usr/bin/env bash
# The main job: sets up what is missing, builds everything, and shows what the
# native host sees (readers and cards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> Building the native host, the command-line tool and the extension"
npm run --silent build
echo "==> What the native host sees"
node dist/eid-bridge.mjs status
