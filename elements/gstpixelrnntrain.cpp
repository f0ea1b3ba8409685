/**
 * SECTION:element-pixelrnntrain
 *
 * Fine-tunes a copy of a PixelRNN model on the frames that pass, in a thread of its own, and
 * writes it atomically to `location` every `save-every` steps and at EOS. Frames pass
 * untouched and are never delayed: while the training thread is busy and its queue is full,
 * frames are skipped for training. A frame that an upstream pixelrnnlikelihood marked
 * anomalous is kept out of training (skip-anomalous). Each write posts a "pixelrnn-train"
 * element message. With pixelrnnlikelihood reload=true reading `location`, one pipeline
 * learns the scene it watches:
 *
 * |[
 * gst-launch-1.0 filesrc location=cam.mp4 ! decodebin ! videoconvert ! \
 *     pixelrnnlikelihood model=scene.pixelrnn reload=true calibration-frames=60 ! \
 *     pixelrnntrain model=natural location=scene.pixelrnn ! fakesink
 * ]|
 */
/* One file for the element, as GStreamer's elements are (over 500 lines: its properties, the
 * writer's lock and its callbacks); the training itself is models/api/scene_trainer. */

#include "gstpixelrnntrain.h"

#include "callback_guard.h"
#include "element_model.h"
#include "frame_pixels.h"
#include "api/scene_trainer.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_pixelrnn_train_debug);
#define GST_CAT_DEFAULT gst_pixelrnn_train_debug

#define DEFAULT_SAVE_EVERY 100
#define DEFAULT_BATCH 8
#define DEFAULT_PATCH 32
#define DEFAULT_LEARNING_RATE 1e-4
#define DEFAULT_QUEUE_SIZE 4
#define DEFAULT_REPLAY 256
#define DEFAULT_SKIP_ANOMALOUS TRUE
#define DEFAULT_MODEL "natural"
#define DEFAULT_THREADS 1

enum {
  PROP_0,
  PROP_MODEL,
  PROP_THREADS,
  PROP_LOCATION,
  PROP_INIT,
  PROP_SAVE_EVERY,
  PROP_BATCH,
  PROP_PATCH,
  PROP_LEARNING_RATE,
  PROP_QUEUE_SIZE,
  PROP_REPLAY,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_SKIP_ANOMALOUS,
};

/* What the properties hold; read at start (training settings) or per frame (the rest). */
struct TrainSettings {
  std::string model = DEFAULT_MODEL;
  gint threads = DEFAULT_THREADS;
  std::string location, init;
  guint save_every = DEFAULT_SAVE_EVERY, batch = DEFAULT_BATCH, patch = DEFAULT_PATCH;
  gdouble learning_rate = DEFAULT_LEARNING_RATE;
  guint queue_size = DEFAULT_QUEUE_SIZE, replay = DEFAULT_REPLAY;
  gint width = 0, height = 0;
  gboolean skip_anomalous = DEFAULT_SKIP_ANOMALOUS;
};

struct GstPixelrnnTrainPrivate {
  TrainSettings settings;                        /* GST_OBJECT_LOCK */

  /* The model read once at NULL to READY (caps follow its channels), trained from start()
   * to stop(); GST_OBJECT_LOCK to replace, a copy of the pointer to use. */
  std::shared_ptr<pixelrnn::SceneTrainer> trainer;
  gint analysis_width = 0, analysis_height = 0;
  gboolean offer_refused = FALSE;                /* GST_OBJECT_LOCK; said once per start */
  std::vector<guint8> pixels;
  std::atomic<guint64> anomalous_frames{0};      /* the training thread's messages read it */
  int lock_fd = -1;                              /* LOCATION.lock, READY to NULL */
  std::string lock_path;
};

struct _GstPixelrnnTrain {
  GstVideoFilter parent;
  GstPixelrnnTrainPrivate *priv;                 /* made in init, deleted in finalize */
};

#define gst_pixelrnn_train_parent_class parent_class
G_DEFINE_TYPE (GstPixelrnnTrain, gst_pixelrnn_train, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (pixelrnntrain, "pixelrnntrain", GST_RANK_NONE, GST_TYPE_PIXELRNN_TRAIN);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS)));

static TrainSettings
current_settings (GstPixelrnnTrain * self)
{
  pixelrnn::ObjectLock lock (self);
  return self->priv->settings;
}

