#include "element_model.h"

#include "callback_guard.h"
#include "frame_pixels.h"
#include "api/model_client.h"

#include <gst/video/video.h>

GST_DEBUG_CATEGORY_STATIC (pixelrnn_model_debug);
#define GST_CAT_DEFAULT pixelrnn_model_debug

namespace pixelrnn {

static void
init_debug_category ()
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (pixelrnn_model_debug, "pixelrnnmodel", 0, "PixelRNN model loading");
    g_once_init_leave (&done, 1);
  }
}

std::unique_ptr<ModelClient>
load_element_model (GstElement *element, const std::string &name)
{
  init_debug_category ();
  auto client = std::make_unique<ModelClient> ();
  try {
    client->load (name);
  } catch (const std::exception &e) {
    GST_ELEMENT_ERROR (element, RESOURCE, OPEN_READ,
        ("Could not load the PixelRNN model \"%s\".", name.c_str ()), ("%s", e.what ()));
    return nullptr;
  }
  GST_INFO_OBJECT (element, "model %s: %s", client->path ().c_str (), client->summary ().c_str ());
  return client;
}

GstCaps *
model_transform_caps (const ModelClient *client, GstCaps *caps, GstCaps *filter)
{
  return model_transform_caps (client && client->loaded () ? client->channels () : 0, caps, filter);
}

GstCaps *
model_transform_caps (int channels, GstCaps *caps, GstCaps *filter)
{
  GstCaps *model_caps = caps_for_channels (channels);
  GstCaps *result = gst_caps_intersect_full (caps, model_caps, GST_CAPS_INTERSECT_FIRST);
  gst_caps_unref (model_caps);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (result);
    result = tmp;
  }
  return result;
}

bool
report_unfit_caps (GstElement *element, const ModelClient *client, GstCaps *caps)
{
  return client && client->loaded () &&
      report_unfit_caps (element, client->channels (), client->path (), caps);
}

bool
report_unfit_caps (GstElement *element, int channels, const std::string &path, GstCaps *caps)
{
  GstVideoInfo info;
  if (channels <= 0 || !gst_caps_is_fixed (caps) || !gst_video_info_from_caps (&info, caps) ||
      format_fits_channels (GST_VIDEO_INFO_FORMAT (&info), channels))
    return false;
  GST_ELEMENT_ERROR (element, STREAM, FORMAT,
      ("Model \"%s\" has %d channel(s) and takes %s; the stream is %s.", path.c_str (),
          channels, formats_for_channels (channels), GST_VIDEO_INFO_NAME (&info)),
      ("Put videoconvert before %s.", GST_ELEMENT_NAME (element)));
  return true;
}

void
report_refused_offer (GstElement *element, GstQuery *answered, int channels,
    const std::string &path, gboolean *said)
{
  GstCaps *filter = nullptr, *result = nullptr;
  gst_query_parse_caps (answered, &filter);
  gst_query_parse_caps_result (answered, &result);
  if (!result || !gst_caps_is_empty (result) || channels <= 0 || !filter ||
      gst_caps_is_empty (filter) || gst_caps_is_any (filter))
    return;
  {
    ObjectLock lock (element);
    if (*said)
      return;
  }
  GstCaps *readable = caps_for_channels (0);
  GstCaps *offered = gst_caps_intersect (filter, readable);
  gst_caps_unref (readable);
  GstCaps *model_caps = caps_for_channels (channels);
  const bool refused = !gst_caps_is_empty (offered) && !gst_caps_can_intersect (filter, model_caps);
  gst_caps_unref (model_caps);
  if (refused) {
    std::string formats;
    for (guint i = 0; i < gst_caps_get_size (offered); ++i) {
      const GValue *value = gst_structure_get_value (gst_caps_get_structure (offered, i), "format");
      gchar *text = value ? gst_value_serialize (value) : g_strdup ("?");
      formats += (formats.empty () ? "" : ", ") + std::string (text);
      g_free (text);
    }
    GST_ELEMENT_ERROR (element, STREAM, FORMAT,
        ("Model \"%s\" has %d channel(s) and takes %s; upstream offers only %s.",
            path.c_str (), channels, formats_for_channels (channels), formats.c_str ()),
        ("Remove the format from the capsfilter before %s, or put videoconvert before it.",
            GST_ELEMENT_NAME (element)));
    ObjectLock lock (element);
    *said = TRUE;
  }
  gst_caps_unref (offered);
}

}  // namespace pixelrnn
