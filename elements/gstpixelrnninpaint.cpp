/**
 * SECTION:element-pixelrnninpaint
 *
 * Fills the pixels of a mask in every frame with values drawn from a PixelRNN model. The mask
 * is the union of every source given: `rect` rectangles, the `mask` PNG, alpha 0 in RGBA/BGRA
 * input, and upstream GstVideoRegionOfInterestMeta of type `roi-type`. Only masked pixels are
 * written (their alpha becomes opaque); every other byte of the frame is left as it was.
 *
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     pixelrnninpaint rect="<100,80,32,32>" ! videoconvert ! jpegenc ! avimux ! \
 *     filesink location=out.avi
 * ]|
 */
/* One file for the element, as GStreamer's elements are (over 500 lines: its mask sources and
 * properties); hole windows, fills and the temporal source live in models/api and
 * temporal_source. */

#include "gstpixelrnninpaint.h"

#include "callback_guard.h"
#include "frame_pixels.h"
#include "api/hole_windows.h"
#include "api/image.h"
#include "api/model_client.h"
#include "temporal_source.h"

#include <gst/video/gstvideometa.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_pixelrnn_inpaint_debug);
#define GST_CAT_DEFAULT gst_pixelrnn_inpaint_debug

#define DEFAULT_CONTEXT 16
#define DEFAULT_MODE GST_PIXELRNN_MODE_AUTO
#define DEFAULT_TEMPERATURE 1.0
#define DEFAULT_SEED 0
#define DEFAULT_CANDIDATES 8
#define DEFAULT_TEMPORAL FALSE
#define DEFAULT_TOLERANCE 2.0
#define DEFAULT_HISTORY 0
#define DEFAULT_MASK_SCALE FALSE
#define DEFAULT_MAX_PIXELS (512 * 512)   /* as pixelrnnsrc: one frame's work stays in minutes */

enum {
  PROP_0,
  PROP_RECT,
  PROP_MASK,
  PROP_MASK_SCALE,
  PROP_ROI_TYPE,
  PROP_CONTEXT,
  PROP_MODE,
  PROP_TEMPERATURE,
  PROP_SEED,
  PROP_CANDIDATES,
  PROP_TEMPORAL,
  PROP_TOLERANCE,
  PROP_HISTORY,
  PROP_MAX_PIXELS,
};

/* A filled window kept for temporal reuse. */
struct CachedFill {
  pixelrnn::Rect window;
  std::vector<guint8> known;     /* the window's pixels outside the hole when it was filled */
  std::vector<guint8> filled;    /* the whole window after filling */
  std::vector<guint8> mask;
};

/* What the properties hold; the streaming thread copies it at the start of each frame. The
 * mask PNG is decoded by the setter before it takes the lock. */
struct InpaintSettings {
  std::vector<pixelrnn::Rect> rects;
  std::string rect_error;                             /* why the last rect value was refused */
  guint rect_generation = 0;                          /* bumped by every rect change */
  std::string mask_location;
  std::shared_ptr<const pixelrnn::Image> mask_image;  /* NULL if unset or unreadable */
  std::string mask_error;                             /* why it could not be read */
  gboolean mask_scale = DEFAULT_MASK_SCALE;
  std::string roi_type;
  gint context = DEFAULT_CONTEXT;
  GstPixelrnnMode mode = DEFAULT_MODE;
  gdouble temperature = DEFAULT_TEMPERATURE;
  guint64 seed = DEFAULT_SEED;
  gint candidates = DEFAULT_CANDIDATES;
  gboolean temporal = DEFAULT_TEMPORAL;
  gdouble tolerance = DEFAULT_TOLERANCE;
  gint history = DEFAULT_HISTORY;
  guint max_pixels = DEFAULT_MAX_PIXELS;
};

struct GstPixelrnnInpaintPrivate {
  InpaintSettings settings;                     /* GST_OBJECT_LOCK */

  /* streaming state */
  guint64 frames = 0;
  std::vector<CachedFill> cache;
  std::unique_ptr<pixelrnn::TemporalSource> history;   /* while history > 0 */
  guint warned_generation = G_MAXUINT;          /* rects already warned about */
};

struct _GstPixelrnnInpaint {
  GstPixelrnnFilter parent;
  GstPixelrnnInpaintPrivate *priv;              /* made in init, deleted in finalize */
};

