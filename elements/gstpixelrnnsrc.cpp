/**
 * SECTION:element-pixelrnnsrc
 *
 * Generates frames by sampling a PixelRNN model pixel by pixel with the incremental engine.
 * Frame N uses seed + N. Caps: GRAY8 for 1-channel models, RGB for 3-channel ones.
 *
 * |[
 * gst-launch-1.0 pixelrnnsrc model=fashion-mnist num-buffers=16 ! videoconvert ! pngenc ! \
 *     multifilesink location=s%02d.png
 * ]|
 */
#include "gstpixelrnnsrc.h"

#include "callback_guard.h"
#include "element_model.h"
#include "frame_pixels.h"
#include "api/model_client.h"
#include "model_reloader.h"

#include <gst/video/gstvideopool.h>
#include <gst/video/video.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_pixelrnn_src_debug);
#define GST_CAT_DEFAULT gst_pixelrnn_src_debug

#define DEFAULT_MODEL "natural"
#define DEFAULT_WIDTH 32
#define DEFAULT_HEIGHT 32
#define DEFAULT_TEMPERATURE 1.0
#define DEFAULT_SEED 0
#define DEFAULT_MAX_PIXELS (512 * 512)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_TEMPERATURE,
  PROP_SEED,
  PROP_FRAMERATE,
  PROP_RELOAD,
  PROP_MAX_PIXELS,
};

struct SrcSettings {
  std::string model = DEFAULT_MODEL;
  gint width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT;
  gdouble temperature = DEFAULT_TEMPERATURE;
  guint64 seed = DEFAULT_SEED;
  gint fps_n = 30, fps_d = 1;
  gboolean reload = FALSE;
  guint max_pixels = DEFAULT_MAX_PIXELS;
};

struct GstPixelrnnSrcPrivate {
  SrcSettings settings;                         /* GST_OBJECT_LOCK */
  std::mutex client_lock;                       /* get_caps reads it from any thread */
  std::shared_ptr<pixelrnn::ModelClient> client;
  std::unique_ptr<pixelrnn::ModelReloader> reloader;   /* hot reload, as the filters do */

  /* streaming state */
  GstVideoInfo info;
  guint64 frames = 0;
};

struct _GstPixelrnnSrc {
  GstPushSrc parent;
  GstPixelrnnSrcPrivate *priv;                  /* made in init, deleted in finalize */
};

#define gst_pixelrnn_src_parent_class parent_class
G_DEFINE_TYPE (GstPixelrnnSrc, gst_pixelrnn_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE (pixelrnnsrc, "pixelrnnsrc", GST_RANK_NONE, GST_TYPE_PIXELRNN_SRC);

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("{ GRAY8, RGB }")));

static std::shared_ptr<pixelrnn::ModelClient>
get_client (GstPixelrnnSrc * self)
{
  std::lock_guard<std::mutex> lock (self->priv->client_lock);
  return self->priv->client;
}

static void
set_client (GstPixelrnnSrc * self, std::shared_ptr<pixelrnn::ModelClient> client)
{
  std::lock_guard<std::mutex> lock (self->priv->client_lock);
  self->priv->client = std::move (client);
}

static SrcSettings
current_settings (GstPixelrnnSrc * self)
{
  pixelrnn::ObjectLock lock (self);
  return self->priv->settings;
}

static void
gst_pixelrnn_src_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "set_property", 0, [&] {
    GstPixelrnnSrc *self = GST_PIXELRNN_SRC (object);
    std::string reload_model;
    {
    pixelrnn::ObjectLock lock (self);
    auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_MODEL: {
        const gchar *model = g_value_get_string (value);
        s.model = model && *model ? model : DEFAULT_MODEL;
        reload_model = s.model;
        break;
      }
      case PROP_RELOAD: s.reload = g_value_get_boolean (value); break;
      case PROP_WIDTH: s.width = g_value_get_int (value); break;
      case PROP_HEIGHT: s.height = g_value_get_int (value); break;
      case PROP_TEMPERATURE: s.temperature = g_value_get_double (value); break;
      case PROP_SEED: s.seed = g_value_get_uint64 (value); break;
      case PROP_MAX_PIXELS: s.max_pixels = g_value_get_uint (value); break;
      case PROP_FRAMERATE:
        s.fps_n = gst_value_get_fraction_numerator (value);
        s.fps_d = gst_value_get_fraction_denominator (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    }
    /* While running: the same model channels (the caps stay), loaded in the background. */
    auto client = get_client (self);
    if (!reload_model.empty () && client)
      self->priv->reloader->request (reload_model, client->channels ());
    return 0;
  });
}

