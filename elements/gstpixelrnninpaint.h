/* pixelrnninpaint: fills masked regions of video frames with a PixelRNN model, in place,
 * leaving every other pixel bit-identical. See docs/elements.md. */
#ifndef __GST_PIXELRNN_INPAINT_H__
#define __GST_PIXELRNN_INPAINT_H__

#include "gstpixelrnnenums.h"
#include "gstpixelrnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_INPAINT (gst_pixelrnn_inpaint_get_type ())
G_DECLARE_FINAL_TYPE (GstPixelrnnInpaint, gst_pixelrnn_inpaint, GST, PIXELRNN_INPAINT,
    GstPixelrnnFilter)

GST_ELEMENT_REGISTER_DECLARE (pixelrnninpaint);

G_END_DECLS

#endif
