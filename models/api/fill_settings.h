// How a hole is filled: the choices the element's `mode` and the CLI's `--mode` offer. No
// LibTorch here, so elements can include it.
#pragma once

#include <cstdint>
#include <string>

namespace pixelrnn {

enum class FillMode {
  Sample = 0,   // draw each value at `temperature`
  Greedy = 1,   // the most likely value at each step
  BestOf = 2,   // `candidates` draws, the one that makes the window most likely kept
  Mean = 3,     // each value's posterior mean, in raster order (best PSNR of the model's modes)
  Direct = 4,   // the conditioner alone, one pass: its posterior mean of every hole value
  Auto = 5,     // direct when the model has an inpainting conditioner, else greedy
};

struct FillSettings {
  FillMode mode = FillMode::Auto;
  double temperature = 1.0;
  uint64_t seed = 0;
  int candidates = 8;        // best-of only
};

const char *fill_mode_name (FillMode mode);
// Parses the names above ("sample", "greedy", "best-of", "mean", "direct", "auto"); throws
// std::invalid_argument otherwise.
FillMode fill_mode_from_name (const std::string &name);

// The mode Auto stands for with this model; other modes unchanged.
FillMode resolve_fill_mode (FillMode mode, bool has_conditioner);

// Rows under the hole that a fill reads: a model with an inpainting conditioner reads the
// whole surround, best-of rescores with the rows below; plain raster-order filling reads none.
int fill_rows_below (FillMode mode, bool has_conditioner, int context);

}  // namespace pixelrnn
