// pixelrnn diff: how far apart two models' weights are, tensor by tensor. Says whether a
// distributed run matches a single-process one, or how far fine-tuning moved a model.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>
#include <cstdio>

namespace pixelrnn {

int
cmd_diff (int argc, char **argv)
{
  gboolean each = FALSE;
  gdouble tolerance = -1;
  gchar **files = nullptr;
  const GOptionEntry entries[] = {
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, nullptr, "A B"},
    {"each", 0, 0, G_OPTION_ARG_NONE, &each, "Print every tensor's largest difference", nullptr},
    {"tolerance", 0, 0, G_OPTION_ARG_DOUBLE, &tolerance, "Exit 1 when any weight differs by more than this", "T"},
    {nullptr}};
  cli::parse (argc, argv, entries, "A B - compare two models' weights",
      "Prints the largest absolute difference between the two models' weights, and where.",
      "Example:\n  pixelrnn diff one-process.pixelrnn two-ranks.pixelrnn --tolerance 1e-5");
  if (!files || !files[0] || !files[1] || files[2])
    cli::die ("give exactly two model files");
  auto a = cli::load_model_or_die (files[0]), b = cli::load_model_or_die (files[1]);
  const auto da = a->describe (), db = b->describe ();
  if (da.config_json != db.config_json)
    cli::die (std::string ("the models differ in shape: ") + da.summary + " vs " + db.summary);
  std::map<std::string, std::vector<float>> weights_b;
  b->for_each_weight ([&] (const std::string &name, const float *values, size_t count) {
    weights_b[name].assign (values, values + count);
  });
  double worst = 0, scale = 0;
  std::string where = "-";
  a->for_each_weight ([&] (const std::string &name, const float *values, size_t count) {
    const auto &other = weights_b[name];   // same config: same names and sizes
    double d = 0;
    for (size_t k = 0; k < count && k < other.size (); ++k) {
      d = std::max (d, (double) std::fabs (values[k] - other[k]));
      scale = std::max (scale, (double) std::fabs (values[k]));
    }
    if (each)
      std::printf ("%-40s %.3g\n", name.c_str (), d);
    if (d > worst) {
      worst = d;
      where = name;
    }
  });
  std::printf ("largest difference %.3g (in %s; largest weight %.3g)\n", worst, where.c_str (), scale);
  return tolerance >= 0 && worst > tolerance ? 1 : 0;
}

}  // namespace pixelrnn
