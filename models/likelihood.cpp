#include "likelihood.h"

#include <torch/nn/functional/loss.h>

namespace pixelrnn {

torch::Tensor
log_probs (PixelModel &model, const torch::Tensor &x)
{
  return torch::log_softmax (model->forward (x), 2);
}

torch::Tensor
nll_map (PixelModel &model, const torch::Tensor &x)
{
  auto lp = log_probs (model, x);
  return -lp.gather (2, x.to (torch::kLong).unsqueeze (2)).squeeze (2);
}

torch::Tensor
training_loss (const torch::Tensor &logits, const torch::Tensor &x)
{
  // cross_entropy wants the class dimension second: [B, 256, C, H, W].
  return torch::nn::functional::cross_entropy (logits.transpose (1, 2), x.to (torch::kLong));
}

torch::Tensor
bits_per_dim (PixelModel &model, const torch::Tensor &x)
{
  auto nll = nll_map (model, x).to (torch::kFloat64);
  return nll.flatten (1).mean (1) / kLn2;
}

}  // namespace pixelrnn
