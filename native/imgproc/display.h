// DICOM display windowing to 8 bit (`rsna-mammo dicom render`): the original pipeline's rule
// (ALGORITHMS.md §1.4–§1.7) and the DICOM PS3.3 standard rule (modality rescale, VOI window, MONOCHROME1).
#pragma once
#include <cstdint>
#include <vector>
#include "imgproc/kernels.h"

namespace rsna {
namespace imgproc {

struct DisplayParams {
  bool standard = false;       // false: 'original' parity mode
  WindowSpec window;           // func kNone: min-max
  bool invert = false;         // PhotometricInterpretation == MONOCHROME1
  double slope = 1.0, intercept = 0.0;  // standard mode only
};

template <typename T>
std::vector<uint8_t> WindowToUint8(const T* pixels, size_t n, const DisplayParams& params);

}  // namespace imgproc
}  // namespace rsna
