// TrainingRun's inside, shared by its files: training_run.cpp (settings, data, the trainer,
// runs on images), training_loop.cpp (the loop every run goes through) and training_stream.cpp
// (runs on a stream's frames). Private to training/.
#pragma once

#include "api/training_run.h"
#include "io/model_file.h"
#include "training/frame_feed.h"
#include "training/rank_group.h"
#include "training/trainer.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pixelrnn {

// Where a run's batches come from: the training images, or a stream's replay buffer. An
// undefined tensor ends the run (the stream was closed); `waited` says the source waited for
// data (time not counted as training).
using BatchSource = std::function<torch::Tensor (bool &waited)>;

struct TrainingRun::Impl {
  TrainingRunOptions o;
  std::string ckpt_path;
  bool writer = true;                        // rank 0 validates, prints and writes files
  std::shared_ptr<RankGroup> group;
  ModelConfig config;
  LoadedModel start;                         // the --init model
  bool new_conditioner = false;

  std::vector<torch::Tensor> train_images;   // uint8 [C, H, W] each
  torch::Tensor train_stack, val_tensor;     // val_tensor undefined: no validation
  std::unique_ptr<Trainer> trainer;

  // A run on a stream: its settings, frames, and the step of its last write.
  bool streaming = false;
  StreamTrainingOptions stream;
  std::unique_ptr<FrameFeed> feed;
  int64_t written_step = 0;
  double stream_loss_sum = 0;
  int stream_loss_count = 0;
  double last_loss = 0;

  void settle_config ();
  void prepare_data (TrainingImages &train, TrainingImages &validation);
  void round_to_channel_groups ();
  void agree_with_other_ranks (const TrainingImages &train);
  void make_trainer ();
  // Steps until the step count, a time budget, a stop request or the end of the source;
  // the returned code is run()'s. `data` says what the model was trained on.
  int loop (const BatchSource &next_batch, const std::string &data);
  void write_model (const std::string &data, double validation);
  // Runs on a stream: the model with its provenance continuing init's, then a report.
  void write_stream_model ();
  TrainingReport stream_report () const;
  std::function<void (const TrainingReport &)> report;
};

}  // namespace pixelrnn
