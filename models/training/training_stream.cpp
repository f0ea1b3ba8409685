// Runs on a stream (pixelrnntrain through SceneTrainer): the training loop fed from a replay
// buffer of the frames handed over, the model written every write_every steps with its
// provenance continuing the init model's, and a report after each write.
#include "training/training_run_impl.h"

#include <limits>

namespace pixelrnn {

void
TrainingRun::open_stream (const StreamTrainingOptions &stream)
{
  auto &d = *impl_;
  if (!d.start.model)
    throw TrainingError ("a run on a stream fine-tunes a model: give init");
  if (stream.write_every < 1 || stream.batch < 1 || stream.patch < 1)
    throw TrainingError ("a stream's write_every, batch and patch must be positive");
  d.streaming = true;
  d.stream = stream;
  d.o.batch = stream.batch;
  d.o.patch = stream.patch;
  d.o.learning_rate = stream.learning_rate;
  d.o.lr_decay = 1.0;        // a stream has no end to decay towards
  d.o.flip = true;
  d.o.seed = stream.seed;
  d.o.steps = std::numeric_limits<int64_t>::max ();
  d.o.minutes = d.o.cpu_minutes = 0;
  d.o.ema = 0;
  d.o.conditioner = 0;
  d.o.keep_best = d.o.resume = false;
  d.val_tensor = torch::Tensor ();
  d.feed = std::make_unique<FrameFeed> (d.config.channels, stream.queue_size, stream.replay_size);
}

bool
TrainingRun::offer (const uint8_t *pixels, int width, int height)
{
  return impl_->feed && impl_->feed->offer (pixels, width, height);
}

void
TrainingRun::close_stream ()
{
  if (impl_->feed)
    impl_->feed->close ();
}

TrainingReport
TrainingRun::Impl::stream_report () const
{
  TrainingReport r;
  r.step = trainer ? trainer->steps () : 0;
  r.loss = last_loss;
  r.bits_per_dim = stream_loss_count ? stream_loss_sum / stream_loss_count : last_loss;
  r.images_seen = feed ? feed->images_seen () : 0;
  r.frames_skipped = feed ? feed->frames_skipped () : 0;
  return r;
}

void
TrainingRun::Impl::write_stream_model ()
{
  auto r = stream_report ();
  Provenance p = start.provenance;
  p.steps += trainer->steps ();
  p.data = (p.data.empty () ? "" : p.data + "; then ") + "pixelrnntrain: " +
      std::to_string (r.images_seen) + " frames of " + stream.description;
  p.command = "pixelrnntrain (fine-tuned from " + start.path + ")";
  p.train_seconds += trainer->elapsed_seconds;
  p.date = iso8601_now ();
  save_model (stream.location, trainer->model (), p);
  written_step = trainer->steps ();
  r.saved = true;
  stream_loss_sum = 0;
  stream_loss_count = 0;
  report (r);
}

void
TrainingRun::run_stream (const std::function<void (const TrainingReport &)> &report)
{
  auto &d = *impl_;
  d.report = report;
  d.written_step = 0;
  d.stream_loss_sum = d.last_loss = 0;
  d.stream_loss_count = 0;
  try {
    if (!d.streaming || !d.feed)
      throw TrainingError ("run_stream before open_stream");
    d.make_trainer ();
    d.loop ([&d] (bool &waited) {
      const auto *frames = d.feed->frames (waited);
      return frames ? d.trainer->random_batch (*frames, d.o.batch, d.o.patch) : torch::Tensor ();
    }, d.stream.description);
    // The last word, also when no step was taken since the last write.
    if (d.trainer->steps () > d.written_step)
      d.write_stream_model ();
    else
      report (d.stream_report ());
  } catch (const std::exception &e) {
    auto r = d.stream_report ();
    r.error = e.what ();
    report (r);
  }
}

}  // namespace pixelrnn
