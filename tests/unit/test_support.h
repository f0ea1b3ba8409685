// Helpers shared by the unit tests: small models and real data.
#pragma once

#include "network/model_config.h"
#include "api/image.h"
#include "network/pixel_model.h"
#include "io/tensor_image.h"

#include <string>
#include <torch/types.h>

namespace pixelrnn::test {

inline ModelConfig
small_config (Architecture arch, int channels, int layers = 2, Output output = Output::Softmax,
    Block block = Block::Residual, float dropout = 0.f)
{
  ModelConfig c;
  c.block = block;
  c.dropout = dropout;
  c.output = output;
  c.mixtures = 3;
  c.architecture = arch;
  c.channels = channels;
  c.hidden = channels == 3 ? 12 : 8;
  c.layers = layers;
  c.head_hidden = channels == 3 ? 24 : 16;
  return c;
}

inline PixelModel
small_model (Architecture arch, int channels, uint64_t seed = 1, int layers = 2,
    Output output = Output::Softmax, Block block = Block::Residual, float dropout = 0.f)
{
  torch::manual_seed (seed);
  return PixelModel (small_config (arch, channels, layers, output, block, dropout));
}

// A small three-channel mixture PixelCNN with an inpainting conditioner on `base`, seeded.
inline PixelModel
small_conditioned_model (ConditionerBase base, int conditioner_hidden, int conditioner_layers, uint64_t seed)
{
  auto c = small_config (Architecture::PixelCNN, 3, 2, Output::Mixture);
  c.conditioner_hidden = conditioner_hidden;
  c.conditioner_layers = conditioner_layers;
  c.conditioner_base = base;
  torch::manual_seed (seed);
  return PixelModel (c);
}

// A small multi-scale mixture PixelCNN (network/pixel_model.h): every `scale`-th row and
// column by a one-layer coarse model, the rest by a `layers`-block network with the view of
// them, whose last layer (zero at the start) gets random weights so that the view matters.
inline PixelModel
small_multi_scale_model (int scale, int layers = 1, uint64_t seed = 3)
{
  auto config = small_config (Architecture::PixelCNN, 3, layers, Output::Mixture);
  config.scale = scale;
  config.coarse_hidden = 6;
  config.coarse_layers = 1;
  torch::manual_seed (seed);
  PixelModel model (config);
  torch::NoGradGuard no_grad;
  for (auto &p : model->lift->parameters ())
    p.normal_ (0, 0.3);
  return model;
}

inline torch::Tensor
random_images (int64_t n, int64_t c, int64_t h, int64_t w, uint64_t seed = 7)
{
  torch::manual_seed (seed);
  return torch::randint (0, 256, {n, c, h, w}, torch::kUInt8);
}

// A real photograph from tests/data as uint8 [C, H, W].
inline torch::Tensor
load_test_image (const std::string &name, int channels = 3)
{
  return image_to_tensor (read_png (std::string (PIXELRNN_TEST_DATA_DIR) + "/" + name, channels));
}

// Debian's dataset-fashion-mnist.
inline const std::string kFashionTrain = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
inline const std::string kFashionTest = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

}  // namespace pixelrnn::test
