#include "naive_sampler.h"

#include "network/conditioner.h"
#include "network/logistic_mixture.h"

#include <stdexcept>
#include <torch/utils.h>

namespace pixelrnn {

torch::Tensor
fill_naive (PixelModel &model, const torch::Tensor &image, const torch::Tensor &mask,
    const SamplingOptions &options, torch::Tensor *used_log_probs, const Conditioning *conditioning)
{
  const int64_t B = image.size (0), C = image.size (1), H = image.size (2), W = image.size (3);
  if (image.scalar_type () != torch::kUInt8 || C != model->config.channels)
    throw std::invalid_argument ("fill_naive: image must be uint8 [B, " +
        std::to_string (model->config.channels) + ", H, W]");
  if (mask.dim () != 2 || mask.size (0) != H || mask.size (1) != W)
    throw std::invalid_argument ("fill_naive: mask must be [H, W] like the image");
  if (model->config.multi_scale ())
    throw std::invalid_argument ("fill_naive: a multi-scale model's pixels are not drawn in raster order");
  torch::NoGradGuard no_grad;
  auto out = image.clone ().contiguous ();
  auto fill = mask.to (torch::kBool).contiguous ();
  auto fill_a = fill.accessor<bool, 2> ();
  auto out_a = out.accessor<uint8_t, 4> ();
  if (used_log_probs)
    *used_log_probs = torch::zeros ({B, C, 256, H, W});
  std::mt19937_64 rng (options.seed);
  for (int64_t i = 0; i < H; ++i)
    for (int64_t j = 0; j < W; ++j) {
      if (!fill_a[i][j])
        continue;
      for (int64_t c = 0; c < C; ++c) {
        // The whole image goes through the network again for every single value.
        auto logits = model->forward (out).select (4, j).select (3, i).select (1, c).contiguous ();
        if (conditioning) {
          const auto &p = conditioning->params;
          auto cond = mixture_log_probs (p.expand ({B, -1, -1, -1, -1}), scale_input (out),
              conditioning->mixtures).select (4, j).select (3, i).select (1, c);
          auto w = torch::tensor ({conditioning->model_weight, conditioning->conditioner_weight});
          logits = combine_experts (logits, cond, w).contiguous ();
        }
        for (int64_t b = 0; b < B; ++b) {
          auto row = logits[b];
          out_a[b][c][i][j] = static_cast<uint8_t> (
              choose_value (row.data_ptr<float> (), options, rng));
          if (used_log_probs)
            used_log_probs->select (4, j).select (3, i).select (1, c)[b].copy_ (
                torch::log_softmax (row, 0));
        }
      }
    }
  return out;
}

torch::Tensor
sample_naive (PixelModel &model, int64_t count, int64_t height, int64_t width,
    const SamplingOptions &options)
{
  auto blank = torch::zeros ({count, model->config.channels, height, width}, torch::kUInt8);
  return fill_naive (model, blank, torch::ones ({height, width}, torch::kBool), options);
}

}  // namespace pixelrnn
