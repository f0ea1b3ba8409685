// FrameScorer: -log p of every pixel of a frame under a PixelCNN, a row at a time on plain
// floats (frame_kernels.h), with exact reuse: a pixel's NLL depends only on the pixels in
// its receptive field (its own row and a few above, every column), so a row whose rows of
// influence are byte-for-byte those of the last frame keeps its NLL and every cached
// activation, bit for bit, and is not recomputed. A fixed camera's static rows cost nothing.
#pragma once

#include "scoring/frame_plan.h"

#include <cstdint>
#include <vector>

namespace pixelrnn {

class FrameScorer {
 public:
  explicit FrameScorer (FramePlan plan);

  // NLL per pixel in nats, summed over channels, row-major [height x width]. `pixels` is
  // packed (channels interleaved, row-major). With reuse, rows that cannot have changed
  // since the last call of the same size keep their NLL. A conditioned plan needs
  // `conditioning`, planar [first layer's outputs][ceil(height / scale)][ceil(width / scale)]:
  // pixel (y, x) adds its value at (y / scale, x / scale) to the first layer's output; a row
  // whose conditioning row changed counts as changed.
  void score (const uint8_t *pixels, int width, int height, std::vector<float> &nll,
      bool reuse = true, const float *conditioning = nullptr, int scale = 1);

  // Rows recomputed by the last call (height when nothing was reused).
  int last_rows_computed () const { return last_rows_computed_; }
  // Multiply-adds the scorer performs per pixel (every layer's non-zero taps).
  double multiply_adds_per_pixel () const;
  // Rows of influence above a pixel: the receptive field's height minus one.
  int rows_above () const;
  const FramePlan &plan () const { return plan_; }

 private:
  void resize (int width, int height);
  void head_rows (const std::vector<int> &rows, std::vector<float> &nll);

  FramePlan plan_;
  int width_ = 0, height_ = 0;
  std::vector<uint8_t> previous_;              // the last frame, packed
  std::vector<float> previous_conditioning_;   // and its conditioning
  std::vector<float> values_;                  // [C][H][W] observed values, 0..255
  std::vector<std::vector<float>> sets_;       // plane sets: 0 = scaled image, k = layer k-1
  std::vector<float> last_nll_;
  int last_rows_computed_ = 0;
};

}  // namespace pixelrnn
