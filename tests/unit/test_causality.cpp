// Causality: no logit may depend on a value that does not precede it in raster-then-channel
// order. Checked exhaustively with the Jacobian of every logit, in eval and training mode,
// for every architecture and both channel counts. Also prints each architecture's measured
// receptive field (PixelCNN's blind spot shows as '.').
#include "network/masked_conv.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <iostream>
#include <sstream>

using namespace pixelrnn;
using pixelrnn::test::small_config;
using pixelrnn::test::small_model;

namespace {

bool
precedes (int64_t c_in, int64_t i_in, int64_t j_in, int64_t c, int64_t i, int64_t j)
{
  return i_in < i || (i_in == i && j_in < j) || (i_in == i && j_in == j && c_in < c);
}

// Gradient of a random projection of logit (c, i, j)'s 256 values w.r.t. the input.
torch::Tensor
logit_gradient (PixelModel &model, const torch::Tensor &x, int64_t c, int64_t i, int64_t j)
{
  auto input = x.clone ().requires_grad_ (true);
  auto logits = model->forward_float (input);
  torch::manual_seed (c * 1000 + i * 100 + j);
  auto projection = torch::randn ({256});
  (logits[0].select (0, c).select (1, i).select (1, j) * projection).sum ().backward ();
  return input.grad ()[0];
}

void
check_causal (Architecture arch, int channels, Output output = Output::Softmax,
    Block block = Block::Residual, float dropout = 0.f)
{
  const int64_t H = 5, W = 5;
  for (bool training : {false, true}) {
    auto model = small_model (arch, channels, 3, 2, output, block, dropout);
    model->train (training);
    torch::manual_seed (11);
    auto x = torch::rand ({1, channels, H, W}) * 2 - 1;
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j)
        for (int64_t c = 0; c < channels; ++c) {
          auto g = logit_gradient (model, x, c, i, j);
          auto ga = g.accessor<float, 3> ();
          int used = 0, preceding = 0;
          for (int64_t ci = 0; ci < channels; ++ci)
            for (int64_t ii = 0; ii < H; ++ii)
              for (int64_t ji = 0; ji < W; ++ji) {
                if (precedes (ci, ii, ji, c, i, j)) {
                  ++preceding;
                  used += ga[ci][ii][ji] != 0.f;
                } else {
                  ASSERT_EQ (ga[ci][ii][ji], 0.f)
                      << architecture_name (arch) << (training ? " (train)" : " (eval)")
                      << ": logit of channel " << c << " at (" << i << "," << j
                      << ") depends on channel " << ci << " at (" << ii << "," << ji << ")";
                }
              }
          if (preceding > 0) {
            EXPECT_GT (used, 0) << "logit " << c << " at (" << i << "," << j
                                << ") ignores all of its context";
          }
        }
  }
}

// Multi-scale models (scale f = 2 on 6x6): the subsampled pixels S (even rows and columns)
// come first in the chain, in their own raster-then-channel order, read only by the coarse
// model; every other pixel may read all of S (its conditioning) and, of the rest, only what
// precedes it. Checked with the Jacobian of every logit, with the view of S (lift, which
// starts at zero) made non-zero, for every architecture, mixture output, eval and training
// mode. And the view is really read: some pixel's logits depend on an S pixel after it.
void
check_multi_scale_causal (Architecture arch)
{
  const int64_t H = 6, W = 6, f = 2, C = 3;
  auto config = small_config (arch, (int) C, 1, Output::Mixture);
  config.scale = (int) f;
  config.coarse_hidden = config.hidden;
  config.coarse_layers = 1;
  torch::manual_seed (5);
  PixelModel model (config);
  {
    torch::NoGradGuard no_grad;
    for (auto &p : model->lift->parameters ())
      p.normal_ (0, 0.5);
  }
  const auto in_s = [&] (int64_t i, int64_t j) { return i % f == 0 && j % f == 0; };
  int future_s_read = 0;
  for (bool training : {false, true}) {
    model->train (training);
    torch::manual_seed (11);
    auto x = torch::rand ({1, C, H, W}) * 2 - 1;
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j)
        for (int64_t c = 0; c < C; ++c) {
          auto g = logit_gradient (model, x, c, i, j);
          auto ga = g.accessor<float, 3> ();
          for (int64_t ci = 0; ci < C; ++ci)
            for (int64_t ii = 0; ii < H; ++ii)
              for (int64_t ji = 0; ji < W; ++ji) {
                const bool allowed = in_s (i, j)
                    ? in_s (ii, ji) && precedes (ci, ii / f, ji / f, c, i / f, j / f)
                    : in_s (ii, ji) || precedes (ci, ii, ji, c, i, j);
                if (!allowed)
                  ASSERT_EQ (ga[ci][ii][ji], 0.f)
                      << architecture_name (arch) << (training ? " (train)" : " (eval)")
                      << ": logit of channel " << c << " at (" << i << "," << j
                      << ") depends on channel " << ci << " at (" << ii << "," << ji << ")";
                else if (!in_s (i, j) && in_s (ii, ji) && !precedes (ci, ii, ji, c, i, j))
                  future_s_read += ga[ci][ii][ji] != 0.f;
              }
        }
  }
  EXPECT_GT (future_s_read, 0) << "no pixel reads the subsampled image beyond its own past";
}

