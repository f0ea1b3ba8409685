/* gst-pixelrnn: registers the PixelRNN elements. Each element lives in elements/ and is
 * registered here with GST_ELEMENT_REGISTER; this file does nothing else. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstpixelrnninpaint.h"
#include "gstpixelrnnlikelihood.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>
#include "gstpixelrnnsrc.h"

#define PACKAGE "gst-pixelrnn"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;
  gst_pixelrnn_likelihood_meta_get_info ();
  gst_pixelrnn_likelihood_custom_meta_get_info ();
  ok |= GST_ELEMENT_REGISTER (pixelrnnlikelihood, plugin);
  ok |= GST_ELEMENT_REGISTER (pixelrnninpaint, plugin);
  ok |= GST_ELEMENT_REGISTER (pixelrnnsrc, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, pixelrnn,
    "PixelRNN autoregressive image models: inpainting, likelihood scoring and generation",
    plugin_init, "0.1.0", "LGPL", "gst-pixelrnn", "https://example.invalid/gst-pixelrnn")
