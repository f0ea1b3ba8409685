// The incremental engine against the parallel model and the naive reference sampler: every
// logit it computes position by position equals the full forward pass, and it draws the same
// values as fill_naive for the same seed, for every architecture, grey and RGB.
#include "generation/incremental_engine.h"
#include "generation/naive_sampler.h"
#include "network/likelihood.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace pixelrnn;
using pixelrnn::test::small_model;

namespace {

const Architecture kArchitectures[] = {Architecture::PixelCNN, Architecture::RowLSTM,
    Architecture::DiagonalBiLSTM};

void
check_logits (Architecture arch, int channels, Output output, Block block = Block::Residual,
    uint64_t model_seed = 3)
{
  auto model = small_model (arch, channels, model_seed, 3, output, block,
      block != Block::Residual ? 0.3f : 0.f);
  model->eval ();
  auto x = test::random_images (2, channels, 6, 7, 11);
  IncrementalEngine engine (model);
  auto stepwise = engine.logits (x);
  torch::NoGradGuard no_grad;
  auto parallel = model->forward (x);
  EXPECT_LT ((stepwise - parallel).abs ().max ().item<float> (), 2e-4)
      << architecture_name (arch) << " " << output_name (output);
  EXPECT_GT (engine.last_flops (), 0.0);
}

// Greedy fills may part where the two best values are equally likely to float precision
// (an untrained model's mixture component centred between two values): then the first value
// they differ at in drawing order must be such a tie in the naive sampler's own log-probs.
void
expect_greedy_tie (const torch::Tensor &naive, const torch::Tensor &fast,
    const torch::Tensor &naive_log_probs)
{
  const int64_t B = naive.size (0), C = naive.size (1), H = naive.size (2), W = naive.size (3);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t a = naive[b][c][i][j].item<int64_t> (), e = fast[b][c][i][j].item<int64_t> ();
          if (a == e)
            continue;
          const float gap = (naive_log_probs[b][c][a][i][j] - naive_log_probs[b][c][e][i][j])
              .abs ().item<float> ();
          EXPECT_LT (gap, 1e-5) << "greedy values " << a << " and " << e << " at (" << i << ", "
              << j << ") channel " << c << " are not a tie";
          return;     // later values are drawn from different pixels: nothing to compare
        }
}

void
check_same_values_as_naive (Architecture arch, int channels, Output output = Output::Softmax,
    Block block = Block::Residual, uint64_t model_seed = 5)
{
  auto model = small_model (arch, channels, model_seed, 2, output, block);
  model->eval ();
  auto start = test::random_images (2, channels, 7, 6, 4);
  auto mask = torch::zeros ({7, 6}, torch::kBool);
  mask.narrow (0, 2, 3).narrow (1, 1, 4).fill_ (true);     // a hole with pixels after it
  for (uint64_t seed : {1, 2, 3}) {
    for (double temperature : {1.0, 0.7, 0.0}) {
      torch::Tensor used_naive, used_engine;
      auto naive = fill_naive (model, start, mask, {temperature, seed}, &used_naive);
      IncrementalEngine engine (model);
      auto fast = engine.fill (start, mask, {temperature, seed}, &used_engine);
      if (temperature == 0.0 && !torch::equal (naive, fast)) {
        expect_greedy_tie (naive, fast, used_naive);
        expect_greedy_tie (naive, engine.fill (start, mask, {temperature, seed}), used_naive);
        continue;     // the distributions after the tie are of different pixels
      }
      ASSERT_TRUE (torch::equal (naive, fast))
          << architecture_name (arch) << " " << output_name (output) << " seed " << seed
          << " T " << temperature;
      // Asked for no log-probs, a mixture model draws from probabilities (greedy and at
      // temperature 1): the same values, greedy ties aside.
      auto plain = engine.fill (start, mask, {temperature, seed});
      if (temperature == 0.0)
        expect_greedy_tie (naive, plain, used_naive);
      else
        EXPECT_TRUE (torch::equal (naive, plain))
            << architecture_name (arch) << " " << output_name (output) << " seed " << seed
            << " T " << temperature << " without log-probs";
      if (output == Output::Softmax) {
        EXPECT_LT ((used_naive - used_engine).abs ().max ().item<float> (), 2e-4);
      } else {
        // The mixture's bins are differences of sigmoids in float, computed in another order
        // than ATen's (mixture_kernel.cpp; LogisticMixture.EngineScalarCodeEqualsTensorCode
        // bounds the log-probs): compare what drawing uses, the probabilities.
        EXPECT_LT ((used_naive.exp () - used_engine.exp ()).abs ().max ().item<float> (), 1e-5);
      }
    }
    // Posterior means, with and without log-probs asked for.
    SamplingOptions mean{1.0, seed, true};
    auto naive = fill_naive (model, start, mask, mean);
    IncrementalEngine engine (model);
    torch::Tensor used;
    EXPECT_TRUE (torch::equal (naive, engine.fill (start, mask, mean, &used)))
        << architecture_name (arch) << " " << output_name (output) << " seed " << seed << " mean";
    EXPECT_TRUE (torch::equal (naive, engine.fill (start, mask, mean)))
        << architecture_name (arch) << " " << output_name (output) << " seed " << seed
        << " mean without log-probs";
  }
}

}  // namespace

