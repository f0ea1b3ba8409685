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
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstpixelrnninpaint.h"

#include "frame_pixels.h"
#include "hole_regions.h"
#include "image.h"
#include "element_model.h"
#include "model_client.h"

#include <gst/video/gstvideometa.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_pixelrnn_inpaint_debug);
#define GST_CAT_DEFAULT gst_pixelrnn_inpaint_debug

#define DEFAULT_MODEL "natural"
#define DEFAULT_CONTEXT 16
#define DEFAULT_MODE GST_PIXELRNN_MODE_GREEDY
#define DEFAULT_TEMPERATURE 1.0
#define DEFAULT_SEED 0
#define DEFAULT_CANDIDATES 8
#define DEFAULT_TEMPORAL FALSE
#define DEFAULT_TOLERANCE 2.0
#define DEFAULT_MASK_SCALE FALSE

enum {
  PROP_0,
  PROP_MODEL,
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
};

/* A filled window kept for temporal reuse. */
struct CachedFill {
  pixelrnn::Rect window;
  std::vector<guint8> known;     /* the window's pixels outside the hole when it was filled */
  std::vector<guint8> filled;    /* the whole window after filling */
  std::vector<guint8> mask;
};

struct _GstPixelrnnInpaint {
  GstVideoFilter parent;

  /* properties (GST_OBJECT_LOCK) */
  gchar *model;
  std::vector<pixelrnn::Rect> *rects;
  gchar *mask_location;
  pixelrnn::Image *mask_image;   /* loaded when "mask" is set; NULL if unset or unreadable */
  gchar *mask_error;             /* why it could not be read */
  gboolean mask_scale;
  gchar *roi_type;
  gint context;
  GstPixelrnnMode mode;
  gdouble temperature;
  guint64 seed;
  gint candidates;
  gboolean temporal;
  gdouble tolerance;

  /* streaming state */
  pixelrnn::ModelClient *client;
  guint64 frames;
  std::vector<CachedFill> *cache;
};

#define gst_pixelrnn_inpaint_parent_class parent_class
G_DEFINE_TYPE (GstPixelrnnInpaint, gst_pixelrnn_inpaint, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (pixelrnninpaint, "pixelrnninpaint", GST_RANK_NONE,
    GST_TYPE_PIXELRNN_INPAINT);

#define GST_TYPE_PIXELRNN_MODE (gst_pixelrnn_mode_get_type ())
static GType
gst_pixelrnn_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_PIXELRNN_MODE_SAMPLE, "Draw each value from the model at 'temperature'", "sample"},
    {GST_PIXELRNN_MODE_GREEDY, "Take the most likely value at each step", "greedy"},
    {GST_PIXELRNN_MODE_BEST_OF,
        "Draw 'candidates' fills as one batch; keep the one under which the hole and the known "
        "pixels right of and below it are most likely", "best-of"},
    {0, NULL, NULL}
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstPixelrnnMode", values));
  return type;
}

