/* The elements' enum properties, in one place (as ext/onnx's gstonnxenums.h): their C
 * values and GTypes. What each value does: docs/elements.md. */
#ifndef __GST_PIXELRNN_ENUMS_H__
#define __GST_PIXELRNN_ENUMS_H__

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  GST_PIXELRNN_MODE_SAMPLE,
  GST_PIXELRNN_MODE_GREEDY,
  GST_PIXELRNN_MODE_BEST_OF,
  GST_PIXELRNN_MODE_MEAN,
  GST_PIXELRNN_MODE_DIRECT,
  GST_PIXELRNN_MODE_AUTO,
} GstPixelrnnMode;

typedef enum {
  GST_PIXELRNN_SCORE_BITS_PER_DIM,
  GST_PIXELRNN_SCORE_PEAK,
  GST_PIXELRNN_SCORE_COMPLEXITY,
  GST_PIXELRNN_SCORE_ZSCORE,
  GST_PIXELRNN_SCORE_BLOCKINESS,
} GstPixelrnnScore;

typedef enum {
  GST_PIXELRNN_ACTION_NONE,
  GST_PIXELRNN_ACTION_DROP,
  GST_PIXELRNN_ACTION_GATE,
} GstPixelrnnAction;

typedef enum {
  GST_PIXELRNN_DRAW_NONE,
  GST_PIXELRNN_DRAW_HEATMAP,
} GstPixelrnnDraw;

GType gst_pixelrnn_mode_get_type (void);
#define GST_TYPE_PIXELRNN_MODE (gst_pixelrnn_mode_get_type ())
GType gst_pixelrnn_score_get_type (void);
#define GST_TYPE_PIXELRNN_SCORE (gst_pixelrnn_score_get_type ())
GType gst_pixelrnn_action_get_type (void);
#define GST_TYPE_PIXELRNN_ACTION (gst_pixelrnn_action_get_type ())
GType gst_pixelrnn_draw_get_type (void);
#define GST_TYPE_PIXELRNN_DRAW (gst_pixelrnn_draw_get_type ())

G_END_DECLS

#endif