TEST (Incremental, LogitsEqualParallelPass)
{
  for (auto arch : kArchitectures)
    for (int channels : {1, 3})
      for (auto output : {Output::Softmax, Output::Mixture})
        check_logits (arch, channels, output);
}

// Best-of ranks its candidates by these: each image's log-likelihood, computed row by row.
TEST (Incremental, LogLikelihoodsEqualTheParallelModel)
{
  for (auto arch : kArchitectures)
    for (int channels : {1, 3})
      for (auto output : {Output::Softmax, Output::Mixture})
        for (auto block : {Block::Residual, Block::TwoStream}) {
          if (block != Block::Residual && arch != Architecture::PixelCNN)
            continue;
          auto model = small_model (arch, channels, 3, 2, output, block);
          model->eval ();
          auto x = test::random_images (3, channels, 6, 7, 12);
          IncrementalEngine engine (model);
          auto got = engine.log_likelihoods (x);
          torch::NoGradGuard no_grad;
          auto expected = -nll_map (model, x).to (torch::kFloat64).sum ({1, 2, 3});
          ASSERT_EQ (got.sizes (), expected.sizes ());
          EXPECT_LT ((got - expected).abs ().max ().item<double> (),
              1e-4 * expected.abs ().max ().item<double> ())
              << architecture_name (arch) << " " << output_name (output) << " "
              << block_name (block) << " " << channels << " channels: " << got << " vs "
              << expected;
        }
}

TEST (Incremental, GatedBlockLogitsAndValues)
{
  for (int channels : {1, 3})
    for (auto output : {Output::Softmax, Output::Mixture}) {
      check_logits (Architecture::PixelCNN, channels, output, Block::Gated);
      check_same_values_as_naive (Architecture::PixelCNN, channels, output, Block::Gated);
    }
}

// The vertical stream is computed a row at a time; fills compute only the rows they need.
// Other model seeds than the one-stream tests': with seeds 3 and 5 the untrained RGB mixture
// has a component centred on 128.5 (values 128 and 129 equally likely to 5 digits, so greedy
// picks by rounding) and a log-scale near its floor, where 1e-6 of mean is 3e-4 of log-prob.
TEST (Incremental, TwoStreamBlockLogitsAndValues)
{
  for (int channels : {1, 3})
    for (auto output : {Output::Softmax, Output::Mixture}) {
      check_logits (Architecture::PixelCNN, channels, output, Block::TwoStream, 4);
      check_same_values_as_naive (Architecture::PixelCNN, channels, output, Block::TwoStream, 6);
    }
  // A hole far below the window's top: the vertical stream's rows no hole value depends on
  // (here rows 0-7) are skipped, and the values are still the naive sampler's.
  auto model = small_model (Architecture::PixelCNN, 3, 6, 2, Output::Softmax, Block::TwoStream);
  model->eval ();
  auto start = test::random_images (2, 3, 14, 6, 4);
  auto mask = torch::zeros ({14, 6}, torch::kBool);
  mask.narrow (0, 11, 2).narrow (1, 1, 4).fill_ (true);
  for (uint64_t seed : {1, 2}) {
    torch::Tensor used_naive, used_engine;
    auto naive = fill_naive (model, start, mask, {1.0, seed}, &used_naive);
    IncrementalEngine engine (model);
    EXPECT_TRUE (torch::equal (naive, engine.fill (start, mask, {1.0, seed}, &used_engine)))
        << "seed " << seed;
    EXPECT_LT ((used_naive - used_engine).abs ().max ().item<float> (), 2e-4) << "seed " << seed;
  }
}

