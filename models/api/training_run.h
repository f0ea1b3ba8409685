// TrainingRun: maximum-likelihood training of a model on images, with validation,
// checkpoints (every N steps and on a stop request), exact resume, averaged weights,
// --keep-best, a processor-time budget and data-parallel ranks. `pixelrnn train` is its
// options and data; the loop lives here. No LibTorch in this header.
#pragma once

#include "api/distributed_settings.h"
#include "api/image.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pixelrnn {

// Images (any sizes; of one size unless training on patches) and where each came from.
struct TrainingImages {
  std::vector<Image> images;
  std::vector<std::string> names;
  int channels = 0;
  std::string description;
};

struct TrainingRunOptions {
  // A new model (names as the CLI's --arch, --output, --block) ...
  std::string architecture = "pixelcnn", output = "softmax", block = "residual";
  int hidden = 32, layers = 4, head_hidden = 64, input_kernel = 7, mixtures = 5;
  double dropout = 0;
  // ... or this one's weights and settings (path or shipped name); then the above are ignored.
  std::string init;
  // > 0: train an inpainting conditioner of this many features for `init` (its weights fixed).
  int conditioner = 0, conditioner_layers = 8, conditioner_mixtures = 3;
  double fidelity_weight = 4.0;   // conditioner training: weight of the fill's fidelity term
  std::string conditioner_base;   // empty: the init model's, or axis for a new conditioner

  int patch = 0;                  // random patch x patch crops; 0: whole images of one size
  int val_images = 500;           // validation images or fixed patches
  int64_t steps = 1000;           // in all, counting resumed ones
  double minutes = 0, cpu_minutes = 0;   // also stop after so much training (0: no limit)
  int batch = 16;
  std::string optimizer = "adam";
  double learning_rate = 1e-3, lr_decay = 0.9999, clip = 1.0, ema = 0;
  bool flip = false;
  uint64_t seed = 0;
  int val_every = 500, checkpoint_every = 500, log_every = 50;

  std::string out, checkpoint;    // checkpoint empty: OUT.ckpt
  bool keep_best = false, resume = false;
  DistributedSettings distributed;
  std::string command;            // for the model's provenance
  bool stop_on_sigint = false;    // Ctrl-C stops after the step and writes a checkpoint
};

class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TrainingRun {
 public:
  // Joins the ranks (rank 0 serves; an unreachable master is said at once) and settles the
  // model's settings, reading `init`. Throws TrainingError with one line.
  explicit TrainingRun (const TrainingRunOptions &options);
  ~TrainingRun ();
  TrainingRun (const TrainingRun &) = delete;
  TrainingRun &operator= (const TrainingRun &) = delete;

  // Trains until the step count, a time budget or a stop request. Returns 0 when finished,
  // 130 when stopped early (rank 0 has written a checkpoint). Throws TrainingError. Takes the
  // images (move them in): their pixels become tensors, held once.
  int run (TrainingImages train, TrainingImages validation);

  // Stops every running TrainingRun after its current step (async-signal-safe).
  static void request_stop ();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "1h05m" or "3m07s", as progress lines and `pixelrnn info` show training time.
std::string format_duration (double seconds);

}  // namespace pixelrnn
