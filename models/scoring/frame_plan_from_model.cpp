#include "scoring/frame_plan_from_model.h"

#include "network/pixelcnn_block.h"

#include <stdexcept>

namespace pixelrnn {

std::string
frame_plan_unsupported (const ModelConfig &config)
{
  if (config.architecture != Architecture::PixelCNN)
    return "frame scoring supports PixelCNN models only";
  if (config.block != Block::Residual)
    return "frame scoring supports residual PixelCNN blocks only";
  if (config.output != Output::Mixture)
    return "frame scoring supports the logistic mixture output only";
  return "";
}

namespace {

PlanLayer
plan_layer (MaskedConv2dImpl &conv, int input, bool relu_input, bool relu_output, int residual = -1)
{
  PlanLayer layer;
  layer.input = input;
  layer.residual = residual;
  layer.relu_input = relu_input;
  layer.relu_output = relu_output;
  auto w = conv.masked_weight ().detach ().to (torch::kFloat32).contiguous ();
  auto b = conv.bias.detach ().to (torch::kFloat32).contiguous ();
  const int O = (int) w.size (0), I = (int) w.size (1), KH = (int) w.size (2), KW = (int) w.size (3);
  auto wa = w.accessor<float, 4> ();
  layer.out_channels = O;
  layer.bias.assign (b.data_ptr<float> (), b.data_ptr<float> () + O);
  layer.taps.resize (O);
  for (int o = 0; o < O; ++o)
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx)
        for (int i = 0; i < I; ++i) {
          const float v = wa[o][i][ky][kx];
          if (v == 0.f)
            continue;
          const int dy = ky - KH / 2, dx = kx - KW / 2;
          // A tap below the centre row would read the future: the masks never leave one.
          if (dy > 0 || (dy == 0 && dx > 0))
            throw std::logic_error ("masked convolution reads a later pixel");
          layer.taps[o].push_back ({dy, dx, i, v});
          layer.rows_above = std::max (layer.rows_above, -dy);
        }
  return layer;
}

}  // namespace

FramePlan
make_frame_plan (PixelModel &model)
{
  const auto &c = model->config;
  const std::string why = frame_plan_unsupported (c);
  if (!why.empty ())
    throw std::invalid_argument (why);
  torch::NoGradGuard no_grad;
  FramePlan plan;
  plan.channels = c.channels;
  plan.mixtures = c.mixtures;
  plan.params_per_channel = c.params_per_channel ();
  plan.conditioned = c.multi_scale ();
  plan.body.push_back (plan_layer (*model->input_conv, 0, false, false));
  for (size_t l = 0; l < model->body->size (); ++l) {
    auto block = model->body->ptr (l)->as<PixelCNNBlockImpl> ();
    const int in = (int) plan.body.size ();  // the block's input: the last layer's output
    // ReLU - 1x1 - ReLU - 3x3 - ReLU - 1x1, added to the input (pixelcnn_block.cpp).
    plan.body.push_back (plan_layer (*block->reduce, in, true, true));
    plan.body.push_back (plan_layer (*block->conv, in + 1, false, true));
    plan.body.push_back (plan_layer (*block->expand, in + 2, false, false, in));
  }
  const int last = (int) plan.body.size ();
  plan.head.push_back (plan_layer (*model->head_hidden, last, true, true));
  plan.head.push_back (plan_layer (*model->head_out, -1, false, false));
  return plan;
}

}  // namespace pixelrnn
