#include "dataset.h"

#include "gst_decode.h"
#include "api/idx_images.h"

#include <algorithm>
#include <glib.h>
#include <cmath>
#include <stdexcept>

namespace pixelrnn {

namespace {

bool
has_suffix (std::string s, const std::vector<std::string> &suffixes)
{
  std::transform (s.begin (), s.end (), s.begin (), ::tolower);
  for (const auto &x : suffixes)
    if (s.size () >= x.size () && s.compare (s.size () - x.size (), x.size (), x) == 0)
      return true;
  return false;
}

bool
is_idx (const std::string &path)
{
  return path.find ("ubyte") != std::string::npos || has_suffix (path, {".idx", ".idx.gz"});
}

bool
is_still_image (const std::string &path)
{
  return has_suffix (path, {".png", ".jpg", ".jpeg"});
}

// Area average over factor x factor blocks (a ragged right or bottom edge is dropped),
// rounded half to even as LibTorch's avg_pool2d and round did before.
Image
downscale (const Image &image, int factor)
{
  if (factor <= 1)
    return image;
  const int w = image.width / factor, h = image.height / factor, C = image.channels;
  Image out (w, h, C);
  const float area = float (factor * factor);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < C; ++c) {
        int sum = 0;
        for (int dy = 0; dy < factor; ++dy)
          for (int dx = 0; dx < factor; ++dx)
            sum += image.at (x * factor + dx, y * factor + dy, c);
        out.at (x, y, c) = (uint8_t) std::min (255.f, std::nearbyint (float (sum) / area));
      }
  return out;
}

Image
idx_image (const IdxImages &idx, int64_t k)
{
  Image image (idx.cols, idx.rows, 1);
  const size_t size = (size_t) idx.rows * idx.cols;
  std::copy (idx.pixels.begin () + k * size, idx.pixels.begin () + (k + 1) * size, image.pixels.begin ());
  return image;
}

}  // namespace

Dataset
load_dataset (const std::vector<std::string> &sources, const DatasetOptions &options)
{
  Dataset ds;
  int left_out = 0;
  if (sources.empty ())
    throw std::runtime_error ("no data given (--data PATH)");
  for (const auto &source : sources) {
    if (is_idx (source)) {
      if (options.channels == 3)
        throw std::runtime_error (source + ": IDX images are gray, but 3 channels were asked for");
      const auto idx = read_idx_images (source, options.max_images);
      for (int64_t k = 0; k < idx.count; ++k) {
        ds.images.push_back (downscale (idx_image (idx, k), options.downscale));
        ds.names.push_back (source + "#" + std::to_string (k));
      }
      ds.channels = 1;
      continue;
    }
    const int channels = options.channels ? options.channels : 3;
    std::vector<std::string> files;
    if (g_file_test (source.c_str (), G_FILE_TEST_IS_DIR)) {
      GDir *dir = g_dir_open (source.c_str (), 0, nullptr);
      while (const char *name = dir ? g_dir_read_name (dir) : nullptr)
        if (is_still_image (name))
          files.push_back (source + "/" + name);
      if (dir)
        g_dir_close (dir);
      std::sort (files.begin (), files.end ());
      if (files.empty ())
        throw std::runtime_error (source + ": folder holds no PNG or JPEG image");
    } else {
      files.push_back (source);
    }
    int taken = 0;
    for (const auto &file : files) {
      DecodeOptions dopts;
      dopts.channels = channels;
      dopts.every = is_still_image (file) ? 1 : options.every;
      dopts.strict = is_still_image (file);
      dopts.max_frames = options.max_images > 0 ? options.max_images - taken : 0;
      auto frames = decode_frames (file, dopts);
      const auto factors = options.downscales.empty () ? std::vector<int>{options.downscale}
                                                       : options.downscales;
      for (size_t k = 0; k < frames.size (); ++k) {
        bool kept_one = false;
        for (size_t f = 0; f < factors.size (); ++f) {
          Image copy = downscale (frames[k], factors[f]);
          const bool too_small = std::min (copy.width, copy.height) < options.min_side;
          if (factors.size () > 1 && options.min_side > 0 && too_small &&
              (kept_one || f + 1 < factors.size ())) {
            ++left_out;
            continue;
          }
          kept_one = true;
          ds.images.push_back (std::move (copy));
          ds.names.push_back ((frames.size () > 1 ? file + "#" + std::to_string (k) : file) +
              (factors.size () > 1 ? "@1/" + std::to_string (factors[f]) : ""));
        }
        ++taken;
      }
      if (options.max_images > 0 && taken >= options.max_images)
        break;
    }
    if (ds.channels && ds.channels != channels)
      throw std::runtime_error (source + ": mixes gray IDX data with colour images");
    ds.channels = channels;
  }
  ds.description = std::to_string (ds.images.size ()) + " images from ";
  for (size_t k = 0; k < sources.size (); ++k)
    ds.description += (k ? ", " : "") + sources[k];
  if (left_out > 0)
    ds.description += " (" + std::to_string (left_out) + " copies smaller than " +
        std::to_string (options.min_side) + " px at their shrink factor left out)";
  return ds;
}

void
split_validation (Dataset &train, Dataset &validation, double fraction)
{
  if (fraction <= 0 || train.images.size () < 2)
    return;
  // At least one validation image, even from a short clip.
  const size_t every = std::min (train.images.size (),
      std::max<size_t> (2, static_cast<size_t> (1.0 / fraction + 0.5)));
  Dataset kept;
  kept.channels = validation.channels = train.channels;
  kept.description = train.description;
  validation.description = "validation split of " + train.description;
  for (size_t k = 0; k < train.images.size (); ++k) {
    Dataset &to = (k % every == every - 1) ? validation : kept;
    to.images.push_back (std::move (train.images[k]));
    to.names.push_back (std::move (train.names[k]));
  }
  train = std::move (kept);
}

}  // namespace pixelrnn
