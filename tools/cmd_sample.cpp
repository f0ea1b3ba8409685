// pixelrnn sample: generate images from a model into a PNG grid.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pixelrnn {

int
cmd_sample (int argc, char **argv)
{
  gchar *model_name = nullptr, *out = nullptr;
  gint count = 16, width = 0, height = 0, columns = 0, scale = 0, threads = 0;
  gdouble temperature = 1.0;
  gint64 seed = 0, max_pixels = 512 * 512;
  const GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_name, "Model file or shipped name", "MODEL"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "PNG grid to write (required)", "FILE"},
    {"count", 'n', 0, G_OPTION_ARG_INT, &count, "Images to generate (default 16)", "N"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Image width (default 28 gray, 32 colour)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Image height (default: width)", "H"},
    {"temperature", 'T', 0, G_OPTION_ARG_DOUBLE, &temperature, "Softmax temperature; 0 = most likely value (default 1)", "T"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N"},
    {"columns", 0, 0, G_OPTION_ARG_INT, &columns, "Grid columns (default: square)", "N"},
    {"scale", 0, 0, G_OPTION_ARG_INT, &scale, "Enlarge each image by this factor (default: to about 96 px)", "N"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &threads, "Compute threads (default: all cores)", "N"},
    {"max-pixels", 0, 0, G_OPTION_ARG_INT64, &max_pixels, "Refuse to generate more pixels than this, all images together (default 262144; 0 = no limit)", "N"},
    {nullptr}};
  cli::parse (argc, argv, entries, "- generate images", "Samples in raster order, R then G then B.");
  auto model = cli::load_model_or_die (model_name);
  const int channels = model->channels ();
  if (!out)
    cli::die ("--out FILE is required");
  cli::check_writable (out);
  if (count < 1 || count > 1024)
    cli::die ("--count must be in 1..1024");
  if (temperature < 0)
    cli::die ("--temperature must be >= 0");
  if (width <= 0)
    width = channels == 1 ? 28 : 32;
  if (height <= 0)
    height = width;
  if (width > 4096 || height > 4096)
    cli::die ("--width and --height must be at most 4096");
  cli::refuse_above_max_pixels (*model, std::to_string (count) + " image(s) of " + std::to_string (width) + "x" +
      std::to_string (height), (double) count * width * height, max_pixels);
  cli::apply_threads (threads);
  const auto pixels = model->generate (width, height, count, temperature, static_cast<uint64_t> (seed));
  std::vector<Image> tiles;
  int factor = scale > 0 ? scale : std::max (1, 96 / std::max (width, height));
  const size_t size = (size_t) width * height * channels;
  for (int k = 0; k < count; ++k) {
    Image image (width, height, channels);
    std::copy (pixels.begin () + k * size, pixels.begin () + (k + 1) * size, image.pixels.begin ());
    tiles.push_back (upscale (image, factor));
  }
  int cols = columns > 0 ? columns : static_cast<int> (std::ceil (std::sqrt (count)));
  try {
    write_png (out, make_grid (tiles, cols));
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  std::printf ("wrote %d samples of %dx%d to %s\n", count, width, height, out);
  return 0;
}

}  // namespace pixelrnn
