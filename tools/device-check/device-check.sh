#!/usr/bin/env bash
# Device check for a lent GPU machine (CUDA 13, CMake, Python; no Node, no TensorRT, no ../shared):
# builds the CUDA addon for this GPU, then runs tools/device-check/device-check.js, which compares the
# fused GPU path (detector input, classifier input per window, device planes, the batch tensor) and the
# YOLOX decode with the CPU kernels on real RSNA images (bit-exact), checks the GPU outputs against the
# preprocess goldens, times each kernel against the measured device-to-device copy rate, measures the
# upload in GB/s against the pinned host-to-device rate, and prints one table
# (also written to $OUT/device-check.txt and .json when OUT is set). Budget: under 8 minutes.
#
# Prepare on a machine with Node first (docs/GPU.md "Device check"):
#   npm ci && npm run build && node tools/device-check/device-check-prepare.js
# then run there from the repository root, carrying .devcheck, build and node_modules/node-addon-api:
#   bash tools/device-check/device-check.sh
# Every missing piece is named; the exit code is 0 only when every check passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
say() { echo "device-check: $*"; }
elapsed() { echo "$((SECONDS - started))s"; }

# 1. Node >= 20: the machine's own, or the one packed by device-check-prepare.js.
NODE=""
if [ "${RSNA_DEVCHECK_CARRIED_NODE:-0}" != 1 ] && command -v node >/dev/null 2>&1 &&
   node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  NODE="$(command -v node)"
elif [ -f .devcheck/node.xz ]; then
  mkdir -p /tmp/rsna-devcheck
  if command -v xz >/dev/null 2>&1; then xz -dc .devcheck/node.xz > /tmp/rsna-devcheck/node
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(".devcheck/node.xz"), sys.stdout.buffer)' > /tmp/rsna-devcheck/node
  fi && chmod +x /tmp/rsna-devcheck/node && NODE=/tmp/rsna-devcheck/node
fi
if [ -z "$NODE" ] || ! "$NODE" --version >/dev/null 2>&1; then
  say "MISSING Node >= 20: none installed and .devcheck/node.xz absent or broken (run node tools/device-check/device-check-prepare.js and carry .devcheck)"
  exit 2
fi
say "node $("$NODE" --version) ($NODE)"

# 2. The GPU and the CUDA toolchain.
ARCH="${RSNA_MAMMO_CUDA_ARCHS:-}"
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu="$(nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader 2>/dev/null | head -n 1)"
  say "GPU: ${gpu:-nvidia-smi lists no GPU}"
  cc="$(echo "$gpu" | awk -F', ' '{print $3}' | tr -d '.')"
  [ -z "$ARCH" ] && [ -n "$cc" ] && ARCH="${cc}-real"
else
  say "nvidia-smi not found: no NVIDIA driver here? (the build still runs; the checks will say no GPU)"
fi
ARCH="${ARCH:-80-real;90-real;90-virtual}"
NVCC="${CUDACXX:-$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)}"
[ -x "$NVCC" ] || { say "MISSING nvcc (CUDA toolkit): set CUDACXX"; exit 2; }
command -v cmake >/dev/null 2>&1 || { say "MISSING cmake"; exit 2; }
say "nvcc: $("$NVCC" --version | grep -o 'release [0-9.]*'), cmake $(cmake --version | head -n1 | awk '{print $3}'), archs $ARCH"

# 3. Build the CUDA addon with plain cmake (no cmake-js there): N-API headers and node-addon-api carried.
NAPI_INC=""
for d in .devcheck/node-include "$(dirname "$NODE")/../include/node"; do [ -f "$d/node_api.h" ] && NAPI_INC="$(cd "$d" && pwd)" && break; done
[ -n "$NAPI_INC" ] || { say "MISSING N-API headers (.devcheck/node-include): run tools/device-check/device-check-prepare.js"; exit 2; }
NAA="$(pwd)/node_modules/node-addon-api"
[ -f "$NAA/napi.h" ] || { say "MISSING node_modules/node-addon-api (carry it)"; exit 2; }
GEN=(); command -v ninja >/dev/null 2>&1 && GEN=(-G Ninja)
BUILD=build-cuda-device
say "building the CUDA addon in $BUILD ..."
if ! { cmake -S . -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$NVCC" \
         -DCMAKE_JS_INC="$NAPI_INC" -DNODE_ADDON_API_DIR="$NAA" -DRSNA_CUDA_ARCHS="$ARCH" \
         -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$(pwd)/$BUILD/Release" > "$BUILD.log" 2>&1 &&
       cmake --build "$BUILD" -j "$(nproc)" >> "$BUILD.log" 2>&1; }; then
  tail -n 30 "$BUILD.log"; say "FAILED: CUDA addon build (log above, $(elapsed))"; exit 1
fi
grep -E "SKIP|TensorRT headers" "$BUILD.log" | sed 's/^/device-check: cmake: /'
export RSNA_MAMMO_CUDA_ADDON="$(pwd)/$BUILD/Release/rsna_mammo_cuda.node"
say "CUDA addon built ($(elapsed))"

# 4. The CPU addon (built where Node is, carried in build/), its codec libraries from .devcheck/lib.
[ -f build/Release/rsna_mammo.node ] || say "MISSING build/Release/rsna_mammo.node (carry build): parity checks will be skipped"
export LD_LIBRARY_PATH="$(pwd)/.devcheck/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[ -d .devcheck/images ] || say "no .devcheck/images: synthetic images only (prepare where lib/dicom decodes)"

# 5. Parity, goldens and timings (one table), bounded so the whole check stays under 8 minutes.
left=$((470 - (SECONDS - started))); [ "$left" -lt 60 ] && left=60
timeout "$left" "$NODE" tools/device-check/device-check.js ${OUT:+--out "$OUT"}
rc=$?
[ "$rc" = 124 ] && say "TIMEOUT: the checks ran past ${left}s"
# 6. Node-free checks other areas ship (tools/device-check/device-check-<area>.sh), on the carried goldens.
for other in tools/device-check/device-check-*.sh; do
  [ -f "$other" ] || continue
  [ $((SECONDS - started)) -lt 400 ] || { say "skipped $other: time budget"; continue; }
  say "running $other"
  timeout 90 bash "$other" || say "$other failed or timed out"
done
# 7. The tap GPU tests need node_modules (tap, ts-node); run them when that travelled too.
if [ -x node_modules/.bin/tap ]; then
  files="$(grep -l "needsGpu(" -r test --include='*.test.ts' | tr '\n' ' ')"
  [ -n "$files" ] && [ $((SECONDS - started)) -lt 400 ] && PATH="$(dirname "$NODE"):$PATH" timeout 60 node_modules/.bin/tap $files || true
else
  say "tap GPU tests: node_modules not carried, skipped (tools/device-check/device-check.js above covers the fused path)"
fi
[ -f "$BUILD.log" ] && [ -n "${OUT:-}" ] && cp "$BUILD.log" "$OUT/" 2>/dev/null
say "done in $(elapsed), exit $rc"
exit "$rc"
