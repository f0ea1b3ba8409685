// Inpainting that reads every side of the hole: the membrane fill, the conditioner, the
// product of experts in the engine and the naive sampler, and the fill modes.
#include "generation/generation.h"
#include "inpainting/window_fill.h"
#include "generation/incremental_engine.h"
#include "network/conditioner.h"
#include "inpainting/fill_loss.h"
#include "network/axis_fill.h"
#include "network/steered_fill.h"
#include "network/harmonic_fill.h"
#include "network/likelihood.h"
#include "io/model_file.h"
#include "network/logistic_mixture.h"
#include "generation/naive_sampler.h"
#include "test_support.h"
#include "training/trainer.h"

#include <algorithm>
#include <cstdio>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace pixelrnn;

namespace {

PixelModel
conditioned_model (Architecture arch, int channels, Output output, uint64_t seed = 3,
    ConditionerBase base = ConditionerBase::Membrane)
{
  auto c = test::small_config (arch, channels, 2, output);
  c.conditioner_hidden = 8;
  c.conditioner_layers = 3;
  c.conditioner_mixtures = 2;
  c.conditioner_base = base;
  torch::manual_seed (seed);
  PixelModel model (c);
  // Make the two experts disagree so that a wrong combination shows.
  torch::NoGradGuard no_grad;
  model->conditioner->expert_weights.copy_ (torch::tensor ({0.7f, 1.3f}));
  for (auto &p : model->conditioner->parameters ())
    p.add_ (torch::randn_like (p) * 0.05);
  model->eval ();
  return model;
}

torch::Tensor
window_hole (int64_t H, int64_t W)
{
  auto mask = torch::zeros ({H, W}, torch::kBool);
  mask.narrow (0, 2, 3).narrow (1, 2, 3).fill_ (true);   // known pixels on every side
  return mask;
}

}  // namespace

TEST (HarmonicFill, KeepsKnownValuesAndReproducesAPlane)
{
  // A plane is harmonic: the membrane through its border is the plane itself.
  auto yy = torch::arange (20, torch::kFloat32).view ({1, 1, 20, 1}).expand ({1, 3, 20, 24});
  auto xx = torch::arange (24, torch::kFloat32).view ({1, 1, 1, 24}).expand ({1, 3, 20, 24});
  auto plane = (0.03 * yy - 0.02 * xx + 0.1).contiguous ();
  auto known = torch::ones ({1, 1, 20, 24});
  known.narrow (2, 4, 12).narrow (3, 5, 14).zero_ ();
  auto x = plane.clone ();
  x.narrow (2, 4, 12).narrow (3, 5, 14).fill_ (7.0);     // garbage in the hole is ignored
  auto filled = harmonic_fill (x, known);
  EXPECT_TRUE (torch::equal (filled * known, plane * known));
  EXPECT_LT ((filled - plane).abs ().max ().item<float> (), 0.02);
}

TEST (HarmonicFill, NoKnownValueGivesMidGrey)
{
  auto filled = harmonic_fill (torch::rand ({2, 3, 5, 5}), torch::zeros ({1, 1, 5, 5}));
  EXPECT_EQ (filled.abs ().max ().item<float> (), 0.f);
}

// A plane a + b y + c x on [1, 3, H, W], and a known mask with a rectangular hole.
torch::Tensor
plane_image (int64_t H, int64_t W)
{
  auto yy = torch::arange (H, torch::kFloat32).view ({1, 1, H, 1}).expand ({1, 3, H, W});
  auto xx = torch::arange (W, torch::kFloat32).view ({1, 1, 1, W}).expand ({1, 3, H, W});
  return (0.03 * yy - 0.02 * xx + 0.1).contiguous ();
}

TEST (AxisFill, KeepsKnownValuesAndReproducesAPlaneExactly)
{
  auto plane = plane_image (20, 24);
  auto known = torch::ones ({1, 1, 20, 24});
  known.narrow (2, 4, 12).narrow (3, 5, 14).zero_ ();
  auto x = plane.clone ();
  x.narrow (2, 4, 12).narrow (3, 5, 14).fill_ (7.0);     // garbage in the hole is ignored
  auto filled = axis_fill (x, known, torch::zeros_like (x));
  EXPECT_TRUE (torch::equal (filled * known, plane * known));
  // Inverse-distance weights of the four sides reproduce a plane (the membrane only nearly).
  EXPECT_LT ((filled - plane).abs ().max ().item<float> (), 1e-5);
}

