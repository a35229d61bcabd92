#!/usr/bin/env bash
# libtorch backend check for a lent GPU machine with PyTorch (no Node, no ../shared needed), issue 14:
# 1. builds rsna-mammo-torch-bench (native/infer_torch: the models the `libtorch` backend runs, no
#    N-API) against this machine's PyTorch libtorch with all cores;
# 2. makes random convnext_small weights and a seeded 0..255 input [8, 3, 2048, 1024]
#    (tools/device-check/libtorch_peer.py prepare);
# 3. the CPU path: the same ensemble in fp32 on the CPU, batch 2 (the agreement reference);
# 4. ours on the GPU: fp32 / tf32 / fp16 / bf16 × batch 2 and 8, input on the device, channels-last,
#    CUDA graphs (plus fp16 batch 8 without graphs: do graphs pay?) — ms/batch, img/s, peak memory;
# 5. the peer: PyTorch eager with its best settings on the same weights, inputs and precisions;
# 6. one table: side by side, speed-up ratios, agreement (fp32/tf32 ≤ 1e-4, fp16/bf16 ≤ 2e-3 of the
#    CPU path) → $OUT/libtorch-check-<gpu>.md (+ the raw JSON lines); copy it to tools/bench/results.
# Run (docs/GPU.md "libtorch backend check"): device `run` with
#   command: "bash tools/device-check/libtorch-check.sh", timeout_s: 360 (no carry needed), which
#   leaves a rerun inside a session's 15 device minutes.
# Budget: about 4-5 minutes (build ~2, measurements ~2); bounded to 5.5. Exit 0 only when every
# agreement check passed. Every missing piece is named.
set -uo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
say() { echo "libtorch-check: $*"; }
elapsed() { echo "$((SECONDS - started))s"; }
# Seconds left of the 5.5-minute bound (at least 30: `timeout 0` would mean no limit at all).
left() { local l=$((330 - (SECONDS - started))); [ "$l" -lt 30 ] && l=30; echo "$l"; }
half() { local l; l=$(left); [ "$((l / 2))" -lt 30 ] && echo 30 || echo "$((l / 2))"; }  # ours, leaving the peer the rest
OUTDIR="${OUT:-$(pwd)/.devcheck-out}"
mkdir -p "$OUTDIR"
WORK="${RSNA_TORCH_CHECK_DIR:-/tmp/rsna-libtorch-check}"
# The measured size is the classifier input (2048x1024); smaller only for a dry run of this script.
H="${RSNA_TORCH_CHECK_HEIGHT:-2048}"; W="${RSNA_TORCH_CHECK_WIDTH:-1024}"
mkdir -p "$WORK"

# 1. PyTorch (its libtorch and CMake package), cmake, a compiler, the GPU.
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
  say "MISSING PyTorch for $PY (set PYTHON to a python with torch)"; exit 2
fi
read -r TORCH_VERSION TORCH_CUDA CUDNN TORCH_PREFIX < <("$PY" -c 'import torch, torch.utils; print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version(), torch.utils.cmake_prefix_path)')
TORCH_DIR="${Torch_DIR:-$TORCH_PREFIX/Torch}"
say "PyTorch $TORCH_VERSION (CUDA $TORCH_CUDA, cuDNN $CUDNN), Torch_DIR $TORCH_DIR"
[ -f "$TORCH_DIR/TorchConfig.cmake" ] || { say "MISSING $TORCH_DIR/TorchConfig.cmake (set Torch_DIR)"; exit 2; }
command -v cmake >/dev/null 2>&1 || { say "MISSING cmake"; exit 2; }
command -v c++ >/dev/null 2>&1 || command -v g++ >/dev/null 2>&1 || { say "MISSING a C++17 compiler"; exit 2; }
GPU="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)"
say "GPU: ${GPU:-none listed by nvidia-smi}"
SLUG="$(echo "${GPU:-gpu}" | tr 'A-Z' 'a-z' | sed 's/nvidia //; s/[^a-z0-9]\+/-/g; s/^-//; s/-$//')"
# Debian-style CUDA layouts keep the headers outside nvcc's folder.
CUDA_ARGS=()
NVCC="${CUDACXX:-$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)}"
[ -x "$NVCC" ] && CUDA_ARGS+=(-DCMAKE_CUDA_COMPILER="$NVCC" -DCUDAToolkit_ROOT="$(dirname "$(dirname "$NVCC")")")

