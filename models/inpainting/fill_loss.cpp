#include "fill_loss.h"

#include "network/conditioner.h"
#include "network/likelihood.h"
#include "network/logistic_mixture.h"

#include <algorithm>
#include <cmath>

namespace pixelrnn {

namespace {

int64_t
uniform (std::mt19937_64 &rng, int64_t lo, int64_t hi)   // in [lo, hi]
{
  return lo + static_cast<int64_t> (rng () % static_cast<uint64_t> (hi - lo + 1));
}

}  // namespace

torch::Tensor
random_holes (int64_t count, int64_t H, int64_t W, std::mt19937_64 &rng)
{
  auto holes = torch::zeros ({count, 1, H, W});
  auto a = holes.accessor<float, 4> ();
  const int64_t longest = std::max<int64_t> (4, std::min<int64_t> (64, std::min (H, W) * 3 / 4));
  for (int64_t b = 0; b < count; ++b) {
    const int64_t kind = uniform (rng, 0, 9);
    if (kind < 6) {                                  // rectangle
      const int64_t h = uniform (rng, 4, longest), w = uniform (rng, 4, longest);
      const int64_t y = uniform (rng, 0, H - h), x = uniform (rng, 0, W - w);
      for (int64_t i = y; i < y + h; ++i)
        for (int64_t j = x; j < x + w; ++j)
          a[b][0][i][j] = 1.f;
    } else if (kind < 8) {                           // thin strip, either way
      const int64_t thick = uniform (rng, 1, 4), length = uniform (rng, 8, std::max<int64_t> (8, longest));
      const bool across = rng () & 1;
      const int64_t h = across ? thick : std::min (length, H), w = across ? std::min (length, W) : thick;
      const int64_t y = uniform (rng, 0, H - h), x = uniform (rng, 0, W - w);
      for (int64_t i = y; i < y + h; ++i)
        for (int64_t j = x; j < x + w; ++j)
          a[b][0][i][j] = 1.f;
    } else {                                         // blob of ellipses
      const int64_t parts = uniform (rng, 1, 4);
      const double cy = uniform (rng, H / 4, H - 1 - H / 4), cx = uniform (rng, W / 4, W - 1 - W / 4);
      for (int64_t p = 0; p < parts; ++p) {
        const double ry = uniform (rng, 2, std::max<int64_t> (2, longest / 3));
        const double rx = uniform (rng, 2, std::max<int64_t> (2, longest / 3));
        const double oy = cy + uniform (rng, -(int64_t) ry, (int64_t) ry);
        const double ox = cx + uniform (rng, -(int64_t) rx, (int64_t) rx);
        for (int64_t i = 0; i < H; ++i)
          for (int64_t j = 0; j < W; ++j) {
            const double dy = (i - oy) / ry, dx = (j - ox) / rx;
            if (dy * dy + dx * dx <= 1.0)
              a[b][0][i][j] = 1.f;
          }
      }
    }
  }
  return holes;
}

FillLoss
fill_loss (PixelModel &model, const torch::Tensor &x, const torch::Tensor &hole, double fidelity_weight,
    bool with_experts)
{
  if (!model->conditioner)
    throw std::invalid_argument ("fill_loss: the model has no inpainting conditioner");
  const int64_t B = x.size (0), C = x.size (1), H = x.size (2), W = x.size (3);
  auto xs = scale_input (x);
  // Hole positions, [N] indices into B*H*W.
  auto where = hole.view ({B * H * W}).nonzero ().squeeze (1);
  auto pick = [&] (const torch::Tensor &t) {   // [B, C, X, H, W] -> [N, C, X]
    const int64_t X = t.size (2);
    return t.permute ({0, 3, 4, 1, 2}).reshape ({B * H * W, C, X}).index_select (0, where);
  };
  auto cond_params = pick (model->conditioner->forward (xs, hole));   // [N, C, P]
  auto xs_at = xs.permute ({0, 2, 3, 1}).reshape ({B * H * W, C}).index_select (0, where);
  auto x_at = x.permute ({0, 2, 3, 1}).reshape ({B * H * W, C}).index_select (0, where);
  const int K = model->conditioner->mixtures;
  // mixture_log_probs works on [B, C, P, H, W]: treat the N positions as a column.
  auto cond_lp = mixture_log_probs (cond_params.permute ({1, 2, 0}).unsqueeze (0).unsqueeze (-1),
      xs_at.t ().unsqueeze (0).unsqueeze (-1), K).squeeze (-1).squeeze (0).permute ({2, 0, 1});  // [N, C, 256]
  auto target = x_at.to (torch::kLong).unsqueeze (-1);
  auto nll_cond = -cond_lp.gather (-1, target).mean ();
  torch::Tensor nll_combined = torch::zeros ({});
  if (with_experts) {
    torch::Tensor model_lp;
    {
      torch::NoGradGuard frozen;
      model_lp = pick (model->distribution (model->head (model->features (xs)), xs));
    }
    auto combined = combine_experts (model_lp, cond_lp, model->conditioner->expert_weights);
    nll_combined = -combined.gather (-1, target).mean ();
  }
  // The mean as the direct fill computes it: G's mean reads R's *mean*, B's reads R's and G's,
  // never the true values. Teacher-forced means (the true R in G's) let G and B lean on values
  // a fill never has: the error on these holes fell while held-out fills got worse (v3, v4).
  const auto params_column = cond_params.permute ({1, 2, 0}).unsqueeze (0).unsqueeze (-1);
  auto earlier = torch::zeros_like (xs_at);   // [N, C]: the means chosen so far
  std::vector<torch::Tensor> per_channel;
  for (int64_t ch = 0; ch < C; ++ch) {
    auto m = mixture_mean (params_column, earlier.t ().unsqueeze (0).unsqueeze (-1), K)
                 .squeeze (-1).squeeze (0).select (0, ch);   // [N]
    per_channel.push_back (m);
    if (ch + 1 < C) {
      earlier = earlier.clone ();
      earlier.select (1, ch).copy_ (m);
    }
  }
  auto mean = torch::stack (per_channel, 1);   // [N, C]
  // Per image: mean squared error of the conditioner's mean over that image's hole.
  auto image_of = torch::div (where, H * W, "floor");
  auto per_value = (mean - xs_at).pow (2).mean (1);                            // [N]
  auto sums = torch::zeros ({B}).index_add (0, image_of, per_value);
  auto counts = torch::zeros ({B}).index_add (0, image_of, torch::ones_like (per_value));
  auto present = counts > 0;
  auto hole_mse = sums.masked_select (present) / counts.masked_select (present);
  FillLoss r;
  r.loss = nll_combined + nll_cond + fidelity_weight * torch::log (hole_mse + kFidelityFloor).mean ();
  r.mean_rmse = std::sqrt (per_value.mean ().item<double> ()) * 127.5;
  r.combined_bits = (with_experts ? nll_combined : nll_cond).item<double> () / kLn2;
  r.conditioner_bits = nll_cond.item<double> () / kLn2;
  return r;
}

}  // namespace pixelrnn
