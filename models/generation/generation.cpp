#include "generation.h"

#include "generation/incremental_engine.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace pixelrnn {

torch::Tensor
generate (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options)
{
  model->eval ();
  IncrementalEngine engine (model);
  auto blank = torch::zeros ({count, model->config.channels, height, width}, torch::kUInt8);
  return engine.fill (blank, torch::ones ({height, width}, torch::kBool), options);
}

}  // namespace pixelrnn