// One image: a PixelCNN's hole pixels in several rows go together (waves). Odd holes too:
// a wide one, and a diagonal band whose rows start at different columns.
TEST (Incremental, WavesDrawWhatTheNaiveSamplerDraws)
{
  auto wide = torch::zeros ({7, 17}, torch::kBool);
  wide.narrow (0, 2, 4).narrow (1, 2, 13).fill_ (true);
  auto band = torch::zeros ({7, 17}, torch::kBool);
  for (int i = 1; i < 6; ++i)
    band[i].narrow (0, i, 8).fill_ (true);
  for (auto block : {Block::Residual, Block::Gated})
    for (auto output : {Output::Softmax, Output::Mixture}) {
      auto model = small_model (Architecture::PixelCNN, 3, 5, 2, output, block);
      model->eval ();
      auto start = test::random_images (1, 3, 7, 17, 4);
      for (const auto &[mask, widest] : {std::pair (wide, 4), std::pair (band, 2)})
        for (uint64_t seed : {1})
          for (double temperature : {1.0, 0.0}) {
            const std::string what = std::string (block_name (block)) + " " +
                output_name (output) + " seed " + std::to_string (seed) + " T " +
                std::to_string (temperature);
            torch::Tensor used_naive, used_engine;
            auto naive = fill_naive (model, start, mask, {temperature, seed}, &used_naive);
            IncrementalEngine engine (model);
            auto with_log_probs = engine.fill (start, mask, {temperature, seed}, &used_engine);
            // The input's 7x7 reaches 3 columns right in the rows above: waves 4 apart.
            EXPECT_EQ (engine.last_widest_wave (), widest) << what;
            auto plain = engine.fill (start, mask, {temperature, seed});
            for (const auto &fast : {with_log_probs, plain})
              if (temperature == 0.0)
                expect_greedy_tie (naive, fast, used_naive);
              else
                EXPECT_TRUE (torch::equal (naive, fast)) << what;
          }
    }
}

TEST (Incremental, SameValuesAsNaivePixelCNN)
{
  for (int channels : {1, 3})
    check_same_values_as_naive (Architecture::PixelCNN, channels);
}

TEST (Incremental, SameValuesAsNaiveRowLSTM)
{
  for (int channels : {1, 3})
    check_same_values_as_naive (Architecture::RowLSTM, channels);
}

TEST (Incremental, SameValuesAsNaiveDiagonalBiLSTM)
{
  for (int channels : {1, 3})
    check_same_values_as_naive (Architecture::DiagonalBiLSTM, channels);
}

TEST (Incremental, SameValuesAsNaiveMixture)
{
  for (auto arch : kArchitectures)
    for (int channels : {1, 3})
      check_same_values_as_naive (arch, channels, Output::Mixture);
}

TEST (Incremental, UnconditionalSamplesMatchNaive)
{
  auto model = small_model (Architecture::RowLSTM, 3, 8, 2);
  model->eval ();
  auto naive = sample_naive (model, 3, 5, 5, {1.0, 17});
  IncrementalEngine engine (model);
  auto fast = engine.fill (torch::zeros ({3, 3, 5, 5}, torch::kUInt8),
      torch::ones ({5, 5}, torch::kBool), {1.0, 17});
  EXPECT_TRUE (torch::equal (naive, fast));
}