#define gst_pixelrnn_inpaint_parent_class parent_class
G_DEFINE_TYPE (GstPixelrnnInpaint, gst_pixelrnn_inpaint, GST_TYPE_PIXELRNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (pixelrnninpaint, "pixelrnninpaint", GST_RANK_NONE,
    GST_TYPE_PIXELRNN_INPAINT);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS)));

/* "<x,y,w,h>" or "<<x,y,w,h>,<x,y,w,h>,...>" */
static bool
rects_from_value (const GValue * value, std::vector<pixelrnn::Rect> &out, std::string &error)
{
  out.clear ();
  if (!GST_VALUE_HOLDS_ARRAY (value) || gst_value_array_get_size (value) == 0)
    return true;
  const GValue *first = gst_value_array_get_value (value, 0);
  if (!G_VALUE_HOLDS_INT (first) && !GST_VALUE_HOLDS_ARRAY (first)) {
    error = "rectangle values must be integers";
    return false;
  }
  auto one = [&] (const GValue *v) {
    if (!GST_VALUE_HOLDS_ARRAY (v) || gst_value_array_get_size (v) != 4) {
      error = "each rectangle is <x,y,width,height>";
      return false;
    }
    int n[4];
    for (int i = 0; i < 4; ++i) {
      const GValue *e = gst_value_array_get_value (v, i);
      if (!G_VALUE_HOLDS_INT (e)) {
        error = "rectangle values must be integers";
        return false;
      }
      n[i] = g_value_get_int (e);
    }
    if (n[2] <= 0 || n[3] <= 0 || n[0] < 0 || n[1] < 0) {
      error = "a rectangle needs x, y >= 0 and a positive width and height, not <" +
          std::to_string (n[0]) + "," + std::to_string (n[1]) + "," + std::to_string (n[2]) +
          "," + std::to_string (n[3]) + ">";
      return false;
    }
    out.push_back ({n[0], n[1], n[2], n[3]});
    return true;
  };
  if (G_VALUE_HOLDS_INT (gst_value_array_get_value (value, 0)))
    return one (value);
  for (guint i = 0; i < gst_value_array_get_size (value); ++i)
    if (!one (gst_value_array_get_value (value, i)))
      return false;
  return true;
}

static void
rects_to_value (const std::vector<pixelrnn::Rect> &rects, GValue * value)
{
  for (const auto &r : rects) {
    GValue rect = G_VALUE_INIT, n = G_VALUE_INIT;
    gst_value_array_init (&rect, 4);
    g_value_init (&n, G_TYPE_INT);
    for (int v : {r.x, r.y, r.w, r.h}) {
      g_value_set_int (&n, v);
      gst_value_array_append_value (&rect, &n);
    }
    gst_value_array_append_and_take_value (value, &rect);
    g_value_unset (&n);
  }
}

/* The mask file's pixels, or why they cannot be used. Slow (decodes a PNG): never under
 * the object lock. */
static std::shared_ptr<const pixelrnn::Image>
read_mask (const std::string &location, std::string &error)
{
  error.clear ();
  if (location.empty ())
    return nullptr;
  try {
    return std::make_shared<const pixelrnn::Image> (pixelrnn::read_png (location, 1));
  } catch (const std::exception &e) {
    error = e.what ();
    return nullptr;
  }
}

