#include "anomaly_scoring.h"

#include "image.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace pixelrnn {

int
peak_window (const NllMap &map)
{
  return std::max (4, std::min (map.width, map.height) / 8);
}

std::vector<Box>
window_means (const NllMap &map, int window)
{
  const int W = map.width, H = map.height;
  const int ww = std::min (window, W), wh = std::min (window, H);
  const int step_x = std::max (1, ww / 2), step_y = std::max (1, wh / 2);
  // Summed-area table: every window in O(1).
  std::vector<double> sat ((size_t) (W + 1) * (H + 1), 0.0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      sat[(size_t) (y + 1) * (W + 1) + x + 1] = map.bits[(size_t) y * W + x] +
          sat[(size_t) y * (W + 1) + x + 1] + sat[(size_t) (y + 1) * (W + 1) + x] -
          sat[(size_t) y * (W + 1) + x];
  std::vector<Box> boxes;
  for (int y = 0;; y += step_y) {
    y = std::min (y, H - wh);
    for (int x = 0;; x += step_x) {
      x = std::min (x, W - ww);
      const double s = sat[(size_t) (y + wh) * (W + 1) + x + ww] - sat[(size_t) y * (W + 1) + x + ww] -
          sat[(size_t) (y + wh) * (W + 1) + x] + sat[(size_t) y * (W + 1) + x];
      boxes.push_back ({x, y, ww, wh, s / ((double) ww * wh * map.channels)});
      if (x + ww >= W)
        break;
    }
    if (y + wh >= H)
      break;
  }
  return boxes;
}

double
peak_bits_per_dim (const NllMap &map, int window)
{
  double best = 0;
  for (const auto &b : window_means (map, window))
    best = std::max (best, b.bits_per_dim);
  return best;
}

std::vector<Box>
surprising_regions (const NllMap &map, int window, int count, bool higher)
{
  auto boxes = window_means (map, window);
  std::sort (boxes.begin (), boxes.end (), [higher] (const Box &a, const Box &b) {
    return higher ? a.bits_per_dim > b.bits_per_dim : a.bits_per_dim < b.bits_per_dim;
  });
  std::vector<Box> kept;
  for (const auto &b : boxes) {
    if ((int) kept.size () >= count)
      break;
    bool overlaps = false;
    for (const auto &k : kept)
      overlaps |= b.x < k.x + k.w && k.x < b.x + b.w && b.y < k.y + k.h && k.y < b.y + b.h;
    if (!overlaps)
      kept.push_back (b);
  }
  return kept;
}

double
png_bits_per_dim (const uint8_t *pixels, int width, int height, int channels)
{
  Image image (width, height, channels);
  std::memcpy (image.pixels.data (), pixels, image.pixels.size ());
  return 8.0 * (double) png_size (image) / ((double) width * height * channels);
}

void
ZScore::set_window (size_t window)
{
  window_ = std::max<size_t> (window, 2);
  while (history_.size () > window_)
    history_.pop_front ();
}

double
ZScore::push (double value)
{
  double z = 0;
  if (history_.size () >= kWarmup) {
    double mean = 0, var = 0;
    for (double v : history_)
      mean += v;
    mean /= history_.size ();
    for (double v : history_)
      var += (v - mean) * (v - mean);
    // A floor on the spread: a perfectly steady history must not turn noise into infinity.
    const double sd = std::max (std::sqrt (var / (history_.size () - 1)), 1e-3);
    z = (value - mean) / sd;
  }
  history_.push_back (value);
  while (history_.size () > window_)
    history_.pop_front ();
  return z;
}

}  // namespace pixelrnn
