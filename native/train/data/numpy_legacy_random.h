// numpy.random.RandomState(seed) as ElasticTransform uses it (docs/ALGORITHMS.md §9.6): legacy
// integer seeding is MT19937's init_genrand, i.e. exactly std::mt19937(seed); random_sample is
// (a >> 5, b >> 6) → 53-bit double; uniform(low, high) = low + (high − low)·random_sample.
// Porting this stream (unlike python's) is what makes a fixed `random_state` reproduce the fields.
#pragma once
#include <cstdint>
#include <random>

namespace rsna {
namespace train {
namespace data {

class NumpyLegacyRandom {
 public:
  explicit NumpyLegacyRandom(uint32_t seed) : mt_(seed) {}
  double RandomSample() {
    const uint32_t a = mt_() >> 5, b = mt_() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
  double Uniform(double low, double high) { return low + (high - low) * RandomSample(); }

 private:
  std::mt19937 mt_;
};

}  // namespace data
}  // namespace train
}  // namespace rsna
