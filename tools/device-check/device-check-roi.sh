#!/usr/bin/env bash
# Device check of the ROI CUDA twin (ALGORITHMS.md §2.4–§2.5.2): builds tools/device-check/roi_cuda_parity.cpp
# with the CPU kernels and the .cu twin (no Node needed) and prints the parity/throughput table.
# Usage: tools/device-check/device-check-roi.sh [raw.f32.bin ...]   (defaults to the goldens in ../shared if present)
set -euo pipefail
cd "$(dirname "$0")/../.."
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
ARCH=${RSNA_CUDA_ARCH:-native}
out=${TMPDIR:-/tmp}/rsna_roi_cuda_parity
"$NVCC" -O3 --fmad=false -std=c++17 -arch="$ARCH" -Xcompiler -ffp-contract=off -Inative \
  tools/device-check/roi_cuda_parity.cpp native/roi/yolox_decode.cu native/roi/yolox_post.cc -o "$out"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  for f in ../shared/golden/preprocess/yolox_decode/case{0_cluster,1_small,2_edge}.raw.f32.bin \
           ../shared/golden/yolox/{plain,shifted}.raw_nodecode.bin; do
    [ -f "$f" ] && files+=("$f")
  done
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || true
"$out" "${files[@]}"
