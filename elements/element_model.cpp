#include "element_model.h"

#include "frame_pixels.h"
#include "model_client.h"

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
  GstCaps *model_caps = caps_for_channels (client && client->loaded () ? client->channels () : 0);
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
  GstVideoInfo info;
  if (!client || !client->loaded () || !gst_caps_is_fixed (caps) ||
      !gst_video_info_from_caps (&info, caps) ||
      format_fits_channels (GST_VIDEO_INFO_FORMAT (&info), client->channels ()))
    return false;
  GST_ELEMENT_ERROR (element, STREAM, FORMAT,
      ("Model \"%s\" has %d channel(s) and takes %s; the stream is %s.", client->path ().c_str (),
          client->channels (), formats_for_channels (client->channels ()),
          GST_VIDEO_INFO_NAME (&info)),
      ("Put videoconvert before %s.", GST_ELEMENT_NAME (element)));
  return true;
}

}  // namespace pixelrnn
