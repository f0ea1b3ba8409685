#include "cli_model.h"

#include "cli_common.h"

#include <torch/utils.h>

namespace pixelrnn::cli {

LoadedModel
load_model_or_die (const char *name)
{
  if (!name)
    die ("--model is required (a .pixelrnn file or a shipped name such as fashion-mnist)");
  try {
    return load_model (resolve_model (name));
  } catch (const std::exception &e) {
    die (e.what ());
  }
}

void
apply_threads (int threads)
{
  if (threads > 0)
    torch::set_num_threads (threads);
}

}  // namespace pixelrnn::cli
