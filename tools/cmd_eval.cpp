// pixelrnn eval: bits/dim of a model over data, mean with a 95% interval, per image to CSV.
#include "cli_common.h"
#include "cli_model.h"
#include "commands.h"
#include "dataset.h"
#include "api/files.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace pixelrnn {

int
cmd_eval (int argc, char **argv)
{
  gchar *model_name = nullptr, *per_image = nullptr, *save_pixels = nullptr;
  gchar **data = nullptr;
  gint batch = 100, threads = 0, max_images = 0, every = 1, downscale = 1;
  gboolean gray = FALSE;
  const GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_name, "Model file or shipped name", "MODEL"},
    {"data", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &data, "IDX file, folder of PNG/JPEG, image or video (repeatable)", "PATH"},
    {"per-image", 0, 0, G_OPTION_ARG_FILENAME, &per_image, "Write index,bits_per_dim for every image to this CSV", "FILE"},
    {"save-pixels", 0, 0, G_OPTION_ARG_FILENAME, &save_pixels, "Write every evaluated image, exactly as scored, as NNNNN.png into this folder (to run other codecs on the same pixels)", "DIR"},
    {"gray", 0, 0, G_OPTION_ARG_NONE, &gray, "Convert images and video to gray (for 1-channel models)", nullptr},
    {"max-images", 0, 0, G_OPTION_ARG_INT, &max_images, "At most N images per source", "N"},
    {"every", 0, 0, G_OPTION_ARG_INT, &every, "Video: every Nth frame", "N"},
    {"downscale", 0, 0, G_OPTION_ARG_INT, &downscale, "Shrink images by this integer factor first (default 1)", "N"},
    {"batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Images per forward pass (default 100)", "N"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &threads, "Compute threads (default: all cores)", "N"},
    {nullptr}};
  cli::parse (argc, argv, entries, "- bits per dimension of a model on data",
      "Prints the mean negative log-likelihood in bits/dim with a 95% interval.");
  auto model = cli::load_model_or_die (model_name);
  const int channels = model->channels ();
  if (!data)
    cli::die ("--data PATH is required");
  if (batch < 1)
    cli::die ("--batch must be positive");
  if (per_image)
    cli::check_writable (per_image);
  cli::apply_threads (threads);
  Dataset ds;
  try {
    ds = load_dataset (cli::strv (data), {gray ? 1 : 0, every, max_images, std::max (1, downscale)});
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  if (ds.channels != channels)
    cli::die (std::string (model_name) + ": model has " + std::to_string (channels) +
        " channel(s) but the data has " + std::to_string (ds.channels) +
        (ds.channels == 3 ? " (pass --gray to convert)" : ""));

  std::vector<double> bpd (ds.images.size ());
  // Images of one size go through the model together.
  std::map<std::pair<int, int>, std::vector<size_t>> by_size;
  for (size_t k = 0; k < ds.images.size (); ++k)
    by_size[{ds.images[k].height, ds.images[k].width}].push_back (k);
  try {
    for (const auto &group : by_size)
      for (size_t start = 0; start < group.second.size (); start += batch) {
        std::vector<Image> items;
        size_t end = std::min (group.second.size (), start + batch);
        for (size_t k = start; k < end; ++k)
          items.push_back (ds.images[group.second[k]]);
        const auto result = model->bits_per_dim (items);
        for (size_t k = start; k < end; ++k)
          bpd[group.second[k]] = result[k - start];
      }
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  double mean = 0, var = 0;
  for (double v : bpd)
    mean += v;
  mean /= bpd.size ();
  for (double v : bpd)
    var += (v - mean) * (v - mean);
  var /= std::max<size_t> (1, bpd.size () - 1);
  double half = 1.96 * std::sqrt (var / bpd.size ());
  if (per_image) {
    std::ostringstream csv;
    csv << "index,bits_per_dim,dims,png_bits_per_dim,source\n";
    for (size_t k = 0; k < bpd.size (); ++k) {
      const auto &image = ds.images[k];
      const double dims = (double) image.pixels.size ();
      csv << k << "," << bpd[k] << "," << image.pixels.size () << ","
          << 8.0 * png_size (image) / dims << "," << ds.names[k] << "\n";
    }
    try {
      write_file_atomic (per_image, csv.str ());
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
    std::printf ("per-image bits/dim written to %s\n", per_image);
  }
  if (save_pixels) {
    g_mkdir_with_parents (save_pixels, 0755);
    try {
      for (size_t k = 0; k < ds.images.size (); ++k) {
        char name[32];
        std::snprintf (name, sizeof name, "/%05zu.png", k);
        write_png (std::string (save_pixels) + name, ds.images[k]);
      }
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
  }
  // The same pixels as per-image PNG files, for scale: a model that cannot beat PNG is no use.
  double png_bits = 0, dims = 0;
  for (const auto &image : ds.images) {
    png_bits += 8.0 * png_size (image);
    dims += static_cast<double> (image.pixels.size ());
  }
  std::printf ("PNG (libpng defaults, per image) on the same pixels: %.4f bits/dim\n", png_bits / dims);
  std::printf ("%s on %s\n", model->summary ().c_str (), ds.description.c_str ());
  std::printf ("mean %.4f bits/dim (95%% interval %.4f to %.4f, %zu images)\n", mean, mean - half,
      mean + half, bpd.size ());
  return 0;
}

}  // namespace pixelrnn
