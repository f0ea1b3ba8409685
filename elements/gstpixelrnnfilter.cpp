/* GstPixelrnnFilter: the model filters' base class (pixelrnnlikelihood, pixelrnninpaint).
 * Over 500 lines for a reason: it is every GstBaseTransform callback the two share (model
 * loading and hot reload, caps, QoS, latency, controlled properties, start/stop), kept in one
 * file as GStreamer's own base classes are; the parts that are not GStreamer glue live in
 * element_model, model_reloader, frame_pixels and callback_guard. */
#include "gstpixelrnnfilter.h"

#include "callback_guard.h"
#include "element_model.h"
#include "frame_pixels.h"
#include "api/model_client.h"
#include "model_reloader.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <string>

GST_DEBUG_CATEGORY_STATIC (gst_pixelrnn_filter_debug);
#define GST_CAT_DEFAULT gst_pixelrnn_filter_debug

#define DEFAULT_MODEL "natural"

#define DEFAULT_THREADS 0
#define MAX_THREADS 256
#define DEFAULT_SKIP_LATE TRUE

enum {
  PROP_0,
  PROP_MODEL,
  PROP_THREADS,
  PROP_LATENCY,
  PROP_THROUGHPUT,
  PROP_SKIP_LATE,
  PROP_LATE_FRAMES,
  PROP_RELOAD,
};

struct FilterState {
  std::string model;                              /* GST_OBJECT_LOCK; empty: the default */
  std::string size_default;                       /* GST_OBJECT_LOCK; the default for the
                                                   * negotiated size, empty: the class's */
  gint threads = DEFAULT_THREADS;                 /* GST_OBJECT_LOCK */
  std::mutex client_lock;                         /* caps queries read it from any thread */
  std::shared_ptr<pixelrnn::ModelClient> client;

  /* Processing figures, GST_OBJECT_LOCK: moving averages over about ten frames. */
  double latency_ms = 0.0;                        /* time in transform_frame */
  double interval_ms = 0.0;                       /* time between finished frames */
  gint64 last_done_us = 0;
  GstClockTime reported_latency = 0;              /* what the last LATENCY answer added */

  /* QoS, GST_OBJECT_LOCK */
  gboolean skip_late = DEFAULT_SKIP_LATE;
  GstClockTime earliest = GST_CLOCK_TIME_NONE;    /* running time downstream can still use */
  guint64 late_frames = 0;

  gboolean offer_refused = FALSE;                 /* GST_OBJECT_LOCK; said once per start */

  /* Hot reload: `model` set in PLAYING, or the file replaced with reload=true. */
  gboolean reload = FALSE;                        /* GST_OBJECT_LOCK */
  std::unique_ptr<pixelrnn::ModelReloader> reloader;
};

/* The C++ state lives behind one pointer made in init and deleted in finalize, as
 * GstD3D12BaseFilter does: GLib's private storage is zeroed memory, not constructed. */
typedef struct {
  FilterState *state;
} GstPixelrnnFilterPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstPixelrnnFilter, gst_pixelrnn_filter, GST_TYPE_VIDEO_FILTER);
#define parent_class gst_pixelrnn_filter_parent_class

static FilterState *
get_priv (GstPixelrnnFilter * self)
{
  return ((GstPixelrnnFilterPrivate *) gst_pixelrnn_filter_get_instance_private (self))->state;
}

std::shared_ptr<pixelrnn::ModelClient>
gst_pixelrnn_filter_get_client (GstPixelrnnFilter * filter)
{
  auto *priv = get_priv (filter);
  std::lock_guard<std::mutex> lock (priv->client_lock);
  return priv->client;
}

static void
set_client (GstPixelrnnFilter * self, std::shared_ptr<pixelrnn::ModelClient> client)
{
  auto *priv = get_priv (self);
  std::lock_guard<std::mutex> lock (priv->client_lock);
  priv->client = std::move (client);
}

