/* The arithmetic behind pixelrnnlikelihood's score modes and regions, on a per-pixel NLL map
 * (bits, summed over channels). No GStreamer, no LibTorch: unit-testable on its own. */
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace pixelrnn {

struct NllMap {
  int width = 0, height = 0, channels = 1;
  std::vector<float> bits;   // per pixel, summed over channels
};

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  double bits_per_dim = 0;   // the box's mean
};

/* Side of the square windows `peak` and the regions use: an eighth of the shorter side,
 * at least 4 pixels. With tiles, the tile itself. */
int peak_window (const NllMap &map);

/* Mean bits/dim of every window x window square on a half-window grid (edges clamped). */
std::vector<Box> window_means (const NllMap &map, int window);

/* The highest window mean: a small region that the frame's mean dilutes. */
double peak_bits_per_dim (const NllMap &map, int window);

/* Up to `count` non-overlapping windows farthest from the frame mean in the given
 * direction (`higher`: more surprising; otherwise simpler than the frame). */
std::vector<Box> surprising_regions (const NllMap &map, int window, int count, bool higher);

/* Bits/dim a general lossless compressor (PNG, libpng defaults) needs for the same pixels. */
double png_bits_per_dim (const uint8_t *pixels, int width, int height, int channels);

/* Two-sided deviation of a value from the mean and spread of the last `window` values. */
class ZScore {
 public:
  explicit ZScore (size_t window = 30) : window_ (window) {}
  void set_window (size_t window);
  /* The z of `value` against the history (0 until `kWarmup` values were seen), then adds it. */
  double push (double value);
  void clear () { history_.clear (); }
  static constexpr size_t kWarmup = 5;

 private:
  size_t window_;
  std::deque<double> history_;
};

}  // namespace pixelrnn
