// pixelrnn info: a model's config, size, provenance and a digest of its weights.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"
#include "api/training_run.h"

#include <cstdio>

namespace pixelrnn {

int
cmd_info (int argc, char **argv)
{
  gchar *model_name = nullptr;
  const GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_name, "Model file or shipped name", "MODEL"},
    {nullptr}};
  cli::parse (argc, argv, entries, "- describe a model", "Config, parameter count, provenance, metrics.");
  auto model = cli::load_model_or_die (model_name);
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  model->for_each_weight ([sum] (const std::string &, const float *values, size_t count) {
    g_checksum_update (sum, reinterpret_cast<const guchar *> (values), count * sizeof (float));
  });
  const auto d = model->describe ();
  std::printf ("file:          %s\n", d.path.c_str ());
  std::printf ("architecture:  %s\n", d.architecture.c_str ());
  std::printf ("config:        %s\n", d.summary.c_str ());
  std::printf ("config json:   %s\n", d.config_json.c_str ());
  std::printf ("parameters:    %lld\n", (long long) d.parameters);
  std::printf ("weights sha256: %s\n", g_checksum_get_string (sum));
  g_checksum_free (sum);
  std::printf ("trained on:    %s\n", d.data.empty () ? "(not recorded)" : d.data.c_str ());
  std::printf ("steps:         %lld\n", (long long) d.steps);
  if (d.validation_bits_per_dim >= 0)
    std::printf ("validation:    %.4f bits/dim\n", d.validation_bits_per_dim);
  if (d.validation_fill_rmse >= 0)
    std::printf ("fill error:    %.2f levels RMS (the conditioner's mean on validation holes)\n",
        d.validation_fill_rmse);
  std::printf ("training time: %s\n", format_duration (d.train_seconds).c_str ());
  std::printf ("date:          %s\n", d.date.c_str ());
  std::printf ("command:       %s\n", d.command.c_str ());
  return 0;
}

}  // namespace pixelrnn
