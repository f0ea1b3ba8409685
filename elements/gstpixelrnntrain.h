/* pixelrnntrain: passes frames through untouched and fine-tunes a copy of a PixelRNN model on
 * them in a background thread, writing it atomically to `location`. A GstVideoFilter of its
 * own: it runs no inference, so it has none of the model filters' QoS, latency or reload.
 * See docs/elements.md. */
#ifndef __GST_PIXELRNN_TRAIN_H__
#define __GST_PIXELRNN_TRAIN_H__

#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_TRAIN (gst_pixelrnn_train_get_type ())
G_DECLARE_FINAL_TYPE (GstPixelrnnTrain, gst_pixelrnn_train, GST, PIXELRNN_TRAIN, GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (pixelrnntrain);

G_END_DECLS

#endif