TEST (AxisFill, CarriesAnEdgeAcrossTheHoleBetterThanTheMembrane)
{
  // A vertical edge across a wide hole: each column sees its own side of the edge above and
  // below, the membrane smears the edge sideways.
  auto x = torch::zeros ({1, 1, 30, 30});
  x.narrow (3, 15, 15).fill_ (1.0);
  auto known = torch::ones ({1, 1, 30, 30});
  known.narrow (2, 11, 8).narrow (3, 7, 16).zero_ ();
  auto membrane = harmonic_fill (x, known);
  auto axis = axis_fill (x, known, membrane);
  const float axis_error = (axis - x).abs ().sum ().item<float> ();
  const float membrane_error = (membrane - x).abs ().sum ().item<float> ();
  EXPECT_LT (axis_error, 0.85f * membrane_error) << axis_error << " vs " << membrane_error;
}

TEST (AxisFill, ValuesThatSeeNothingTakeTheFallback)
{
  // A hole as wide as the window in its rows and as tall in its columns: the corner region
  // of an L-shaped hole sees no known value along its row or column.
  auto x = torch::rand ({2, 3, 6, 6});
  auto known = torch::ones ({1, 1, 6, 6});
  known.narrow (2, 0, 3).zero_ ();                  // top three rows
  known.narrow (3, 0, 2).zero_ ();                  // left two columns
  auto fallback = torch::full_like (x, 0.5);
  auto filled = axis_fill (x, known, fallback);
  // (0, 0): row 0 and column 0 are wholly hole.
  EXPECT_EQ (filled[1][2][0][0].item<float> (), 0.5f);
  // (1, 3): its column reaches known row 3.
  EXPECT_NEAR (filled[0][0][1][3].item<float> (),
      (x[0][0][3][2].item<float> () + x[0][0][3][3].item<float> () + x[0][0][3][4].item<float> ()) / 3, 1e-6);
}

TEST (SteeredFill, KeepsKnownValuesAndReproducesAPlaneExactly)
{
  auto plane = plane_image (20, 24);
  auto known = torch::ones ({1, 1, 20, 24});
  known.narrow (2, 4, 12).narrow (3, 5, 14).zero_ ();
  auto x = plane.clone ();
  x.narrow (2, 4, 12).narrow (3, 5, 14).fill_ (7.0);
  auto filled = steered_fill (x, known, axis_fill (x, known, torch::zeros_like (x)));
  EXPECT_TRUE (torch::equal (filled * known, plane * known));
  EXPECT_LT ((filled - plane).abs ().max ().item<float> (), 1e-5);
}

// A straight edge at `slope` (1: 45 degrees, -1: 135) through a 40x40 picture with a 16 px
// hole on it: the fill's summed absolute error, steered and axis.
std::pair<float, float>
diagonal_edge_errors (int slope)
{
  auto yy = torch::arange (40, torch::kFloat32).view ({1, 1, 40, 1}).expand ({1, 1, 40, 40});
  auto xx = torch::arange (40, torch::kFloat32).view ({1, 1, 1, 40}).expand ({1, 1, 40, 40});
  auto x = (slope > 0 ? (yy - xx) : (yy + xx - 39)).gt (0.5).to (torch::kFloat32).contiguous ();
  auto known = torch::ones ({1, 1, 40, 40});
  known.narrow (2, 12, 16).narrow (3, 12, 16).zero_ ();
  auto axis = axis_fill (x, known, harmonic_fill (x, known));
  auto steered = steered_fill (x, known, axis);
  return {(steered - x).abs ().sum ().item<float> (), (axis - x).abs ().sum ().item<float> ()};
}

TEST (SteeredFill, CarriesADiagonalEdgeAcrossTheHoleThatRowsAndColumnsBlur)
{
  for (int slope : {1, -1}) {
    const auto [steered, axis] = diagonal_edge_errors (slope);
    // Measured 0.26 of the axis fill's error (what remains is the three-value mean across
    // the line of sight at each end, which softens a one-pixel step).
    EXPECT_LT (steered, 0.3f * axis) << "slope " << slope << ": " << steered << " vs " << axis;
  }
}