TEST (Incremental, ValuesOutsideTheMaskUntouched)
{
  auto model = small_model (Architecture::PixelCNN, 3, 2, 2);
  auto start = test::random_images (1, 3, 8, 8, 9);
  auto mask = torch::zeros ({8, 8}, torch::kBool);
  mask.narrow (0, 3, 2).narrow (1, 3, 2).fill_ (true);
  IncrementalEngine engine (model);
  auto out = engine.fill (start, mask, {1.0, 1});
  auto keep = ~mask;
  EXPECT_TRUE (torch::equal (out.masked_select (keep), start.masked_select (keep)));
}

// The engine keeps its feature maps between fills of the same size instead of clearing
// them: every fill must read only what it wrote itself. After fills of other images with
// other holes (and a teacher-forced pass), a reused engine draws exactly what a fresh one
// draws, for every architecture and block.
TEST (Incremental, AReusedEngineDrawsWhatAFreshOneDraws)
{
  struct Case { Architecture arch; Block block; };
  for (auto c : {Case{Architecture::PixelCNN, Block::Residual}, Case{Architecture::PixelCNN, Block::Gated},
                 Case{Architecture::PixelCNN, Block::TwoStream}, Case{Architecture::RowLSTM, Block::Residual},
                 Case{Architecture::DiagonalBiLSTM, Block::Residual}}) {
    auto model = small_model (c.arch, 3, 7, 2, Output::Softmax, c.block);
    model->eval ();
    IncrementalEngine reused (model);
    reused.logits (test::random_images (2, 3, 20, 9, 40));   // every map written once
    const int hole_rows[3] = {2, 15, 9};  // high, low, between: each fill skips rows the last wrote
    for (int round = 0; round < 3; ++round) {
      auto image = test::random_images (2, 3, 20, 9, 20 + round);
      auto mask = torch::zeros ({20, 9}, torch::kBool);
      mask.narrow (0, hole_rows[round], 2).narrow (1, round, 4 + round).fill_ (true);
      mask[19 - round][8 - 2 * round] = true;                   // a second, lone hole
      IncrementalEngine fresh (model);
      auto expected = fresh.fill (image, mask, {1.0, 5});
      EXPECT_TRUE (torch::equal (reused.fill (image, mask, {1.0, 5}), expected))
          << architecture_name (c.arch) << " " << block_name (c.block) << " round " << round;
    }
  }
}

// Every entry point refuses an image that is not uint8 [B, C, H, W] with the model's C, or a
// mask of another size, saying which call and what it expects (a 3-D tensor included, whose
// fourth size does not exist).
TEST (Incremental, BadImagesAreRefused)
{
  auto model = small_model (Architecture::PixelCNN, 3, 3, 2);
  model->eval ();
  IncrementalEngine engine (model);
  auto good = test::random_images (1, 3, 5, 6, 2);
  auto mask = torch::ones ({5, 6}, torch::kBool);
  const auto expect_refused = [] (const std::function<void ()> &call, const std::string &what) {
    try {
      call ();
      ADD_FAILURE () << what << ": no error";
    } catch (const std::invalid_argument &e) {
      EXPECT_NE (std::string (e.what ()).find (what), std::string::npos) << e.what ();
    }
  };
  for (const auto &bad : {good.to (torch::kFloat32), test::random_images (1, 1, 5, 6, 2),
           good[0]}) {
    expect_refused ([&] { engine.fill (bad, mask, {}); }, "incremental fill: image must be uint8 [B, 3, H, W]");
    expect_refused ([&] { engine.logits (bad); }, "incremental logits: image must be uint8 [B, 3, H, W]");
    expect_refused ([&] { engine.log_likelihoods (bad); },
        "incremental log-likelihoods: image must be uint8 [B, 3, H, W]");
  }
  expect_refused ([&] { engine.fill (good, torch::ones ({4, 6}, torch::kBool), {}); },
      "incremental fill: mask must be [H, W] like the image");
  // And the engine still works after refusing.
  EXPECT_EQ (engine.log_likelihoods (good).numel (), 1);
}
