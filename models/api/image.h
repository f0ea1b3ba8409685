// 8-bit images in memory and as PNG files (libpng's simplified API). No LibTorch here.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pixelrnn {

struct Image {
  int width = 0, height = 0, channels = 0;  // channels: 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;              // row-major, channels interleaved

  Image () = default;
  Image (int w, int h, int c) : width (w), height (h), channels (c), pixels (size_t (w) * h * c) {}
  uint8_t &at (int x, int y, int c) { return pixels[(size_t (y) * width + x) * channels + c]; }
  uint8_t at (int x, int y, int c) const { return pixels[(size_t (y) * width + x) * channels + c]; }
};

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a PNG, converted to `channels` (1 or 3). Throws ImageError naming the file.
Image read_png (const std::string &path, int channels);
// Bytes of the image as a PNG (libpng defaults): the lossless baseline a model must beat.
size_t png_size (const Image &image);
// Writes atomically. Throws ImageError naming the file.
void write_png (const std::string &path, const Image &image);
// Images of one size side by side in rows of `columns`, separated by `pad` pixels of `fill`.
Image make_grid (const std::vector<Image> &images, int columns, int pad = 2, uint8_t fill = 255);
// Nearest-neighbour upscale by an integer factor (for viewing small samples).
Image upscale (const Image &image, int factor);

}  // namespace pixelrnn
