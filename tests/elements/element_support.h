// Helpers for the GstHarness tests: frames from packed pixels in any supported format, real
// pictures from tests/data, and a model client to compute expected values directly.
#pragma once

#include "frame_pixels.h"
#include "api/image.h"

#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <cstring>
#include <string>
#include <vector>

namespace pixelrnn::test {

inline std::string
data_path (const std::string &name)
{
  const char *dir = g_getenv ("TEST_DATA_DIR");
  return std::string (dir ? dir : "tests/data") + "/" + name;
}

// "name=value name=value" as gst-launch would set them.
inline void
set_properties (GstElement *element, const std::string &properties)
{
  gchar **pairs = g_strsplit (properties.c_str (), " ", -1);
  for (gchar **p = pairs; *p; ++p) {
    gchar *eq = strchr (*p, '=');
    if (!eq)
      continue;
    *eq = '\0';
    gst_util_set_object_arg (G_OBJECT (element), *p, eq + 1);
  }
  g_strfreev (pairs);
}

inline std::string
caps_string (GstVideoFormat format, int width, int height)
{
  return std::string ("video/x-raw,format=") + gst_video_format_to_string (format) +
      ",width=" + std::to_string (width) + ",height=" + std::to_string (height) +
      ",framerate=30/1";
}

// A harness around a fresh `factory` element with `properties` set before it starts (the
// model loads at start), a bus of its own for its messages, and source caps of `format`.
inline GstHarness *
filter_harness (const char *factory, const std::string &properties, GstVideoFormat format,
    int width, int height)
{
  GstElement *e = gst_element_factory_make (factory, NULL);
  set_properties (e, properties);
  GstHarness *h = gst_harness_new_with_element (e, "sink", "src");
  gst_object_unref (e);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  gst_object_unref (bus);
  gst_harness_set_src_caps_str (h, caps_string (format, width, height).c_str ());
  return h;
}

// `packed` holds width x height pixels of `channels` (R, G, B or gray).
inline GstBuffer *
make_frame (const std::vector<uint8_t> &packed, int width, int height, int channels,
    GstVideoFormat format, GstClockTime pts = 0)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, format, width, height);
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  gst_buffer_memset (buffer, 0, 0x5a, GST_VIDEO_INFO_SIZE (&info));  // padding/alpha: not zero
  GstVideoFrame frame;
  gst_video_frame_map (&frame, &info, buffer, GST_MAP_WRITE);
  std::vector<uint8_t> all (size_t (width) * height, 1);
  write_masked (&frame, 0, 0, width, height, channels, packed.data (), all.data ());
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = GST_SECOND / 30;
  return buffer;
}

// `buffer` (width x height, format `from`) converted to `to` by GStreamer's own converter
// (libgstvideo, BT.601 limited range for 4:2:0 at these sizes), independent of the elements'
// conversions: the reference the 4:2:0 tests compare with.
inline GstBuffer *
convert_buffer (GstBuffer *buffer, int width, int height, GstVideoFormat from, GstVideoFormat to)
{
  GstVideoInfo in_info, out_info;
  gst_video_info_set_format (&in_info, from, width, height);
  gst_video_info_set_format (&out_info, to, width, height);
  GstBuffer *out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&out_info), NULL);
  GST_BUFFER_PTS (out) = GST_BUFFER_PTS (buffer);
  GST_BUFFER_DURATION (out) = GST_BUFFER_DURATION (buffer);
  GstVideoFrame in_frame, out_frame;
  gst_video_frame_map (&in_frame, &in_info, buffer, GST_MAP_READ);
  gst_video_frame_map (&out_frame, &out_info, out, GST_MAP_WRITE);
  GstVideoConverter *conv = gst_video_converter_new (&in_info, &out_info, gst_structure_new ("options",
      GST_VIDEO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE, NULL));
  gst_video_converter_frame (conv, &in_frame, &out_frame);
  gst_video_converter_free (conv);
  gst_video_frame_unmap (&in_frame);
  gst_video_frame_unmap (&out_frame);
  return out;
}

inline std::vector<uint8_t>
read_frame (GstBuffer *buffer, int width, int height, int channels, GstVideoFormat format)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, format, width, height);
  GstVideoFrame frame;
  gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ);
  std::vector<uint8_t> packed (size_t (width) * height * channels);
  read_region (&frame, 0, 0, width, height, channels, packed.data ());
  gst_video_frame_unmap (&frame);
  return packed;
}


// A crop of a real photograph (tests/data), packed RGB.
inline std::vector<uint8_t>
photo_crop (const std::string &name, int x, int y, int w, int h, int channels = 3)
{
  Image image = read_png (data_path (name), channels);
  std::vector<uint8_t> out;
  for (int r = 0; r < h; ++r)
    for (int q = 0; q < w; ++q)
      for (int c = 0; c < channels; ++c)
        out.push_back (image.at (x + q, y + r, c));
  return out;
}

// The first message of `type` (ERROR or WARNING) on `element`'s bus as "message | debug",
// "" when there is none.
inline std::string
bus_message_text (GstElement *element, GstMessageType type)
{
  GstBus *bus = gst_element_get_bus (element);
  GstMessage *m = bus ? gst_bus_pop_filtered (bus, type) : nullptr;
  if (bus)
    gst_object_unref (bus);
  if (!m)
    return "";
  GError *err = nullptr;
  gchar *debug = nullptr;
  if (type == GST_MESSAGE_WARNING)
    gst_message_parse_warning (m, &err, &debug);
  else
    gst_message_parse_error (m, &err, &debug);
  std::string out = std::string (err ? err->message : "") + " | " + (debug ? debug : "");
  g_clear_error (&err);
  g_free (debug);
  gst_message_unref (m);
  return out;
}

// Runs `launch` until its first error or EOS (at most `seconds`) and returns the error as
// "message | debug": "" when it ended without one, "timeout" when it did neither.
inline std::string
pipeline_error (const std::string &launch, int seconds = 30)
{
  GError *parse_error = nullptr;
  GstElement *pipeline = gst_parse_launch (launch.c_str (), &parse_error);
  if (!pipeline) {
    std::string why = parse_error ? parse_error->message : "cannot parse";
    g_clear_error (&parse_error);
    return "parse: " + why;
  }
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, (GstClockTime) seconds * GST_SECOND,
      (GstMessageType) (GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  std::string out = m ? "" : "timeout";
  if (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    GError *err = nullptr;
    gchar *debug = nullptr;
    gst_message_parse_error (m, &err, &debug);
    out = std::string (err ? err->message : "") + " | " + (debug ? debug : "");
    g_clear_error (&err);
    g_free (debug);
  }
  if (m)
    gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return out;
}

}  // namespace pixelrnn::test