static void
gst_pixelrnn_inpaint_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "set_property", 0, [&] {
    GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (object);
    if (prop_id == PROP_RECT) {
      std::vector<pixelrnn::Rect> rects;
      std::string error;
      const bool ok = rects_from_value (value, rects, error);
      pixelrnn::ObjectLock lock (self);
      auto &s = self->priv->settings;
      s.rect_error = ok ? "" : error;
      if (ok)
        s.rects = std::move (rects);
      ++s.rect_generation;
      return 0;
    }
    if (prop_id == PROP_MASK) {
      const gchar *location = g_value_get_string (value);
      std::string error, path = location ? location : "";
      auto image = read_mask (path, error);
      pixelrnn::ObjectLock lock (self);
      auto &s = self->priv->settings;
      s.mask_location = path;
      s.mask_image = std::move (image);
      s.mask_error = error;
      return 0;
    }
    pixelrnn::ObjectLock lock (self);
    auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_MASK_SCALE: s.mask_scale = g_value_get_boolean (value); break;
      case PROP_ROI_TYPE: {
        const gchar *type = g_value_get_string (value);
        s.roi_type = type ? type : "";
        break;
      }
      case PROP_CONTEXT: s.context = g_value_get_int (value); break;
      case PROP_MODE: s.mode = (GstPixelrnnMode) g_value_get_enum (value); break;
      case PROP_TEMPERATURE: s.temperature = g_value_get_double (value); break;
      case PROP_SEED: s.seed = g_value_get_uint64 (value); break;
      case PROP_CANDIDATES: s.candidates = g_value_get_int (value); break;
      case PROP_TEMPORAL: s.temporal = g_value_get_boolean (value); break;
      case PROP_TOLERANCE: s.tolerance = g_value_get_double (value); break;
      case PROP_HISTORY: s.history = g_value_get_int (value); break;
      case PROP_MAX_PIXELS: s.max_pixels = g_value_get_uint (value); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

static void
gst_pixelrnn_inpaint_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "get_property", 0, [&] {
    GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (object);
    pixelrnn::ObjectLock lock (self);
    const auto &s = self->priv->settings;
    auto string_or_null = [] (const std::string &v) { return v.empty () ? NULL : v.c_str (); };
    switch (prop_id) {
      case PROP_RECT: rects_to_value (s.rects, value); break;
      case PROP_MASK: g_value_set_string (value, string_or_null (s.mask_location)); break;
      case PROP_MASK_SCALE: g_value_set_boolean (value, s.mask_scale); break;
      case PROP_ROI_TYPE: g_value_set_string (value, string_or_null (s.roi_type)); break;
      case PROP_CONTEXT: g_value_set_int (value, s.context); break;
      case PROP_MODE: g_value_set_enum (value, s.mode); break;
      case PROP_TEMPERATURE: g_value_set_double (value, s.temperature); break;
      case PROP_SEED: g_value_set_uint64 (value, s.seed); break;
      case PROP_CANDIDATES: g_value_set_int (value, s.candidates); break;
      case PROP_TEMPORAL: g_value_set_boolean (value, s.temporal); break;
      case PROP_TOLERANCE: g_value_set_double (value, s.tolerance); break;
      case PROP_HISTORY: g_value_set_int (value, s.history); break;
      case PROP_MAX_PIXELS: g_value_set_uint (value, s.max_pixels); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

static InpaintSettings
current_settings (GstPixelrnnInpaint * self)
{
  pixelrnn::ObjectLock lock (self);
  return self->priv->settings;
}

static gboolean
gst_pixelrnn_inpaint_start (GstPixelrnnFilter * filter)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (filter);
  self->priv->cache.clear ();
  self->priv->history.reset ();
  self->priv->frames = 0;
  self->priv->warned_generation = G_MAXUINT;
  return TRUE;
}

static void
gst_pixelrnn_inpaint_stop (GstPixelrnnFilter * filter)
{
  GST_PIXELRNN_INPAINT (filter)->priv->cache.clear ();
  GST_PIXELRNN_INPAINT (filter)->priv->history.reset ();
}

static gboolean
gst_pixelrnn_inpaint_set_info (GstPixelrnnFilter * filter, const GstVideoInfo * info)
{
  (void) info;
  GST_PIXELRNN_INPAINT (filter)->priv->cache.clear ();
  return TRUE;
}

/* The union of every mask source for this frame; false (error posted) if a setting cannot
 * be used: a malformed rect, an unreadable mask file, a mask of the wrong size. */
static bool
build_mask (GstPixelrnnInpaint * self, const InpaintSettings & s, GstVideoFrame * frame,
    std::vector<guint8> &mask)
{
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  mask.assign ((size_t) W * H, 0);
  if (!s.rect_error.empty ()) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Invalid rect: %s.", s.rect_error.c_str ()),
        ("expected <x,y,width,height> or <<x,y,w,h>,<x,y,w,h>,...> with x, y >= 0 and "
            "width, height > 0"));
    return false;
  }
  bool outside = false;
  for (const auto &r : s.rects)
    outside |= !pixelrnn::mark_rect (mask, W, H, r);
  if (outside && self->priv->warned_generation != s.rect_generation) {
    self->priv->warned_generation = s.rect_generation;
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("A rect lies wholly outside the %dx%d frame; nothing is filled for it.", W, H), (NULL));
  }
  if (!s.mask_error.empty ()) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not read the mask \"%s\".", s.mask_location.c_str ()), ("%s", s.mask_error.c_str ()));
    return false;
  }
  if (s.mask_image) {
    const auto &m = *s.mask_image;
    const std::vector<guint8> *bytes = &m.pixels;
    std::vector<guint8> scaled;
    if (m.width != W || m.height != H) {
      if (!s.mask_scale) {
        GST_ELEMENT_ERROR (self, STREAM, FORMAT,
            ("Mask \"%s\" is %dx%d but the frames are %dx%d.", s.mask_location.c_str (), m.width,
                m.height, W, H), ("Give a mask of the frame's size, or set mask-scale=true."));
        return false;
      }
      scaled = pixelrnn::scale_mask (m.pixels, m.width, m.height, W, H);
      bytes = &scaled;
    }
    for (size_t k = 0; k < mask.size (); ++k)
      mask[k] |= (*bytes)[k] != 0;
  }
  if (!s.roi_type.empty ()) {
    gpointer state = NULL;
    GstMeta *meta;
    const GQuark wanted = g_quark_from_string (s.roi_type.c_str ());
    while ((meta = gst_buffer_iterate_meta_filtered (frame->buffer, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
      auto *roi = (GstVideoRegionOfInterestMeta *) meta;
      if (roi->roi_type != wanted)
        continue;
      /* Clamp before narrowing: region meta is guint, our rectangle int. */
      const pixelrnn::Rect r{(int) MIN (roi->x, (guint) G_MAXINT), (int) MIN (roi->y, (guint) G_MAXINT),
          (int) MIN (roi->w, (guint) G_MAXINT), (int) MIN (roi->h, (guint) G_MAXINT)};
      pixelrnn::mark_rect (mask, W, H, r);
    }
  }
  std::vector<guint8> alpha;
  if (pixelrnn::alpha_holes (frame, alpha))
    for (size_t k = 0; k < mask.size (); ++k)
      mask[k] |= alpha[k];
  return true;
}

static double
mean_abs_difference (const std::vector<guint8> &a, const std::vector<guint8> &b)
{
  double total = 0;
  for (size_t k = 0; k < a.size (); ++k)
    total += std::abs ((int) a[k] - (int) b[k]);
  return a.empty () ? 0.0 : total / a.size ();
}

/* A window's pixels (packed, model channel order) and its part of the frame's mask. */
static void
read_window (GstVideoFrame * frame, const std::vector<guint8> &mask, const pixelrnn::Rect & win,
    int C, std::vector<guint8> &pixels, std::vector<guint8> &hole)
{
  const int W = GST_VIDEO_FRAME_WIDTH (frame);
  pixels.resize ((size_t) win.w * win.h * C);
  hole.resize ((size_t) win.w * win.h);
  pixelrnn::read_region (frame, win.x, win.y, win.w, win.h, C, pixels.data ());
  for (int y = 0; y < win.h; ++y)
    std::copy_n (mask.begin () + (size_t) (win.y + y) * W + win.x, win.w, hole.begin () + (size_t) y * win.w);
}

/* The last fill of the same window with the same hole, or NULL. */
static const CachedFill *
find_cached_fill (const std::vector<CachedFill> &cache, const pixelrnn::Rect & win,
    const std::vector<guint8> &hole)
{
  for (const auto &c : cache)
    if (c.window.x == win.x && c.window.y == win.y && c.window.w == win.w &&
        c.window.h == win.h && c.mask == hole)
      return &c;
  return nullptr;
}

static pixelrnn::FillMode
fill_mode (GstPixelrnnMode mode)
{
  switch (mode) {
    case GST_PIXELRNN_MODE_GREEDY: return pixelrnn::FillMode::Greedy;
    case GST_PIXELRNN_MODE_BEST_OF: return pixelrnn::FillMode::BestOf;
    case GST_PIXELRNN_MODE_MEAN: return pixelrnn::FillMode::Mean;
    case GST_PIXELRNN_MODE_DIRECT: return pixelrnn::FillMode::Direct;
    case GST_PIXELRNN_MODE_AUTO: return pixelrnn::FillMode::Auto;
    case GST_PIXELRNN_MODE_SAMPLE: break;
  }
  return pixelrnn::FillMode::Sample;
}

/* Rows below the hole matter to a model with a conditioner and to best-of's rescoring. */
static int
rows_below (const InpaintSettings & s, const pixelrnn::ModelClient & client)
{
  return pixelrnn::fill_rows_below (fill_mode (s.mode), client.has_conditioner (), s.context);
}

/* Time as a source: the hole pixels earlier frames saw are written into the frame and
 * dropped from `mask`, so the model fills only the rest. The frame is remembered with the
 * mask it arrived with. */
static void
take_from_history (GstPixelrnnInpaint * self, GstVideoFrame * frame, std::vector<guint8> &mask,
    int W, int H, int C, int frames)
{
  auto *priv = self->priv;
  if (!priv->history || priv->history->capacity () != frames) {
    pixelrnn::TemporalSourceSettings ts;
    ts.frames = frames;
    priv->history = std::make_unique<pixelrnn::TemporalSource> (ts);
  }
  std::vector<guint8> pixels ((size_t) W * H * C);
  pixelrnn::read_region (frame, 0, 0, W, H, C, pixels.data ());
  const std::vector<guint8> arrived_mask = mask;
  const auto taken = priv->history->fill (pixels.data (), mask, W, H, C);
  if (taken > 0) {
    std::vector<guint8> written (mask.size ());
    for (size_t k = 0; k < mask.size (); ++k)
      written[k] = arrived_mask[k] && !mask[k];
    pixelrnn::write_masked (frame, 0, 0, W, H, C, pixels.data (), written.data ());
  }
  GST_LOG_OBJECT (self, "%" G_GINT64_FORMAT " hole pixels taken from %zu earlier frames", (gint64) taken,
      priv->history->remembered ());
  priv->history->remember (pixels.data (), arrived_mask, W, H, C);
}

/* The value-by-value modes cost a step of the model per hole value: a hole of millions of
 * pixels would run for hours. Refused up front with the estimate and the property to raise;
 * direct (one pass of the conditioner) has no such limit. */
static bool
within_size_limit (GstPixelrnnInpaint * self, const InpaintSettings & s,
    const pixelrnn::ModelClient & client, const std::vector<guint8> &mask, int W, int H)
{
  const auto mode = pixelrnn::resolve_fill_mode (fill_mode (s.mode), client.has_conditioner ());
  if (s.max_pixels == 0 || mode == pixelrnn::FillMode::Direct)
    return true;
  const guint64 holes = (guint64) std::count_if (mask.begin (), mask.end (), [] (guint8 m) { return m != 0; });
  const guint64 work = holes * (mode == pixelrnn::FillMode::BestOf ? (guint64) MAX (s.candidates, 1) : 1);
  if (work <= s.max_pixels)
    return true;
  const double values = (double) work * client.channels ();
  GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
      ("A hole of %" G_GUINT64_FORMAT " pixels in a %dx%d frame is too large for mode=%s: the limit is %u "
          "(max-pixels).", holes, W, H, pixelrnn::fill_mode_name (mode), s.max_pixels),
      ("Each of the %.0f values is a step of the model: about %.0f s per frame on one core. Use "
          "mode=direct with a model that has a conditioner, smaller holes, or raise max-pixels "
          "(0 = no limit).", values, client.estimated_seconds (values)));
  return false;
}

