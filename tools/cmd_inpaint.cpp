// pixelrnn inpaint: fill the masked region of one image; optionally a before | masked |
// filled comparison picture.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"
#include "gst_decode.h"

#include <cstdio>
#include <algorithm>

namespace pixelrnn {

int
cmd_inpaint (int argc, char **argv)
{
  gchar *model_name = nullptr, *image_path = nullptr, *mask_path = nullptr, *rect_text = nullptr;
  gchar *out = nullptr, *compare = nullptr, *mode_name = nullptr;
  gint context = 16, threads = 0, candidates = 1;
  gdouble temperature = 1.0;
  gint64 seed = 0, max_pixels = 512 * 512;
  gboolean gray = FALSE;
  const GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_name, "Model file or shipped name", "MODEL"},
    {"image", 'i', 0, G_OPTION_ARG_FILENAME, &image_path, "Image to fill (PNG or JPEG)", "FILE"},
    {"mask", 0, 0, G_OPTION_ARG_FILENAME, &mask_path, "PNG the image's size: non-zero pixels are filled", "FILE"},
    {"rect", 'r', 0, G_OPTION_ARG_STRING, &rect_text, "Rectangle to fill: x,y,w,h", "X,Y,W,H"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "PNG to write (required)", "FILE"},
    {"compare", 0, 0, G_OPTION_ARG_FILENAME, &compare, "Also write before | masked | filled side by side", "FILE"},
    {"context", 0, 0, G_OPTION_ARG_INT, &context, "Pixels of context the model sees around the hole (default 16)", "N"},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode_name, "auto, direct, mean, greedy, sample or best-of, as the element's 'mode' (default auto: direct with a conditioner, else greedy; best-of with --candidates)", "NAME"},
    {"temperature", 'T', 0, G_OPTION_ARG_DOUBLE, &temperature, "Softmax temperature; 0 = most likely value (default 1)", "T"},
    {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 0)", "N"},
    {"candidates", 0, 0, G_OPTION_ARG_INT, &candidates, "Draw N fills and keep the one under which the hole and the pixels right of and below it are most likely (default 1)", "N"},
    {"gray", 0, 0, G_OPTION_ARG_NONE, &gray, "Read the image as gray (for 1-channel models)", nullptr},
    {"threads", 't', 0, G_OPTION_ARG_INT, &threads, "Compute threads (default: all cores)", "N"},
    {"max-pixels", 0, 0, G_OPTION_ARG_INT64, &max_pixels, "Refuse holes larger than this for the value-by-value modes (best-of: times --candidates; default 262144; 0 = no limit)", "N"},
    {nullptr}};
  cli::parse (argc, argv, entries, "- fill a region of an image",
      "Fills the pixels of the mask (or rectangle) in raster order, conditioned on the pixels "
      "above and to the left, and to the right on the rows of the hole.");
  auto model = cli::load_model_or_die (model_name);
  if (!image_path)
    cli::die ("--image FILE is required");
  if (!out)
    cli::die ("--out FILE is required");
  if (!!mask_path == !!rect_text)
    cli::die ("give exactly one of --mask FILE and --rect x,y,w,h");
  cli::check_writable (out);
  if (compare)
    cli::check_writable (compare);
  cli::apply_threads (threads);
  if (temperature < 0 || context < 0)
    cli::die ("--temperature and --context must be >= 0");
  if (candidates < 1 || candidates > 256)
    cli::die ("--candidates must be between 1 and 256");
  FillSettings settings;
  try {
    settings.mode = mode_name ? fill_mode_from_name (mode_name)
                              : candidates > 1 ? FillMode::BestOf : FillMode::Auto;
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  if (settings.mode == FillMode::Direct && !model->has_conditioner ())
    cli::die (std::string (model_name) + ": mode direct needs a model with an inpainting conditioner");
  settings.temperature = temperature;
  settings.seed = static_cast<uint64_t> (seed);
  settings.candidates = candidates;

  Image image;
  try {
    DecodeOptions d;
    d.channels = gray ? 1 : 3;
    d.max_frames = 1;
    image = decode_frames (image_path, d)[0];
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  if (image.channels != model->channels ())
    cli::die (std::string (model_name) + ": model has " + std::to_string (model->channels ()) +
        " channel(s) but " + image_path + " was read with " + std::to_string (image.channels) +
        (image.channels == 3 ? " (pass --gray)" : ""));
  std::vector<uint8_t> mask ((size_t) image.width * image.height, 0);
  if (rect_text) {
    Rect r;
    try {
      r = cli::parse_rect (rect_text);
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
    if ((int64_t) r.x + r.w > image.width || (int64_t) r.y + r.h > image.height)
      cli::die ("rectangle " + std::string (rect_text) + " reaches outside the " +
          std::to_string (image.width) + "x" + std::to_string (image.height) + " image");
    mark_rect (mask, image.width, image.height, r);
  } else {
    Image mimg;
    try {
      mimg = read_png (mask_path, 1);
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
    if (mimg.width != image.width || mimg.height != image.height)
      cli::die (std::string (mask_path) + ": mask is " + std::to_string (mimg.width) + "x" +
          std::to_string (mimg.height) + " but the image is " + std::to_string (image.width) + "x" +
          std::to_string (image.height));
    for (size_t k = 0; k < mask.size (); ++k)
      mask[k] = mimg.pixels[k] != 0;
  }
  const long long holes = std::count (mask.begin (), mask.end (), 1);
  if (holes == 0)
    cli::die ("the mask selects no pixel");
  const FillMode resolved = resolve_fill_mode (settings.mode, model->has_conditioner ());
  if (resolved != FillMode::Direct)
    cli::refuse_above_max_pixels (*model, std::string ("the hole for mode ") + fill_mode_name (resolved),
        (double) holes * (resolved == FillMode::BestOf ? candidates : 1), max_pixels);

  try {
    const Image filled = model->inpaint (image, mask, context, settings);
    write_png (out, filled);
    if (compare) {
      Image masked = image;
      // Mid-grey shows the hole against both dark and light content.
      for (size_t k = 0; k < mask.size (); ++k)
        if (mask[k])
          std::fill_n (masked.pixels.begin () + k * masked.channels, masked.channels, 128);
      int factor = std::max (1, 256 / std::max (image.width, image.height));
      write_png (compare, make_grid ({upscale (image, factor), upscale (masked, factor),
          upscale (filled, factor)}, 3, 4));
    }
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  std::printf ("filled %lld pixels; wrote %s%s%s\n", holes, out,
      compare ? " and " : "", compare ? compare : "");
  return 0;
}

}  // namespace pixelrnn
