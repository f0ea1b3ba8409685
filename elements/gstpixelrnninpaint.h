/* pixelrnninpaint: fills masked regions of video frames with a PixelRNN model, in place,
 * leaving every other pixel bit-identical. See docs/elements.md. */
#ifndef __GST_PIXELRNN_INPAINT_H__
#define __GST_PIXELRNN_INPAINT_H__

#include "gstpixelrnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_INPAINT (gst_pixelrnn_inpaint_get_type ())
G_DECLARE_FINAL_TYPE (GstPixelrnnInpaint, gst_pixelrnn_inpaint, GST, PIXELRNN_INPAINT,
    GstPixelrnnFilter)

typedef enum {
  GST_PIXELRNN_MODE_SAMPLE,
  GST_PIXELRNN_MODE_GREEDY,
  GST_PIXELRNN_MODE_BEST_OF,
  GST_PIXELRNN_MODE_MEAN,
  GST_PIXELRNN_MODE_DIRECT,
  GST_PIXELRNN_MODE_AUTO,
} GstPixelrnnMode;

GST_ELEMENT_REGISTER_DECLARE (pixelrnninpaint);

G_END_DECLS

#endif