static GstFlowReturn
gst_pixelrnn_inpaint_transform_frame (GstPixelrnnFilter * filter, GstVideoFrame * frame)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (filter);
  auto *priv = self->priv;
  const guint64 n = priv->frames++;
  const InpaintSettings s = current_settings (self);
  std::vector<guint8> mask;
  if (!build_mask (self, s, frame, mask))
    return GST_FLOW_ERROR;

  const int context = MAX (s.context, 0);
  pixelrnn::FillSettings settings;
  settings.mode = fill_mode (s.mode);
  settings.temperature = s.temperature;
  settings.candidates = MAX (s.candidates, 1);
  /* Temporal: one seed for every frame, so a static scene gets the same fill. */
  settings.seed = s.temporal ? s.seed : s.seed + n;

  auto client = gst_pixelrnn_filter_get_client (filter);
  if (settings.mode == pixelrnn::FillMode::Direct && !client->has_conditioner ()) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("mode=direct needs a model with an inpainting conditioner; %s has none (use mode=auto, "
            "or train one with pixelrnn train --init MODEL --conditioner N).", client->path ().c_str ()),
        (NULL));
    return GST_FLOW_ERROR;
  }
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  const int C = client->channels ();
  if (s.history > 0)
    take_from_history (self, frame, mask, W, H, C, s.history);
  else
    priv->history.reset ();
  if (!within_size_limit (self, s, *client, mask, W, H))
    return GST_FLOW_ERROR;
  std::vector<CachedFill> next;
  for (const auto &box : pixelrnn::hole_boxes (mask, W, H, context)) {
    const auto win = pixelrnn::fill_window (box, W, H, context, rows_below (s, *client));
    std::vector<guint8> pixels, hole;
    read_window (frame, mask, win, C, pixels, hole);
    std::vector<guint8> known;
    for (size_t k = 0; k < hole.size (); ++k)
      if (!hole[k])
        known.insert (known.end (), pixels.begin () + k * C, pixels.begin () + (k + 1) * C);

    bool reused = false;
    if (s.temporal) {
      const CachedFill *c = find_cached_fill (priv->cache, win, hole);
      if (c && c->known.size () == known.size () && mean_abs_difference (c->known, known) <= s.tolerance) {
        pixels = c->filled;
        reused = true;
      }
    }
    if (!reused) {
      try {
        client->fill (pixels.data (), hole.data (), win.w, win.h, settings);
      } catch (const std::exception &e) {
        GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Inpainting frame %" G_GUINT64_FORMAT " failed.", n),
            ("%s", e.what ()));
        return GST_FLOW_ERROR;
      }
    }
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": window %dx%d at %d,%d %s", n, win.w,
        win.h, win.x, win.y, reused ? "reused" : "filled");
    pixelrnn::write_masked (frame, win.x, win.y, win.w, win.h, C, pixels.data (), hole.data ());
    /* Kept for temporal reuse, and for late frames (QoS) that skip the model. */
    next.push_back ({win, std::move (known), std::move (pixels), std::move (hole)});
  }
  priv->cache.swap (next);
  return GST_FLOW_OK;
}