/* "<x,y,w,h>" or "<<x,y,w,h>,<x,y,w,h>,...>" */
static bool
rects_from_value (const GValue * value, std::vector<pixelrnn::Rect> &out, std::string &error)
{
  out.clear ();
  if (!GST_VALUE_HOLDS_ARRAY (value) || gst_value_array_get_size (value) == 0)
    return true;
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
      error = "a rectangle needs x, y >= 0 and a positive width and height";
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

static void
load_mask (GstPixelrnnInpaint * self)
{
  delete self->mask_image;
  self->mask_image = NULL;
  g_clear_pointer (&self->mask_error, g_free);
  if (!self->mask_location || !*self->mask_location)
    return;
  try {
    self->mask_image = new pixelrnn::Image (pixelrnn::read_png (self->mask_location, 1));
  } catch (const std::exception &e) {
    self->mask_error = g_strdup (e.what ());
  }
}

static void
gst_pixelrnn_inpaint_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      break;
    case PROP_RECT: {
      std::vector<pixelrnn::Rect> rects;
      std::string error;
      if (rects_from_value (value, rects, error))
        *self->rects = rects;
      else
        g_warning ("pixelrnninpaint: ignoring rect: %s", error.c_str ());
      break;
    }
    case PROP_MASK:
      g_free (self->mask_location);
      self->mask_location = g_value_dup_string (value);
      load_mask (self);
      break;
    case PROP_MASK_SCALE: self->mask_scale = g_value_get_boolean (value); break;
    case PROP_ROI_TYPE:
      g_free (self->roi_type);
      self->roi_type = g_value_dup_string (value);
      break;
    case PROP_CONTEXT: self->context = g_value_get_int (value); break;
    case PROP_MODE: self->mode = (GstPixelrnnMode) g_value_get_enum (value); break;
    case PROP_TEMPERATURE: self->temperature = g_value_get_double (value); break;
    case PROP_SEED: self->seed = g_value_get_uint64 (value); break;
    case PROP_CANDIDATES: self->candidates = g_value_get_int (value); break;
    case PROP_TEMPORAL: self->temporal = g_value_get_boolean (value); break;
    case PROP_TOLERANCE: self->tolerance = g_value_get_double (value); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_pixelrnn_inpaint_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL: g_value_set_string (value, self->model); break;
    case PROP_RECT: rects_to_value (*self->rects, value); break;
    case PROP_MASK: g_value_set_string (value, self->mask_location); break;
    case PROP_MASK_SCALE: g_value_set_boolean (value, self->mask_scale); break;
    case PROP_ROI_TYPE: g_value_set_string (value, self->roi_type); break;
    case PROP_CONTEXT: g_value_set_int (value, self->context); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    case PROP_TEMPERATURE: g_value_set_double (value, self->temperature); break;
    case PROP_SEED: g_value_set_uint64 (value, self->seed); break;
    case PROP_CANDIDATES: g_value_set_int (value, self->candidates); break;
    case PROP_TEMPORAL: g_value_set_boolean (value, self->temporal); break;
    case PROP_TOLERANCE: g_value_set_double (value, self->tolerance); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static gboolean
gst_pixelrnn_inpaint_start (GstBaseTransform * trans)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (trans);
  GST_OBJECT_LOCK (self);
  std::string model = self->model ? self->model : DEFAULT_MODEL;
  GST_OBJECT_UNLOCK (self);
  auto *client = pixelrnn::load_element_model (GST_ELEMENT (self), model);
  if (!client)
    return FALSE;
  self->client = client;
  self->cache = new std::vector<CachedFill> ();
  self->frames = 0;
  return TRUE;
}

static gboolean
gst_pixelrnn_inpaint_stop (GstBaseTransform * trans)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (trans);
  delete self->client;
  self->client = NULL;
  delete self->cache;
  self->cache = NULL;
  return TRUE;
}

static GstCaps *
gst_pixelrnn_inpaint_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  (void) direction;
  return pixelrnn::model_transform_caps (GST_PIXELRNN_INPAINT (trans)->client, caps, filter);
}

static gboolean
gst_pixelrnn_inpaint_accept_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (trans);
  if (GST_BASE_TRANSFORM_CLASS (parent_class)->accept_caps (trans, direction, caps))
    return TRUE;
  pixelrnn::report_unfit_caps (GST_ELEMENT (self), self->client, caps);
  return FALSE;
}

static gboolean
gst_pixelrnn_inpaint_set_info (GstVideoFilter * filter, GstCaps * incaps, GstVideoInfo * in_info,
    GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (filter);
  (void) in_info;
  (void) outcaps;
  (void) out_info;
  if (pixelrnn::report_unfit_caps (GST_ELEMENT (self), self->client, incaps))
    return FALSE;
  self->cache->clear ();
  return TRUE;
}

/* The union of every mask source for this frame; false (error posted) if the mask file
 * cannot be used. */
