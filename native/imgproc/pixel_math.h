// Per-pixel arithmetic shared by the CPU kernels (.cc) and the fused CUDA kernels (native/cuda_addon),
// so both run the same operations in the same order (CPU built with -ffp-contract=off, CUDA with
// --fmad=false).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include "math/torch_expf.h"

#if defined(__CUDACC__)
#define RSNA_HD __host__ __device__ __forceinline__
#else
#define RSNA_HD inline
#endif

namespace rsna {
namespace imgproc {

// ALGORITHMS.md §1.4: VOI LUT functions of the original's torch backend; kNone = min-max fallback (§1.4.6).
enum class VoiFunction : int32_t { kLinear = 0, kLinearExact = 1, kSigmoid = 2, kNone = 3 };

// Window constants as the float32 kernel sees them (§1.4.4: computed in double, applied as float32).
struct WindowAffine {
  VoiFunction func;
  float scale;   // LINEAR/LINEAR_EXACT: s; SIGMOID: -4/ww
  float offset;  // LINEAR/LINEAR_EXACT: b; SIGMOID: wc
};

// torch's float32 exp on CPU (SLEEF expf_u10 with FMA), shared with the YOLOX decode: math/torch_expf.h.
RSNA_HD float SleefExpf(float d) { return TorchCpuExpf(d); }

// §1.4.1–1.4.3 on one raw value converted to float32 (torch: x*s + b, clamp; 255 * reciprocal(1 + exp((x - wc)*s))).
RSNA_HD float WindowValue(float x, const WindowAffine& w) {
  if (w.func == VoiFunction::kSigmoid) {
    float t = (x - w.offset) * w.scale;
    float d = 1.0f + SleefExpf(t);
    return (1.0f / d) * 255.0f;
  }
  float y = x * w.scale;
  y = y + w.offset;
  return y < 0.0f ? 0.0f : (y > 255.0f ? 255.0f : y);
}

// §1.5.2: (x - min) and (max - min) in int16 (wrapping as torch does), true division in float32.
RSNA_HD float MinMaxUnit(int16_t x, int16_t min, int16_t range) {
  int16_t diff = static_cast<int16_t>(static_cast<int32_t>(x) - static_cast<int32_t>(min));
  // range == 0 only when max == min (a wrapped range is never 0): then x - min (all zeros).
  return range != 0 ? static_cast<float>(diff) / static_cast<float>(range) : static_cast<float>(diff);
}

// §1.7.3 inversion 255 - y (float32).
RSNA_HD float Invert255(float y) { return 255.0f - y; }

// §1.7.1 float -> uint8 truncation toward zero (inputs are in [0, 255]; NaN and out-of-range saturate).
RSNA_HD uint8_t TruncateU8(float y) {
  if (!(y > 0.0f)) return 0;
  if (y >= 255.0f) return 255;
  return static_cast<uint8_t>(static_cast<int32_t>(y));
}

// One output pixel of torch CPU bilinear (§2.2.3). Combined weights w00 = h0*w0 ... are float32; the
// four products are summed in double and rounded once to float32: this reproduces torch 1.13 CPU
// (cpu_upsample_linear_channels_last, taken for 1-channel NCHW tensors) bit for bit on the goldens.
RSNA_HD float BilinearTap(float a, float b, float c, float d, float h0, float h1, float w0, float w1) {
  float w00 = h0 * w0, w01 = h0 * w1, w10 = h1 * w0, w11 = h1 * w1;
  double acc = static_cast<double>(a) * static_cast<double>(w00);
  acc = acc + static_cast<double>(b) * static_cast<double>(w01);
  acc = acc + static_cast<double>(c) * static_cast<double>(w10);
  acc = acc + static_cast<double>(d) * static_cast<double>(w11);
  return static_cast<float>(acc);
}

// Source taps of one output index along one axis (§2.2.3, torch CPU recipe: source index in double
// from the kernel's scale, lambdas in the element type L; in == out copies).
template <typename L>
struct AxisTapT {
  int32_t i0, i1;
  L l0, l1;
};

template <typename L>
RSNA_HD AxisTapT<L> TorchTapFromScale(int32_t in, int32_t out, int32_t d, double scale) {
  AxisTapT<L> t;
  if (in == out) {
    t.i0 = t.i1 = d;
    t.l0 = L(1);
    t.l1 = L(0);
    return t;
  }
  double src = scale * (static_cast<double>(d) + 0.5) - 0.5;
  if (src < 0.0) src = 0.0;
  int32_t i0 = static_cast<int32_t>(src);
  if (i0 > in - 1) i0 = in - 1;
  t.i0 = i0;
  t.i1 = i0 + (i0 < in - 1 ? 1 : 0);
  L l1 = static_cast<L>(src - static_cast<double>(i0));
  t.l1 = l1 < L(1) ? l1 : L(1);
  t.l0 = L(1) - t.l1;
  return t;
}

// float32 kernel: scale = f32(in)/f32(out), lambdas rounded to float32.
using AxisTap = AxisTapT<float>;
RSNA_HD AxisTap TorchAxisTap(int32_t in, int32_t out, int32_t d) {
  return TorchTapFromScale<float>(in, out, d, static_cast<double>(static_cast<float>(in) / static_cast<float>(out)));
}

// float64 kernel (MiniDDSM's detector input is float64, §2.2.1): scale, index and lambdas in double.
using AxisTap64 = AxisTapT<double>;
RSNA_HD AxisTap64 TorchAxisTap64(int32_t in, int32_t out, int32_t d) {
  return TorchTapFromScale<double>(in, out, d, static_cast<double>(in) / static_cast<double>(out));
}

RSNA_HD double BilinearTap64(double a, double b, double c, double d, double h0, double h1, double w0, double w1) {
  double w00 = h0 * w0, w01 = h0 * w1, w10 = h1 * w0, w11 = h1 * w1;
  double acc = a * w00;
  acc = acc + b * w01;
  acc = acc + c * w10;
  acc = acc + d * w11;
  return acc;
}

// Per element type: the torch CPU taps and pixel mix (float: §2.2.3 recipe above; double: all double).
template <typename T>
struct TorchBilinear;

template <>
struct TorchBilinear<float> {
  using Tap = AxisTap;
  RSNA_HD static Tap MakeTap(int32_t in, int32_t out, int32_t d) { return TorchAxisTap(in, out, d); }
  RSNA_HD static float Mix(float a, float b, float c, float d, const Tap& v, const Tap& h) {
    return BilinearTap(a, b, c, d, v.l0, v.l1, h.l0, h.l1);
  }
};

template <>
struct TorchBilinear<double> {
  using Tap = AxisTap64;
  RSNA_HD static Tap MakeTap(int32_t in, int32_t out, int32_t d) { return TorchAxisTap64(in, out, d); }
  RSNA_HD static double Mix(double a, double b, double c, double d, const Tap& v, const Tap& h) {
    return BilinearTap64(a, b, c, d, v.l0, v.l1, h.l0, h.l1);
  }
};

// OpenCV INTER_LINEAR 8U (§3.2.3): per-axis source index and 11-bit fixed-point coefficients.
constexpr int kCvCoefBits = 11;
constexpr int kCvCoefScale = 1 << kCvCoefBits;

struct CvTap {
  int32_t s0;        // first source index (x: clamped into [0, in-1]; y: raw floor, rows clamped on use)
  int16_t a0, a1;    // fixed-point weights, sum 2048
};

// cvRound(float * 2048): round half to even, as saturate_cast<short>(float) does.
RSNA_HD int16_t CvRoundCoef(float v) {
  float scaled = v * static_cast<float>(kCvCoefScale);
  return static_cast<int16_t>(rintf(scaled));
}

// scale = 1 / (double(out) / in) as cv::resize derives it from dsize; fx = float((d+0.5)*scale - 0.5).
RSNA_HD CvTap CvLinearTap(int32_t in, int32_t out, int32_t d, bool clamp_index) {
  double scale = 1.0 / (static_cast<double>(out) / static_cast<double>(in));
  float f = static_cast<float>((static_cast<double>(d) + 0.5) * scale - 0.5);
  int32_t s = static_cast<int32_t>(floorf(f));
  f = f - static_cast<float>(s);
  if (clamp_index) {
    if (s < 0) { f = 0.0f; s = 0; }
    if (s >= in - 1) { f = 0.0f; s = in - 1; }
  }
  CvTap t;
  t.s0 = s;
  t.a0 = CvRoundCoef(1.0f - f);
  t.a1 = CvRoundCoef(f);
  return t;
}

// Vertical pass of OpenCV's 8U linear resize (VResizeLinear<uchar,int,short,...>): exact integer recipe.
RSNA_HD uint8_t CvVerticalU8(int32_t s0, int32_t s1, int32_t b0, int32_t b1) {
  int32_t v = (((b0 * (s0 >> 4)) >> 16) + ((b1 * (s1 >> 4)) >> 16) + 2) >> 2;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// Half-precision rounding of a window value (§1.3.5, DALI branch option): round to nearest even.
inline double QuantizeToHalf(double v) {
  if (!std::isfinite(v)) return v;
  double a = std::fabs(v);
  if (a >= 65520.0) return std::copysign(INFINITY, v);
  int exp;
  std::frexp(a, &exp);             // a = m * 2^exp, m in [0.5, 1)
  int e = exp - 1;                 // a = 1.x * 2^e
  if (e < -14) e = -14;            // subnormal spacing 2^-24
  double ulp = std::ldexp(1.0, e - 10);
  double q = std::nearbyint(a / ulp) * ulp;  // default rounding mode: half to even
  return std::copysign(q, v);
}

}  // namespace imgproc
}  // namespace rsna