/* The trainer and its model (NULL before READY). */
static std::shared_ptr<pixelrnn::SceneTrainer>
current_trainer (GstPixelrnnTrain * self)
{
  pixelrnn::ObjectLock lock (self);
  return self->priv->trainer;
}

/* The model training starts from: `init`, or else `model`. */
static std::string
start_model (const TrainSettings & s)
{
  return s.init.empty () ? s.model : s.init;
}

/* Reads the model to start from once (unless the trainer holds it already); on failure posts
 * the error naming it and returns FALSE. */
static gboolean
ensure_trainer (GstPixelrnnTrain * self, const TrainSettings & s)
{
  auto trainer = current_trainer (self);
  if (trainer && trainer->init () == start_model (s))
    return TRUE;
  try {
    trainer = std::make_shared<pixelrnn::SceneTrainer> (start_model (s));
  } catch (const std::exception &e) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Could not read the model to start from."),
        ("%s", e.what ()));
    return FALSE;
  }
  GST_INFO_OBJECT (self, "training from %s", trainer->path ().c_str ());
  pixelrnn::ObjectLock lock (self);
  self->priv->trainer = std::move (trainer);
  return TRUE;
}

static void
gst_pixelrnn_train_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "set_property", 0, [&] {
    GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (object);
    pixelrnn::ObjectLock lock (self);
    auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_MODEL: {
        const gchar *v = g_value_get_string (value);
        s.model = v && *v ? v : DEFAULT_MODEL;
        break;
      }
      case PROP_THREADS: s.threads = g_value_get_int (value); break;
      case PROP_LOCATION: {
        const gchar *v = g_value_get_string (value);
        s.location = v ? v : "";
        break;
      }
      case PROP_INIT: {
        const gchar *v = g_value_get_string (value);
        s.init = v ? v : "";
        break;
      }
      case PROP_SAVE_EVERY: s.save_every = g_value_get_uint (value); break;
      case PROP_BATCH: s.batch = g_value_get_uint (value); break;
      case PROP_PATCH: s.patch = g_value_get_uint (value); break;
      case PROP_LEARNING_RATE: s.learning_rate = g_value_get_double (value); break;
      case PROP_QUEUE_SIZE: s.queue_size = g_value_get_uint (value); break;
      case PROP_REPLAY: s.replay = g_value_get_uint (value); break;
      case PROP_WIDTH: s.width = g_value_get_int (value); break;
      case PROP_HEIGHT: s.height = g_value_get_int (value); break;
      case PROP_SKIP_ANOMALOUS: s.skip_anomalous = g_value_get_boolean (value); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

static void
gst_pixelrnn_train_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "get_property", 0, [&] {
    GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (object);
    pixelrnn::ObjectLock lock (self);
    const auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_MODEL: g_value_set_string (value, s.model.c_str ()); break;
      case PROP_THREADS: g_value_set_int (value, s.threads); break;
      case PROP_LOCATION: g_value_set_string (value, s.location.empty () ? NULL : s.location.c_str ()); break;
      case PROP_INIT: g_value_set_string (value, s.init.empty () ? NULL : s.init.c_str ()); break;
      case PROP_SAVE_EVERY: g_value_set_uint (value, s.save_every); break;
      case PROP_BATCH: g_value_set_uint (value, s.batch); break;
      case PROP_PATCH: g_value_set_uint (value, s.patch); break;
      case PROP_LEARNING_RATE: g_value_set_double (value, s.learning_rate); break;
      case PROP_QUEUE_SIZE: g_value_set_uint (value, s.queue_size); break;
      case PROP_REPLAY: g_value_set_uint (value, s.replay); break;
      case PROP_WIDTH: g_value_set_int (value, s.width); break;
      case PROP_HEIGHT: g_value_set_int (value, s.height); break;
      case PROP_SKIP_ANOMALOUS: g_value_set_boolean (value, s.skip_anomalous); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

/* From the training thread: a message per write, an error if training stopped. */
static void
report (GstPixelrnnTrain * self, const std::string &location, const pixelrnn::TrainingReport &r)
{
  if (!r.error.empty ()) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Training stopped; \"%s\" keeps the last model written.",
            location.c_str ()), ("%s", r.error.c_str ()));
    return;
  }
  GST_INFO_OBJECT (self, "step %" G_GINT64_FORMAT ": %.4f bits/dim, %" G_GUINT64_FORMAT
      " frames taken, %" G_GUINT64_FORMAT " skipped", r.step, r.bits_per_dim, r.images_seen,
      r.frames_skipped);
  GstStructure *s = gst_structure_new ("pixelrnn-train",
      "step", G_TYPE_INT64, r.step,
      "loss", G_TYPE_DOUBLE, r.loss,
      "bits-per-dim", G_TYPE_DOUBLE, r.bits_per_dim,
      "images-seen", G_TYPE_UINT64, r.images_seen,
      "frames-skipped", G_TYPE_UINT64, r.frames_skipped,
      "anomalous-frames", G_TYPE_UINT64, (guint64) self->priv->anomalous_frames,
      "saved", G_TYPE_BOOLEAN, r.saved,
      "location", G_TYPE_STRING, location.c_str (), NULL);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

