#include "api/scene_trainer.h"

#include "api/model_client.h"
#include "generation/memory_reuse.h"

#include <thread>

namespace pixelrnn {

struct SceneTrainer::Impl {
  std::string init;
  std::unique_ptr<TrainingRun> run;
  std::thread thread;
};

SceneTrainer::SceneTrainer (const std::string &init) : impl_ (std::make_unique<Impl> ())
{
  impl_->init = init;
  TrainingRunOptions options;
  options.init = init;
  impl_->run = std::make_unique<TrainingRun> (options);
}

SceneTrainer::~SceneTrainer ()
{
  finish ();
}

const std::string &
SceneTrainer::init () const
{
  return impl_->init;
}

const std::string &
SceneTrainer::path () const
{
  return impl_->run->init_path ();
}

int
SceneTrainer::channels () const
{
  return impl_->run->channels ();
}

void
SceneTrainer::write_unless_present (const std::string &location) const
{
  impl_->run->write_init_unless_present (location);
}

void
SceneTrainer::start (const SceneTrainerSettings &settings, Reporter report)
{
  finish ();
  impl_->run->open_stream (settings);
  const int threads = settings.threads;
  impl_->thread = std::thread ([run = impl_->run.get (), threads, report = std::move (report)] {
    set_thread_compute_threads (threads);
    /* Every step allocates the same activations and gradients: reuse them. */
    MemoryPool pool;
    MemoryReuseScope reuse (pool);
    run->run_stream (report);
  });
}

bool
SceneTrainer::offer (const uint8_t *pixels, int width, int height)
{
  return impl_->thread.joinable () && impl_->run->offer (pixels, width, height);
}

void
SceneTrainer::finish ()
{
  if (!impl_->thread.joinable ())
    return;
  impl_->run->close_stream ();
  impl_->thread.join ();
}

}  // namespace pixelrnn
