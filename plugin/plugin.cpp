/* gst-pixelrnn: registers the PixelRNN elements. Each element lives in elements/ and is
 * registered here with GST_ELEMENT_REGISTER; this file does nothing else. */
#include <gst/gst.h>

#include "gstpixelrnninpaint.h"
#include "gstpixelrnnlikelihood.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>
#include "gstpixelrnnsrc.h"
#include "gstpixelrnntrain.h"


static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;
  gst_pixelrnn_likelihood_meta_get_info ();
  gst_pixelrnn_likelihood_custom_meta_get_info ();
  ok |= GST_ELEMENT_REGISTER (pixelrnnlikelihood, plugin);
  ok |= GST_ELEMENT_REGISTER (pixelrnninpaint, plugin);
  ok |= GST_ELEMENT_REGISTER (pixelrnnsrc, plugin);
  ok |= GST_ELEMENT_REGISTER (pixelrnntrain, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, pixelrnn,
    "PixelRNN autoregressive image models: inpainting, likelihood scoring and generation",
    plugin_init, PIXELRNN_VERSION, PIXELRNN_LICENSE, PACKAGE, PIXELRNN_ORIGIN)