/* Loads `name` (posting the element error when it cannot), watches its file for hot reloads
 * and puts it in use. */
static gboolean
use_model (GstPixelrnnFilter * self, const std::string & name)
{
  std::shared_ptr<pixelrnn::ModelClient> client (pixelrnn::load_element_model (GST_ELEMENT (self), name));
  if (!client)
    return FALSE;
  get_priv (self)->reloader->watch (client->path ());
  set_client (self, std::move (client));
  return TRUE;
}

static const char *
class_default_model (GstPixelrnnFilter * self)
{
  const gchar *name = GST_PIXELRNN_FILTER_GET_CLASS (self)->default_model;
  return name ? name : DEFAULT_MODEL;
}

/* Call with GST_OBJECT_LOCK held. */
static const char *
default_model (GstPixelrnnFilter * self)
{
  const auto &for_size = get_priv (self)->size_default;
  return for_size.empty () ? class_default_model (self) : for_size.c_str ();
}

/* With "model" unset, the subclass may want another model for frames of this size
 * (pixelrnnlikelihood: every pixel from 640x480 to 1280x720): load it now, before the first frame,
 * as a hot reload would swap it in. FALSE (error posted) when it cannot be loaded. */
static gboolean
follow_default_for_size (GstPixelrnnFilter * self, int width, int height)
{
  auto *klass = GST_PIXELRNN_FILTER_GET_CLASS (self);
  if (!klass->default_model_for_size)
    return TRUE;
  const gchar *wanted = klass->default_model_for_size (self, width, height);
  std::string name;
  {
    pixelrnn::ObjectLock lock (self);
    auto *priv = get_priv (self);
    if (!priv->model.empty ())
      return TRUE;                    /* the user's model, whatever the size */
    name = wanted ? wanted : class_default_model (self);
    if (name == default_model (self))
      return TRUE;
  }
  if (!use_model (self, name))
    return FALSE;
  GST_INFO_OBJECT (self, "%dx%d frames: default model %s", width, height, name.c_str ());
  {
    pixelrnn::ObjectLock lock (self);
    get_priv (self)->size_default = name;
  }
  if (klass->model_swapped)
    klass->model_swapped (self);
  return TRUE;
}

/* Asks the reloader for the `model` property's current model, with the channels of the one in
 * use (the negotiated caps fit those). No-op outside start()..stop(). */
static void
request_model (GstPixelrnnFilter * self)
{
  auto client = gst_pixelrnn_filter_get_client (self);
  if (!client)
    return;
  std::string name;
  {
    pixelrnn::ObjectLock lock (self);
    name = get_priv (self)->model.empty () ? default_model (self) : get_priv (self)->model;
  }
  get_priv (self)->reloader->request (name, client->channels ());
}

/* At a frame boundary, on the streaming thread: swap in a model the reloader finished (or
 * asked for again because reload=true and the file changed). */
static void
swap_in_reloaded_model (GstPixelrnnFilter * self)
{
  auto *priv = get_priv (self);
  auto client = gst_pixelrnn_filter_get_client (self);
  bool reload;
  std::string name;
  {
    pixelrnn::ObjectLock lock (self);
    reload = priv->reload;
    name = priv->model.empty () ? default_model (self) : priv->model;
  }
  auto fresh = priv->reloader->next_model (reload, name, client ? client->channels () : 0);
  if (!fresh)
    return;
  set_client (self, fresh);
  auto *klass = GST_PIXELRNN_FILTER_GET_CLASS (self);
  if (klass->model_swapped)
    klass->model_swapped (self);
}