static void
gst_pixelrnn_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "get_property", 0, [&] {
    GstPixelrnnSrc *self = GST_PIXELRNN_SRC (object);
    pixelrnn::ObjectLock lock (self);
    const auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_MODEL: g_value_set_string (value, s.model.c_str ()); break;
      case PROP_WIDTH: g_value_set_int (value, s.width); break;
      case PROP_HEIGHT: g_value_set_int (value, s.height); break;
      case PROP_TEMPERATURE: g_value_set_double (value, s.temperature); break;
      case PROP_SEED: g_value_set_uint64 (value, s.seed); break;
      case PROP_MAX_PIXELS: g_value_set_uint (value, s.max_pixels); break;
      case PROP_FRAMERATE: gst_value_set_fraction (value, s.fps_n, s.fps_d); break;
      case PROP_RELOAD: g_value_set_boolean (value, s.reload); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

static gboolean
gst_pixelrnn_src_start (GstBaseSrc * src)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (src);
  return pixelrnn::guarded (self, "start", FALSE, [&] () -> gboolean {
    std::shared_ptr<pixelrnn::ModelClient> client (
        pixelrnn::load_element_model (GST_ELEMENT (self), current_settings (self).model));
    if (!client)
      return FALSE;
    self->priv->reloader->watch (client->path ());
    set_client (self, std::move (client));
    self->priv->reloader->start ();
    self->priv->frames = 0;
    return TRUE;
  });
}

static gboolean
gst_pixelrnn_src_stop (GstBaseSrc * src)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (src);
  return pixelrnn::guarded (self, "stop", FALSE, [&] () -> gboolean {
    self->priv->reloader->stop ();
    set_client (self, nullptr);
    return TRUE;
  });
}

/* The one format, size and rate this source produces, once its model is known. */
static GstCaps *
gst_pixelrnn_src_get_caps (GstBaseSrc * src, GstCaps * filter)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (src);
  return pixelrnn::guarded_query (self, "get_caps", gst_caps_new_empty (), [&] {
    auto client = get_client (self);
    GstCaps *caps;
    if (!client) {
      caps = gst_pad_get_pad_template_caps (GST_BASE_SRC_PAD (src));
    } else {
      const auto s = current_settings (self);
      GstVideoInfo info;
      gst_video_info_set_format (&info, client->channels () == 1 ? GST_VIDEO_FORMAT_GRAY8 :
          GST_VIDEO_FORMAT_RGB, s.width, s.height);
      GST_VIDEO_INFO_FPS_N (&info) = s.fps_n;
      GST_VIDEO_INFO_FPS_D (&info) = s.fps_d;
      caps = gst_video_info_to_caps (&info);
    }
    if (filter) {
      GstCaps *tmp = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
      gst_caps_unref (caps);
      caps = tmp;
    }
    return caps;
  });
}

static gboolean
gst_pixelrnn_src_set_caps (GstBaseSrc * src, GstCaps * caps)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (src);
  return pixelrnn::guarded (self, "set_caps", FALSE, [&] () -> gboolean {
    if (!gst_video_info_from_caps (&self->priv->info, caps))
      return FALSE;
    /* Every value of a frame is one step of the model: refuse sizes that would take minutes
     * per frame up front, with the estimate, instead of running into hours and gigabytes. */
    const guint64 pixels = (guint64) GST_VIDEO_INFO_WIDTH (&self->priv->info) * GST_VIDEO_INFO_HEIGHT (&self->priv->info);
    const guint max_pixels = current_settings (self).max_pixels;
    auto client = get_client (self);
    if (client && max_pixels > 0 && pixels > max_pixels) {
      const double values = (double) pixels * client->channels ();
      const double seconds = client->estimated_seconds (values);
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("%dx%d frames are too large to generate: %" G_GUINT64_FORMAT " pixels, the limit is %u (max-pixels).",
              GST_VIDEO_INFO_WIDTH (&self->priv->info), GST_VIDEO_INFO_HEIGHT (&self->priv->info), pixels, max_pixels),
          ("Each of the %.0f values is a step of the model: about %.0f s per frame on one core. "
              "Raise max-pixels (0 = no limit) to generate it anyway.", values, seconds));
      return FALSE;
    }
    return TRUE;
  });
}

