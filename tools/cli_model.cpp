#include "cli_model.h"

#include "cli_common.h"

namespace pixelrnn::cli {

std::unique_ptr<ModelClient>
load_model_or_die (const char *name)
{
  if (!name)
    die ("--model is required (a .pixelrnn file or a shipped name such as fashion-mnist)");
  auto model = std::make_unique<ModelClient> ();
  try {
    model->load (name);
  } catch (const std::exception &e) {
    die (e.what ());
  }
  return model;
}

void
apply_threads (int threads)
{
  set_process_compute_threads (threads);
}

}  // namespace pixelrnn::cli