TEST (SteeredFill, LeavesTheAxisFillWhereTheSurroundHasNoDirection)
{
  // Known values of one level all round: no gradient, coherence 0, the axis fill stands.
  auto x = torch::full ({1, 3, 20, 20}, 0.3);
  auto known = torch::ones ({1, 1, 20, 20});
  known.narrow (2, 6, 8).narrow (3, 6, 8).zero_ ();
  auto axis = axis_fill (x, known, torch::zeros_like (x)) + (1.f - known) * 0.25f;   // marked
  EXPECT_TRUE (torch::equal (steered_fill (x, known, axis), axis));
}

TEST (Conditioner, AFreshConditionerFillsLikeItsClassicalBase)
{
  for (auto base : {ConditionerBase::Axis, ConditionerBase::Steered}) {
    auto model = test::small_conditioned_model (base, 8, 3, 4);
    model->eval ();
    auto x = test::load_test_image ("ladybird-160x120.png").narrow (1, 20, 30).narrow (2, 40, 30)
        .unsqueeze (0).contiguous ();
    auto mask = torch::zeros ({30, 30}, torch::kBool);
    mask.narrow (0, 8, 12).narrow (1, 9, 10).fill_ (true);
    auto known = mask.logical_not ().to (torch::kFloat32).view ({1, 1, 30, 30});
    auto scaled = x.to (torch::kFloat32) / 127.5 - 1.0;
    auto classical = axis_fill (scaled, known, harmonic_fill (scaled, known));
    if (base == ConditionerBase::Steered) {
      auto steered = steered_fill (scaled, known, classical);
      ASSERT_GT ((steered - classical).abs ().max ().item<float> (), 0.02f) << "the picture has no edge to steer by";
      classical = steered;
    }
    auto expected = ((classical + 1.0) * 127.5).round ().clamp (0, 255).to (torch::kUInt8);
    auto filled = direct_fill (model, x, mask);
    // Up to the float rounding of the mixture's mean around .5 levels.
    EXPECT_LE ((filled.to (torch::kInt32) - expected.to (torch::kInt32)).abs ().max ().item<int> (), 1)
        << conditioner_base_name (base);
    EXPECT_LT ((filled.to (torch::kFloat32) - expected.to (torch::kFloat32)).abs ().mean ().item<float> (), 0.01)
        << conditioner_base_name (base);
  }
}

TEST (Conditioner, IgnoresTheHolesValuesAndReadsEverySide)
{
  for (auto fill_base : {ConditionerBase::Membrane, ConditionerBase::Axis, ConditionerBase::Steered}) {
    auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Softmax, 3, fill_base);
    auto x = test::random_images (1, 3, 9, 9, 5);
    auto mask = window_hole (9, 9);
    auto base = condition_on_window (model, x, mask).params;
    // Any values in the hole give the same parameters (the hole is blanked before reading).
    auto y = x.clone ();
    y.masked_fill_ (mask.expand_as (y[0]).unsqueeze (0), 17);
    EXPECT_TRUE (torch::allclose (condition_on_window (model, y, mask).params, base));
    // A known pixel below and right of the hole changes the hole's parameters: the
    // conditioner reads what a raster-order model cannot.
    auto z = x.clone ();
    z[0][1][7][7] = (uint8_t) (255 - x[0][1][7][7].item<uint8_t> ());
    auto changed = (condition_on_window (model, z, mask).params - base).abs ()
        .narrow (3, 2, 3).narrow (4, 2, 3).max ().item<float> ();
    EXPECT_GT (changed, 0.f) << conditioner_base_name (fill_base);
  }
}

TEST (Conditioner, EngineDrawsWhatTheNaiveSamplerDraws)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM})
    for (int channels : {1, 3})
      for (auto output : {Output::Softmax, Output::Mixture}) {
        // Both bases in turn, across the combinations (the engine sees only parameters).
        const auto base = (channels == 3) == (output == Output::Mixture) ? ConditionerBase::Axis
                                                                         : ConditionerBase::Membrane;
        auto model = conditioned_model (arch, channels, output, 3, base);
        auto x = test::random_images (2, channels, 8, 7, 9);
        auto mask = window_hole (8, 7);
        auto c = condition_on_window (model, x, mask);
        for (SamplingOptions opts : {SamplingOptions{1.0, 4}, SamplingOptions{0.0, 1},
                 SamplingOptions{1.0, 2, true}}) {
          torch::Tensor used_naive, used_engine;
          auto naive = fill_naive (model, x, mask, opts, &used_naive, &c);
          IncrementalEngine engine (model);
          auto fast = engine.fill (x, mask, opts, &used_engine, &c);
          ASSERT_TRUE (torch::equal (naive, fast)) << architecture_name (arch) << " " << channels
              << " " << output_name (output) << " mean " << opts.mean;
          EXPECT_LT ((used_naive - used_engine).abs ().max ().item<float> (), 2e-3);
        }
      }
}