static bool
build_mask (GstPixelrnnInpaint * self, GstVideoFrame * frame, std::vector<guint8> &mask)
{
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  mask.assign ((size_t) W * H, 0);
  GST_OBJECT_LOCK (self);
  for (const auto &r : *self->rects)
    pixelrnn::mark_rect (mask, W, H, r);
  std::string mask_error = self->mask_error ? self->mask_error : "";
  std::string mask_location = self->mask_location ? self->mask_location : "";
  std::string roi_type = self->roi_type ? self->roi_type : "";
  if (self->mask_image) {
    const auto &m = *self->mask_image;
    std::vector<guint8> bytes (m.pixels);
    if (m.width != W || m.height != H) {
      if (!self->mask_scale) {
        GST_OBJECT_UNLOCK (self);
        GST_ELEMENT_ERROR (self, STREAM, FORMAT,
            ("Mask \"%s\" is %dx%d but the frames are %dx%d.", mask_location.c_str (), m.width,
                m.height, W, H), ("Give a mask of the frame's size, or set mask-scale=true."));
        return false;
      }
      bytes = pixelrnn::scale_mask (bytes, m.width, m.height, W, H);
    }
    for (size_t k = 0; k < mask.size (); ++k)
      mask[k] |= bytes[k] != 0;
  }
  GST_OBJECT_UNLOCK (self);
  if (!mask_error.empty ()) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not read the mask \"%s\".", mask_location.c_str ()), ("%s", mask_error.c_str ()));
    return false;
  }
  if (!roi_type.empty ()) {
    gpointer state = NULL;
    GstMeta *meta;
    const GQuark wanted = g_quark_from_string (roi_type.c_str ());
    while ((meta = gst_buffer_iterate_meta_filtered (frame->buffer, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
      auto *roi = (GstVideoRegionOfInterestMeta *) meta;
      if (roi->roi_type == wanted)
        pixelrnn::mark_rect (mask, W, H, {(int) roi->x, (int) roi->y, (int) roi->w, (int) roi->h});
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

static GstFlowReturn
gst_pixelrnn_inpaint_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (filter);
  const guint64 n = self->frames++;
  std::vector<guint8> mask;
  if (!build_mask (self, frame, mask))
    return GST_FLOW_ERROR;

  GST_OBJECT_LOCK (self);
  const int context = MAX (self->context, 0);
  const gboolean temporal = self->temporal;
  const double tolerance = self->tolerance;
  pixelrnn::FillSettings settings;
  settings.mode = self->mode == GST_PIXELRNN_MODE_GREEDY ? pixelrnn::FillMode::Greedy :
      self->mode == GST_PIXELRNN_MODE_BEST_OF ? pixelrnn::FillMode::BestOf : pixelrnn::FillMode::Sample;
  settings.temperature = self->temperature;
  settings.candidates = MAX (self->candidates, 1);
  /* Temporal: one seed for every frame, so a static scene gets the same fill. */
  settings.seed = temporal ? self->seed : self->seed + n;
  GST_OBJECT_UNLOCK (self);

  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  const int C = self->client->channels ();
  /* Rows below the hole only matter to best-of's rescoring. */
  const int below = settings.mode == pixelrnn::FillMode::BestOf ? context : 0;
  std::vector<CachedFill> next;
  for (const auto &box : pixelrnn::hole_boxes (mask, W, H, context)) {
    const auto win = pixelrnn::fill_window (box, W, H, context, below);
    std::vector<guint8> pixels ((size_t) win.w * win.h * C), hole ((size_t) win.w * win.h);
    pixelrnn::read_region (frame, win.x, win.y, win.w, win.h, C, pixels.data ());
    for (int y = 0; y < win.h; ++y)
      std::copy_n (mask.begin () + (size_t) (win.y + y) * W + win.x, win.w, hole.begin () + (size_t) y * win.w);
    std::vector<guint8> known;
    for (size_t k = 0; k < hole.size (); ++k)
      if (!hole[k])
        known.insert (known.end (), pixels.begin () + k * C, pixels.begin () + (k + 1) * C);

    bool reused = false;
    if (temporal) {
      for (const auto &c : *self->cache)
        if (c.window.x == win.x && c.window.y == win.y && c.window.w == win.w &&
            c.window.h == win.h && c.mask == hole && c.known.size () == known.size () &&
            mean_abs_difference (c.known, known) <= tolerance) {
          pixels = c.filled;
          reused = true;
          break;
        }
    }
    if (!reused) {
      try {
        self->client->fill (pixels.data (), hole.data (), win.w, win.h, settings);
      } catch (const std::exception &e) {
        GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Inpainting frame %" G_GUINT64_FORMAT " failed.", n),
            ("%s", e.what ()));
        return GST_FLOW_ERROR;
      }
    }
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": window %dx%d at %d,%d %s", n, win.w,
        win.h, win.x, win.y, reused ? "reused" : "filled");
    pixelrnn::write_masked (frame, win.x, win.y, win.w, win.h, C, pixels.data (), hole.data ());
    if (temporal)
      next.push_back ({win, std::move (known), std::move (pixels), std::move (hole)});
  }
  if (temporal)
    self->cache->swap (next);
  return GST_FLOW_OK;
}

static void
gst_pixelrnn_inpaint_finalize (GObject * object)
{
  GstPixelrnnInpaint *self = GST_PIXELRNN_INPAINT (object);
  g_free (self->model);
  g_free (self->mask_location);
  g_free (self->mask_error);
  g_free (self->roi_type);
  delete self->mask_image;
  delete self->rects;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_pixelrnn_inpaint_class_init (GstPixelrnnInpaintClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const GParamFlags ready = (GParamFlags) (rw | GST_PARAM_MUTABLE_READY);
  const GParamFlags live = (GParamFlags) (rw | GST_PARAM_MUTABLE_PLAYING);
  const GParamFlags controllable = (GParamFlags) (live | GST_PARAM_CONTROLLABLE);

  gobject_class->set_property = gst_pixelrnn_inpaint_set_property;
  gobject_class->get_property = gst_pixelrnn_inpaint_get_property;
  gobject_class->finalize = gst_pixelrnn_inpaint_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "PixelRNN model file, or the short name of a shipped model (natural, fashion-mnist)",
          DEFAULT_MODEL, ready));
  g_object_class_install_property (gobject_class, PROP_RECT,
      gst_param_spec_array ("rect", "Rectangles",
          "Rectangles to fill, in pixels: <x,y,width,height> or <<x,y,w,h>,<x,y,w,h>,...>",
          NULL, live));
  g_object_class_install_property (gobject_class, PROP_MASK,
      g_param_spec_string ("mask", "Mask",
          "PNG whose non-zero pixels are filled; read again whenever this is set. Its size must "
          "be the frame's unless mask-scale=true", NULL, live));
  g_object_class_install_property (gobject_class, PROP_MASK_SCALE,
      g_param_spec_boolean ("mask-scale", "Scale mask",
          "Stretch a mask of another size over the frame (nearest neighbour)",
          DEFAULT_MASK_SCALE, live));
  g_object_class_install_property (gobject_class, PROP_ROI_TYPE,
      g_param_spec_string ("roi-type", "ROI type",
          "Also fill the GstVideoRegionOfInterestMeta of this type that upstream attached "
          "(NULL = ignore region meta)", NULL, live));
  g_object_class_install_property (gobject_class, PROP_CONTEXT,
      g_param_spec_int ("context", "Context",
          "Pixels of known context the model sees on each side of a hole (left, right, above; "
          "and below for best-of's rescoring)", 0, 1024, DEFAULT_CONTEXT, live));
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
      g_param_spec_int ("candidates", "Candidates", "Fills drawn per hole in best-of mode",
          1, 256, DEFAULT_CANDIDATES, live));
  g_object_class_install_property (gobject_class, PROP_TEMPORAL,
      g_param_spec_boolean ("temporal", "Temporal stability",
          "Reuse the previous frame's fill while the window's known pixels stay within "
          "'tolerance'; otherwise sample with the same seed every frame", DEFAULT_TEMPORAL, live));
  g_object_class_install_property (gobject_class, PROP_TOLERANCE,
      g_param_spec_double ("tolerance", "Tolerance",
          "Mean absolute change (0-255 levels) of the known pixels up to which a fill is reused",
          0.0, 255.0, DEFAULT_TOLERANCE, live));

  GstCaps *caps = gst_caps_from_string (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);
  gst_element_class_set_static_metadata (element_class, "PixelRNN inpainting",
      "Filter/Effect/Video",
      "Fills masked regions of frames with a PixelRNN model, leaving other pixels untouched",
      "gst-pixelrnn developers");

  trans_class->start = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_transform_caps);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_accept_caps);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_set_info);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR (gst_pixelrnn_inpaint_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_PIXELRNN_MODE, (GstPluginAPIFlags) 0);
  GST_DEBUG_CATEGORY_INIT (gst_pixelrnn_inpaint_debug, "pixelrnninpaint", 0,
      "PixelRNN inpainting");
}

static void
gst_pixelrnn_inpaint_init (GstPixelrnnInpaint * self)
{
  self->model = g_strdup (DEFAULT_MODEL);
  self->rects = new std::vector<pixelrnn::Rect> ();
  self->mask_scale = DEFAULT_MASK_SCALE;
  self->context = DEFAULT_CONTEXT;
  self->mode = DEFAULT_MODE;
  self->temperature = DEFAULT_TEMPERATURE;
  self->seed = DEFAULT_SEED;
  self->candidates = DEFAULT_CANDIDATES;
  self->temporal = DEFAULT_TEMPORAL;
  self->tolerance = DEFAULT_TOLERANCE;
  /* Frames are written in place: never passthrough. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}
