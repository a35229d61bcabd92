// scipy.ndimage.gaussian_filter(x, sigma) on a float64 image as scipy 1.10 computes it
// (mode 'reflect', truncate 4.0, axis 0 then axis 1), the smoothing of ElasticTransform's
// displacement fields (docs/ALGORITHMS.md §9.6, approximate=False).
#pragma once
#include <vector>

namespace rsna {
namespace train {
namespace data {

// Normalised 1-D kernel w[0..2r], r = int(4·sigma + 0.5): exp(−0.5/sigma²·k²) / sum, the sum taken
// in numpy's order (first element + pairwise sum of the rest).
std::vector<double> GaussianKernel1d(double sigma);

// In place on a rows×cols row-major float64 image.
void GaussianFilter2d(std::vector<double>& image, int rows, int cols, double sigma);

}  // namespace data
}  // namespace train
}  // namespace rsna
