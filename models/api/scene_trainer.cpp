#include "api/scene_trainer.h"

#include "api/model_client.h"
#include "generation/memory_reuse.h"
#include "io/model_file.h"
#include "training/trainer.h"

#include <sys/stat.h>
#include <torch/torch.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace pixelrnn {

struct SceneTrainer::Impl {
  SceneTrainerSettings settings;
  int channels = 0;
  Reporter report;
  LoadedModel loaded;
  std::unique_ptr<Trainer> trainer;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<torch::Tensor> queue;        /* guarded by mutex */
  bool stopping = false;                  /* guarded by mutex */
  uint64_t images_seen = 0, frames_skipped = 0;   /* guarded by mutex */

  std::vector<torch::Tensor> replay;      /* training thread only */
  size_t replay_next = 0;
  int64_t saved_step = 0;
  double loss_sum = 0;
  int loss_count = 0;
  double last_loss = 0;
  bool failed = false;
  double seconds = 0;
  std::thread thread;

  void run ();
  void save_and_report ();
  SceneTrainerReport make_report ();
};

SceneTrainerReport
SceneTrainer::Impl::make_report ()
{
  SceneTrainerReport r;
  r.step = trainer->steps ();
  r.loss = last_loss;
  r.bits_per_dim = loss_count ? loss_sum / loss_count : last_loss;
  std::lock_guard<std::mutex> lock (mutex);
  r.images_seen = images_seen;
  r.frames_skipped = frames_skipped;
  return r;
}

void
SceneTrainer::Impl::save_and_report ()
{
  auto r = make_report ();
  Provenance p = loaded.provenance;
  p.steps += trainer->steps ();
  p.data = (p.data.empty () ? "" : p.data + "; then ") + "pixelrnntrain: " +
      std::to_string (r.images_seen) + " frames of " + settings.description;
  p.command = "pixelrnntrain (fine-tuned from " + loaded.path + ")";
  p.train_seconds += seconds;
  p.date = iso8601_now ();
  save_model (settings.location, loaded.model, p);
  saved_step = trainer->steps ();
  r.saved = true;
  loss_sum = 0;
  loss_count = 0;
  report (r);
}

void
SceneTrainer::Impl::run ()
{
  set_thread_compute_threads (settings.threads);
  /* Every step allocates the same activations and gradients: reuse them. */
  MemoryPool pool;
  MemoryReuseScope reuse (pool);
  try {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock (mutex);
        wake.wait (lock, [&] { return stopping || !queue.empty () || !replay.empty (); });
        if (stopping)
          break;
        while (!queue.empty ()) {
          if (replay.size () < (size_t) settings.replay_size)
            replay.push_back (std::move (queue.front ()));
          else
            replay[replay_next++ % replay.size ()] = std::move (queue.front ());
          queue.pop_front ();
        }
      }
      const auto t0 = std::chrono::steady_clock::now ();
      auto batch = trainer->random_batch (replay, settings.batch, settings.patch);
      last_loss = trainer->step (batch);
      seconds += std::chrono::duration<double> (std::chrono::steady_clock::now () - t0).count ();
      loss_sum += last_loss;
      ++loss_count;
      if (trainer->steps () - saved_step >= settings.save_every)
        save_and_report ();
    }
    /* The last word, also when no step was taken since the last write. */
    if (trainer->steps () > saved_step)
      save_and_report ();
    else
      report (make_report ());
  } catch (const std::exception &e) {
    failed = true;
    auto r = make_report ();
    r.error = e.what ();
    report (r);
  }
}

SceneTrainer::SceneTrainer (const SceneTrainerSettings &settings, int channels, Reporter report)
    : impl_ (std::make_unique<Impl> ())
{
  auto &d = *impl_;
  d.settings = settings;
  d.channels = channels;
  d.report = std::move (report);
  try {
    d.loaded = load_model (resolve_model (settings.init));
  } catch (const std::exception &e) {
    throw std::runtime_error (std::string ("cannot load the model to fine-tune: ") + e.what ());
  }
  if (d.loaded.config.channels != channels)
    throw std::runtime_error (d.loaded.path + " has " + std::to_string (d.loaded.config.channels) +
        " channel(s), the stream's model " + std::to_string (channels));
  TrainOptions options;
  options.learning_rate = settings.learning_rate;
  options.lr_decay = 1.0;
  options.seed = settings.seed;
  options.flip = true;
  d.trainer = std::make_unique<Trainer> (d.loaded.model, options);
  d.thread = std::thread ([this] { impl_->run (); });
}

SceneTrainer::~SceneTrainer ()
{
  finish ();
}

bool
SceneTrainer::offer (const uint8_t *pixels, int width, int height)
{
  auto &d = *impl_;
  std::lock_guard<std::mutex> lock (d.mutex);
  if (d.stopping || d.queue.size () >= (size_t) std::max (1, d.settings.queue_size)) {
    ++d.frames_skipped;
    return false;
  }
  auto frame = torch::from_blob (const_cast<uint8_t *> (pixels), {height, width, d.channels},
      torch::kUInt8).permute ({2, 0, 1}).clone ();
  d.queue.push_back (std::move (frame));
  ++d.images_seen;
  d.wake.notify_one ();
  return true;
}

void
SceneTrainer::finish ()
{
  auto &d = *impl_;
  {
    std::lock_guard<std::mutex> lock (d.mutex);
    d.stopping = true;
  }
  d.wake.notify_one ();
  if (d.thread.joinable ())
    d.thread.join ();
}

void
SceneTrainer::ensure_model_file (const std::string &init, const std::string &location)
{
  struct stat st;
  if (stat (location.c_str (), &st) == 0)
    return;
  LoadedModel m;
  try {
    m = load_model (resolve_model (init));
  } catch (const std::exception &e) {
    throw InitModelError (e.what ());
  }
  try {
    save_model (location, m.model, m.provenance);
  } catch (const std::exception &e) {
    throw std::runtime_error ("cannot write the first copy of the model to \"" + location +
        "\": " + e.what ());
  }
}

}  // namespace pixelrnn
