// FramePlan: a PixelCNN as plain arrays, for scoring every pixel of a frame without LibTorch
// on the hot path (frame_scorer.h). Each layer is a masked convolution written as its
// non-zero taps only: the masks zero about half of every kernel, and a tap list skips them.
#pragma once

#include <string>
#include <vector>

namespace pixelrnn {

struct ModelConfig;

// One weight of a masked convolution: output o reads input channel `in` at (y + dy, x + dx).
struct Tap {
  int dy, dx, in;
  float w;
};

struct PlanLayer {
  int input = 0;               // plane set read: 0 = the scaled image, k = layer k-1's output
  int residual = -1;           // plane set added to the output (a residual connection), or -1
  bool relu_input = false, relu_output = false;
  int out_channels = 0;
  std::vector<float> bias;                 // per output
  std::vector<std::vector<Tap>> taps;      // per output, non-zero weights only
  int rows_above = 0;                      // the most rows above the output that a tap reads
};

struct FramePlan {
  int channels = 3, mixtures = 5, params_per_channel = 0;
  // A multi-scale model's full-size network: its first layer's output also adds a
  // conditioning map (the view of the subsampled image) that the scorer is given per frame.
  bool conditioned = false;
  std::vector<PlanLayer> body;   // cached per frame, rows recomputed only where needed
  std::vector<PlanLayer> head;   // 1x1 layers, per row into scratch (nothing to cache)
};

// Empty when frame scoring supports the model (PixelCNN with residual blocks and the
// logistic mixture output; for a multi-scale one, its full-size network), else why not.
std::string frame_plan_unsupported (const ModelConfig &config);

}  // namespace pixelrnn
