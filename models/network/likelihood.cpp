#include "likelihood.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

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
  if (x.dim () != 4 || x.size (1) != model->config.channels)
    throw std::invalid_argument ("model expects [B, " + std::to_string (model->config.channels) +
        ", H, W] input");
  if (model->config.multi_scale ())   // the coarse model's pixels are spread over every band
    return model->nll (model->params (scale_input (x)), x);
  // The head runs on bands of rows so that at most ~16M outputs exist at once: a 960x540
  // frame's full softmax logits would take 1.6 GB.
  auto features = model->features (scale_input (x));
  const int64_t B = x.size (0), H = x.size (2), W = x.size (3);
  const int64_t per_row = B * W * model->config.channels * model->config.params_per_channel ();
  const int64_t band = std::max<int64_t> (1, (int64_t{16} << 20) / per_row);
  std::vector<torch::Tensor> parts;
  for (int64_t r = 0; r < H; r += band) {
    const int64_t n = std::min (band, H - r);
    parts.push_back (model->nll (model->head (features.narrow (2, r, n)), x.narrow (2, r, n)));
  }
  return parts.size () == 1 ? parts[0] : torch::cat (parts, 2);
}

torch::Tensor
training_loss (PixelModel &model, const torch::Tensor &x)
{
  if (model->config.output == Output::Mixture)
    return model->nll (model->params (scale_input (x)), x).mean ();
  // cross_entropy wants the class dimension second: [B, 256, C, H, W].
  return torch::nn::functional::cross_entropy (model->forward (x).transpose (1, 2),
      x.to (torch::kLong));
}

torch::Tensor
bits_per_dim (PixelModel &model, const torch::Tensor &x)
{
  auto nll = nll_map (model, x).to (torch::kFloat64);
  return nll.flatten (1).mean (1) / kLn2;
}

}  // namespace pixelrnn