static void
gst_pixelrnn_filter_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "set_property", 0, [&] {
    auto *self = GST_PIXELRNN_FILTER (object);
    bool reload = false;
    {
    pixelrnn::ObjectLock lock (self);
    auto *priv = get_priv (self);
    switch (prop_id) {
      case PROP_MODEL: {
        const gchar *name = g_value_get_string (value);
        priv->model = name ? name : "";
        reload = true;
        break;
      }
      case PROP_RELOAD: priv->reload = g_value_get_boolean (value); break;
      case PROP_THREADS: priv->threads = g_value_get_int (value); break;
      case PROP_SKIP_LATE: priv->skip_late = g_value_get_boolean (value); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    }
    /* A new model while running: loaded off this thread, swapped in at a frame boundary
     * (nothing happens before start(), which loads the model itself). */
    if (reload)
      request_model (self);
    return 0;
  });
}

static void
gst_pixelrnn_filter_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "get_property", 0, [&] {
    auto *self = GST_PIXELRNN_FILTER (object);
    pixelrnn::ObjectLock lock (self);
    auto *priv = get_priv (self);
    switch (prop_id) {
      case PROP_MODEL:
        g_value_set_string (value, priv->model.empty () ? default_model (self) : priv->model.c_str ());
        break;
      case PROP_THREADS: g_value_set_int (value, priv->threads); break;
      case PROP_LATENCY: g_value_set_double (value, priv->latency_ms); break;
      case PROP_THROUGHPUT:
        g_value_set_double (value, priv->interval_ms > 0 ? 1000.0 / priv->interval_ms : 0.0);
        break;
      case PROP_SKIP_LATE: g_value_set_boolean (value, priv->skip_late); break;
      case PROP_RELOAD: g_value_set_boolean (value, priv->reload); break;
      case PROP_LATE_FRAMES: g_value_set_uint64 (value, priv->late_frames); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

void
gst_pixelrnn_filter_get_figures (GstPixelrnnFilter * filter, double *latency_ms,
    double *throughput)
{
  pixelrnn::ObjectLock lock (filter);
  auto *priv = get_priv (filter);
  *latency_ms = priv->latency_ms;
  *throughput = priv->interval_ms > 0 ? 1000.0 / priv->interval_ms : 0.0;
}

/* Upstream asking which caps we take: answered as GstBaseTransform does. When the answer is
 * empty only because of the model (upstream forced to a format this model cannot read),
 * negotiation is certain to fail: say so once, naming the model, before the source's bare
 * not-negotiated (which a caps event never follows, so the caps probe cannot see it). */
static gboolean
gst_pixelrnn_filter_sink_caps_query (GstPixelrnnFilter * self, GstQuery * query)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  if (!GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, GST_PAD_SINK, query))
    return FALSE;
  pixelrnn::guarded_query (self, "caps query", 0, [&] {
    auto client = gst_pixelrnn_filter_get_client (self);
    if (client && client->loaded ())
      pixelrnn::report_refused_offer (GST_ELEMENT (self), query, client->channels (), client->path (),
          &get_priv (self)->offer_refused);
    return 0;
  });
  return TRUE;
}

/* The element's processing time joins upstream's latency, so that live pipelines (v4l2src,
 * rtspsrc) schedule its frames late enough to keep sync. */
static gboolean
gst_pixelrnn_filter_query (GstBaseTransform * trans, GstPadDirection direction, GstQuery * query)
{
  auto *self = GST_PIXELRNN_FILTER (trans);
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS && direction == GST_PAD_SINK)
    return gst_pixelrnn_filter_sink_caps_query (self, query);
  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY || direction != GST_PAD_SRC)
    return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query);
  return pixelrnn::guarded_query (self, "query", FALSE, [&] () -> gboolean {
    if (!GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query))
      return FALSE;
    gboolean live;
    GstClockTime min, max;
    gst_query_parse_latency (query, &live, &min, &max);
    GstClockTime ours;
    {
      pixelrnn::ObjectLock lock (self);
      auto *priv = get_priv (self);
      ours = (GstClockTime) (priv->latency_ms * GST_MSECOND);
      priv->reported_latency = ours;
    }
    GST_DEBUG_OBJECT (self, "adding %" GST_TIME_FORMAT " of processing latency", GST_TIME_ARGS (ours));
    gst_query_set_latency (query, live, min + ours,
        GST_CLOCK_TIME_IS_VALID (max) ? max + ours : GST_CLOCK_TIME_NONE);
    return TRUE;
  });
}

