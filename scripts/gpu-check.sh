#!/usr/bin/env bash
# GPU check for dmil's WebGPU backend, on a Linux machine with an NVIDIA GPU and no network.
# Run it from a copy of the repository that already holds node_modules and dist (npm ci and
# npm run build done elsewhere, or on this machine while it had network):
#
#   scripts/gpu-check.sh [--vulkan-deb libvulkan1_*.deb] [--node node-v20.*-linux-x64.tar.xz]
#
# --vulkan-deb  the Vulkan loader (Debian's libvulkan1), installed with dpkg when libvulkan.so.1
#               is missing; the NVIDIA driver's own Vulkan ICD must be present (nvidia_icd.json).
#               If it lives outside the default search path, set VK_DRIVER_FILES to it.
# --node        a Node.js 20+ tarball, unpacked into /tmp and used when node is missing or older.
#
# It runs the WebGPU parity tests (a training step of each paradigm and backbone on webgpu
# against cpu), every command of test/integration/syncReads.test.ts on webgpu (train for every
# paradigm and stage, resume, eval, decompose, report, pid, a sweep: WebGPU cannot read the
# device synchronously under Node, so any synchronous read fails there), the parity,
# determinism and speed table of scripts/gpuCheck.ts (every paradigm trained twice on webgpu and
# once on wasm), the memory of a 30-epoch DMIL run on webgpu, and the GPU bench (joint, DMIL's
# stages, conv2d, a wide MLP, webgpu against wasm); then one summary. About 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=""; tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    --vulkan-deb) deb="$2"; shift 2 ;;
    --node) tarball="$2"; shift 2 ;;
    *) echo "unknown argument $1 (see the comment at the top of this script)" >&2; exit 2 ;;
  esac
done
need_node() { ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; }
if need_node; then
  [ -n "$tarball" ] || { echo "Node.js 20+ is missing: pass --node node-v20...-linux-x64.tar.xz" >&2; exit 2; }
  mkdir -p /tmp/gpu-check-node && tar -xf "$tarball" -C /tmp/gpu-check-node --strip-components=1
  export PATH="/tmp/gpu-check-node/bin:$PATH"
fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  [ -n "$deb" ] || { echo "the Vulkan loader (libvulkan.so.1) is missing: pass --vulkan-deb libvulkan1_*.deb" >&2; exit 2; }
  dpkg -i "$deb" >/dev/null
fi
[ -d node_modules/webgpu ] || { echo "node_modules/webgpu is missing: run npm ci (with network) first" >&2; exit 2; }
[ -d dist ] || { echo "dist is missing: run npm run build first" >&2; exit 2; }
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
echo "== parity (webgpu against cpu) =="
set +e
node --test dist/test/webgpu.test.js > /tmp/gpu-check-parity.txt 2>&1
parity=$?
set -e
grep -E '^(not )?ok|# (pass|fail|skip)|SKIP|largest difference' /tmp/gpu-check-parity.txt || true
echo "== every command on webgpu, no synchronous reads =="
set +e
DMIL_SYNC_READS_BACKEND=webgpu timeout 240 node --test dist/test/integration/syncReads.test.js > /tmp/gpu-check-syncreads.txt 2>&1
syncreads=$?
set -e
grep -E '^(not )?ok|# (pass|fail)|identical|differs' /tmp/gpu-check-syncreads.txt || true
echo "== parity, determinism and speed table (webgpu against wasm) =="
timeout 240 node dist/scripts/gpuCheck.js --backend webgpu --reference wasm 2>/dev/null | tee /tmp/gpu-check-table.md || echo "the table did not finish (see above)"
echo "== memory over a 30-epoch DMIL run on webgpu =="
timeout 150 node dist/bench/run.js --memory-only --backend webgpu 2>&1 | tee /tmp/gpu-check-memory.txt || true
echo "== bench (webgpu against wasm) =="
timeout 420 node dist/bench/run.js --gpu-only 2>&1 | tee /tmp/gpu-check-bench.txt
echo "== summary =="
if grep -q '# SKIP' /tmp/gpu-check-parity.txt; then echo "parity: SKIPPED ($(grep -o 'SKIP.*' /tmp/gpu-check-parity.txt | head -1))";
elif [ $parity -eq 0 ]; then echo "parity: passed"; else echo "parity: FAILED (see /tmp/gpu-check-parity.txt)"; fi
if [ $syncreads -eq 0 ]; then echo "commands on webgpu: passed, no synchronous read"; else echo "commands on webgpu: FAILED (see /tmp/gpu-check-syncreads.txt)"; fi
grep -E 'flat in every stage' /tmp/gpu-check-memory.txt | sed 's/^/memory: /' || echo "memory: no result"
grep -E '^webgpu ' /tmp/gpu-check-bench.txt | sed 's/^/bench: /' || echo "bench: no webgpu numbers"
echo "table for the README: /tmp/gpu-check-table.md"
[ $parity -eq 0 ] && [ $syncreads -eq 0 ]
