#!/usr/bin/env bash
# Runs vitest for a package whose tests use Dawn (npm `webgpu`) in Node.
# Dawn has been seen, rarely and only under heavy load, to deadlock inside
# InstanceBase::ProcessEvents (the JavaScript thread blocks in native code, so
# vitest's own timeouts cannot fire). A run that makes no progress for
# 10 minutes is stopped and run once more; any other failure fails at once.
set -uo pipefail
timeout --kill-after=10 600 vitest run "$@"
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "vitest-dawn: the run hung for 10 minutes (Dawn deadlock); running it once more" >&2
  timeout --kill-after=10 600 vitest run "$@"
  rc=$?
fi
exit "$rc"
