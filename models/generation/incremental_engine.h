// The incremental generation engine: computes a PixelModel one position (and one colour
// channel) at a time, keeping every layer's activations and recurrent states in window-sized
// feature maps, so that a new value costs one position's worth of work instead of a forward
// pass over the whole image.
//
//   PixelCNN        each masked conv reads the cached activations of the positions its
//                   kernel covers (the cached-activation idea of Ramachandran et al. 2017);
//                   two-stream blocks compute their vertical stream a whole row at a time
//                   when the row starts (it depends only on the rows above);
//   Row LSTM        one column step per layer over the cached previous row's state;
//   Diagonal BiLSTM one diagonal step for the left-to-right scan; the right-to-left scan of a
//                   row runs once the row is complete, and the next row reads it (the same
//                   one-row shift the parallel model uses).
//
// Within a pixel only the colour group being drawn is computed, so R, G, B together cost one
// position. A PixelCNN's hole pixels in several rows go together where the raster order
// allows (waves: a pixel needs only the row above up to a few columns right of it), so that
// its products have a row per hole row. Each value is drawn with choose_value from the rng
// word the naive sampler would use for it, so the engine gives the same values as
// fill_naive for the same seed (up to float rounding landing exactly on a draw boundary; the
// tests prove equality on their seeds).
#pragma once

#include "network/pixel_model.h"
#include "generation/value_sampler.h"

#include <memory>

namespace pixelrnn {

// The inpainting conditioner's view of a window (network/conditioner.h): its mixture
// parameters at every position, [B or 1, C, P, H, W]. Each value of the hole is then drawn
// from the product of experts softmax(a * model + b * conditioner).
struct Conditioning {
  torch::Tensor params;
  int mixtures = 0;
  float model_weight = 1.f, conditioner_weight = 1.f;
};

class IncrementalEngine {
 public:
  explicit IncrementalEngine (PixelModel &model);
  ~IncrementalEngine ();
  IncrementalEngine (const IncrementalEngine &) = delete;
  IncrementalEngine &operator= (const IncrementalEngine &) = delete;

  // Same contract as fill_naive: fills `image` ([B, C, H, W] uint8) where `mask` ([H, W]) is
  // non-zero; values elsewhere are copied unchanged.
  torch::Tensor fill (const torch::Tensor &image, const torch::Tensor &mask,
      const SamplingOptions &options, torch::Tensor *used_log_probs = nullptr,
      const Conditioning *conditioning = nullptr);
  // Teacher-forced logits [B, C, 256, H, W] computed position by position; equals
  // model->forward(image) up to rounding. Lets tests check every layer's step.
  torch::Tensor logits (const torch::Tensor &image);

  // Each image's log-likelihood under the model, [B] float64 in nats: the sum of log p over
  // every value of `image` ([B, C, H, W] uint8), teacher-forced. Equals
  // -nll_map(model, image).sum over C, H, W up to rounding; computed a row at a time, each
  // product with a row per position and image (what best-of ranks its candidates by).
  torch::Tensor log_likelihoods (const torch::Tensor &image);

  // Multiply-adds performed by the last fill/logits call, x2: what benchmarks divide by time.
  double last_flops () const;
  // The most hole positions the last fill computed together (1: one at a time).
  int last_widest_wave () const;

  struct Impl;   // generation/incremental_engine_impl.h, shared by the engine's rooms only

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pixelrnn
