// The discretized logistic mixture: a proper distribution over the 256 values, the cheap
// training NLL equal to the full table, the engine's scalar code equal to the tensor code,
// G's distribution following R, and training on real pixels lowering bits/dim.
#include "network/likelihood.h"
#include "network/logistic_mixture.h"
#include "test_support.h"
#include "training/trainer.h"

#include <gtest/gtest.h>

using namespace pixelrnn;

namespace {

// Random parameters over a wide range: sharp and flat components, means near and past the
// edges, strong and weak channel coefficients.
torch::Tensor
random_params (int64_t B, int C, int K, int64_t H, int64_t W, uint64_t seed)
{
  torch::manual_seed (seed);
  auto p = torch::randn ({B, C, mixture_params_per_channel (K, C), H, W});
  p.narrow (2, K, K).mul_ (1.5);                          // means, some beyond [-1, 1]
  p.narrow (2, 2 * K, K).mul_ (3.0).sub_ (2.0);           // log-scales from about -11 to 7
  return p;
}

// random_params with rows H/2.. sharp (every log-scale -6 to -4, so far tails underflow a
// float), contiguous.
torch::Tensor
sharp_params (int C, int K, int64_t H, int64_t W, uint64_t seed)
{
  auto p = random_params (1, C, K, H, W, seed);
  p.narrow (2, 2 * K, K).narrow (3, H / 2, H / 2).copy_ (torch::rand ({1, C, K, H / 2, W}) * 2 - 6);
  return p.contiguous ();
}

// f (i, j, c, params, known, expected) for every sub-pixel of p ([1, C, P, H, W]) and x
// ([1, 3, H, W] scaled), with its P parameters, the pixel's three known channels and
// `table`'s 256 values there ([1, C, 256, H, W]).
template <class F>
void
each_sub_pixel (const torch::Tensor &p, const torch::Tensor &x, const torch::Tensor &table, F f)
{
  for (int64_t i = 0; i < p.size (3); ++i)
    for (int64_t j = 0; j < p.size (4); ++j) {
      const float known[3] = {x[0][0][i][j].item<float> (), x[0][1][i][j].item<float> (),
                              x[0][2][i][j].item<float> ()};
      for (int c = 0; c < p.size (1); ++c) {
        auto params = p[0][c].select (1, i).select (1, j).contiguous ();
        auto expected = table[0][c].select (1, i).select (1, j).contiguous ();
        f ((int) i, (int) j, c, params.data_ptr<float> (), known, expected.data_ptr<float> ());
      }
    }
}

}  // namespace

TEST (LogisticMixture, SumsToOneOverTheValues)
{
  for (int C : {1, 3}) {
    auto p = random_params (2, C, 4, 5, 6, 3);
    auto x = torch::rand ({2, C, 5, 6}) * 2 - 1;
    auto lp = mixture_log_probs (p, x, 4);
    ASSERT_EQ (lp.sizes (), (std::vector<int64_t>{2, C, 256, 5, 6}));
    auto total = torch::logsumexp (lp, 2);
    EXPECT_LT (total.abs ().max ().item<float> (), 1e-3) << C << " channels";
    EXPECT_TRUE (torch::isfinite (lp).all ().item<bool> ());
  }
}

TEST (LogisticMixture, NllAtTheValuesEqualsTheFullTable)
{
  auto p = random_params (3, 3, 5, 4, 4, 5);
  auto x = test::random_images (3, 3, 4, 4, 6);
  x.narrow (2, 0, 1).fill_ (0);                             // both edge bins appear
  x.narrow (2, 1, 1).fill_ (255);
  auto xs = x.to (torch::kFloat32) * (2.0 / 255.0) - 1.0;
  auto table = mixture_log_probs (p, xs, 5);
  auto picked = -table.gather (2, x.to (torch::kLong).unsqueeze (2)).squeeze (2);
  EXPECT_LT ((picked - mixture_nll (p, x, 5)).abs ().max ().item<float> (), 1e-4);
}

