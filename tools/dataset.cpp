#include "dataset.h"

#include "gst_decode.h"
#include "io/idx_dataset.h"
#include "io/tensor_image.h"

#include <algorithm>
#include <glib.h>
#include <random>
#include <stdexcept>
#include <torch/nn/functional/pooling.h>

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

torch::Tensor
downscale (const torch::Tensor &chw, int factor)
{
  if (factor <= 1)
    return chw;
  auto f = torch::nn::functional::avg_pool2d (chw.unsqueeze (0).to (torch::kFloat32),
      torch::nn::functional::AvgPool2dFuncOptions (factor));
  return f.squeeze (0).round ().clamp (0, 255).to (torch::kUInt8);
}

std::string
size_of (const torch::Tensor &t)
{
  return std::to_string (t.size (2)) + "x" + std::to_string (t.size (1));
}

}  // namespace

bool
Dataset::same_size () const
{
  for (const auto &t : images)
    if (t.sizes () != images[0].sizes ())
      return false;
  return true;
}

torch::Tensor
Dataset::stacked () const
{
  for (size_t k = 1; k < images.size (); ++k)
    if (images[k].sizes () != images[0].sizes ())
      throw std::runtime_error ("images of mixed sizes: " + names[0] + " is " + size_of (images[0]) +
          ", " + names[k] + " is " + size_of (images[k]) + " (pass --patch N to train on crops)");
  return torch::stack (images);
}

Dataset
load_dataset (const std::vector<std::string> &sources, const DatasetOptions &options)
{
  Dataset ds;
  if (sources.empty ())
    throw std::runtime_error ("no data given (--data PATH)");
  for (const auto &source : sources) {
    if (is_idx (source)) {
      if (options.channels == 3)
        throw std::runtime_error (source + ": IDX images are gray, but 3 channels were asked for");
      auto idx = idx_to_tensor (read_idx_images (source, options.max_images));
      for (int64_t k = 0; k < idx.size (0); ++k) {
        ds.images.push_back (downscale (idx[k], options.downscale));
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
        auto full = image_to_tensor (frames[k]);
        for (int factor : factors) {
          ds.images.push_back (downscale (full, factor));
          ds.names.push_back ((frames.size () > 1 ? file + "#" + std::to_string (k) : file) +
              (factors.size () > 1 ? "@1/" + std::to_string (factor) : ""));
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
    to.images.push_back (train.images[k]);
    to.names.push_back (train.names[k]);
  }
  train = std::move (kept);
}

torch::Tensor
fixed_patches (const std::vector<torch::Tensor> &images, int64_t count, int64_t patch, uint64_t seed)
{
  std::mt19937_64 rng (seed);
  std::vector<torch::Tensor> out;
  for (int64_t k = 0; k < count; ++k) {
    const auto &img = images[k % images.size ()];
    const int64_t H = img.size (1), W = img.size (2);
    if (H < patch || W < patch)
      throw std::runtime_error ("an image of " + std::to_string (W) + "x" + std::to_string (H) +
          " is smaller than the patch size " + std::to_string (patch));
    int64_t y = static_cast<int64_t> (rng () % (H - patch + 1));
    int64_t x = static_cast<int64_t> (rng () % (W - patch + 1));
    out.push_back (img.narrow (1, y, patch).narrow (2, x, patch));
  }
  return torch::stack (out);
}

}  // namespace pixelrnn