# 2. Build the benchmark (no Node headers: the addon target is left out).
BUILD=build-torch-device
GEN=(); command -v ninja >/dev/null 2>&1 && GEN=(-G Ninja)
say "building rsna-mammo-torch-bench in $BUILD with $(nproc) jobs ..."
if ! { cmake -S native/infer_torch -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DRSNA_TORCH_BENCH=ON \
         -DTorch_DIR="$TORCH_DIR" -DNODE_INCLUDE_DIR=/nonexistent "${CUDA_ARGS[@]}" \
         > "$OUTDIR/libtorch-check-build.log" 2>&1 &&
       cmake --build "$BUILD" -j "$(nproc)" --target rsna-mammo-torch-bench >> "$OUTDIR/libtorch-check-build.log" 2>&1; }; then
  tail -n 40 "$OUTDIR/libtorch-check-build.log"; say "FAILED: build (log: $OUTDIR/libtorch-check-build.log, $(elapsed))"; exit 1
fi
grep -E "rsna-mammo:" "$OUTDIR/libtorch-check-build.log" | sed 's/^/libtorch-check: cmake: /'
BENCH="$BUILD/rsna-mammo-torch-bench"
say "built ($(elapsed))"

# 3. Weights and input (same for ours and the peer).
"$PY" tools/device-check/libtorch_peer.py prepare --dir "$WORK" --images 8 --height "$H" --width "$W" || { say "FAILED: prepare"; exit 1; }
COMMON=(--weights "$WORK/weights.f32" --layout "$WORK/weights.layout" --input "$WORK/input.f32" --images 8 --height "$H" --width "$W" --folds 4)

# 4. The CPU path (reference), then ours on the GPU, then the peer; each bounded by what is left.
say "CPU reference (fp32, batch 2) ..."
timeout 120 "$BENCH" --device cpu --precisions fp32 --batches 2 --iters 1 "${COMMON[@]}" | tee "$OUTDIR/libtorch-check-cpu.jsonl"
say "ours on cuda:0 ($(elapsed)) ..."
timeout "$(half)" "$BENCH" --device cuda:0 --precisions fp32,tf32,fp16,bf16 --batches 2,8 --iters 5 --graphs 1 "${COMMON[@]}" | tee "$OUTDIR/libtorch-check-ours.jsonl"
timeout 45 "$BENCH" --device cuda:0 --precisions fp16 --batches 8 --iters 5 --graphs 0 "${COMMON[@]}" | tee -a "$OUTDIR/libtorch-check-ours.jsonl"
say "PyTorch eager peer ($(elapsed)) ..."
timeout "$(left)" "$PY" tools/device-check/libtorch_peer.py peer --dir "$WORK" --images 8 --height "$H" --width "$W" --device cuda:0 --precisions fp32,tf32,fp16,bf16 --batches 2,8 --iters 5 | tee "$OUTDIR/libtorch-check-peer.jsonl"

# 5. The table.
TABLE="$OUTDIR/libtorch-check-${SLUG}-$(date -u +%Y-%m-%d).md"
"$PY" tools/device-check/libtorch_peer.py table --bench "$OUTDIR/libtorch-check-ours.jsonl" --peer "$OUTDIR/libtorch-check-peer.jsonl" \
  --ref "$OUTDIR/libtorch-check-cpu.jsonl" --out "$TABLE" --gpu "${GPU:-GPU} (PyTorch $TORCH_VERSION, CUDA $TORCH_CUDA, cuDNN $CUDNN)" --iters 5 --size "${H}x${W}"
rc=$?
say "table: $TABLE; done in $(elapsed), exit $rc"
exit "$rc"
