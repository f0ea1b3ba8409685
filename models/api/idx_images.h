// IDX image files (the MNIST / Fashion-MNIST format), plain or gzip-compressed (zlib reads
// both). No LibTorch here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pixelrnn {

struct IdxImages {
  int64_t count = 0;
  int rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count x rows x cols
};

// Reads at most `limit` images (0 = all). Throws std::runtime_error naming the file and the
// problem: missing, not IDX (magic), not 8-bit 3-D, truncated.
IdxImages read_idx_images (const std::string &path, int64_t limit = 0);

}  // namespace pixelrnn
