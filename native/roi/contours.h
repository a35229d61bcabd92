// External contours of a binary image as cv2.findContours(img, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)
// returns them in OpenCV 4.6–4.7 (Suzuki–Abe border following on a copy padded with one ring of
// zeros), plus contourArea and boundingRect of such a contour (ALGORITHMS.md §2.6.5–§2.6.6).
#pragma once
#include <cstdint>
#include <vector>

namespace rsna {
namespace roi {

struct Point {
  int x;
  int y;
};
using Contour = std::vector<Point>;

struct Rect {
  int x, y, width, height;
};

// Nonzero pixels are foreground. The list is in OpenCV's output order (the reverse of the raster
// order in which the outer borders were met); points of each contour are the direction-change
// vertices of its 8-connected border, starting at the border's first raster pixel.
std::vector<Contour> FindExternalContours(const std::vector<uint8_t>& img, int height, int width);

// cv::contourArea(contour, oriented=false): |shoelace| over the vertices, in double.
double ContourArea(const Contour& contour);

// cv::boundingRect of integer points: min corner and inclusive extent (+1).
Rect BoundingRect(const Contour& contour);

}  // namespace roi
}  // namespace rsna
