/* GstPixelrnnFilter: the abstract base of the in-place elements (pixelrnninpaint,
 * pixelrnnlikelihood). It owns what they share: the `model` property, the loaded model,
 * start/stop, caps that follow the model and the error when a stream cannot match, syncing
 * controlled properties, and the exception guard around every callback. Subclasses add
 * their own properties and the per-frame work (klass->transform_frame), which may throw.
 * Modelled on gst-plugins-bad's GstD3D12BaseFilter. */
#pragma once

#include <gst/video/gstvideofilter.h>

#include <memory>

namespace pixelrnn { class ModelClient; }

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_FILTER (gst_pixelrnn_filter_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstPixelrnnFilter, gst_pixelrnn_filter, GST, PIXELRNN_FILTER,
    GstVideoFilter)

struct _GstPixelrnnFilterClass {
  GstVideoFilterClass parent_class;

  /* The model used when "model" is unset: each element picks the shipped model that fits its
   * speed budget (docs/models.md). NULL: "natural". */
  const gchar *default_model;
  /* Optional: the model to use when "model" is unset, for frames of this size (NULL: the
   * class's default_model). Called once caps are set; a different model is loaded then,
   * before the first frame. */
  const gchar *(*default_model_for_size) (GstPixelrnnFilter * filter, int width, int height);

  /* Called from start() once the model is loaded; set up per-stream state. */
  gboolean (*start) (GstPixelrnnFilter * filter);
  /* Called from stop() before the model is released. */
  void (*stop) (GstPixelrnnFilter * filter);
  /* The negotiated video info; the format already fits the model. */
  gboolean (*set_info) (GstPixelrnnFilter * filter, const GstVideoInfo * info);
  /* A new model was swapped in (hot reload), on the streaming thread before the frame that
   * first uses it: reset what was learnt from the old model's scores. May be NULL. */
  void (*model_swapped) (GstPixelrnnFilter * filter);
  /* One frame, in place. */
  GstFlowReturn (*transform_frame) (GstPixelrnnFilter * filter, GstVideoFrame * frame);
  /* A frame downstream's QoS says is already late (skip-late=true): do the cheapest correct
   * thing without the model. NULL: pass it untouched. */
  GstFlowReturn (*transform_late_frame) (GstPixelrnnFilter * filter, GstVideoFrame * frame);
};

G_END_DECLS

/* The loaded model, or NULL outside start()..stop(). Safe from any thread: the element may
 * replace it, the holder keeps its copy alive. */
std::shared_ptr<pixelrnn::ModelClient> gst_pixelrnn_filter_get_client (GstPixelrnnFilter * filter);

/* The "latency" (ms) and "throughput" (frames/s) properties' current values, for messages. */
void gst_pixelrnn_filter_get_figures (GstPixelrnnFilter * filter, double *latency_ms,
    double *throughput);
