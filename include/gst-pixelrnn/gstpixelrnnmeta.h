/* GstPixelrnnLikelihoodMeta: the score pixelrnnlikelihood attaches to each scored buffer.
 *
 * Applications read it without linking to the plugin: include this header (installed as
 * gst-pixelrnn/gstpixelrnnmeta.h) and look the API type up by name once the plugin is loaded:
 *
 *   GType api = g_type_from_name ("GstPixelrnnLikelihoodMetaAPI");
 *   GstPixelrnnLikelihoodMeta *m = (GstPixelrnnLikelihoodMeta *) gst_buffer_get_meta (buf, api);
 */
#ifndef __GST_PIXELRNN_META_H__
#define __GST_PIXELRNN_META_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  GstMeta meta;
  gdouble bits_per_dim;   /* the frame's mean NLL, bits per dimension, at the analysis size */
  gdouble score;          /* the active score mode's value (see the element's "score") */
  gboolean anomaly;       /* the score crossed "threshold" */
  guint64 frame;          /* frame number, counting from 0 at the element's start */
} GstPixelrnnLikelihoodMeta;

#define GST_PIXELRNN_LIKELIHOOD_META_API_NAME "GstPixelrnnLikelihoodMetaAPI"

/* The same figures as a custom meta (GStreamer 1.20+) whose GstStructure carries the fields
 * "bits-per-dim", "score" (gdouble), "anomaly" (gboolean) and "frame" (guint64): readable from
 * Python and any other language through GObject introspection, where the C struct is not:
 *
 *   meta = buffer.get_custom_meta ("pixelrnn-likelihood")
 *   s = meta.get_structure (); s.get_value ("bits-per-dim")
 */
#define GST_PIXELRNN_LIKELIHOOD_CUSTOM_META_NAME "pixelrnn-likelihood"
const GstMetaInfo *gst_pixelrnn_likelihood_custom_meta_get_info (void);

GType gst_pixelrnn_likelihood_meta_api_get_type (void);
const GstMetaInfo *gst_pixelrnn_likelihood_meta_get_info (void);
GstPixelrnnLikelihoodMeta *gst_buffer_add_pixelrnn_likelihood_meta (GstBuffer * buffer,
    gdouble bits_per_dim, gdouble score, gboolean anomaly, guint64 frame);

#define GST_PIXELRNN_LIKELIHOOD_META_API_TYPE (gst_pixelrnn_likelihood_meta_api_get_type ())
#define gst_buffer_get_pixelrnn_likelihood_meta(b) \
  ((GstPixelrnnLikelihoodMeta *) gst_buffer_get_meta ((b), GST_PIXELRNN_LIKELIHOOD_META_API_TYPE))

G_END_DECLS

#endif