/* Downstream refusing the one format this model generates: name the model and the caps it
 * makes, instead of the bare not-negotiated GstBaseSrc would report. */
static gboolean
gst_pixelrnn_src_negotiate (GstBaseSrc * src)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (src);
  if (GST_BASE_SRC_CLASS (parent_class)->negotiate (src))
    return TRUE;
  return pixelrnn::guarded (self, "negotiate", FALSE, [&] () -> gboolean {
    auto client = get_client (self);
    if (!client)
      return FALSE;
    GstCaps *ours = gst_pixelrnn_src_get_caps (src, nullptr);
    gchar *text = gst_caps_to_string (ours);
    gst_caps_unref (ours);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("Model \"%s\" generates %s; downstream does not accept it.", client->path ().c_str (),
            text),
        ("A %d-channel model makes %s frames: put videoconvert after %s, or change the "
            "capsfilter, width, height or framerate.", client->channels (),
            client->channels () == 1 ? "GRAY8" : "RGB", GST_ELEMENT_NAME (self)));
    g_free (text);
    return FALSE;
  });
}

/* Buffers come from a video buffer pool sized for the negotiated caps (downstream's if it
 * offers one), with GstVideoMeta where downstream reads it, as videotestsrc does. */
static gboolean
gst_pixelrnn_src_decide_allocation (GstBaseSrc * bsrc, GstQuery * query)
{
  GstCaps *caps = NULL;
  gst_query_parse_allocation (query, &caps, NULL);
  GstVideoInfo info;
  if (!caps || !gst_video_info_from_caps (&info, caps))
    return FALSE;
  GstBufferPool *pool = NULL;
  guint size = GST_VIDEO_INFO_SIZE (&info), min = 0, max = 0;
  const gboolean update = gst_query_get_n_allocation_pools (query) > 0;
  if (update) {
    gst_query_parse_nth_allocation_pool (query, 0, &pool, &size, &min, &max);
    size = MAX (size, (guint) GST_VIDEO_INFO_SIZE (&info));
  }
  if (!pool)
    pool = gst_video_buffer_pool_new ();
  GstStructure *config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  if (gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL))
    gst_buffer_pool_config_add_option (config, GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_set_config (pool, config);
  if (update)
    gst_query_set_nth_allocation_pool (query, 0, pool, size, min, max);
  else
    gst_query_add_allocation_pool (query, pool, size, min, max);
  gst_object_unref (pool);
  return GST_BASE_SRC_CLASS (parent_class)->decide_allocation (bsrc, query);
}

/* Samples one frame from the model into `buffer`, a buffer of the negotiated pool. */
static GstFlowReturn
gst_pixelrnn_src_fill (GstPushSrc * src, GstBuffer * buffer)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (src);
  return pixelrnn::guarded (self, "fill", GST_FLOW_ERROR, [&] () -> GstFlowReturn {
    auto *priv = self->priv;
    const GstVideoInfo *info = &priv->info;
    const gint n = GST_VIDEO_INFO_FPS_N (info), d = GST_VIDEO_INFO_FPS_D (info);
    const GstClockTime pts = n > 0 ? gst_util_uint64_scale (priv->frames, d * GST_SECOND, n)
                                   : GST_CLOCK_TIME_NONE;
    if (GST_CLOCK_TIME_IS_VALID (pts))
      gst_object_sync_values (GST_OBJECT (self), pts);   /* temperature is controllable */
    const auto s = current_settings (self);
    if (auto fresh = priv->reloader->next_model (s.reload, s.model, get_client (self)->channels ()))
      set_client (self, fresh);
    auto client = get_client (self);
    const int W = GST_VIDEO_INFO_WIDTH (info), H = GST_VIDEO_INFO_HEIGHT (info);
    const int C = client->channels ();
    std::vector<guint8> pixels;
    try {
      pixels = client->generate (W, H, 1, s.temperature, s.seed + priv->frames);
    } catch (const std::exception &e) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Sampling frame %" G_GUINT64_FORMAT " failed.",
              priv->frames), ("%s", e.what ()));
      return GST_FLOW_ERROR;
    }
    GstVideoFrame frame;
    if (!gst_video_frame_map (&frame, info, buffer, GST_MAP_WRITE)) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Could not map the output buffer."), (NULL));
      return GST_FLOW_ERROR;
    }
    std::vector<guint8> all ((size_t) W * H, 1);
    pixelrnn::write_masked (&frame, 0, 0, W, H, C, pixels.data (), all.data ());
    gst_video_frame_unmap (&frame);
    if (n > 0) {
      GST_BUFFER_PTS (buffer) = pts;
      GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, d * GST_SECOND, n);
    }
    GST_BUFFER_OFFSET (buffer) = priv->frames;
    GST_BUFFER_OFFSET_END (buffer) = priv->frames + 1;
    priv->frames++;
    return GST_FLOW_OK;
  });
}