TEST (Causal, MultiScale_PixelCNN) { check_multi_scale_causal (Architecture::PixelCNN); }
TEST (Causal, MultiScale_RowLSTM) { check_multi_scale_causal (Architecture::RowLSTM); }
TEST (Causal, MultiScale_DiagonalBiLSTM) { check_multi_scale_causal (Architecture::DiagonalBiLSTM); }

// Which pixels preceding pixel (9,7) of a 15x15 image the first channel's logit uses;
// returns how many it uses.
int
report_receptive_field (Architecture arch, int layers, Block block = Block::Residual)
{
  const int64_t S = 15, ci = 9, cj = 7;
  auto model = small_model (arch, 1, 5, layers, Output::Softmax, block);
  torch::manual_seed (3);
  auto x = torch::rand ({1, 1, S, S}) * 2 - 1;
  auto g = logit_gradient (model, x, 0, ci, cj)[0];
  std::ostringstream map;
  int used = 0, preceding = 0;
  for (int64_t i = 0; i < S; ++i) {
    map << "    ";
    for (int64_t j = 0; j < S; ++j) {
      bool before = precedes (0, i, j, 1, ci, cj) && !(i == ci && j == cj);
      bool uses = g[i][j].item<float> () != 0.f;
      if (i == ci && j == cj)
        map << 'X';
      else if (before) {
        ++preceding;
        used += uses;
        map << (uses ? '#' : '.');
      } else
        map << ' ';
    }
    map << '\n';
  }
  std::cout << "receptive field of " << architecture_name (arch)
            << (arch == Architecture::PixelCNN ? std::string (" ") + block_name (block) : "")
            << " (" << layers << " layers), pixel (9,7) of 15x15: uses " << used << " of "
            << preceding << " preceding pixels ('#' used, '.' blind)\n" << map.str ();
  return used;
}

}  // namespace

TEST (Causal, PixelCNN_Gray) { check_causal (Architecture::PixelCNN, 1); }
TEST (Causal, PixelCNN_RGB) { check_causal (Architecture::PixelCNN, 3); }
TEST (Causal, RowLSTM_Gray) { check_causal (Architecture::RowLSTM, 1); }
TEST (Causal, RowLSTM_RGB) { check_causal (Architecture::RowLSTM, 3); }
TEST (Causal, DiagonalBiLSTM_Gray) { check_causal (Architecture::DiagonalBiLSTM, 1); }
TEST (Causal, DiagonalBiLSTM_RGB) { check_causal (Architecture::DiagonalBiLSTM, 3); }
// The logistic mixture: G's and B's means read the pixel's earlier channels, nothing later.
TEST (Causal, PixelCNN_Gray_Mixture) { check_causal (Architecture::PixelCNN, 1, Output::Mixture); }
TEST (Causal, PixelCNN_RGB_Mixture) { check_causal (Architecture::PixelCNN, 3, Output::Mixture); }
TEST (Causal, RowLSTM_Gray_Mixture) { check_causal (Architecture::RowLSTM, 1, Output::Mixture); }
TEST (Causal, RowLSTM_RGB_Mixture) { check_causal (Architecture::RowLSTM, 3, Output::Mixture); }
TEST (Causal, DiagonalBiLSTM_Gray_Mixture) { check_causal (Architecture::DiagonalBiLSTM, 1, Output::Mixture); }
TEST (Causal, DiagonalBiLSTM_RGB_Mixture) { check_causal (Architecture::DiagonalBiLSTM, 3, Output::Mixture); }
// The gated block, with dropout (training mode draws a dropout mask: it must not leak either).
TEST (Causal, PixelCNN_Gray_Gated) { check_causal (Architecture::PixelCNN, 1, Output::Softmax, Block::Gated, 0.3f); }
TEST (Causal, PixelCNN_RGB_Gated) { check_causal (Architecture::PixelCNN, 3, Output::Softmax, Block::Gated, 0.3f); }
TEST (Causal, PixelCNN_RGB_Gated_Mixture) { check_causal (Architecture::PixelCNN, 3, Output::Mixture, Block::Gated, 0.3f); }
// The two-stream block: the vertical stream reads the next column of its own row, which is
// safe only because that row holds nothing but what the rows above determine.
TEST (Causal, PixelCNN_Gray_TwoStream) { check_causal (Architecture::PixelCNN, 1, Output::Softmax, Block::TwoStream, 0.3f); }
TEST (Causal, PixelCNN_RGB_TwoStream) { check_causal (Architecture::PixelCNN, 3, Output::Softmax, Block::TwoStream, 0.3f); }
TEST (Causal, PixelCNN_RGB_TwoStream_Mixture) { check_causal (Architecture::PixelCNN, 3, Output::Mixture, Block::TwoStream, 0.3f); }

