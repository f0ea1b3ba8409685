#include "api/model_client.h"

#include "generation/generation.h"
#include "inpainting/window_fill.h"
#include "generation/incremental_engine.h"
#include "generation/memory_reuse.h"
#include "network/likelihood.h"
#include "io/model_file.h"
#include "io/tensor_image.h"
#include "scoring/frame_plan_from_model.h"
#include "scoring/frame_scorer.h"

#include <cstring>
#include <omp.h>
#include <ATen/Parallel.h>
#include <torch/utils.h>

namespace pixelrnn {

struct ModelClient::Impl {
  /* Scoring and filling allocate the same shapes every frame: reuse them (see memory_reuse.h). */
  MemoryPool pool;
  LoadedModel model;
  std::unique_ptr<IncrementalEngine> engine;
  std::unique_ptr<FrameScorer> scorer;   // for models it supports, else null
  bool loaded = false;

  /* The engine that draws values; multi-scale models have none (they score only). */
  IncrementalEngine &drawing_engine ()
  {
    if (!engine)
      throw ModelClientError (model.path + " is a multi-scale model: it scores images; sampling "
          "and inpainting need a one-scale model");
    return *engine;
  }
};

ModelClient::ModelClient () : impl_ (std::make_unique<Impl> ()) {}
ModelClient::~ModelClient () = default;

void
ModelClient::load (const std::string &name_or_path)
{
  try {
    auto m = load_model (resolve_model (name_or_path));
    m.model->eval ();
    impl_->engine = m.config.multi_scale () ? nullptr : std::make_unique<IncrementalEngine> (m.model);
    impl_->scorer.reset ();
    if (frame_plan_unsupported (m.config).empty ()) {
      /* Row loops win for thin layers (natural-full: 3x LibTorch's convolutions at 640x480);
       * LibTorch's matrix products win for wide ones (natural: 3.5x the other way at 52x39),
       * and the two are level near 5,000 multiply-adds a pixel (bench-full-resolution). */
      auto scorer = std::make_unique<FrameScorer> (make_frame_plan (m.model));
      if (scorer->multiply_adds_per_pixel () <= 5000)
        impl_->scorer = std::move (scorer);
    }
    impl_->model = std::move (m);
    impl_->loaded = true;
  } catch (const std::exception &e) {
    impl_->loaded = false;
    throw ModelClientError (e.what ());
  }
}

bool ModelClient::loaded () const { return impl_->loaded; }
int ModelClient::channels () const { return impl_->model.config.channels; }
const std::string &ModelClient::path () const { return impl_->model.path; }

bool
ModelClient::has_conditioner () const
{
  return impl_->model.config.has_conditioner ();
}

bool
ModelClient::scores_every_pixel (int width, int height) const
{
  return impl_->scorer &&
      impl_->scorer->multiply_adds_per_pixel () * width * height <= kVideoRateMultiplyAdds;
}

std::string
ModelClient::summary () const
{
  return impl_->model.config.summary ();
}

double
ModelClient::estimated_seconds (double values) const
{
  return 2.0 * (double) impl_->model.model->parameter_count () * values / 5e9;
}

static torch::Tensor
packed_to_tensor (const uint8_t *pixels, int width, int height, int channels)
{
  // [H, W, C] packed -> [1, C, H, W]
  return torch::from_blob (const_cast<uint8_t *> (pixels), {height, width, channels}, torch::kUInt8)
      .permute ({2, 0, 1}).unsqueeze (0).contiguous ();
}

ScoreResult
ModelClient::score (const uint8_t *pixels, int width, int height, int tile)
{
  const bool whole = tile <= 0 || (tile >= width && tile >= height);
  if (whole && impl_->scorer) {
    ScoreResult r;
    auto &model = impl_->model.model;
    if (model->config.multi_scale ()) {
      /* The subsampled image's parts through LibTorch (1/F² of the pixels): the view of it that
       * the full-size network adds, and the coarse model's NLL, which replaces the full-size
       * network's at the subsampled pixels. */
      torch::NoGradGuard no_grad;
      MemoryReuseScope reuse (impl_->pool);
      const int64_t f = model->config.scale;
      auto x = packed_to_tensor (pixels, width, height, channels ());
      auto s = model->subsample (x).contiguous ();
      auto view = model->coarse_view (scale_input (s))[0].contiguous ();
      impl_->scorer->score (pixels, width, height, r.nll, true, view.data_ptr<float> (), (int) f);
      PixelModel coarse (model->coarse);
      auto coarse_nll = nll_map (coarse, s)[0].sum (0).contiguous ();
      auto ca = coarse_nll.accessor<float, 2> ();
      for (int64_t i = 0; i < ca.size (0); ++i)
        for (int64_t j = 0; j < ca.size (1); ++j)
          r.nll[(size_t) (i * f) * width + j * f] = ca[i][j];
    } else {
      impl_->scorer->score (pixels, width, height, r.nll);
    }
    double total = 0;
    for (auto &v : r.nll) {
      total += v;
      v = (float) (v / kLn2);
    }
    r.bits_per_dim = total / kLn2 / (double (width) * height * channels ());
    return r;
  }
  torch::NoGradGuard no_grad;
  MemoryReuseScope reuse (impl_->pool);
  auto &model = impl_->model.model;
  const int C = channels ();
  auto x = packed_to_tensor (pixels, width, height, C);
  torch::Tensor nll;                                     // [H, W] nats summed over channels
  if (whole) {
    nll = nll_map (model, x)[0].sum (0);
  } else {
    nll = torch::empty ({height, width});
    // Full tiles as one batch; the ragged right and bottom edges one by one.
    const int full_x = width / tile, full_y = height / tile;
    if (full_x > 0 && full_y > 0) {
      auto core = x.narrow (2, 0, full_y * tile).narrow (3, 0, full_x * tile);
      auto tiles = core.view ({C, full_y, tile, full_x, tile}).permute ({1, 3, 0, 2, 4})
                       .reshape ({full_y * full_x, C, tile, tile});
      auto t = nll_map (model, tiles).sum (1);           // [N, tile, tile]
      nll.narrow (0, 0, full_y * tile).narrow (1, 0, full_x * tile).copy_ (
          t.view ({full_y, full_x, tile, tile}).permute ({0, 2, 1, 3}).reshape (
              {full_y * tile, full_x * tile}));
    }
    for (int y = 0; y < height; y += tile)
      for (int x0 = 0; x0 < width; x0 += tile) {
        if (y / tile < full_y && x0 / tile < full_x)
          continue;
        const int h = std::min (tile, height - y), w = std::min (tile, width - x0);
        auto piece = x.narrow (2, y, h).narrow (3, x0, w).contiguous ();
        nll.narrow (0, y, h).narrow (1, x0, w).copy_ (nll_map (model, piece)[0].sum (0));
      }
  }
  nll = (nll / kLn2).contiguous ();
  ScoreResult r;
  r.bits_per_dim = nll.sum ().item<double> () / (double (width) * height * C);
  r.nll.assign (nll.data_ptr<float> (), nll.data_ptr<float> () + nll.numel ());
  return r;
}

void
ModelClient::fill (uint8_t *window, const uint8_t *mask, int width, int height,
    const FillSettings &s, std::vector<double> *scores, int *chosen)
{
  torch::NoGradGuard no_grad;
  MemoryReuseScope reuse (impl_->pool);
  const int C = channels ();
  auto x = packed_to_tensor (window, width, height, C);
  auto m = torch::from_blob (const_cast<uint8_t *> (mask), {height, width}, torch::kUInt8).ne (0);
  auto result = inpaint_window (impl_->model.model, impl_->drawing_engine (), x, m, s);
  if (scores)
    *scores = result.scores;
  if (chosen)
    *chosen = result.chosen;
  auto filled = result.filled;
  auto packed = filled[0].permute ({1, 2, 0}).contiguous ();
  std::memcpy (window, packed.data_ptr<uint8_t> (), (size_t) width * height * C);
}

std::vector<uint8_t>
ModelClient::generate (int width, int height, int count, double temperature, uint64_t seed)
{
  torch::NoGradGuard no_grad;
  MemoryReuseScope reuse (impl_->pool);
  auto blank = torch::zeros ({count, channels (), height, width}, torch::kUInt8);
  auto out = impl_->drawing_engine ().fill (blank, torch::ones ({height, width}, torch::kBool),
      {temperature, seed});
  auto packed = out.permute ({0, 2, 3, 1}).contiguous ();
  return std::vector<uint8_t> (packed.data_ptr<uint8_t> (), packed.data_ptr<uint8_t> () + packed.numel ());
}

ModelDescription
ModelClient::describe () const
{
  const auto &m = impl_->model;
  ModelDescription d;
  d.path = m.path;
  d.architecture = architecture_name (m.config.architecture);
  d.summary = m.config.summary ();
  d.config_json = m.config.to_json ();
  d.parameters = m.model->parameter_count ();
  d.data = m.provenance.data;
  d.date = m.provenance.date;
  d.command = m.provenance.command;
  d.steps = m.provenance.steps;
  d.validation_bits_per_dim = m.provenance.validation_bits_per_dim;
  d.validation_fill_rmse = m.provenance.validation_fill_rmse;
  d.train_seconds = m.provenance.train_seconds;
  return d;
}

void
ModelClient::for_each_weight (
    const std::function<void (const std::string &, const float *, size_t)> &visit) const
{
  for (const auto &p : impl_->model.model->named_parameters ()) {
    auto t = p.value ().detach ().to (torch::kFloat32).contiguous ();
    visit (p.key (), t.data_ptr<float> (), (size_t) t.numel ());
  }
}

std::vector<double>
ModelClient::bits_per_dim (const std::vector<Image> &images)
{
  if (images.empty ())
    return {};
  std::vector<torch::Tensor> items;
  for (const auto &image : images) {
    if (image.width != images[0].width || image.height != images[0].height ||
        image.channels != channels ())
      throw ModelClientError ("bits_per_dim: images of one size with the model's " +
          std::to_string (channels ()) + " channel(s) expected");
    items.push_back (image_to_tensor (image));
  }
  torch::NoGradGuard no_grad;
  auto result = pixelrnn::bits_per_dim (impl_->model.model, torch::stack (items)).to (torch::kFloat64);
  return std::vector<double> (result.data_ptr<double> (), result.data_ptr<double> () + result.numel ());
}

Image
ModelClient::inpaint (const Image &image, const std::vector<uint8_t> &mask, int context,
    const FillSettings &settings)
{
  if (image.channels != channels ())
    throw ModelClientError ("the model has " + std::to_string (channels ()) + " channel(s), the image " +
        std::to_string (image.channels));
  if (mask.size () != (size_t) image.width * image.height)
    throw ModelClientError ("the mask is not the image's size");
  impl_->drawing_engine ();
  torch::NoGradGuard no_grad;
  auto m = torch::from_blob (const_cast<uint8_t *> (mask.data ()), {image.height, image.width},
      torch::kUInt8).ne (0);
  return tensor_to_image (pixelrnn::inpaint (impl_->model.model, image_to_tensor (image), m, context, settings));
}

unsigned
model_file_format ()
{
  return kFormatVersion;
}

std::string
convert_model_file (const std::string &from, const std::string &to)
{
  try {
    auto loaded = load_model (from, LegacyArchive::Allow);
    save_model (to, loaded.model, loaded.provenance);
    return loaded.config.summary ();
  } catch (const std::exception &e) {
    throw ModelClientError (e.what ());
  }
}

std::string
resolve_model_path (const std::string &name_or_path)
{
  try {
    return resolve_model (name_or_path);
  } catch (const std::exception &e) {
    throw ModelClientError (e.what ());
  }
}

void
set_process_compute_threads (int threads)
{
  if (threads > 0)
    torch::set_num_threads (threads);
}

void
set_thread_compute_threads (int threads)
{
  // First let LibTorch set this thread up (it does so once per thread, on first use, and
  // would otherwise overwrite the count set here).
  (void) at::get_num_threads ();
  const int wanted = threads > 0 ? threads : omp_get_num_procs ();
  if (omp_get_max_threads () != wanted)
    omp_set_num_threads (wanted);
}

}  // namespace pixelrnn
