// pixelrnn diff: how far apart two models' weights are, tensor by tensor. Says whether a
// distributed run matches a single-process one, or how far fine-tuning moved a model.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"

#include <algorithm>
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
  if (a.config.to_json () != b.config.to_json ())
    cli::die (std::string ("the models differ in shape: ") + a.config.summary () + " vs " + b.config.summary ());
  auto pb = b.model->named_parameters ();
  double worst = 0, scale = 0;
  std::string where = "-";
  for (const auto &p : a.model->named_parameters ()) {
    const double d = (p.value () - pb[p.key ()]).abs ().max ().item<double> ();
    scale = std::max (scale, p.value ().abs ().max ().item<double> ());
    if (each)
      std::printf ("%-40s %.3g\n", p.key ().c_str (), d);
    if (d > worst) {
      worst = d;
      where = p.key ();
    }
  }
  std::printf ("largest difference %.3g (in %s; largest weight %.3g)\n", worst, where.c_str (), scale);
  return tolerance >= 0 && worst > tolerance ? 1 : 0;
}

}  // namespace pixelrnn
