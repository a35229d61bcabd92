// The augmentation RNG: our own seeded stream, NOT Python's `random` / numpy's global stream (the
// original's workers draw from those; exact stream parity is neither possible nor expected, see
// docs/ALGORITHMS.md §9.6). What must match is each DISTRIBUTION: Uniform(a, b) = a + (b − a)·U with
// U a 53-bit double in [0, 1) (python random.uniform, so b is reachable only by rounding),
// RandInt(a, b) inclusive of both ends (python random.randint), Normal as numpy's legacy polar
// method, Choice as numpy's cdf search. One instance per (seed, epoch, position in the epoch).
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace rsna {
namespace train {
namespace data {

// SplitMix64 finaliser: decorrelates neighbouring (seed, epoch, position) triples.
inline uint64_t MixSeed(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class AugRandom {
 public:
  explicit AugRandom(uint64_t seed) : engine_(MixSeed(seed)) {}
  AugRandom(uint64_t seed, uint64_t epoch, uint64_t position)
      : engine_(MixSeed(MixSeed(MixSeed(seed) ^ epoch) ^ position)) {}

  // U in [0, 1) with 53 random bits (python random.random()).
  double Random() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // python random.uniform(a, b).
  double Uniform(double a, double b) { return a + (b - a) * Random(); }
  // python random.randint(a, b): both ends included; unbiased (rejection).
  int64_t RandInt(int64_t a, int64_t b) {
    const uint64_t span = static_cast<uint64_t>(b - a) + 1;
    if (span == 0) return a + static_cast<int64_t>(engine_());
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t r;
    do r = engine_(); while (r >= limit);
    return a + static_cast<int64_t>(r % span);
  }
  // numpy legacy normal(loc, scale): Marsaglia polar method.
  double Normal(double loc, double scale) {
    if (has_gauss_) {
      has_gauss_ = false;
      return loc + scale * gauss_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * Random() - 1.0;
      x2 = 2.0 * Random() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss_ = f * x1;
    has_gauss_ = true;
    return loc + scale * f * x2;
  }
  // numpy choice(len(p), p=p): first index whose normalised cumulative weight exceeds U.
  size_t Choice(const std::vector<double>& weights) {
    std::vector<double> cdf(weights.size());
    double acc = 0;
    for (size_t i = 0; i < weights.size(); ++i) cdf[i] = acc += weights[i];
    const double u = Random() * acc;
    for (size_t i = 0; i < cdf.size(); ++i) {
      if (u < cdf[i]) return i;
    }
    return cdf.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
  bool has_gauss_ = false;
  double gauss_ = 0;
};

}  // namespace data
}  // namespace train
}  // namespace rsna
