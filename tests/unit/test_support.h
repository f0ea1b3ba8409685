// Helpers shared by the unit tests: small models and real data.
#pragma once

#include "model_config.h"
#include "pixel_model.h"

#include <string>
#include <torch/types.h>

namespace pixelrnn::test {

inline ModelConfig
small_config (Architecture arch, int channels, int layers = 2)
{
  ModelConfig c;
  c.architecture = arch;
  c.channels = channels;
  c.hidden = channels == 3 ? 12 : 8;
  c.layers = layers;
  c.head_hidden = channels == 3 ? 24 : 16;
  return c;
}

inline PixelModel
small_model (Architecture arch, int channels, uint64_t seed = 1, int layers = 2)
{
  torch::manual_seed (seed);
  return PixelModel (small_config (arch, channels, layers));
}

inline torch::Tensor
random_images (int64_t n, int64_t c, int64_t h, int64_t w, uint64_t seed = 7)
{
  torch::manual_seed (seed);
  return torch::randint (0, 256, {n, c, h, w}, torch::kUInt8);
}

// Debian's dataset-fashion-mnist.
inline const std::string kFashionTrain = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
inline const std::string kFashionTest = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

}  // namespace pixelrnn::test
