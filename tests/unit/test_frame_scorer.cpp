// Frame scoring (scoring/frame_scorer.h): the NLL of every pixel on plain floats must equal
// LibTorch's nll_map, no pixel's NLL may read a later pixel, and exact reuse must give the
// map a full recomputation gives, bit for bit, while recomputing fewer rows.
#include "api/model_client.h"
#include "io/model_file.h"
#include "network/likelihood.h"
#include "scoring/frame_plan_from_model.h"
#include "scoring/frame_scorer.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace pixelrnn;
using pixelrnn::test::load_test_image;
using pixelrnn::test::random_images;
using pixelrnn::test::small_model;

namespace {

// A small mixture PixelCNN with weights shaken well away from their start, so that means,
// scales and the channel coefficients all matter (a fresh head is nearly flat).
PixelModel
shaken_model (int channels, uint64_t seed)
{
  auto model = small_model (Architecture::PixelCNN, channels, seed, 2, Output::Mixture);
  torch::NoGradGuard no_grad;
  torch::manual_seed (seed + 100);
  for (auto &p : model->parameters ())
    p.add_ (torch::randn_like (p) * 0.3);
  model->eval ();
  return model;
}

std::vector<uint8_t>
packed (const torch::Tensor &chw)
{
  auto hwc = chw.permute ({1, 2, 0}).contiguous ();
  return std::vector<uint8_t> (hwc.data_ptr<uint8_t> (), hwc.data_ptr<uint8_t> () + hwc.numel ());
}

void
expect_equals_nll_map (int channels, const torch::Tensor &image, uint64_t seed)
{
  auto model = shaken_model (channels, seed);
  FrameScorer scorer (make_frame_plan (model));
  const int H = (int) image.size (1), W = (int) image.size (2);
  std::vector<float> nll;
  scorer.score (packed (image).data (), W, H, nll);
  torch::NoGradGuard no_grad;
  auto reference = nll_map (model, image.unsqueeze (0))[0].sum (0).contiguous ();
  auto ref = reference.accessor<float, 2> ();
  double worst = 0;
  int wy = 0, wx = 0;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const double d = std::abs (nll[y * W + x] - ref[y][x]) / std::max (1.0, (double) std::abs (ref[y][x]));
      if (d > worst) {
        worst = d;
        wy = y;
        wx = x;
      }
    }
  EXPECT_LT (worst, 1e-3) << "relative difference from nll_map at " << wy << "," << wx << ": "
      << nll[wy * W + wx] << " against " << ref[wy][wx] << ", value " << image[0][wy][wx].item<int> ();
}

}  // namespace

TEST (FrameScorer, EqualsNllMapRGB)
{
  expect_equals_nll_map (3, load_test_image ("ladybird-160x120.png"), 1);
  expect_equals_nll_map (3, random_images (1, 3, 17, 23)[0], 2);
}

TEST (FrameScorer, EqualsNllMapGray)
{
  expect_equals_nll_map (1, load_test_image ("ladybird-160x120.png", 1), 3);
  expect_equals_nll_map (1, random_images (1, 1, 9, 31)[0], 6);
}

TEST (FrameScorer, NoPixelReadsALaterOne)
{
  auto model = shaken_model (3, 4);
  FrameScorer scorer (make_frame_plan (model));
  auto image = random_images (1, 3, 12, 15)[0];
  const int H = 12, W = 15;
  std::vector<float> before, after;
  scorer.score (packed (image).data (), W, H, before, false);
  for (int c = 0; c < 3; ++c) {
    auto changed = image.clone ();
    changed[c][6][7] = (uint8_t) (changed[c][6][7].item<int> () ^ 0x80);
    scorer.score (packed (changed).data (), W, H, after, false);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const bool earlier = y < 6 || (y == 6 && x < 7);
        if (earlier) {
          EXPECT_EQ (before[y * W + x], after[y * W + x]) << "pixel " << y << "," << x
              << " reads channel " << c << " of pixel 6,7";
        }
      }
    // The changed pixel itself and some later one must notice (the test can fail).
    EXPECT_NE (before[6 * W + 7], after[6 * W + 7]);
  }
}

