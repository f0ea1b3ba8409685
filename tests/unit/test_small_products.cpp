// The recurrent layers' inference convolutions cut into single-threaded BLAS products
// (network/small_products.h) give conv1d's result, for shapes that need tiles along both
// the output features and the columns; and so does the entry point that picks.
#include "network/small_products.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/conv.h>

using namespace pixelrnn;

TEST (SmallProducts, EqualsConv1d)
{
  namespace F = torch::nn::functional;
  torch::manual_seed (5);
  struct Shape { int64_t B, Cin, Cout, L, k, padding; };
  for (auto s : {Shape{1, 48, 192, 52, 3, 1}, Shape{2, 60, 240, 160, 3, 1}, Shape{3, 8, 20, 7, 2, 1},
                 Shape{1, 200, 130, 900, 3, 1}, Shape{2, 5, 3, 4, 1, 0}}) {
    auto x = torch::randn ({s.B, s.Cin, s.L});
    auto w = torch::randn ({s.Cout, s.Cin, s.k});
    auto b = torch::randn ({s.Cout});
    auto expected = F::conv1d (x, w, F::Conv1dFuncOptions ().bias (b).padding (s.padding));
    auto got = conv1d_tiled (x, w, b, s.padding);
    ASSERT_EQ (got.sizes (), expected.sizes ());
    EXPECT_LT ((got - expected).abs ().max ().item<float> (), 1e-3 * std::sqrt ((double) s.Cin * s.k))
        << "B " << s.B << " Cin " << s.Cin << " Cout " << s.Cout << " L " << s.L;
    EXPECT_LT ((conv1d_in_pieces (x, w, b, s.padding) - expected).abs ().max ().item<float> (),
        1e-3 * std::sqrt ((double) s.Cin * s.k));
  }
}
