// exp() of float32 as torch 1.13 computes it on the CPU: torch.exp runs through Vectorized<float>::exp,
// i.e. Sleef's expf_u10 (AVX2/AVX-512, fused multiply-adds): n = rint(x·log2 e), a two-part Cody–Waite
// reduction s = x − n·ln2, a degree-6 Horner polynomial, scaling by 2^n in two steps, 0 below −104 and
// +inf above 100. It differs from a correctly rounded expf by 1 ulp on ~10 % of inputs; with it the
// YOLOX decode (ALGORITHMS.md §2.4, P6) and the SIGMOID window (§1.4.3, 10006 goldens) are bit-identical to
// the original's CPU goldens. Host and device code; the one implementation both areas use.
#pragma once
#include <cstdint>
#include <cstring>

#ifdef __CUDACC__
#define RSNA_HOST_DEVICE __host__ __device__
#else
#define RSNA_HOST_DEVICE
#include <cmath>
#endif

namespace rsna {

RSNA_HOST_DEVICE inline float TorchPow2Int(int q) {
  const uint32_t bits = static_cast<uint32_t>(q + 0x7f) << 23;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

RSNA_HOST_DEVICE inline float TorchCpuExpf(float x) {
  if (x != x) return x;                   // NaN
  if (x > 100.0f) return INFINITY;
  if (x < -104.0f) return 0.0f;
  const float n = rintf(x * 1.442695040888963407359924681001892137426645954152985934135449406931f);
  const int q = static_cast<int>(n);
  float s = fmaf(n, -0.693145751953125f, x);       // ln 2, upper part
  s = fmaf(n, -1.428606765330187045e-06f, s);      // ln 2, lower part
  float u = 0.000198527617612853646278381f;
  u = fmaf(u, s, 0.00139304355252534151077271f);
  u = fmaf(u, s, 0.00833336077630519866943359f);
  u = fmaf(u, s, 0.0416664853692054748535156f);
  u = fmaf(u, s, 0.166666671633720397949219f);
  u = fmaf(u, s, 0.5f);
  u = 1.0f + fmaf(s * s, u, s);
  return u * TorchPow2Int(q >> 1) * TorchPow2Int(q - (q >> 1));
}

}  // namespace rsna