static void
release_lock (GstPixelrnnTrain * self)
{
  auto *priv = self->priv;
  if (priv->lock_fd < 0)
    return;
  ::unlink (priv->lock_path.c_str ());
  ::close (priv->lock_fd);
  priv->lock_fd = -1;
}

static GstStateChangeReturn
gst_pixelrnn_train_change_state (GstElement * element, GstStateChange transition)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    /* Every element of the pipeline reaches READY before any starts, so a
     * pixelrnnlikelihood reading `location` finds a model there when it loads. */
    const gboolean ok = pixelrnn::guarded (self, "change_state", FALSE, [&] () -> gboolean {
      const auto s = current_settings (self);
      if (s.location.empty ()) {
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("No location set: where should the trained model go?"),
            ("set location=FILE.pixelrnn"));
        return FALSE;
      }
      if (g_file_test (s.location.c_str (), G_FILE_TEST_IS_DIR)) {
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("\"%s\" is a folder.", s.location.c_str ()),
            ("location names the model file to write, e.g. %s/scene.pixelrnn", s.location.c_str ()));
        return FALSE;
      }
      /* One writer per model file: the file is replaced by rename, so the lock is on a
       * file beside it (removed at NULL), not on the model itself. */
      struct stat st;
      if (::stat (s.location.c_str (), &st) != 0 || S_ISREG (st.st_mode)) {
        const std::string lock = s.location + ".lock";
        const int fd = ::open (lock.c_str (), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || ::flock (fd, LOCK_EX | LOCK_NB) != 0) {
          const int err = errno;
          if (fd >= 0)
            ::close (fd);
          GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("Another writer holds \"%s\".", s.location.c_str ()),
              ("%s: %s. Two trainers writing one model would overwrite each other: give each its "
                  "own location.", lock.c_str (), err == EWOULDBLOCK ? "locked by another pixelrnntrain or "
                  "process" : std::strerror (err)));
          return FALSE;
        }
        self->priv->lock_fd = fd;
        self->priv->lock_path = lock;
      }
      if (!ensure_trainer (self, s))
        return FALSE;
      try {
        current_trainer (self)->write_unless_present (s.location);
      } catch (const std::exception &e) {
        GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not write \"%s\".", s.location.c_str ()),
            ("%s", e.what ()));
        return FALSE;
      }
      return TRUE;
    });
    if (!ok) {
      release_lock (self);
      return GST_STATE_CHANGE_FAILURE;
    }
  }
  const GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    release_lock (self);
    pixelrnn::ObjectLock lock (self);
    self->priv->trainer.reset ();
  }
  return ret;
}

static gboolean
gst_pixelrnn_train_start (GstBaseTransform * trans)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (trans);
  return pixelrnn::guarded (self, "start", FALSE, [&] () -> gboolean {
    const auto s = current_settings (self);
    /* Read at READY; again only if model or init changed since. */
    if (!ensure_trainer (self, s))
      return FALSE;
    pixelrnn::SceneTrainerSettings t;
    t.location = s.location;
    t.write_every = (int) s.save_every;
    t.queue_size = (int) s.queue_size;
    t.replay_size = (int) s.replay;
    t.batch = (int) s.batch;
    t.patch = (int) s.patch;
    t.learning_rate = s.learning_rate;
    t.threads = s.threads > 0 ? s.threads : 1;
    gchar *name = gst_object_get_path_string (GST_OBJECT (self));
    t.description = std::string ("the stream at ") + name;
    g_free (name);
    self->priv->anomalous_frames = 0;
    {
      pixelrnn::ObjectLock lock (self);
      self->priv->offer_refused = FALSE;
    }
    try {
      current_trainer (self)->start (t, [self, location = s.location] (const pixelrnn::TrainingReport &r) {
        report (self, location, r);
      });
    } catch (const std::exception &e) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("Could not start training."), ("%s", e.what ()));
      return FALSE;
    }
    /* The frames are only read: no copy of buffers that tee shares with other branches. */
    gst_base_transform_set_passthrough (trans, TRUE);
    return TRUE;
  });
}