/* Downstream's QoS events say how late it is; frames that would arrive later than that skip
 * the model (GstBaseTransform's own QoS would drop them, leaving a hole unfilled). */
static gboolean
gst_pixelrnn_filter_src_event (GstBaseTransform * trans, GstEvent * event)
{
  auto *self = GST_PIXELRNN_FILTER (trans);
  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    GstQOSType type;
    gdouble proportion;
    GstClockTimeDiff diff;
    GstClockTime timestamp;
    gst_event_parse_qos (event, &type, &proportion, &diff, &timestamp);
    pixelrnn::ObjectLock lock (self);
    auto *priv = get_priv (self);
    if (GST_CLOCK_TIME_IS_VALID (timestamp))
      priv->earliest = diff > 0 ? timestamp + diff : timestamp;
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    pixelrnn::ObjectLock lock (self);
    get_priv (self)->earliest = GST_CLOCK_TIME_NONE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* Whether this frame, by the last QoS event, would reach downstream too late to be used. */
static bool
frame_is_late (GstPixelrnnFilter * self, GstBuffer * buffer)
{
  const GstClockTime running = gst_segment_to_running_time (&GST_BASE_TRANSFORM (self)->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
  pixelrnn::ObjectLock lock (self);
  auto *priv = get_priv (self);
  if (!priv->skip_late || !GST_CLOCK_TIME_IS_VALID (running) ||
      !GST_CLOCK_TIME_IS_VALID (priv->earliest))
    return false;
  if (running + (GstClockTime) (priv->latency_ms * GST_MSECOND) > priv->earliest)
    return false;
  priv->late_frames++;
  return true;
}

/* Moving averages of the processing time and the interval between frames; a latency message
 * when the processing time drifted from what the last LATENCY answer said. */
static void
record_frame_time (GstPixelrnnFilter * self, gint64 start_us, gint64 end_us)
{
  bool tell = false;
  {
    pixelrnn::ObjectLock lock (self);
    auto *priv = get_priv (self);
    const double ms = (end_us - start_us) / 1000.0;
    priv->latency_ms = priv->latency_ms > 0 ? 0.9 * priv->latency_ms + 0.1 * ms : ms;
    if (priv->last_done_us > 0) {
      const double gap = (end_us - priv->last_done_us) / 1000.0;
      priv->interval_ms = priv->interval_ms > 0 ? 0.9 * priv->interval_ms + 0.1 * gap : gap;
    }
    priv->last_done_us = end_us;
    const double reported = priv->reported_latency / (double) GST_MSECOND;
    tell = std::fabs (priv->latency_ms - reported) > 0.25 * std::max (reported, 1.0);
    if (tell)
      priv->reported_latency = (GstClockTime) (priv->latency_ms * GST_MSECOND);
  }
  if (tell)
    gst_element_post_message (GST_ELEMENT (self), gst_message_new_latency (GST_OBJECT (self)));
}

static gboolean
gst_pixelrnn_filter_start (GstBaseTransform * trans)
{
  auto *self = GST_PIXELRNN_FILTER (trans);
  return pixelrnn::guarded (self, "start", FALSE, [&] () -> gboolean {
    std::string model;
    {
      pixelrnn::ObjectLock lock (self);
      model = get_priv (self)->model.empty () ? default_model (self) : get_priv (self)->model;
    }
    if (!use_model (self, model))
      return FALSE;
    get_priv (self)->reloader->start ();
    {
      pixelrnn::ObjectLock lock (self);
      get_priv (self)->earliest = GST_CLOCK_TIME_NONE;
      get_priv (self)->late_frames = 0;
      get_priv (self)->offer_refused = FALSE;
    }
    auto *klass = GST_PIXELRNN_FILTER_GET_CLASS (self);
    if (klass->start && !klass->start (self)) {
      set_client (self, nullptr);
      return FALSE;
    }
    return TRUE;
  });
}

static gboolean
gst_pixelrnn_filter_stop (GstBaseTransform * trans)
{
  auto *self = GST_PIXELRNN_FILTER (trans);
  return pixelrnn::guarded (self, "stop", FALSE, [&] () -> gboolean {
    auto *klass = GST_PIXELRNN_FILTER_GET_CLASS (self);
    get_priv (self)->reloader->stop ();     /* a load in flight finishes first */
    if (klass->stop)
      klass->stop (self);
    set_client (self, nullptr);
    return TRUE;
  });
}

static GstCaps *
gst_pixelrnn_filter_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  auto *self = GST_PIXELRNN_FILTER (trans);
  (void) direction;
  return pixelrnn::guarded_query (self, "transform_caps", gst_caps_new_empty (), [&] {
    auto client = gst_pixelrnn_filter_get_client (self);
    return pixelrnn::model_transform_caps (client.get (), caps, filter);
  });
}

static gboolean
gst_pixelrnn_filter_accept_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps)
{
  return pixelrnn::guarded_query (trans, "accept_caps", FALSE, [&] () -> gboolean {
    return GST_BASE_TRANSFORM_CLASS (parent_class)->accept_caps (trans, direction, caps);
  });
}

