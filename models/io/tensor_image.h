// Conversions between Image (interleaved HWC bytes) and uint8 tensors [C, H, W].
#pragma once

#include "api/idx_images.h"
#include "api/image.h"

#include <torch/types.h>

namespace pixelrnn {

torch::Tensor image_to_tensor (const Image &image);
Image tensor_to_image (const torch::Tensor &chw);
// IDX images as uint8 [N, 1, rows, cols].
torch::Tensor idx_to_tensor (const IdxImages &idx);

}  // namespace pixelrnn