// The figures docs/models.md quotes: pixels of the 142 before (9,7) in 15x15 that each
// architecture reads. PixelCNN's blind spot shrinks with depth, Row LSTM's triangle is wide
// at once, Diagonal BiLSTM reaches all but one corner pixel at 2 layers.
TEST (ReceptiveField, AllArchitectures)
{
  EXPECT_EQ (report_receptive_field (Architecture::PixelCNN, 2), 57);
  EXPECT_EQ (report_receptive_field (Architecture::RowLSTM, 2), 129);
  EXPECT_EQ (report_receptive_field (Architecture::DiagonalBiLSTM, 2), 141);
  EXPECT_EQ (report_receptive_field (Architecture::PixelCNN, 6), 132);
  EXPECT_EQ (report_receptive_field (Architecture::RowLSTM, 6), 132);
}

// 6 layers reach all 142 pixels before (9,7) in 15x15 (7x7 input conv: 3 + 6 rows up and
// columns either side): the two-stream block uses every one, the one-stream blocks do not.
TEST (ReceptiveField, TwoStreamHasNoBlindSpot)
{
  EXPECT_EQ (report_receptive_field (Architecture::PixelCNN, 6, Block::TwoStream), 142);
  EXPECT_LT (report_receptive_field (Architecture::PixelCNN, 6, Block::Gated), 142);
}

// The paper's channel scheme at the kernel centre, checked entry by entry.
TEST (Mask, CentreFollowsRGBOrder)
{
  for (auto type : {MaskType::A, MaskType::B}) {
    MaskedConv2dOptions o{3, 6, 3, 3, type, 3};
    auto m = make_mask (o);
    for (int out = 0; out < 6; ++out)
      for (int in = 0; in < 3; ++in) {
        int g_out = out / 2;
        bool expect = type == MaskType::A ? in < g_out : in <= g_out;
        EXPECT_EQ (m[out][in][1][1].item<float> (), expect ? 1.f : 0.f)
            << "mask " << (type == MaskType::A ? 'A' : 'B') << " out " << out << " in " << in;
        EXPECT_EQ (m[out][in][0][2].item<float> (), 1.f);  // row above: always visible
        EXPECT_EQ (m[out][in][1][0].item<float> (), 1.f);  // left: always visible
        EXPECT_EQ (m[out][in][1][2].item<float> (), 0.f);  // right: never
        EXPECT_EQ (m[out][in][2][1].item<float> (), 0.f);  // below: never
      }
  }
}

// Normalisation that pools over positions breaks the autoregressive property silently.
TEST (Causal, NoPoolingNormalisation)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM}) {
    auto model = small_model (arch, 3);
    for (const auto &m : model->modules ()) {
      std::string name = m->name ();
      for (const char *bad : {"BatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm"})
        EXPECT_EQ (name.find (bad), std::string::npos) << architecture_name (arch) << " has " << name;
    }
  }
}