static gboolean
gst_pixelrnn_train_stop (GstBaseTransform * trans)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (trans);
  return pixelrnn::guarded (self, "stop", FALSE, [&] () -> gboolean {
    if (auto trainer = current_trainer (self))
      trainer->finish ();   /* joins the thread, writes what was learnt since the last write */
    self->priv->pixels = {};
    self->priv->analysis_width = self->priv->analysis_height = 0;
    return TRUE;
  });
}

/* Upstream asking which caps we take: when the answer is empty only because of the model
 * (upstream forced to a format it cannot read), say so once, naming the model, before the
 * source's bare not-negotiated (as the model filters do). */
static gboolean
gst_pixelrnn_train_query (GstBaseTransform * trans, GstPadDirection direction, GstQuery * query)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (trans);
  if (!GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction, query))
    return FALSE;
  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS || direction != GST_PAD_SINK)
    return TRUE;
  pixelrnn::guarded_query (self, "caps query", 0, [&] {
    if (auto trainer = current_trainer (self))
      pixelrnn::report_refused_offer (GST_ELEMENT (self), query, trainer->channels (), trainer->path (),
          &self->priv->offer_refused);
    return 0;
  });
  return TRUE;
}

/* Formats follow the model: GRAY8 for a gray model, the RGB family for a colour one. */
static GstCaps *
gst_pixelrnn_train_transform_caps (GstBaseTransform * trans, GstPadDirection direction,
    GstCaps * caps, GstCaps * filter)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (trans);
  (void) direction;
  return pixelrnn::guarded_query (self, "transform_caps", gst_caps_new_empty (), [&] {
    auto trainer = current_trainer (self);
    return pixelrnn::model_transform_caps (trainer ? trainer->channels () : 0, caps, filter);
  });
}

static gboolean
gst_pixelrnn_train_set_info (GstVideoFilter * filter, GstCaps * incaps, GstVideoInfo * info,
    GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (filter);
  (void) outcaps;
  (void) out_info;
  return pixelrnn::guarded (self, "set_info", FALSE, [&] () -> gboolean {
    auto trainer = current_trainer (self);
    if (trainer && pixelrnn::report_unfit_caps (GST_ELEMENT (self), trainer->channels (),
            trainer->path (), incaps))
      return FALSE;
    const auto s = current_settings (self);
    int width = 0, height = 0;
    pixelrnn::analysis_size (GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info), s.width,
        s.height, PIXELRNN_AUTO_ANALYSIS_PIXELS, width, height);
    /* The training batches stack frames of one size: a new size mid-stream is refused, naming
     * both, instead of failing inside LibTorch. */
    if (self->priv->analysis_width > 0 &&
        (width != self->priv->analysis_width || height != self->priv->analysis_height)) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
          ("pixelrnntrain cannot change the training size mid-stream: %dx%d, now %dx%d.",
              self->priv->analysis_width, self->priv->analysis_height, width, height),
          ("Set width and height to train every stream at one size, or restart the pipeline."));
      return FALSE;
    }
    self->priv->analysis_width = width;
    self->priv->analysis_height = height;
    GST_INFO_OBJECT (self, "training on frames scaled to %dx%d", self->priv->analysis_width,
        self->priv->analysis_height);
    return TRUE;
  });
}

static GstFlowReturn
gst_pixelrnn_train_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (filter);
  return pixelrnn::guarded (self, "transform_frame_ip", GST_FLOW_ERROR, [&] () -> GstFlowReturn {
    auto *priv = self->priv;
    auto trainer = current_trainer (self);
    if (!trainer)
      return GST_FLOW_OK;
    if (current_settings (self).skip_anomalous) {
      const GstPixelrnnLikelihoodMeta *meta = gst_buffer_get_pixelrnn_likelihood_meta (frame->buffer);
      if (meta && meta->anomaly) {
        ++priv->anomalous_frames;
        return GST_FLOW_OK;
      }
    }
    const int C = trainer->channels ();
    const int aw = priv->analysis_width, ah = priv->analysis_height;
    priv->pixels.resize ((size_t) aw * ah * C);
    if (aw == GST_VIDEO_FRAME_WIDTH (frame) && ah == GST_VIDEO_FRAME_HEIGHT (frame))
      pixelrnn::read_region (frame, 0, 0, aw, ah, C, priv->pixels.data ());
    else
      pixelrnn::read_scaled (frame, aw, ah, C, priv->pixels.data ());
    trainer->offer (priv->pixels.data (), aw, ah);
    return GST_FLOW_OK;
  });
}

