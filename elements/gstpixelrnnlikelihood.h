/* pixelrnnlikelihood: scores every frame under a PixelRNN model, flags anomalous frames and
 * says where. See docs/elements.md. */
#ifndef __GST_PIXELRNN_LIKELIHOOD_H__
#define __GST_PIXELRNN_LIKELIHOOD_H__

#include "gstpixelrnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_LIKELIHOOD (gst_pixelrnn_likelihood_get_type ())
G_DECLARE_FINAL_TYPE (GstPixelrnnLikelihood, gst_pixelrnn_likelihood, GST, PIXELRNN_LIKELIHOOD,
    GstPixelrnnFilter)

typedef enum {
  GST_PIXELRNN_SCORE_BITS_PER_DIM,
  GST_PIXELRNN_SCORE_PEAK,
  GST_PIXELRNN_SCORE_COMPLEXITY,
  GST_PIXELRNN_SCORE_ZSCORE,
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

GST_ELEMENT_REGISTER_DECLARE (pixelrnnlikelihood);

G_END_DECLS

#endif
