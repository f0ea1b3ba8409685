/* SceneTrainer: fine-tunes a copy of a model on frames handed to it, in a thread of its own,
 * for the pixelrnntrain element. offer() never waits for training: a full queue refuses the
 * frame. Trained batches are crops of recent frames (a replay buffer), so a still scene does
 * not collapse the model onto one frame's pixels. Like ModelClient, no LibTorch in here. */
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pixelrnn {

struct SceneTrainerSettings {
  std::string init;             /* model to start from: path or shipped name */
  std::string location;         /* where the fine-tuned model is written (atomically) */
  int save_every = 100;         /* steps between writes */
  int queue_size = 4;           /* frames waiting for the training thread */
  int replay_size = 256;        /* recent frames batches are cropped from */
  int batch = 8;
  int patch = 32;               /* crop side; frames smaller than this are used whole */
  double learning_rate = 1e-4;
  int threads = 1;              /* compute threads of the training thread */
  uint64_t seed = 0;
  std::string description;      /* what the frames are, for the model's provenance */
};

struct SceneTrainerReport {
  int64_t step = 0;             /* steps taken by this trainer */
  double loss = 0;              /* the last step's bits/dim */
  double bits_per_dim = 0;      /* mean over the steps since the last report */
  uint64_t images_seen = 0;     /* frames taken into the replay buffer */
  uint64_t frames_skipped = 0;  /* frames refused because the queue was full */
  bool saved = false;           /* the model file was written for this report */
  std::string error;            /* non-empty: training or saving failed (then it stops) */
};

class SceneTrainer {
 public:
  using Reporter = std::function<void (const SceneTrainerReport &)>;

  /* Loads `init` (throws std::runtime_error naming the file) and starts the thread.
   * `report` is called from the training thread after each save, once when it stops (saved
   * or not), and on failure. */
  SceneTrainer (const SceneTrainerSettings &settings, int channels, Reporter report);
  ~SceneTrainer ();   /* stops the thread; writes the model if steps were taken since the last write */
  SceneTrainer (const SceneTrainerSettings &) = delete;
  SceneTrainer &operator= (const SceneTrainer &) = delete;

  /* A packed frame (width x height x channels). False if the queue was full (frame skipped). */
  bool offer (const uint8_t *pixels, int width, int height);
  /* Stops after the step in progress, writes the model, reports; idempotent. */
  void finish ();

  /* Writes `init` to `location` unless that file exists, so that an element reading
   * `location` can start before the first save. Throws InitModelError when `init` cannot be
   * read, std::runtime_error naming `location` when it cannot be written. */
  struct InitModelError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  static void ensure_model_file (const std::string &init, const std::string &location);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pixelrnn
