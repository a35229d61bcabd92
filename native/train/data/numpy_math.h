// The few numpy float64 reductions/sequences whose rounding the augmentation ports must follow:
// add.reduce (first element + pairwise sum of the rest) and linspace (i·step + start, last = stop).
#pragma once
#include <cstddef>
#include <vector>

namespace rsna {
namespace train {
namespace data {

// numpy's pairwise summation of n contiguous doubles (8 accumulators up to 128, else halves).
inline double PairwiseSum(const double* a, size_t n) {
  if (n < 8) {
    double s = 0.;
    for (size_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSum(a, n2) + PairwiseSum(a + n2, n - n2);
}

// np.sum / ndarray.sum of a contiguous 1-D float64 array.
inline double NumpySum(const std::vector<double>& a) {
  return a.empty() ? 0.0 : a[0] + PairwiseSum(a.data() + 1, a.size() - 1);
}

// np.linspace(start, stop, num) (endpoint True), element i.
inline double LinspaceAt(double start, double stop, int num, int i) {
  if (num > 1 && i == num - 1) return stop;
  if (num <= 1) return static_cast<double>(i) * (stop - start) + start;
  const double div = num - 1, delta = stop - start, step = delta / div;
  if (step == 0) return static_cast<double>(i) / div * delta + start;
  return static_cast<double>(i) * step + start;
}

}  // namespace data
}  // namespace train
}  // namespace rsna
