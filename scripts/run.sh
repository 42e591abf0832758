#!/usr/bin/env bash
# One-command set-up and run on a fresh machine with Node >= 20:
#   bash scripts/run.sh demo   — the main job
#   bash scripts/run.sh test   — the whole test suite (what CI runs)
# Installs pnpm (the version pinned in package.json) and the dependencies
# (frozen lockfile) first.
set -euo pipefail
cd "$(dirname "$0")/.."

task="${1:-}"
case "$task" in
  demo | test) ;;
  *)
    echo "usage: bash scripts/run.sh demo|test" >&2
    exit 2
    ;;
esac

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "installing pnpm $pnpm_version" >&2
  npm install --global --silent "pnpm@$pnpm_version" >&2
fi

pnpm install --frozen-lockfile

case "$task" in
  demo) pnpm run demo ;;
  test) pnpm run test ;;
esac