static void
gst_pixelrnn_src_finalize (GObject * object)
{
  GstPixelrnnSrc *self = GST_PIXELRNN_SRC (object);
  self->priv->reloader->stop ();
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_pixelrnn_src_class_init (GstPixelrnnSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *base_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *push_class = GST_PUSH_SRC_CLASS (klass);
  const GParamFlags ready = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
  const GParamFlags live = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING | GST_PARAM_CONTROLLABLE);

  gobject_class->set_property = gst_pixelrnn_src_set_property;
  gobject_class->get_property = gst_pixelrnn_src_get_property;
  gobject_class->finalize = gst_pixelrnn_src_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file or shipped short name; changeable while PLAYING to one of the same channels",
          DEFAULT_MODEL, (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
              GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_RELOAD,
      g_param_spec_boolean ("reload", "Reload",
          "Watch the model file (checked once a second) and reload it when it is replaced",
          FALSE, (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
              GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_MAX_PIXELS,
      g_param_spec_uint ("max-pixels", "Max pixels",
          "Largest frame generated; larger caps are refused (0 = no limit)",
          0, G_MAXUINT, DEFAULT_MAX_PIXELS, (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Width", "Width of the generated frames, pixels",
          1, 4096, DEFAULT_WIDTH, ready));
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Height", "Height of the generated frames, pixels",
          1, 4096, DEFAULT_HEIGHT, ready));
  g_object_class_install_property (gobject_class, PROP_TEMPERATURE,
      g_param_spec_double ("temperature", "Temperature",
          "Softmax temperature: 0 takes the most likely value, below 1 sharper, above 1 flatter",
          0.0, 10.0, DEFAULT_TEMPERATURE, live));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed", "Random seed; frame N is drawn with seed + N",
          0, G_MAXUINT64, DEFAULT_SEED, ready));
  g_object_class_install_property (gobject_class, PROP_FRAMERATE,
      gst_param_spec_fraction ("framerate", "Frame rate",
          "Frame rate written into the caps and timestamps (0/1: no timestamps)",
          0, 1, G_MAXINT, 1, 30, 1, ready));

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "PixelRNN source", "Source/Video",
      "Generates frames sampled pixel by pixel from a PixelRNN model", "gst-pixelrnn developers");

  base_class->start = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_start);
  base_class->stop = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_stop);
  base_class->get_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_get_caps);
  base_class->set_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_set_caps);
  base_class->negotiate = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_negotiate);
  push_class->fill = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_fill);
  base_class->decide_allocation = GST_DEBUG_FUNCPTR (gst_pixelrnn_src_decide_allocation);
  GST_DEBUG_CATEGORY_INIT (gst_pixelrnn_src_debug, "pixelrnnsrc", 0, "PixelRNN source");
}

static void
gst_pixelrnn_src_init (GstPixelrnnSrc * self)
{
  self->priv = new GstPixelrnnSrcPrivate ();
  self->priv->reloader = std::make_unique<pixelrnn::ModelReloader> (GST_ELEMENT (self));
  gst_video_info_init (&self->priv->info);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
}
