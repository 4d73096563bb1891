#!/usr/bin/env bash
# Runs one saga demo: scripts/demos/run-demo.sh <saga-happy-path|saga-payment-failure|saga-out-of-stock|saga-timeout>
# Builds the project first when build/ is missing or older than the sources, then runs the compiled demo
# with the project's own Node (the `node` devDependency). The wrappers scripts/demo-saga-*.sh call this.
set -euo pipefail

demo="${1:?usage: scripts/demos/run-demo.sh <demo name, e.g. saga-happy-path>}"
shift
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

node_bin=./node_modules/.bin/node
if [[ ! -x "$node_bin" ]]; then
  echo "The project's Node is not installed ($node_bin missing): run \`npm ci\` first." >&2
  exit 1
fi
if [[ ! -f "scripts/demos/$demo.ts" ]]; then
  echo "Unknown demo '$demo' (no scripts/demos/$demo.ts)." >&2
  exit 64
fi

compiled="build/scripts/demos/$demo.js"
stale=""
if [[ ! -f "$compiled" ]]; then
  stale="build/ has no $demo.js yet"
elif newer="$(find scripts src services tsconfig.json tsconfig.build.json package.json -newer "$compiled" \
  \( -name '*.ts' -o -name '*.json' \) -print -quit 2>/dev/null)" && [[ -n "$newer" ]]; then
  stale="$newer changed since the last build"
fi
if [[ -n "$stale" ]]; then
  echo "Building first ($stale): npm run build"
  if ! npm run build --silent; then
    # tsc still writes the JavaScript when it finds type errors (often in files unrelated to the demos).
    if [[ -f "$compiled" && -z "$(find scripts/demos -name '*.ts' -newer "$compiled" -print -quit)" ]]; then
      echo "npm run build reported errors (above); the demo itself compiled, so it runs anyway." >&2
    else
      echo "The build failed (above), so the demo cannot run. Fix the build and try again." >&2
      exit 1
    fi
  fi
  echo
fi

exec "$node_bin" "$compiled" "$@"
