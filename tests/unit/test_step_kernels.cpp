// The incremental engine's product kernels (generation/step_kernels.h) and the group-packed
// steps built on them (generation/dense_step.h) give what torch::mm gives: every kernel this
// processor runs, the portable 16-lane build of the AVX-512 kernel included, for row counts
// that use the 4-row blocks and the single rows, widths that end mid-vector, and inputs with
// exact zeros (which the kernels skip).
#include "generation/dense_step.h"
#include "generation/step_kernels.h"

#include <gtest/gtest.h>

using namespace pixelrnn;

TEST (StepKernels, EveryKernelEqualsMatmul)
{
  torch::manual_seed (11);
  const auto kernels = runnable_product_kernels ();
  ASSERT_GE (kernels.size (), 2u);
  for (const auto *kernel : kernels)
    for (int rows : {1, 3, 4, 9})
      for (int m : {1, 7, 20, 24, 40, 64, 100})
        for (int K : {1, 37, 300}) {
          auto w = torch::randn ({K, m});
          auto x = torch::randn ({rows, K}).relu ();       // about half exactly zero
          auto y0 = torch::randn ({rows, m});
          const int ldw = (m + kernel->lanes - 1) / kernel->lanes * kernel->lanes;
          // W padded to ldw columns (zeros past m); y with room past m that must stay untouched.
          auto packed = torch::zeros ({K, ldw});
          packed.narrow (1, 0, m).copy_ (w);
          auto y = torch::full ({rows, m + 5}, 42.f);
          y.narrow (1, 0, m).copy_ (y0);
          kernel->multiply (packed.data_ptr<float> (), ldw, x.data_ptr<float> (), K, rows, K,
              y.data_ptr<float> (), m + 5, m);
          auto expected = y0 + torch::mm (x, w);
          EXPECT_LT ((y.narrow (1, 0, m) - expected).abs ().max ().item<float> (), 1e-4 * std::sqrt (K))
              << kernel->name << " rows " << rows << " m " << m << " K " << K;
          EXPECT_TRUE (y.narrow (1, m, 5).eq (42.f).all ().item<bool> ())
              << kernel->name << " wrote past the row's " << m << " columns";
        }
}

TEST (StepKernels, GroupPackedStepEqualsTheConvolutionAtOnePosition)
{
  // A masked 3x3 convolution's step at the centre of a 3x3 map, one colour group at a time
  // (20 outputs in three groups: 6, 7, 7), against conv2d over the same map.
  torch::manual_seed (12);
  const int in = 5, out = 20;
  auto weight = torch::randn ({out, in, 3, 3});
  weight.select (2, 2).zero_ ();                      // rows below the centre
  weight.select (2, 1).narrow (2, 2, 1).zero_ ();     // right of the centre
  auto bias = torch::randn ({out});
  auto map = torch::randn ({1, in, 3, 3});
  auto expected = torch::conv2d (map, weight, bias).flatten ();   // the centre's outputs
  FeatureMap features;
  features.reset (3, 3, 1, in);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int c = 0; c < in; ++c)
        features.at (i, j)[c] = map[0][c][i][j].item<float> ();
  for (const auto *kernel : runnable_product_kernels ()) {
    auto step = DenseStep::from_conv (weight, bias, 3, {}, *kernel);
    std::vector<float> patch, result (out, -1.f);
    gather_patch (step, features, 1, 1, false, patch);
    for (int g = 0; g < 3; ++g)
      apply_step (step, patch.data (), 1, g, g + 1, result.data (), out, false);
    auto got = torch::from_blob (result.data (), {out}).clone ();
    EXPECT_LT ((got - expected).abs ().max ().item<float> (), 1e-4) << kernel->name;
  }
}
