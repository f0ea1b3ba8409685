// Likelihood: normalised distributions, an untrained model near 8 bits/dim, and training on
// real Fashion-MNIST images lowering bits/dim.
#include "api/idx_images.h"
#include "network/likelihood.h"
#include "io/tensor_image.h"
#include "test_support.h"
#include "training/trainer.h"

#include <gtest/gtest.h>
#include <iostream>

using namespace pixelrnn;
using pixelrnn::test::small_model;

TEST (Likelihood, DistributionsSumToOne)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM})
    for (int c : {1, 3}) {
      auto model = small_model (arch, c);
      torch::NoGradGuard no_grad;
      auto lp = log_probs (model, test::random_images (2, c, 6, 7));
      ASSERT_EQ (lp.sizes (), (std::vector<int64_t>{2, c, 256, 6, 7}));
      auto total = lp.exp ().sum (2);
      EXPECT_LT ((total - 1).abs ().max ().item<float> (), 1e-5) << architecture_name (arch);
    }
}

TEST (Likelihood, NllMatchesGatheredLogProbs)
{
  auto model = small_model (Architecture::RowLSTM, 3);
  torch::NoGradGuard no_grad;
  auto x = test::random_images (1, 3, 4, 4);
  auto lp = log_probs (model, x);
  auto nll = nll_map (model, x);
  auto xa = x.accessor<uint8_t, 4> ();
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j)
        EXPECT_FLOAT_EQ (nll[0][c][i][j].item<float> (), -lp[0][c][xa[0][c][i][j]][i][j].item<float> ());
  double expected_bpd = nll.mean ().item<double> () / kLn2;
  EXPECT_NEAR (bits_per_dim (model, x)[0].item<double> (), expected_bpd, 1e-6);
}

// A multi-scale model's likelihood is the coarse model's of the subsampled image plus the
// full-size model's of every other pixel given it: nll_map holds exactly those two parts
// (checked against each model run on its own), and matches the log-probabilities forward gives.
TEST (Likelihood, MultiScaleIsTheCoarseModelsPlusTheRestGivenIt)
{
  auto model = test::small_multi_scale_model (2);
  torch::NoGradGuard no_grad;
  auto x = test::random_images (2, 3, 7, 6);   // odd height: the last block is cut
  auto nll = nll_map (model, x);
  auto lp = log_probs (model, x);
  auto gathered = -lp.gather (2, x.to (torch::kLong).unsqueeze (2)).squeeze (2);
  EXPECT_LT ((nll - gathered).abs ().max ().item<float> (), 1e-4);
  // The subsampled positions: the coarse model's NLL of the subsampled image.
  auto s = x.slice (2, 0, 7, 2).slice (3, 0, 6, 2).contiguous ();
  PixelModel coarse (model->coarse);
  auto coarse_nll = nll_map (coarse, s);
  EXPECT_LT ((nll.slice (2, 0, 7, 2).slice (3, 0, 6, 2) - coarse_nll).abs ().max ().item<float> (), 1e-5);
  // Elsewhere: the full-size network's own head with the view of s added.
  auto xs = scale_input (x);
  auto full = model->nll (model->head (model->features (xs)), x);
  auto rest = torch::ones ({7, 6}, torch::kBool);
  rest.slice (0, 0, 7, 2).slice (1, 0, 6, 2).fill_ (false);
  EXPECT_LT ((nll - full).abs ().masked_select (rest).max ().item<float> (), 1e-5);
  // And the view matters: without it the rest's NLL changes.
  for (auto &p : model->lift->parameters ())
    p.zero_ ();
  EXPECT_GT ((nll_map (model, x) - nll).abs ().masked_select (rest).max ().item<float> (), 1e-3);
}

TEST (Likelihood, UntrainedModelIsNearEightBitsPerDim)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM}) {
    auto model = small_model (arch, 3);
    torch::NoGradGuard no_grad;
    double bpd = bits_per_dim (model, test::random_images (4, 3, 8, 8)).mean ().item<double> ();
    EXPECT_NEAR (bpd, 8.0, 0.25) << architecture_name (arch);
  }
}

TEST (Likelihood, TrainingOnFashionMnistLowersBitsPerDim)
{
  auto train = idx_to_tensor (read_idx_images (test::kFashionTrain, 2000));
  auto held_out = idx_to_tensor (read_idx_images (test::kFashionTest, 200));
  torch::manual_seed (0);
  ModelConfig config;
  config.architecture = Architecture::PixelCNN;
  config.channels = 1;
  config.hidden = 16;
  config.layers = 2;
  config.head_hidden = 32;
  TrainOptions options;
  options.learning_rate = 3e-3;
  Trainer trainer (PixelModel (config), options);
  double before = trainer.evaluate (held_out);
  double last = 0;
  for (int s = 0; s < 150; ++s)
    last = trainer.step (trainer.random_batch (train, 16));
  double after = trainer.evaluate (held_out);
  std::cout << "Fashion-MNIST held-out bits/dim: " << before << " untrained -> " << after
            << " after 150 steps (last batch " << last << ")\n";
  EXPECT_NEAR (before, 8.0, 0.3);
  EXPECT_LT (after, 5.0);
}

// A one-channel image's permuted view already counts as contiguous: the tensor must still be
// a copy, not a view of the Image's buffer (which dangled once the Image was gone: gray
// image folders and gray video were read from freed memory).
TEST (Likelihood, ImageToTensorCopiesGrayPixels)
{
  for (int channels : {1, 3}) {
    Image img (4, 3, channels);
    for (size_t i = 0; i < img.pixels.size (); ++i)
      img.pixels[i] = (uint8_t) i;
    auto t = image_to_tensor (img);
    std::fill (img.pixels.begin (), img.pixels.end (), 255);
    EXPECT_EQ (t.stride (0), 12) << channels;
    EXPECT_EQ (t[0][1][2].item<int> (), (1 * 4 + 2) * channels) << channels;
  }
}