TEST (FrameScorer, ReuseEqualsRecomputationBitForBit)
{
  auto model = shaken_model (3, 5);
  FrameScorer reusing (make_frame_plan (model)), fresh (make_frame_plan (model));
  auto first = load_test_image ("ladybird-160x120.png");
  const int H = (int) first.size (1), W = (int) first.size (2);
  std::vector<float> reused, recomputed;
  reusing.score (packed (first).data (), W, H, reused);
  EXPECT_EQ (reusing.last_rows_computed (), H);
  // A small object moves in rows 40-49; everything else is the same frame.
  auto second = first.clone ();
  second.narrow (1, 40, 10).narrow (2, 60, 20).fill_ (200);
  reusing.score (packed (second).data (), W, H, reused);
  fresh.score (packed (second).data (), W, H, recomputed, false);
  ASSERT_EQ (reused.size (), recomputed.size ());
  EXPECT_EQ (std::memcmp (reused.data (), recomputed.data (), reused.size () * sizeof (float)), 0);
  // Rows 40..49 plus the rows below them within the receptive field's height.
  EXPECT_EQ (reusing.last_rows_computed (), 10 + reusing.rows_above ());
  // The same frame again: nothing to compute, the same map.
  reusing.score (packed (second).data (), W, H, reused);
  EXPECT_EQ (reusing.last_rows_computed (), 0);
  EXPECT_EQ (std::memcmp (reused.data (), recomputed.data (), reused.size () * sizeof (float)), 0);
}

// A multi-scale model through the front door: the frame scorer runs its full-size network
// with the view of the subsampled image added, the coarse model's NLL goes to the subsampled
// pixels, and the map equals LibTorch's nll_map; with reuse, a changed patch gives the map a
// fresh client computes, bit for bit, and the view's rows that changed count as changed.
TEST (FrameScorer, MultiScaleEqualsNllMapAndReusesExactly)
{
  auto model = test::small_multi_scale_model (4, 2, 8);
  {
    torch::NoGradGuard no_grad;
    for (auto &p : model->parameters ())
      p.add_ (torch::randn_like (p) * 0.3);
  }
  model->eval ();
  const std::string file = ::testing::TempDir () + "/pixelrnn-multi-scale-frame.pixelrnn";
  save_model (file, model, Provenance{});
  ModelClient reusing, fresh;
  reusing.load (file);
  auto first = load_test_image ("ladybird-160x120.png");
  const int H = (int) first.size (1), W = (int) first.size (2);
  ASSERT_TRUE (reusing.scores_every_pixel (W, H)) << "the frame scorer runs it";
  const auto scored = reusing.score (packed (first).data (), W, H);
  torch::NoGradGuard no_grad;
  auto reference = (nll_map (model, first.unsqueeze (0))[0].sum (0) / kLn2).contiguous ();
  auto ref = reference.accessor<float, 2> ();
  double worst = 0;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      worst = std::max (worst, std::abs (scored.nll[y * W + x] - ref[y][x]) / std::max (1.0, (double) std::abs (ref[y][x])));
  EXPECT_LT (worst, 1e-3) << "relative difference from nll_map";
  auto second = first.clone ();
  second.narrow (1, 40, 10).narrow (2, 60, 20).fill_ (200);
  const auto reused = reusing.score (packed (second).data (), W, H);
  fresh.load (file);
  const auto recomputed = fresh.score (packed (second).data (), W, H);
  ASSERT_EQ (reused.nll.size (), recomputed.nll.size ());
  EXPECT_EQ (std::memcmp (reused.nll.data (), recomputed.nll.data (), reused.nll.size () * sizeof (float)), 0);
  std::remove (file.c_str ());
}

TEST (FrameScorer, RefusesModelsItCannotRun)
{
  auto lstm = small_model (Architecture::RowLSTM, 3, 1, 2, Output::Mixture);
  EXPECT_THROW (make_frame_plan (lstm), std::invalid_argument);
  auto softmax = small_model (Architecture::PixelCNN, 3, 1, 2, Output::Softmax);
  EXPECT_THROW (make_frame_plan (softmax), std::invalid_argument);
}
