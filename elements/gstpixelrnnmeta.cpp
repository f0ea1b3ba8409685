/* GstPixelrnnLikelihoodMeta registration: API type with tags, init and transform. */
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <gst/video/video.h>

GType
gst_pixelrnn_likelihood_meta_api_get_type (void)
{
  static GType type = 0;
  /* The score describes the picture's content: it survives copies and scaling, not edits. */
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR, NULL };
  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register (GST_PIXELRNN_LIKELIHOOD_META_API_NAME, tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
likelihood_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  GstPixelrnnLikelihoodMeta *m = (GstPixelrnnLikelihoodMeta *) meta;
  (void) params;
  (void) buffer;
  m->bits_per_dim = 0.0;
  m->score = 0.0;
  m->anomaly = FALSE;
  m->frame = 0;
  return TRUE;
}

static gboolean
likelihood_meta_transform (GstBuffer * dest, GstMeta * meta, GstBuffer * buffer, GQuark type,
    gpointer data)
{
  GstPixelrnnLikelihoodMeta *m = (GstPixelrnnLikelihoodMeta *) meta;
  (void) buffer;
  (void) data;
  /* Copies keep the score; so does a pure scale (same picture, other size). */
  if (GST_META_TRANSFORM_IS_COPY (type) || type == gst_video_meta_transform_scale_get_quark ()) {
    gst_buffer_add_pixelrnn_likelihood_meta (dest, m->bits_per_dim, m->score, m->anomaly,
        m->frame);
    return TRUE;
  }
  return FALSE;
}

const GstMetaInfo *
gst_pixelrnn_likelihood_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *i = gst_meta_register (GST_PIXELRNN_LIKELIHOOD_META_API_TYPE,
        "GstPixelrnnLikelihoodMeta", sizeof (GstPixelrnnLikelihoodMeta), likelihood_meta_init,
        NULL, likelihood_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) i);
  }
  return info;
}

/* The custom meta's structure is copied with the buffer by GStreamer itself; a scale keeps
 * it too, as for the C meta. */
static gboolean
custom_meta_transform (GstBuffer * dest, GstCustomMeta * meta, GstBuffer * buffer, GQuark type,
    gpointer data, gpointer user_data)
{
  (void) buffer;
  (void) data;
  (void) user_data;
  if (!GST_META_TRANSFORM_IS_COPY (type) && type != gst_video_meta_transform_scale_get_quark ())
    return FALSE;
  GstCustomMeta *copy = gst_buffer_add_custom_meta (dest, GST_PIXELRNN_LIKELIHOOD_CUSTOM_META_NAME);
  if (!copy)
    return FALSE;
  GstStructure *to = gst_custom_meta_get_structure (copy);
  const GstStructure *from = gst_custom_meta_get_structure (meta);
  for (gint k = 0; k < gst_structure_n_fields (from); ++k) {
    const gchar *name = gst_structure_nth_field_name (from, k);
    gst_structure_set_value (to, name, gst_structure_get_value (from, name));
  }
  return TRUE;
}

const GstMetaInfo *
gst_pixelrnn_likelihood_custom_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR, NULL };
  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *i = gst_meta_register_custom (GST_PIXELRNN_LIKELIHOOD_CUSTOM_META_NAME,
        tags, custom_meta_transform, NULL, NULL);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) i);
  }
  return info;
}

GstPixelrnnLikelihoodMeta *
gst_buffer_add_pixelrnn_likelihood_meta (GstBuffer * buffer, gdouble bits_per_dim,
    gdouble score, gboolean anomaly, guint64 frame)
{
  GstPixelrnnLikelihoodMeta *m = (GstPixelrnnLikelihoodMeta *) gst_buffer_add_meta (buffer,
      gst_pixelrnn_likelihood_meta_get_info (), NULL);
  m->bits_per_dim = bits_per_dim;
  m->score = score;
  m->anomaly = anomaly;
  m->frame = frame;
  /* The same figures for languages that cannot read the C struct. */
  gst_pixelrnn_likelihood_custom_meta_get_info ();
  if (GstCustomMeta *c = gst_buffer_add_custom_meta (buffer, GST_PIXELRNN_LIKELIHOOD_CUSTOM_META_NAME))
    gst_structure_set (gst_custom_meta_get_structure (c), "bits-per-dim", G_TYPE_DOUBLE, bits_per_dim,
        "score", G_TYPE_DOUBLE, score, "anomaly", G_TYPE_BOOLEAN, anomaly, "frame", G_TYPE_UINT64,
        frame, NULL);
  return m;
}
