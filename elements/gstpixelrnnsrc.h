/* pixelrnnsrc: a source of frames sampled from a PixelRNN model. See docs/elements.md. */
#ifndef __GST_PIXELRNN_SRC_H__
#define __GST_PIXELRNN_SRC_H__

#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_SRC (gst_pixelrnn_src_get_type ())
G_DECLARE_FINAL_TYPE (GstPixelrnnSrc, gst_pixelrnn_src, GST, PIXELRNN_SRC, GstPushSrc)

GST_ELEMENT_REGISTER_DECLARE (pixelrnnsrc);

G_END_DECLS

#endif
