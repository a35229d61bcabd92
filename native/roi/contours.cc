// Suzuki–Abe border following restricted to what RETR_EXTERNAL + CHAIN_APPROX_SIMPLE needs; see
// contours.h. The pixel marks follow the paper: a traced border pixel becomes 2, or −126 (−NBD
// with the sign bit) when its east neighbour was examined and found to be background; holes are never
// traced, and an outer border met right after a positively marked pixel lies inside a hole of an
// already traced component, so it is skipped.
#include "roi/contours.h"

#include <algorithm>
#include <cmath>

#include "addon/errors.h"

namespace rsna {
namespace roi {

namespace {

constexpr int8_t kMarked = 2;
constexpr int8_t kMarkedRightBound = static_cast<int8_t>(2 | -128);  // −126
// Chain code directions: E, NE, N, NW, W, SW, S, SE (y grows downwards).
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDy[8] = {0, -1, -1, -1, 0, 1, 1, 1};

class BorderTracer {
 public:
  BorderTracer(std::vector<int8_t>& img, int stride) : img_(img), stride_(stride) {
    for (int s = 0; s < 8; ++s) offset_[s] = kDy[s] * stride + kDx[s];
  }

  // Follows the outer border whose first raster pixel is (x, y) (padded coordinates), marks it and
  // returns its CHAIN_APPROX_SIMPLE vertices shifted by (−1, −1) back to image coordinates.
  Contour TraceOuter(int x, int y) {
    Contour points;
    const long start = static_cast<long>(y) * stride_ + x;
    Point pt{x - 1, y - 1};
    // First neighbour clockwise from the west (an outer border starts with the background on its left).
    int s = 4;
    long first = -1;
    for (int k = 0; k < 8; ++k) {
      s = (s + 7) & 7;
      if (img_[start + offset_[s]] != 0) {
        first = start + offset_[s];
        break;
      }
    }
    if (first < 0) {  // isolated pixel
      img_[start] = kMarkedRightBound;
      points.push_back(pt);
      return points;
    }
    long current = start;
    int previous_direction = s ^ 4;
    for (;;) {
      // Counter-clockwise search from the direction after the one we arrived from.
      const int search_start = s;
      long next = current;
      for (int k = 1; k <= 8; ++k) {
        const int d = (search_start + k) & 7;
        next = current + offset_[d];
        if (img_[next] != 0) {
          s = d;
          break;
        }
      }
      // The east neighbour was passed over (and is background) iff the search wrapped past direction 0.
      if (s >= 1 && s <= search_start) {
        img_[current] = kMarkedRightBound;
      } else if (img_[current] == 1) {
        img_[current] = kMarked;
      }
      if (s != previous_direction) {
        points.push_back(pt);
        previous_direction = s;
      }
      pt.x += kDx[s];
      pt.y += kDy[s];
      if (next == start && current == first) break;
      current = next;
      s = (s + 4) & 7;
    }
    return points;
  }

 private:
  std::vector<int8_t>& img_;
  long stride_;
  long offset_[8];
};

}  // namespace

std::vector<Contour> FindExternalContours(const std::vector<uint8_t>& src, int height, int width) {
  if (height <= 0 || width <= 0) return {};
  const int pw = width + 2, ph = height + 2;
  std::vector<int8_t> img(CheckedBytes(static_cast<size_t>(pw), static_cast<size_t>(ph)), 0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) img[static_cast<size_t>(y + 1) * pw + x + 1] = src[static_cast<size_t>(y) * width + x] ? 1 : 0;
  }
  BorderTracer tracer(img, pw);
  std::vector<Contour> found;
  for (int y = 1; y < ph - 1; ++y) {
    const int8_t* row = img.data() + static_cast<size_t>(y) * pw;
    int prev = 0;
    int last_border_x = 0;  // LNBD: the last border pixel met on this row (x = 0 is the zero frame)
    for (int x = 1; x < pw - 1; ++x) {
      const int p = row[x];
      if (p == prev) continue;
      if (prev == 0 && p == 1) {
        // A new outer border; external only if the last border met was not a left (positive) mark.
        if (row[last_border_x] <= 0) {
          found.push_back(tracer.TraceOuter(x, y));
          last_border_x = x;
          prev = row[x];  // now marked
          continue;
        }
      } else if (p == 0 && prev >= 1) {
        // Start of a hole border: not traced; remember the marked pixel before it.
        if (prev & ~1) last_border_x = x - 1;
        prev = p;
        continue;
      }
      prev = p;
      if (p & ~1) last_border_x = x;
    }
  }
  std::reverse(found.begin(), found.end());  // OpenCV inserts each new contour at the head of the list
  return found;
}

double ContourArea(const Contour& c) {
  if (c.empty()) return 0.0;
  double a = 0;
  Point prev = c.back();
  for (const Point& p : c) {
    a += static_cast<double>(prev.x) * p.y - static_cast<double>(prev.y) * p.x;
    prev = p;
  }
  return std::fabs(a * 0.5);
}

Rect BoundingRect(const Contour& c) {
  if (c.empty()) return {0, 0, 0, 0};
  int x0 = c[0].x, x1 = c[0].x, y0 = c[0].y, y1 = c[0].y;
  for (const Point& p : c) {
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

}  // namespace roi
}  // namespace rsna