static gboolean
gst_pixelrnn_train_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (trans);
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    /* The model is on disk, and its message posted, before EOS goes on. */
    pixelrnn::guarded (self, "sink_event", FALSE, [&] () -> gboolean {
      if (auto trainer = current_trainer (self))
        trainer->finish ();
      return TRUE;
    });
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static void
gst_pixelrnn_train_finalize (GObject * object)
{
  GstPixelrnnTrain *self = GST_PIXELRNN_TRAIN (object);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_pixelrnn_train_class_init (GstPixelrnnTrainClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const GParamFlags ready = (GParamFlags) (rw | GST_PARAM_MUTABLE_READY);
  const GParamFlags live = (GParamFlags) (rw | GST_PARAM_MUTABLE_PLAYING);

  gobject_class->set_property = gst_pixelrnn_train_set_property;
  gobject_class->get_property = gst_pixelrnn_train_get_property;
  gobject_class->finalize = gst_pixelrnn_train_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file or shipped short name to start from (and whose channels the stream must have)",
          DEFAULT_MODEL, ready));
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_int ("threads", "Threads", "Compute threads of the training thread (0 = 1)",
          0, 64, DEFAULT_THREADS, ready));
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "Where the fine-tuned model is written, atomically", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_INIT,
      g_param_spec_string ("init", "Initial weights",
          "Model file to start from instead of 'model' (same channels)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_SAVE_EVERY,
      g_param_spec_uint ("save-every", "Save every", "Training steps between writes of location",
          1, 1000000, DEFAULT_SAVE_EVERY, ready));
  g_object_class_install_property (gobject_class, PROP_BATCH,
      g_param_spec_uint ("batch", "Batch", "Crops per training step", 1, 256, DEFAULT_BATCH, ready));
  g_object_class_install_property (gobject_class, PROP_PATCH,
      g_param_spec_uint ("patch", "Patch",
          "Side of the square crops trained on, pixels of the analysis size", 4, 256, DEFAULT_PATCH, ready));
  g_object_class_install_property (gobject_class, PROP_LEARNING_RATE,
      g_param_spec_double ("learning-rate", "Learning rate", "Adam's step size", 0.0, 1.0,
          DEFAULT_LEARNING_RATE, ready));
  g_object_class_install_property (gobject_class, PROP_QUEUE_SIZE,
      g_param_spec_uint ("queue-size", "Queue size",
          "Frames waiting for the training thread; more are skipped, never delayed", 1, 64, DEFAULT_QUEUE_SIZE, ready));
  g_object_class_install_property (gobject_class, PROP_REPLAY,
      g_param_spec_uint ("replay", "Replay",
          "Recent frames that training batches are cropped from", 1, 10000, DEFAULT_REPLAY, ready));
  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Analysis width",
          "Width frames are scaled to before training (0 = automatic, as pixelrnnlikelihood)",
          0, G_MAXINT, 0, ready));
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Analysis height",
          "Height frames are scaled to before training (0 = automatic)", 0, G_MAXINT, 0, ready));
  g_object_class_install_property (gobject_class, PROP_SKIP_ANOMALOUS,
      g_param_spec_boolean ("skip-anomalous", "Skip anomalous",
          "Keep frames an upstream pixelrnnlikelihood marked anomalous out of training",
          DEFAULT_SKIP_ANOMALOUS, live));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "PixelRNN trainer",
      "Filter/Video",
      "Passes frames through and fine-tunes a copy of a PixelRNN model on them in the background",
      "gst-pixelrnn developers");

  element_class->change_state = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_change_state);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_sink_event);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_stop);
  trans_class->transform_caps = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_transform_caps);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_query);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_set_info);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR (gst_pixelrnn_train_transform_frame_ip);
  GST_DEBUG_CATEGORY_INIT (gst_pixelrnn_train_debug, "pixelrnntrain", 0,
      "PixelRNN training inside the pipeline");
}

static void
gst_pixelrnn_train_init (GstPixelrnnTrain * self)
{
  self->priv = new GstPixelrnnTrainPrivate ();
}