TEST (Conditioner, ChangesTheFillButNotTheLikelihood)
{
  auto plain_config = test::small_config (Architecture::PixelCNN, 3, 2, Output::Mixture);
  torch::manual_seed (3);
  PixelModel plain (plain_config);
  auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Mixture);
  torch::NoGradGuard no_grad;
  const auto plain_params = plain->named_parameters ();   // find() points into it: keep it alive
  for (auto &p : model->named_parameters ())
    if (const auto *q = plain_params.find (p.key ()))
      p.value ().copy_ (*q);
  plain->eval ();
  auto x = test::random_images (2, 3, 8, 8, 2);
  EXPECT_TRUE (torch::equal (log_probs (model, x), log_probs (plain, x)));
  auto mask = window_hole (8, 8);
  FillSettings s;
  s.mode = FillMode::Mean;
  EXPECT_FALSE (torch::equal (inpaint (model, x, mask, 4, s), inpaint (plain, x, mask, 4, s)));
}

TEST (FillModes, EveryModeLeavesKnownPixelsBitIdentical)
{
  auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Mixture);
  auto image = test::load_test_image ("ladybird-160x120.png").narrow (1, 30, 40).narrow (2, 50, 48);
  auto mask = torch::zeros ({40, 48}, torch::kBool);
  mask.narrow (0, 10, 9).narrow (1, 12, 11).fill_ (true);
  mask.narrow (0, 30, 2).narrow (1, 2, 30).fill_ (true);   // a second hole, a strip
  for (auto mode : {FillMode::Sample, FillMode::Greedy, FillMode::Mean, FillMode::BestOf,
           FillMode::Direct}) {
    FillSettings s;
    s.mode = mode;
    s.candidates = 3;
    auto out = inpaint (model, image, mask, 6, s);
    auto outside = mask.logical_not ().unsqueeze (0).expand_as (image);
    EXPECT_TRUE (torch::equal (out.masked_select (outside), image.masked_select (outside)))
        << fill_mode_name (mode);
    EXPECT_FALSE (torch::equal (out, image)) << fill_mode_name (mode);
  }
}

TEST (FillModes, DirectIsTheConditionersPosteriorMean)
{
  auto model = conditioned_model (Architecture::PixelCNN, 1, Output::Softmax);
  auto x = test::random_images (1, 1, 9, 9, 8);
  auto mask = window_hole (9, 9);
  auto out = direct_fill (model, x, mask);
  auto c = condition_on_window (model, x, mask);
  // gray: no coupling; the mixture's closed-form mean sum_k pi_k mu_k, on the 0-255 scale
  auto K = c.mixtures;
  auto p = c.params[0][0];                                              // [P, H, W]
  auto mean = (torch::softmax (p.narrow (0, 0, K), 0) * p.narrow (0, K, K)).sum (0);
  auto expected = torch::where (mask, ((mean + 1) * 127.5).round ().clamp (0, 255).to (torch::kUInt8), x[0][0]);
  EXPECT_TRUE (torch::equal (out[0][0], expected));
}