TEST (LogisticMixture, EngineScalarCodeEqualsTensorCode)
{
  // 64 positions of random parameters (sharp and flat components, means past the edges) and
  // random known channels: every one of the 256 values, deep tails included.
  const int C = 3, K = 4, H = 8, W = 8;
  // Rows 4-7: every component sharp, so far tails underflow a float.
  auto p = sharp_params (C, K, H, W, 9);
  auto x = (torch::rand ({1, C, H, W}) * 2 - 1).contiguous ();
  auto table = mixture_log_probs (p, x, K);
  // The kernel sums probabilities, and falls back to log space where some value's is under
  // 1e-30: both ways must be covered.
  int summed = 0, in_log_space = 0;
  each_sub_pixel (p, x, table, [&] (int i, int j, int c, const float *params, const float *known,
      const float *e) {
    float out[256];
    mixture_log_probs_at (params, c, known, K, out);
    ++(*std::min_element (e, e + 256) < std::log (1e-30) ? in_log_space : summed);
    for (int v = 0; v < 256; ++v) {
      // A bin's probability is a difference of two sigmoids in float: both codes carry an
      // error of about 1e-7 / p in its log, up to p = 1e-5 (below, the density at the bin's
      // centre stands in for it).
      const double p_v = std::max (std::exp ((double) e[v]), 1e-5);
      ASSERT_NEAR (out[v], e[v], 2e-4 + 1e-5 * std::fabs (e[v]) + 2e-7 / p_v)
          << "position (" << i << ", " << j << ") channel " << c << " value " << v;
    }
  });
  EXPECT_GT (summed, 10);
  EXPECT_GT (in_log_space, 10);
}

TEST (LogisticMixture, EngineProbabilitiesEqualTensorCode)
{
  // What the engine draws from without logs: each value's probability, the bins where a
  // component adds under 1e-9 left out. Sharp components (rows 4-7) must leave some out.
  const int C = 3, K = 4, H = 8, W = 8;
  auto p = sharp_params (C, K, H, W, 10);
  auto x = (torch::rand ({1, C, H, W}) * 2 - 1).contiguous ();
  auto table = mixture_log_probs (p, x, K).exp ();
  int left_out = 0;
  each_sub_pixel (p, x, table, [&] (int i, int j, int c, const float *params, const float *known,
      const float *e) {
    float out[256];
    const float total = mixture_probs_at (params, c, known, K, out);
    double sum = 0;
    for (int v = 0; v < 256; ++v) {
      sum += out[v];
      left_out += out[v] == 0.f && e[v] > 0.f;
      // Float differences of sigmoids: about 1e-7 absolute; left out: under 1e-9 each.
      ASSERT_NEAR (out[v], e[v], 2e-7 + 1e-4 * e[v])
          << "position (" << i << ", " << j << ") channel " << c << " value " << v;
    }
    EXPECT_NEAR (total, sum, 1e-5);
    EXPECT_NEAR (total, 1.0, 1e-3);
  });
  EXPECT_GT (left_out, 100);
}

TEST (LogisticMixture, GreenMeanFollowsRed)
{
  // One component, mean 0, a coefficient of tanh(3) on r: g's most likely value moves with r.
  const int K = 1;
  auto p = torch::zeros ({1, 3, mixture_params_per_channel (K, 3), 1, 1});
  p[0][1][2 * K].fill_ (-4.0);                              // sharp
  p[0][1][3 * K].fill_ (3.0);                               // coefficient on r
  auto mode_of_g = [&] (float r) {
    auto x = torch::tensor ({r, 0.f, 0.f}).view ({1, 3, 1, 1});
    return mixture_log_probs (p, x, K)[0][1].flatten ().argmax ().item<int64_t> ();
  };
  EXPECT_LT (mode_of_g (-0.5f), 100);
  EXPECT_GT (mode_of_g (0.5f), 155);
}

TEST (LogisticMixture, TrainingOnRealPixelsLowersBitsPerDim)
{
  auto image = test::load_test_image ("ladybird-160x120.png");   // [3, H, W]
  auto config = test::small_config (Architecture::PixelCNN, 3, 2, Output::Mixture);
  torch::manual_seed (1);
  Trainer trainer (PixelModel (config), TrainOptions{});
  auto held = image.narrow (1, 0, 32).narrow (2, 0, 32).unsqueeze (0);
  const double before = trainer.evaluate (held);
  for (int s = 0; s < 150; ++s)
    trainer.step (trainer.random_batch (std::vector<torch::Tensor>{image.narrow (1, 40, 80)}, 8, 24));
  const double after = trainer.evaluate (held);
  EXPECT_LT (after, before - 1.0) << before << " -> " << after;
  EXPECT_LT (after, 7.0);                                   // uniform: 8 bits/dim
}
