/* SceneTrainer: the pixelrnntrain element's training, a TrainingRun on a stream (see
 * api/training_run.h) in a thread of its own. The model to start from is read once, when the
 * trainer is made; each start() trains a fresh copy of it. offer() never waits for training: a
 * full queue refuses the frame. Like ModelClient, no LibTorch in here. */
#pragma once

#include "api/training_run.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace pixelrnn {

/* The stream's training settings (api/training_run.h), and the training thread's compute
 * threads. */
struct SceneTrainerSettings : StreamTrainingOptions {
  int threads = 1;
};

class SceneTrainer {
 public:
  using Reporter = std::function<void (const TrainingReport &)>;

  /* Reads `init` (path or shipped name); throws TrainingError naming the file and why. */
  explicit SceneTrainer (const std::string &init);
  ~SceneTrainer ();   /* finish() */
  SceneTrainer (const SceneTrainer &) = delete;
  SceneTrainer &operator= (const SceneTrainer &) = delete;

  const std::string &init () const;       /* as given */
  const std::string &path () const;       /* the file read */
  int channels () const;
  /* Writes the model as read to `location` unless that file exists, so that an element
   * reading `location` can start before the first save. Throws TrainingError naming
   * `location`. */
  void write_unless_present (const std::string &location) const;

  /* Starts training a fresh copy in its own thread. `report` is called from that thread
   * after each save, once when it stops (saved or not), and on failure. Throws
   * TrainingError on bad settings. */
  void start (const SceneTrainerSettings &settings, Reporter report);
  /* A packed frame (width x height x channels). False if the queue was full (frame skipped)
   * or training is not running. */
  bool offer (const uint8_t *pixels, int width, int height);
  /* Stops after the step in progress, writes the model if steps were taken since the last
   * write, reports; idempotent. */
  void finish ();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pixelrnn
