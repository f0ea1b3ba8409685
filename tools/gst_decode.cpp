#include "gst_decode.h"

#include "model_file.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <memory>

namespace pixelrnn {

namespace {

std::string
to_uri (const std::string &source)
{
  if (gst_uri_is_valid (source.c_str ()))
    return source;
  GError *err = nullptr;
  gchar *uri = gst_filename_to_uri (source.c_str (), &err);
  if (!uri) {
    std::string msg = err ? err->message : "bad file name";
    g_clear_error (&err);
    throw ImageError (source + ": " + msg);
  }
  std::string out = uri;
  g_free (uri);
  return out;
}

// The first error on the bus, if any, as "message (debug)".
std::string
bus_error (GstElement *pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gst_object_unref (bus);
  if (!msg)
    return {};
  GError *err = nullptr;
  gst_message_parse_error (msg, &err, nullptr);
  std::string text = err ? err->message : "unknown error";
  g_clear_error (&err);
  gst_message_unref (msg);
  return text;
}

using PipelinePtr = std::unique_ptr<GstElement, void (*) (GstElement *)>;

void
stop_pipeline (GstElement *p)
{
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

}  // namespace

std::vector<Image>
decode_frames (const std::string &source, const DecodeOptions &options)
{
  gst_init (nullptr, nullptr);
  if (!g_file_test (source.c_str (), G_FILE_TEST_EXISTS) && !gst_uri_is_valid (source.c_str ()))
    throw ImageError (source + ": no such file");
  std::string desc = "uridecodebin uri=\"" + to_uri (source) + "\" ! videoconvert ! "
      "video/x-raw,format=" + std::string (options.channels == 1 ? "GRAY8" : "RGB") +
      " ! appsink name=sink sync=false max-buffers=4";
  GError *err = nullptr;
  GstElement *raw = gst_parse_launch (desc.c_str (), &err);
  if (!raw) {
    std::string msg = err ? err->message : "cannot build pipeline";
    g_clear_error (&err);
    throw ImageError (source + ": " + msg);
  }
  g_clear_error (&err);
  PipelinePtr pipeline (raw, stop_pipeline);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (raw), "sink");
  gst_element_set_state (raw, GST_STATE_PLAYING);

  std::vector<Image> frames;
  int index = 0;
  while (true) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 30 * GST_SECOND);
    if (!sample)
      break;  // EOS, error or timeout; the bus tells which
    GstVideoInfo info;
    GstVideoFrame frame;
    if (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) &&
        index++ % std::max (1, options.every) == 0 &&
        gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ)) {
      Image img (GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info), options.channels);
      const int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
      const auto *data = static_cast<const uint8_t *> (GST_VIDEO_FRAME_PLANE_DATA (&frame, 0));
      const size_t row = size_t (img.width) * img.channels;
      for (int y = 0; y < img.height; ++y)
        std::copy (data + size_t (y) * stride, data + size_t (y) * stride + row,
            img.pixels.begin () + y * row);
      gst_video_frame_unmap (&frame);
      frames.push_back (std::move (img));
    }
    gst_sample_unref (sample);
    if (options.max_frames > 0 && static_cast<int> (frames.size ()) >= options.max_frames)
      break;
  }
  gst_object_unref (sink);
  std::string error = bus_error (raw);
  if (frames.empty ())
    throw ImageError (source + ": " + (error.empty () ? "no frame could be decoded" : error));
  return frames;
}

}  // namespace pixelrnn
