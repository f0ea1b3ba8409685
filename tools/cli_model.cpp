#include "cli_model.h"

#include "cli_common.h"

#include <cstdio>

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
refuse_above_max_pixels (const ModelClient &model, const std::string &what, double pixels,
    long long max_pixels)
{
  if (max_pixels <= 0 || pixels <= (double) max_pixels)
    return;
  const double values = pixels * model.channels ();
  char estimate[64];
  std::snprintf (estimate, sizeof estimate, "%.0f", model.estimated_seconds (values));
  die (what + " is " + std::to_string ((long long) pixels) + " pixels, over --max-pixels " +
      std::to_string (max_pixels) + ": each of its values is a step of the model, about " +
      estimate + " s on one core. Raise --max-pixels (0 = no limit) to run it anyway.");
}

void
apply_threads (int threads)
{
  set_process_compute_threads (threads);
}

}  // namespace pixelrnn::cli
