#!/usr/bin/env bash
# The test command: sets up what is missing, then runs type checks, lint, the build and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