/* A frame too late for the model: the hole is never shown. Each window gets the last fill of
 * the same window and hole if there is one, else the mean of its known pixels. */
static GstFlowReturn
gst_pixelrnn_inpaint_transform_late_frame (GstPixelrnnFilter * filter, GstVideoFrame * frame)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (filter);
  auto *priv = self->priv;
  priv->frames++;
  const InpaintSettings s = current_settings (self);
  std::vector<guint8> mask;
  if (!build_mask (self, s, frame, mask))
    return GST_FLOW_ERROR;
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  auto client = gst_pixelrnn_filter_get_client (filter);
  const int C = client->channels ();
  const int context = MAX (s.context, 0);
  for (const auto &box : pixelrnn::hole_boxes (mask, W, H, context)) {
    /* The same window the model would have filled, so that best-of's fills are found too. */
    const auto win = pixelrnn::fill_window (box, W, H, context, rows_below (s, *client));
    std::vector<guint8> pixels, hole;
    read_window (frame, mask, win, C, pixels, hole);
    const CachedFill *last = find_cached_fill (priv->cache, win, hole);
    if (last) {
      pixels = last->filled;
    } else {
      double sum[4] = {0, 0, 0, 0};
      size_t n = 0;
      for (size_t k = 0; k < hole.size (); ++k)
        if (!hole[k]) {
          for (int c = 0; c < C; ++c)
            sum[c] += pixels[k * C + c];
          ++n;
        }
      for (size_t k = 0; k < hole.size (); ++k)
        if (hole[k])
          for (int c = 0; c < C; ++c)
            pixels[k * C + c] = n ? (guint8) std::lround (sum[c] / n) : 128;
    }
    GST_LOG_OBJECT (self, "late frame: window %dx%d at %d,%d %s", win.w, win.h, win.x, win.y,
        last ? "reuses the last fill" : "gets a flat fill");
    pixelrnn::write_masked (frame, win.x, win.y, win.w, win.h, C, pixels.data (), hole.data ());
  }
  return GST_FLOW_OK;
}

