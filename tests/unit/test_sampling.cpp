// The naive reference sampler: deterministic for a seed, never touches values outside the
// mask, and sequentially consistent: every distribution it drew from equals what one parallel
// pass computes on the finished image. A mask leak that one-shot likelihood hides shows here.
#include "network/likelihood.h"
#include "generation/naive_sampler.h"
#include "test_support.h"

#include <gtest/gtest.h>

using namespace pixelrnn;
using pixelrnn::test::small_model;

namespace {

void
check_sequential_consistency (Architecture arch, int channels, Block block = Block::Residual)
{
  auto model = small_model (arch, channels, 9, 2, Output::Softmax, block);
  model->eval ();
  // Start from noise, not zeros: the values not yet sampled then differ from their final
  // ones, so a model that peeks at them gets caught.
  auto start = test::random_images (2, channels, 5, 4, 21);
  torch::Tensor used;
  auto filled = fill_naive (model, start, torch::ones ({5, 4}, torch::kBool), {1.0, 5}, &used);
  torch::NoGradGuard no_grad;
  auto parallel = log_probs (model, filled);
  EXPECT_LT ((parallel - used).abs ().max ().item<float> (), 1e-4)
      << architecture_name (arch) << " " << block_name (block);
}

}  // namespace

TEST (SequentialConsistency, PixelCNN) { check_sequential_consistency (Architecture::PixelCNN, 3); }
TEST (SequentialConsistency, RowLSTM) { check_sequential_consistency (Architecture::RowLSTM, 3); }
TEST (SequentialConsistency, DiagonalBiLSTM) { check_sequential_consistency (Architecture::DiagonalBiLSTM, 3); }
TEST (SequentialConsistency, Gray)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM})
    check_sequential_consistency (arch, 1);
}
TEST (SequentialConsistency, GatedAndTwoStreamBlocks)
{
  for (auto block : {Block::Gated, Block::TwoStream})
    for (int channels : {1, 3})
      check_sequential_consistency (Architecture::PixelCNN, channels, block);
}

TEST (NaiveSampling, DeterministicForASeed)
{
  auto model = small_model (Architecture::RowLSTM, 3);
  auto a = sample_naive (model, 2, 4, 4, {1.0, 42});
  auto b = sample_naive (model, 2, 4, 4, {1.0, 42});
  auto c = sample_naive (model, 2, 4, 4, {1.0, 43});
  EXPECT_TRUE (torch::equal (a, b));
  EXPECT_FALSE (torch::equal (a, c));
  EXPECT_EQ (a.scalar_type (), torch::kUInt8);
}

TEST (NaiveSampling, GreedyTakesTheMostLikelyValue)
{
  auto model = small_model (Architecture::PixelCNN, 1);
  auto filled = fill_naive (model, torch::zeros ({1, 1, 3, 3}, torch::kUInt8),
      torch::ones ({3, 3}, torch::kBool), {0.0, 0});
  torch::NoGradGuard no_grad;
  auto best = log_probs (model, filled).argmax (2).to (torch::kUInt8);
  EXPECT_TRUE (torch::equal (best, filled));
}

TEST (NaiveSampling, FillNeverChangesValuesOutsideTheMask)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM}) {
    auto model = small_model (arch, 3);
    auto image = test::random_images (2, 3, 6, 6, 5);
    auto mask = torch::zeros ({6, 6}, torch::kBool);
    mask.narrow (0, 2, 2).narrow (1, 1, 3).fill_ (true);
    auto filled = fill_naive (model, image, mask, {1.0, 3});
    auto outside = mask.logical_not ().expand ({2, 3, 6, 6});
    EXPECT_TRUE (torch::equal (filled.masked_select (outside), image.masked_select (outside)));
    EXPECT_FALSE (torch::equal (filled, image)) << "nothing was filled";
  }
}

TEST (NaiveSampling, RejectsMaskOfTheWrongSize)
{
  auto model = small_model (Architecture::PixelCNN, 1);
  EXPECT_THROW (fill_naive (model, torch::zeros ({1, 1, 4, 4}, torch::kUInt8),
                    torch::ones ({3, 4}, torch::kBool), {}),
      std::invalid_argument);
}