// With a conditioner, mean and best-of read the conditioner's fill of the whole hole as their
// context (window_fill.h): never the hole's own values, and with the model's expert weighed
// zero (and the conditioner's one), mean is the direct fill itself: the model's expert is all
// it adds.
TEST (FillModes, MeanAndBestOfStartFromTheConditionersFill)
{
  auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Mixture, 3, ConditionerBase::Axis);
  auto x = test::random_images (1, 3, 10, 10, 6);
  auto mask = torch::zeros ({10, 10}, torch::kBool);
  mask.narrow (0, 3, 4).narrow (1, 2, 5).fill_ (true);
  auto scribbled = x.clone ();
  scribbled.masked_fill_ (mask.expand ({1, 3, 10, 10}), 200);
  IncrementalEngine engine (model);
  for (auto mode : {FillMode::Mean, FillMode::BestOf}) {
    FillSettings s;
    s.mode = mode;
    s.candidates = 4;
    s.temperature = 0.5;
    s.seed = 9;
    auto a = inpaint_window (model, engine, x, mask, s);
    auto b = inpaint_window (model, engine, scribbled, mask, s);
    EXPECT_TRUE (torch::equal (a.filled, b.filled)) << fill_mode_name (mode) << " read the hole's own values";
    EXPECT_FALSE (torch::equal (a.filled, direct_fill (model, x, mask))) << fill_mode_name (mode);
    if (mode == FillMode::BestOf) {
      ASSERT_EQ (a.scores.size (), 4u);
      EXPECT_EQ (a.chosen, std::max_element (a.scores.begin (), a.scores.end ()) - a.scores.begin ());
      s.seed = 10;
      EXPECT_FALSE (torch::equal (inpaint_window (model, engine, x, mask, s).filled, a.filled))
          << "another seed draws other candidates";
    }
  }
  {
    torch::NoGradGuard no_grad;
    model->conditioner->expert_weights.copy_ (torch::tensor ({0.f, 1.f}));
  }
  FillSettings mean;
  mean.mode = FillMode::Mean;
  EXPECT_TRUE (torch::equal (inpaint_window (model, engine, x, mask, mean).filled, direct_fill (model, x, mask)));
}

// What conditioner training pulls to the truth is the mean the direct fill writes: in RGB,
// G's mean reads R's mean and B's reads both, never the true values (teacher-forced means
// let G and B lean on values a fill never has). So the training figure equals the direct
// fill's own error, up to the fill's rounding to whole levels.
TEST (FillTraining, FidelityMeasuresTheMeanTheDirectFillWrites)
{
  auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Softmax, 5, ConditionerBase::Axis);
  {
    // Couple the channels strongly (tanh (2) = 0.96 of R in G's mean, ...), so that a
    // teacher-forced mean would differ from the fill's.
    torch::NoGradGuard no_grad;
    const int K = model->conditioner->mixtures, C = 3, P = 3 * K + (C - 1) * K;
    auto bias = model->conditioner->output->bias;
    ASSERT_EQ (bias.size (0), C * P);
    for (int c = 0; c < C; ++c)
      bias.narrow (0, c * P + 3 * K, (C - 1) * K).fill_ (2.f);
  }
  auto x = test::random_images (1, 3, 12, 12, 21);
  auto mask = torch::zeros ({12, 12}, torch::kBool);
  mask.narrow (0, 3, 5).narrow (1, 4, 6).fill_ (true);
  auto hole = mask.to (torch::kFloat32).view ({1, 1, 12, 12});
  auto in_hole = mask.expand ({1, 3, 12, 12});
  auto rmse = [&] (const torch::Tensor &values) {   // levels, over the hole's values
    auto e = (values.to (torch::kFloat64) - x.to (torch::kFloat64)).masked_select (in_hole);
    return std::sqrt (e.pow (2).mean ().item<double> ());
  };
  const auto f = fill_loss (model, x, hole);
  const double fill = rmse (direct_fill (model, x, mask));
  // The teacher-forced mean, G reading the true R and B the true R and G, for contrast.
  const auto c = condition_on_window (model, x, mask);
  torch::Tensor forced;
  {
    torch::NoGradGuard no_grad;
    forced = ((mixture_mean (c.params, scale_input (x), c.mixtures) + 1) * 127.5).round ().clamp (0, 255);
  }
  EXPECT_NEAR (f.mean_rmse, fill, 1.0) << "training's figure against the direct fill's own error";
  EXPECT_GT (std::abs (rmse (forced) - fill), 2.0) << "this model's channels are coupled enough to tell";
}

