/* pixelrnnlikelihood: scores every frame under a PixelRNN model, flags anomalous frames and
 * says where. See docs/elements.md. */
#ifndef __GST_PIXELRNN_LIKELIHOOD_H__
#define __GST_PIXELRNN_LIKELIHOOD_H__

#include "gstpixelrnnenums.h"
#include "gstpixelrnnfilter.h"

G_BEGIN_DECLS

#define GST_TYPE_PIXELRNN_LIKELIHOOD (gst_pixelrnn_likelihood_get_type ())
G_DECLARE_FINAL_TYPE (GstPixelrnnLikelihood, gst_pixelrnn_likelihood, GST, PIXELRNN_LIKELIHOOD,
    GstPixelrnnFilter)

GST_ELEMENT_REGISTER_DECLARE (pixelrnnlikelihood);

G_END_DECLS

#endif
