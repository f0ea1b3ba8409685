// TrainingRun: maximum-likelihood training of a model, the one training loop of the project.
// On images (`pixelrnn train` is its options and data): validation, checkpoints (every N
// steps and on a stop request), exact resume, averaged weights, --keep-best, a processor-time
// budget and data-parallel ranks. On a stream (the pixelrnntrain element, through
// SceneTrainer): frames handed over while it trains, the model written every N steps. No
// LibTorch in this header.
#pragma once

#include "api/distributed_settings.h"
#include "api/image.h"

#include <cstdint>
#include <functional>
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
  int scale = 0, coarse_hidden = 32, coarse_layers = 2;   // multi-scale (model_config.h)
  // ... or this one's weights and settings (path or shipped name); then the above are ignored.
  std::string init;
  // > 0: train an inpainting conditioner of this many features for `init` (its weights fixed).
  int conditioner = 0, conditioner_layers = 8, conditioner_mixtures = 3;
  double fidelity_weight = 4.0;   // conditioner training: weight of the fill's fidelity term
  bool fidelity_only = false;     // conditioner training: skip the product of experts' term (fill_loss)
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

// Training on frames a stream hands over (run_stream). Batches are --patch crops of a replay
// buffer of recent frames, --batch of them, at --lr without decay, flipped at random.
struct StreamTrainingOptions {
  std::string location;           // where the model is written, atomically
  int write_every = 100;          // steps between writes
  int queue_size = 4;             // frames waiting for the training thread; more are refused
  int replay_size = 256;          // recent frames batches are cropped from
  int batch = 8, patch = 32;      // a frame smaller than the patch is used whole
  double learning_rate = 1e-4;
  uint64_t seed = 0;
  std::string description;        // what the frames are, for the model's provenance
};

// How a run on a stream goes: after each write of the model, once when it stops (written
// or not), and on failure.
struct TrainingReport {
  int64_t step = 0;               // steps taken by this run
  double loss = 0;                // the last step's bits/dim
  double bits_per_dim = 0;        // mean over the steps since the last report
  uint64_t images_seen = 0;       // frames taken into the replay buffer
  uint64_t frames_skipped = 0;    // frames refused because the queue was full
  bool saved = false;             // the model file was written for this report
  std::string error;              // non-empty: training or writing failed (then it stopped)
};

class RankGroup;   // training/rank_group.h; joined by api/training_ranks.h

class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TrainingRun {
 public:
  // Settles the model's settings, reading `init` (its only read). With options.distributed
  // enabled, `ranks` are the joined ranks (join_training_ranks). Throws TrainingError with
  // one line.
  explicit TrainingRun (const TrainingRunOptions &options, std::shared_ptr<RankGroup> ranks = nullptr);
  ~TrainingRun ();
  TrainingRun (const TrainingRun &) = delete;
  TrainingRun &operator= (const TrainingRun &) = delete;

  // Trains until the step count, a time budget or a stop request. Returns 0 when finished,
  // 130 when stopped early (rank 0 has written a checkpoint). Throws TrainingError. Takes the
  // images (move them in): their pixels become tensors, held once.
  int run (TrainingImages train, TrainingImages validation);

  // Stops every running run on images after its current step (async-signal-safe).
  static void request_stop ();

  // The model's channels (0 for a new model until run()) and the file `init` was read from.
  int channels () const;
  const std::string &init_path () const;
  // Writes the `init` model as read to `path` unless a file is there, so that a reader of
  // `path` can start before the first write. Throws TrainingError naming `path`.
  void write_init_unless_present (const std::string &path) const;

  // A run on a stream: open_stream() first (it sets the stream's training settings), then
  // run_stream() in the training thread while other threads offer() frames, until
  // close_stream(). Each run starts from the `init` model as read. run_stream() writes the
  // model every write_every steps and when closed (if steps were taken since the last
  // write); its provenance continues init's. It never throws: failures are reported (and
  // end the run).
  void open_stream (const StreamTrainingOptions &stream);
  bool offer (const uint8_t *pixels, int width, int height);   // false: refused (queue full)
  void close_stream ();
  void run_stream (const std::function<void (const TrainingReport &)> &report);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "1h05m" or "3m07s", as progress lines and `pixelrnn info` show training time.
std::string format_duration (double seconds);

}  // namespace pixelrnn