// --fidelity-only: the raster-order model is left out of the loss, so the experts' weights get
// no gradient and the figures are the conditioner's own; the fidelity term is the same.
TEST (FillTraining, FidelityOnlyLeavesTheExpertsOut)
{
  auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Softmax, 5, ConditionerBase::Steered);
  auto x = test::random_images (2, 3, 12, 12, 22);
  auto hole = torch::zeros ({2, 1, 12, 12});
  hole.narrow (2, 3, 5).narrow (3, 4, 6).fill_ (1.f);
  auto full = fill_loss (model, x, hole, 4.0, true);
  auto alone = fill_loss (model, x, hole, 4.0, false);
  EXPECT_NEAR (alone.mean_rmse, full.mean_rmse, 1e-9);
  EXPECT_NEAR (alone.conditioner_bits, full.conditioner_bits, 1e-9);
  EXPECT_NEAR (alone.combined_bits, alone.conditioner_bits, 1e-9);
  EXPECT_GT (std::abs (full.combined_bits - full.conditioner_bits), 1e-3) << "the experts change the full loss";
  model->zero_grad ();
  alone.loss.backward ();
  const auto &w = model->conditioner->expert_weights;
  EXPECT_TRUE (!w.grad ().defined () || w.grad ().abs ().sum ().item<double> () == 0.0);
  EXPECT_GT (model->conditioner->output->weight.grad ().abs ().sum ().item<double> (), 0.0);
  model->zero_grad ();
  full.loss.backward ();
  EXPECT_GT (w.grad ().abs ().sum ().item<double> (), 0.0) << "with the experts their weights learn";
}

TEST (FillModes, DirectWithoutAConditionerSaysSo)
{
  auto model = test::small_model (Architecture::PixelCNN, 3);
  FillSettings s;
  s.mode = FillMode::Direct;
  try {
    inpaint (model, test::random_images (1, 3, 8, 8), window_hole (8, 8), 4, s);
    FAIL () << "no error";
  } catch (const std::invalid_argument &e) {
    EXPECT_NE (std::string (e.what ()).find ("conditioner"), std::string::npos) << e.what ();
  }
  EXPECT_THROW (fill_mode_from_name ("blurry"), std::invalid_argument);
}

TEST (FillTraining, RandomHolesAreInsideAndNonEmpty)
{
  std::mt19937_64 rng (1);
  for (int round = 0; round < 20; ++round) {
    auto holes = random_holes (16, 40, 56, rng);
    ASSERT_EQ (holes.sizes (), (std::vector<int64_t>{16, 1, 40, 56}));
    EXPECT_TRUE (holes.sum ({1, 2, 3}).gt (0).all ().item<bool> ());
    EXPECT_TRUE (holes.sum ({1, 2, 3}).lt (40 * 56).all ().item<bool> ());   // context remains
  }
}

TEST (FillTraining, ConditionerLearnsOnARealPhotoAndTheModelStaysFixed)
{
  auto c = test::small_config (Architecture::PixelCNN, 3, 2, Output::Mixture);
  c.conditioner_hidden = 8;
  c.conditioner_layers = 3;
  torch::manual_seed (1);
  PixelModel model (c);
  std::vector<torch::Tensor> before;
  for (const auto &p : model->parameters ())
    before.push_back (p.detach ().clone ());
  TrainOptions o;
  o.conditioner_only = true;
  o.learning_rate = 3e-3;
  Trainer trainer (model, o);
  auto photo = test::load_test_image ("storm-160x120.png");
  auto data = torch::stack ({photo.narrow (1, 0, 24).narrow (2, 0, 24), photo.narrow (1, 60, 24).narrow (2, 90, 24)});
  const double start = trainer.evaluate (data);
  for (int s = 0; s < 40; ++s)
    trainer.step (trainer.random_batch (std::vector<torch::Tensor>{photo}, 2, 24));
  EXPECT_LT (trainer.evaluate (data), start - 0.1);
  auto after = model->named_parameters ();
  size_t k = 0;
  for (const auto &p : after) {
    const bool conditioner = p.key ().rfind ("conditioner.", 0) == 0;
    if (!conditioner) {
      EXPECT_TRUE (torch::equal (p.value (), before[k])) << p.key ();
    }
    ++k;
  }
}

TEST (FillTraining, ModelFileRoundTripKeepsTheConditioner)
{
  auto model = conditioned_model (Architecture::PixelCNN, 3, Output::Mixture);
  char path[] = "/tmp/pixelrnn-cond-XXXXXX";
  int fd = mkstemp (path);
  ASSERT_GE (fd, 0);
  close (fd);
  save_model (path, model, Provenance{});
  auto loaded = load_model (path);
  std::remove (path);
  ASSERT_TRUE (loaded.config.has_conditioner ());
  EXPECT_EQ (loaded.config.conditioner_layers, 3);
  auto x = test::random_images (1, 3, 9, 9, 5);
  auto mask = window_hole (9, 9);
  EXPECT_TRUE (torch::equal (condition_on_window (loaded.model, x, mask).params,
      condition_on_window (model, x, mask).params));
}