static void
gst_pixelrnn_inpaint_finalize (GObject * object)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (object);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_pixelrnn_inpaint_class_init (GstPixelrnnInpaintClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstPixelrnnFilterClass *filter_class = GST_PIXELRNN_FILTER_CLASS (klass);
  /* natural (v3) fills better but takes ~70 ms for a 16x16 hole; natural-fast ~38 ms. */
  filter_class->default_model = "natural-fast";
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const GParamFlags live = (GParamFlags) (rw | GST_PARAM_MUTABLE_PLAYING);
  const GParamFlags controllable = (GParamFlags) (live | GST_PARAM_CONTROLLABLE);

  gobject_class->set_property = gst_pixelrnn_inpaint_set_property;
  gobject_class->get_property = gst_pixelrnn_inpaint_get_property;
  gobject_class->finalize = gst_pixelrnn_inpaint_finalize;

  g_object_class_install_property (gobject_class, PROP_RECT,
      gst_param_spec_array ("rect", "Rectangles",
          "Rectangles to fill, in pixels: <x,y,width,height> or <<x,y,w,h>,<x,y,w,h>,...>",
          NULL, live));
  g_object_class_install_property (gobject_class, PROP_MASK,
      g_param_spec_string ("mask", "Mask",
          "PNG whose non-zero pixels are filled; the frame's size unless mask-scale=true", NULL, live));
  g_object_class_install_property (gobject_class, PROP_MASK_SCALE,
      g_param_spec_boolean ("mask-scale", "Scale mask",
          "Stretch a mask of another size over the frame (nearest neighbour)",
          DEFAULT_MASK_SCALE, live));
  g_object_class_install_property (gobject_class, PROP_ROI_TYPE,
      g_param_spec_string ("roi-type", "ROI type",
          "Also fill upstream's region-of-interest metas of this type (NULL = none)", NULL, live));
  g_object_class_install_property (gobject_class, PROP_CONTEXT,
      g_param_spec_int ("context", "Context",
          "Pixels of known context the model sees on each side of a hole", 0, 1024, DEFAULT_CONTEXT, live));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "How each value of the hole is chosen",
          GST_TYPE_PIXELRNN_MODE, DEFAULT_MODE, live));
  g_object_class_install_property (gobject_class, PROP_TEMPERATURE,
      g_param_spec_double ("temperature", "Temperature",
          "Softmax temperature for sample and best-of: below 1 sharper, above 1 flatter",
          0.01, 10.0, DEFAULT_TEMPERATURE, controllable));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Random seed; frame N uses seed + N unless temporal=true", 0, G_MAXUINT64,
          DEFAULT_SEED, live));
  g_object_class_install_property (gobject_class, PROP_CANDIDATES,
      g_param_spec_int ("candidates", "Candidates",
          "Fills drawn per hole in best-of mode",
          1, 256, DEFAULT_CANDIDATES, live));
  g_object_class_install_property (gobject_class, PROP_TEMPORAL,
      g_param_spec_boolean ("temporal", "Temporal stability",
          "Reuse the last fill while the known pixels stay within 'tolerance'", DEFAULT_TEMPORAL, live));
  g_object_class_install_property (gobject_class, PROP_TOLERANCE,
      g_param_spec_double ("tolerance", "Tolerance",
          "Mean absolute change (0-255 levels) of the known pixels up to which a fill is reused",
          0.0, 255.0, DEFAULT_TOLERANCE, live));
  g_object_class_install_property (gobject_class, PROP_HISTORY,
      g_param_spec_int ("history", "History",
          "Earlier frames whose view of the hole is copied before the model fills (0 = off)",
          0, 64, DEFAULT_HISTORY, live));
  g_object_class_install_property (gobject_class, PROP_MAX_PIXELS,
      g_param_spec_uint ("max-pixels", "Max pixels",
          "Largest hole area per frame filled value by value (sample, greedy, mean; best-of: "
          "times candidates); larger is refused (0 = no limit)", 0, G_MAXUINT, DEFAULT_MAX_PIXELS, live));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "PixelRNN inpainting",
      "Filter/Effect/Video",
      "Fills masked regions of frames with a PixelRNN model, leaving other pixels untouched",
      "gst-pixelrnn developers");

  filter_class->start = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_start);
  filter_class->stop = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_stop);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_set_info);
  filter_class->transform_frame = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_transform_frame);
  filter_class->transform_late_frame = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_transform_late_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_PIXELRNN_MODE, (GstPluginAPIFlags) 0);
  GST_DEBUG_CATEGORY_INIT (gst_pixelrnn_inpaint_debug, "pixelrnninpaint", 0,
      "PixelRNN inpainting");
}

static void
gst_pixelrnn_inpaint_init (GstPixelrnnInpaint * self)
{
  self->priv = new GstPixelrnnInpaintPrivate ();
  /* Frames are written in place: never passthrough. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
