// scipy.ndimage.gaussian_filter port (docs/ALGORITHMS.md §9.6); see gaussian_filter.h.
#include "train/data/gaussian_filter.h"

#include <cmath>
#include <cstddef>
#include "train/data/numpy_math.h"

namespace rsna {
namespace train {
namespace data {
namespace {

// scipy 'reflect' (half-sample symmetric) index for any offset: period 2n.
inline int Reflect(int i, int n) {
  const int period = 2 * n;
  int m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

}  // namespace

std::vector<double> GaussianKernel1d(double sigma) {
  const int radius = static_cast<int>(4.0 * sigma + 0.5);
  std::vector<double> w(2 * radius + 1);
  const double c = -0.5 / (sigma * sigma);
  for (int k = -radius; k <= radius; ++k) w[k + radius] = std::exp(c * static_cast<double>(k * k));
  const double sum = NumpySum(w);  // numpy add.reduce order
  for (double& v : w) v = v / sum;
  return w;
}

void GaussianFilter2d(std::vector<double>& image, int rows, int cols, double sigma) {
  const std::vector<double> w = GaussianKernel1d(sigma);
  const int radius = static_cast<int>(w.size() / 2);
  const double* wc = w.data() + radius;
  // Axis 0: per column, the same per-element order as scipy, done row by row for locality.
  {
    std::vector<double> out(image.size());
    std::vector<const double*> src(2 * radius + 1);
    for (int y = 0; y < rows; ++y) {
      for (int k = -radius; k <= radius; ++k) src[k + radius] = image.data() + static_cast<size_t>(Reflect(y + k, rows)) * cols;
      double* o = out.data() + static_cast<size_t>(y) * cols;
      const double* centre = src[radius];
      for (int x = 0; x < cols; ++x) o[x] = centre[x] * wc[0];
      for (int k = radius; k >= 1; --k) {
        const double* a = src[radius - k];
        const double* b = src[radius + k];
        const double wk = wc[-k];
        for (int x = 0; x < cols; ++x) o[x] += (a[x] + b[x]) * wk;
      }
    }
    image.swap(out);
  }
  // Axis 1: per row, through a reflect-extended copy of the line; the tap loop runs outside the
  // pixel loop (vectorisable) while each output keeps scipy's accumulation order:
  // x[i]·w0, then (x[i−k] + x[i+k])·w_k for k = r … 1.
  std::vector<double> line(static_cast<size_t>(cols) + 2 * radius);
  for (int y = 0; y < rows; ++y) {
    double* row = image.data() + static_cast<size_t>(y) * cols;
    for (int x = -radius; x < cols + radius; ++x) line[x + radius] = row[Reflect(x, cols)];
    const double* centre = line.data() + radius;
    for (int x = 0; x < cols; ++x) row[x] = centre[x] * wc[0];
    for (int k = radius; k >= 1; --k) {
      const double* a = centre - k;
      const double* b = centre + k;
      const double wk = wc[-k];
      for (int x = 0; x < cols; ++x) row[x] += (a[x] + b[x]) * wk;
    }
  }
}

}  // namespace data
}  // namespace train
}  // namespace rsna
