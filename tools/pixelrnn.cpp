// pixelrnn: train, evaluate, sample from and inpaint with PixelRNN models.
#include "api/process_tuning.h"
#include "cli_common.h"
#include "commands.h"

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <cstring>
#include <exception>
#include <glib.h>

namespace {

struct Command {
  const char *name;
  int (*run) (int, char **);
  const char *summary;
};

const Command commands[] = {
  {"train", pixelrnn::cmd_train, "train a model on IDX files, image folders or video"},
  {"eval", pixelrnn::cmd_eval, "bits/dim of a model on data, per image to CSV"},
  {"sample", pixelrnn::cmd_sample, "generate images into a PNG grid"},
  {"inpaint", pixelrnn::cmd_inpaint, "fill a masked region of an image"},
  {"score", pixelrnn::cmd_score, "anomaly scores of every frame of a video; AUROC with labels"},
  {"info", pixelrnn::cmd_info, "show a model's config, size and provenance"},
  {"convert", pixelrnn::cmd_convert, "rewrite an older model file in the current format"},
  {"diff", pixelrnn::cmd_diff, "compare two models' weights"},
};

void
usage (FILE *to)
{
  std::fprintf (to, "Usage: pixelrnn COMMAND [OPTION...]\n\nCommands:\n");
  for (const auto &c : commands)
    std::fprintf (to, "  %-9s %s\n", c.name, c.summary);
  std::fprintf (to, "\nRun 'pixelrnn COMMAND --help' for a command's options.\n");
}

}  // namespace

int
main (int argc, char **argv)
{
  // This process is ours, so its allocator and BLAS may be tuned (the plugin leaves its
  // host's alone and reuses buffers instead).
  pixelrnn::keep_freed_memory_for_reuse ();
  pixelrnn::leave_parallelism_to_libtorch ();
  if (argc < 2 || !std::strcmp (argv[1], "--help") || !std::strcmp (argv[1], "-h")) {
    usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto &c : commands)
    if (!std::strcmp (argv[1], c.name)) {
      pixelrnn::cli::set_command (c.name);
      int rc = 0;
      try {
        rc = c.run (argc - 1, argv + 1);
      } catch (const std::exception &e) {
        pixelrnn::cli::die (e.what ());
      }
      // Output to a full disk or /dev/full is an error, not a silent loss with exit 0.
      std::cout.flush ();
      if (!std::cout || std::fflush (stdout) != 0 || std::ferror (stdout)) {
        std::fprintf (stderr, "pixelrnn %s: cannot write to standard output: %s\n", c.name, std::strerror (errno));
        return 1;
      }
      return rc;
    }
  std::fprintf (stderr, "pixelrnn: unknown command '%s'\n", argv[1]);
  usage (stderr);
  return 2;
}
