// Trainer: maximum-likelihood training of a PixelModel (Adam or the paper's RMSProp),
// exponential learning-rate decay, gradient clipping, and checkpoints that resume exactly:
// weights, optimizer state, step count and the data-sampling random state.
#pragma once

#include "network/pixel_model.h"

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace torch::optim { class Optimizer; }

namespace pixelrnn {

struct TrainOptions {
  std::string optimizer = "adam";  // "adam" or "rmsprop"
  double learning_rate = 1e-3;
  double lr_decay = 0.9999;        // per step
  double clip_norm = 1.0;          // 0 = no clipping
  uint64_t seed = 0;
  // Exponential moving average of the weights, used for evaluation and the saved model
  // (Polyak averaging, as PixelCNN++ does); 0 = off. Warm-up: min(decay, (1+t)/(10+t)).
  double ema_decay = 0.0;
  bool flip = false;               // random horizontal flips of training images
  // Train only the model's inpainting conditioner, on random holes (inpainting/fill_loss.h);
  // the autoregressive model stays as it is. Losses are then bits per hole sub-pixel.
  bool conditioner_only = false;
  double fidelity_weight = 4.0;    // conditioner only: fill_loss's fidelity term (kFidelityWeight)
  bool with_experts = true;        // conditioner only: false skips the product of experts' term
  // Data-parallel training (the CLI's c10d group): this process is shard `shard_rank` of
  // `shard_count`. Every shard draws the same global batch from the same random state and
  // keeps its slice, so N shards of B images see exactly what one process with N x B sees.
  // all_reduce_sum sums a flat tensor over the shards in place; gradients (and the loss) are
  // averaged through it in buckets before clipping, so every shard takes the same step.
  int shard_rank = 0;
  int shard_count = 1;
  std::function<void (torch::Tensor &)> all_reduce_sum;
};

class Trainer {
 public:
  Trainer (PixelModel model, const TrainOptions &options);
  ~Trainer ();

  // One optimizer step on `batch` (uint8 [B, C, H, W]); returns its loss in bits/dim.
  double step (const torch::Tensor &batch);
  // Mean bits/dim of `data`, evaluated in chunks of `batch_size`, in eval mode.
  double evaluate (const torch::Tensor &data, int64_t batch_size = 64);
  // `count` random images of `data` ([N, C, H, W] or a list of [C, H, W] of any sizes),
  // each cropped at a random place to crop x crop when crop > 0.
  torch::Tensor random_batch (const torch::Tensor &data, int64_t count, int64_t crop = 0);
  torch::Tensor random_batch (const std::vector<torch::Tensor> &images, int64_t count, int64_t crop = 0);

  int64_t steps () const { return steps_; }
  // Swaps the model's weights with their moving average (no-op without EMA); call again to
  // swap back. evaluate() does this itself; callers saving the model do it around the save.
  void swap_average ();
  bool has_average () const { return !average_.empty (); }
  // Wall-clock training time, carried across checkpoints; the caller adds to it.
  double elapsed_seconds = 0;
  // Processor time of the same steps, all threads together (what equal-compute comparisons
  // of designs budget); kept in checkpoints like elapsed_seconds.
  double cpu_seconds = 0;
  // Conditioner training: root-mean-square error of the conditioner's mean on the holes of the
  // last evaluate(), 8-bit levels (what direct fills show).
  double evaluation_rmse = 0;
  // Time spent in all_reduce_sum (waiting for the other shards included), this run.
  double communication_seconds = 0;
  double current_learning_rate () const;
  std::mt19937_64 &rng () { return rng_; }
  PixelModel &model () { return model_; }

  void save_checkpoint (const std::string &path);
  // Throws std::runtime_error naming the file when it is missing, corrupt, for another model
  // or from a run with another number of shards.
  void load_checkpoint (const std::string &path);
  // The same from a checkpoint's bytes (a distributed run's rank 0 sends them to the others);
  // `name` is used in errors.
  void load_checkpoint_bytes (const std::string &bytes, const std::string &name);
  static std::string read_checkpoint_file (const std::string &path);

 private:
  PixelModel model_;
  TrainOptions options_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  int64_t steps_ = 0;
  std::mt19937_64 rng_;
  std::vector<torch::Tensor> average_;  // EMA of each parameter, in named_parameters order
  // Averages the gradients (and this shard's loss, returned) over the shards.
  double average_over_shards (double loss_bits);
};

}  // namespace pixelrnn
