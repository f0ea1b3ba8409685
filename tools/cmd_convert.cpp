// pixelrnn convert: rewrites a model file of an older format (weights in LibTorch's pickle
// archive) in the current one (plain tensors). Only this command parses the old archives:
// run it on files you trust.
#include "cli_common.h"
#include "commands.h"
#include "api/model_client.h"

#include <cstdio>

namespace pixelrnn {

int
cmd_convert (int argc, char **argv)
{
  gchar **files = nullptr;
  const GOptionEntry entries[] = {
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, nullptr, "OLD NEW"},
    {nullptr}};
  cli::parse (argc, argv, entries, "OLD.pixelrnn NEW.pixelrnn - convert a model file to the current format",
      "Reads a model file of any format this build knows, including the LibTorch archives of\n"
      "formats 1 and 2 (a pickle parser: convert only files you trust), and writes it in the\n"
      "current format, which loads without one. The weights and provenance are kept.");
  const auto paths = cli::strv (files);
  if (paths.size () != 2)
    cli::die ("give the old and the new file: pixelrnn convert OLD.pixelrnn NEW.pixelrnn");
  const std::string from = paths[0], to = paths[1];
  cli::check_writable (to);
  try {
    const std::string summary = convert_model_file (from, to);
    std::printf ("%s -> %s (format %u): %s\n", from.c_str (), to.c_str (), model_file_format (),
        summary.c_str ());
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  return 0;
}

}  // namespace pixelrnn
