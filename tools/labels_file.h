// The labels file of `pixelrnn score --labels`: the anomalous frames, "12", "40-45" and
// "# comments", one per line (0-based, inclusive), read and checked before any frame is
// scored (a bad labels file must not waste a run).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pixelrnn::cli {

struct FrameRange {
  uint64_t first, last;
  int line;
};
using FrameRanges = std::vector<FrameRange>;

constexpr uint64_t kMaxLabelsFileBytes = 16u << 20;

// Throws std::invalid_argument "PATH:LINE: expected ..." for a line it cannot read.
FrameRanges parse_labels (const std::string &text, const std::string &path);
// Reads `path` (a regular file of at most kMaxLabelsFileBytes) and parses it; throws
// std::runtime_error naming the file, or parse_labels' error.
FrameRanges read_labels (const std::string &path);

}  // namespace pixelrnn::cli