/* A caps event the model cannot read is where negotiation fails: say which model needs
 * what, instead of the bare not-negotiated upstream reports. A pad probe sees the event
 * before the pad's accept-caps check refuses it (that check is a query and stays quiet). */
static GstPadProbeReturn
caps_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  (void) pad;
  auto *self = GST_PIXELRNN_FILTER (user_data);
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  pixelrnn::guarded (self, "caps event", 0, [&] {
    GstCaps *caps;
    gst_event_parse_caps (event, &caps);
    auto client = gst_pixelrnn_filter_get_client (self);
    pixelrnn::report_unfit_caps (GST_ELEMENT (self), client.get (), caps);
    return 0;
  });
  return GST_PAD_PROBE_OK;
}

static gboolean
gst_pixelrnn_filter_set_info (GstVideoFilter * filter, GstCaps * incaps, GstVideoInfo * in_info,
    GstCaps * outcaps, GstVideoInfo * out_info)
{
  auto *self = GST_PIXELRNN_FILTER (filter);
  (void) outcaps;
  (void) out_info;
  return pixelrnn::guarded (self, "set_info", FALSE, [&] () -> gboolean {
    if (!follow_default_for_size (self, GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info)))
      return FALSE;
    auto client = gst_pixelrnn_filter_get_client (self);
    if (pixelrnn::report_unfit_caps (GST_ELEMENT (self), client.get (), incaps))
      return FALSE;
    gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
    auto *klass = GST_PIXELRNN_FILTER_GET_CLASS (self);
    return klass->set_info ? klass->set_info (self, in_info) : TRUE;
  });
}

/* Controlled properties take this buffer's values before the frame is processed (as
 * videoflip does). */
static void
gst_pixelrnn_filter_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  const GstClockTime stream_time = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME,
      GST_BUFFER_TIMESTAMP (buffer));
  GST_LOG_OBJECT (trans, "stream time %" GST_TIME_FORMAT, GST_TIME_ARGS (stream_time));
  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (GST_OBJECT (trans), stream_time);
}

