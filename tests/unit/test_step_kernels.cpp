// The incremental engine's product kernels (generation/step_kernels.h) and the group-packed
// steps built on them (generation/dense_step.h) give what torch::mm gives: every kernel this
// processor runs, the portable 16-lane build of the AVX-512 kernel included, for row counts
// that use the 4-row blocks and the single rows, widths that end mid-vector, and inputs
// through the kernels' own ReLU; the steps read their inputs in place from feature maps.
#include "generation/dense_step.h"
#include "generation/pointwise_kernels.h"
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
          auto x = torch::randn ({rows, K});
          auto y0 = torch::randn ({rows, m});
          for (bool relu : {false, true}) {
          const int ldw = (m + kernel->pad - 1) / kernel->pad * kernel->pad;
          // W padded to ldw columns (zeros past m); y with room past m that must stay untouched.
          auto packed = torch::zeros ({K, ldw});
          packed.narrow (1, 0, m).copy_ (w);
          auto y = torch::full ({rows, m + 5}, 42.f);
          y.narrow (1, 0, m).copy_ (y0);
          (relu ? kernel->multiply_relu : kernel->multiply) (packed.data_ptr<float> (), ldw,
              x.data_ptr<float> (), K, rows, K, y.data_ptr<float> (), m + 5, m);
          auto expected = y0 + torch::mm (relu ? x.relu () : x, w);
          EXPECT_LT ((y.narrow (1, 0, m) - expected).abs ().max ().item<float> (), 1e-4 * std::sqrt (K))
              << kernel->name << " rows " << rows << " m " << m << " K " << K << (relu ? " relu" : "");
          EXPECT_TRUE (y.narrow (1, m, 5).eq (42.f).all ().item<bool> ())
              << kernel->name << " wrote past the row's " << m << " columns";
          }
        }
}

TEST (StepKernels, InPlaceStepsEqualTheConvolutionEverywhere)
{
  // A masked 3x3 convolution (20 outputs in three colour groups: 6, 7, 7) read in place from
  // a 4x6 map, with 1 and 2 batch rows, with and without a ReLU on its input: whole rows at
  // once (one product per stretch of taps, edges clipped) and one position and group at a
  // time must both equal conv2d with zero padding at every position.
  torch::manual_seed (12);
  const int in = 5, out = 20, H = 4, W = 6;
  auto weight = torch::randn ({out, in, 3, 3});
  weight.select (2, 2).zero_ ();                      // rows below the centre
  weight.select (2, 1).narrow (2, 2, 1).zero_ ();     // right of the centre
  auto bias = torch::randn ({out});
  for (int batch : {1, 2})
    for (bool relu : {false, true}) {
      auto map = torch::randn ({batch, in, H, W});
      auto expected = torch::conv2d (relu ? map.relu () : map, weight, bias, 1, 1)
          .permute ({2, 3, 0, 1}).contiguous ();       // [H, W, batch, out]
      FeatureMap features;
      features.reset (H, W, batch, in);
      auto a = map.accessor<float, 4> ();
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j)
          for (int b = 0; b < batch; ++b)
            for (int c = 0; c < in; ++c)
              features.at (i, j)[b * in + c] = a[b][c][i][j];
      for (const auto *kernel : runnable_product_kernels ()) {
        auto step = DenseStep::from_conv (weight, bias, 3, {}, *kernel);
        std::vector<float> rows ((size_t) H * W * batch * out, -1.f), single (rows), waves (rows);
        for (int i = 0; i < H; ++i) {
          float *row = rows.data () + (size_t) i * W * batch * out;
          apply_at (step, features, i, 0, W, relu, 0, 3, row, out, false);
          for (int j = 0; j < W; ++j)
            for (int g = 0; g < 3; ++g)
              apply_at (step, features, i, j, j + 1, relu, g, g + 1,
                  single.data () + ((size_t) i * W + j) * batch * out, out, false);
        }
        // Waves (one batch row): from each position of the top row and the left column, down
        // and `skew` columns left at a time, edges clipped, a group at a time.
        for (int skew : {1, 2}) {
          if (batch != 1)
            break;
          std::fill (waves.begin (), waves.end (), -1.f);
          for (int start = 0; start < W + H - 1; ++start) {
            const int i = std::max (0, start - (W - 1)), j = std::min (start, W - 1);
            int n = 0;
            while (i + n < H && j - n * skew >= 0)
              ++n;
            std::vector<float> got ((size_t) n * out);
            for (int g = 0; g < 3; ++g)
              apply_at (step, features, Positions::wave (i, j, n, skew), relu, g, g + 1,
                  got.data (), out, false);
            for (int k = 0; k < n; ++k)
              std::copy_n (got.data () + (size_t) k * out, out,
                  waves.data () + ((size_t) (i + k) * W + j - k * skew) * out);
          }
          auto got = torch::from_blob (waves.data (), {H, W, 1, out});
          // Positions no wave reached keep -1: compare those that one did.
          auto reached = got.select (3, 0) != -1.f;
          EXPECT_GT (reached.sum ().item<int64_t> (), H * W / 2);
          EXPECT_LT (((got - expected).abs ().select (3, 0) * reached).max ().item<float> (), 1e-4)
              << kernel->name << (relu ? ", relu" : "") << ", waves of skew " << skew;
        }
        for (const auto *result : {&rows, &single}) {
          auto got = torch::from_blob (const_cast<float *> (result->data ()), {H, W, batch, out});
          EXPECT_LT ((got - expected).abs ().max ().item<float> (), 1e-4)
              << kernel->name << ", batch " << batch << (relu ? ", relu" : "")
              << (result == &rows ? ", whole rows" : ", one position at a time");
        }
      }
    }
}

TEST (StepKernels, FirstMaxIsMaxElement)
{
  // Greedy draws take the first of equally likely values, as std::max_element does: many
  // ties (7 distinct values), every length up to 300 (partial blocks of the vector search).
  torch::manual_seed (3);
  for (int n = 1; n <= 300; ++n)
    for (int trial = 0; trial < 5; ++trial) {
      auto x = torch::randint (0, 7, {n}).to (torch::kFloat32);
      const float *p = x.data_ptr<float> ();
      ASSERT_EQ (first_max (p, n), std::max_element (p, p + n) - p) << "n " << n;
    }
}
