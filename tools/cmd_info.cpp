// pixelrnn info: a model's config, size, provenance and a digest of its weights.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"

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
  auto m = cli::load_model_or_die (model_name);
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  for (const auto &p : m.model->named_parameters ()) {
    auto t = p.value ().contiguous ();
    g_checksum_update (sum, reinterpret_cast<const guchar *> (t.data_ptr ()), t.nbytes ());
  }
  std::printf ("file:          %s\n", m.path.c_str ());
  std::printf ("architecture:  %s\n", architecture_name (m.config.architecture));
  std::printf ("config:        %s\n", m.config.summary ().c_str ());
  std::printf ("config json:   %s\n", m.config.to_json ().c_str ());
  std::printf ("parameters:    %lld\n", (long long) m.model->parameter_count ());
  std::printf ("weights sha256: %s\n", g_checksum_get_string (sum));
  g_checksum_free (sum);
  const auto &p = m.provenance;
  std::printf ("trained on:    %s\n", p.data.empty () ? "(not recorded)" : p.data.c_str ());
  std::printf ("steps:         %lld\n", (long long) p.steps);
  if (p.validation_bits_per_dim >= 0)
    std::printf ("validation:    %.4f bits/dim\n", p.validation_bits_per_dim);
  std::printf ("training time: %s\n", cli::format_duration (p.train_seconds).c_str ());
  std::printf ("date:          %s\n", p.date.c_str ());
  std::printf ("command:       %s\n", p.command.c_str ());
  return 0;
}

}  // namespace pixelrnn