static GstFlowReturn
gst_pixelrnn_filter_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  auto *self = GST_PIXELRNN_FILTER (filter);
  return pixelrnn::guarded (self, "transform_frame_ip", GST_FLOW_ERROR, [&] {
    gint threads;
    {
      pixelrnn::ObjectLock lock (self);
      threads = get_priv (self)->threads;
    }
    swap_in_reloaded_model (self);
    /* Automatic: all cores, for every architecture (the recurrent layers keep their per-row
     * products off OpenBLAS's process-wide pool: network/small_products.h). */
    pixelrnn::set_thread_compute_threads (threads);
    auto *klass = GST_PIXELRNN_FILTER_GET_CLASS (self);
    if (frame_is_late (self, frame->buffer)) {
      GST_LOG_OBJECT (self, "late frame %" GST_TIME_FORMAT ": not run through the model",
          GST_TIME_ARGS (GST_BUFFER_PTS (frame->buffer)));
      return klass->transform_late_frame ? klass->transform_late_frame (self, frame) : GST_FLOW_OK;
    }
    const gint64 start = g_get_monotonic_time ();
    const GstFlowReturn ret = klass->transform_frame (self, frame);
    record_frame_time (self, start, g_get_monotonic_time ());
    return ret;
  });
}

static void
gst_pixelrnn_filter_finalize (GObject * object)
{
  auto *self = GST_PIXELRNN_FILTER (object);
  get_priv (self)->reloader->stop ();
  delete get_priv (self);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_pixelrnn_filter_class_init (GstPixelrnnFilterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_pixelrnn_filter_set_property;
  gobject_class->get_property = gst_pixelrnn_filter_get_property;
  gobject_class->finalize = gst_pixelrnn_filter_finalize;

  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_int ("threads", "Threads",
          "Compute threads on this element's streaming thread (0 = all cores)",
          0, MAX_THREADS, DEFAULT_THREADS, (GParamFlags) (G_PARAM_READWRITE |
              G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_double ("latency", "Latency",
          "Processing time per frame, ms (moving average); added to the pipeline's latency", 0, G_MAXDOUBLE, 0,
          (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_THROUGHPUT,
      g_param_spec_double ("throughput", "Throughput",
          "Frames per second leaving the element (moving average)", 0, G_MAXDOUBLE, 0,
          (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_SKIP_LATE,
      g_param_spec_boolean ("skip-late", "Skip late frames",
          "Skip the model for frames downstream QoS says will be late, instead of falling behind", DEFAULT_SKIP_LATE,
          (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_LATE_FRAMES,
      g_param_spec_uint64 ("late-frames", "Late frames",
          "Frames that skipped the model because they were late", 0, G_MAXUINT64, 0,
          (GParamFlags) (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file or shipped name (unset: the element's default); changeable while PLAYING",
          DEFAULT_MODEL, (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
              GST_PARAM_MUTABLE_PLAYING)));
  g_object_class_install_property (gobject_class, PROP_RELOAD,
      g_param_spec_boolean ("reload", "Reload",
          "Reload the model file when it is replaced (checked once a second)", FALSE,
          (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING)));

  trans_class->start = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_start);
  trans_class->before_transform = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_before_transform);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_transform_caps);
  trans_class->accept_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_accept_caps);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_query);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_src_event);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_set_info);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR (gst_pixelrnn_filter_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_PIXELRNN_FILTER, (GstPluginAPIFlags) 0);
  GST_DEBUG_CATEGORY_INIT (gst_pixelrnn_filter_debug, "pixelrnnfilter", 0,
      "PixelRNN filter base class");
}

static void
gst_pixelrnn_filter_init (GstPixelrnnFilter * self)
{
  ((GstPixelrnnFilterPrivate *) gst_pixelrnn_filter_get_instance_private (self))->state =
      new FilterState ();
  get_priv (self)->reloader = std::make_unique<pixelrnn::ModelReloader> (GST_ELEMENT (self));
  gst_pad_add_probe (GST_BASE_TRANSFORM_SINK_PAD (self), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      caps_event_probe, self, NULL);
  /* GstVideoFilter turns GstBaseTransform's QoS on, which drops late frames outright (an
   * inpainted stream would lose frames); skip-late handles lateness instead. */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}
