#include "gst_decode.h"

#include "model_file.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
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

void
write_avi (const std::string &path, const std::vector<Image> &frames, int fps)
{
  gst_init (nullptr, nullptr);
  if (frames.empty ())
    throw ImageError (path + ": no frames to write");
  std::string tmp = path + ".tmp-avi";
  const Image &first = frames[0];
  std::string desc = "appsrc name=src format=time ! videoconvert ! jpegenc ! avimux ! "
      "filesink location=\"" + tmp + "\"";
  GError *err = nullptr;
  GstElement *raw = gst_parse_launch (desc.c_str (), &err);
  g_clear_error (&err);
  if (!raw)
    throw ImageError (path + ": cannot build encoder pipeline");
  PipelinePtr pipeline (raw, stop_pipeline);
  GstElement *src = gst_bin_get_by_name (GST_BIN (raw), "src");
  GstVideoInfo info;
  gst_video_info_set_format (&info, first.channels == 1 ? GST_VIDEO_FORMAT_GRAY8 : GST_VIDEO_FORMAT_RGB,
      first.width, first.height);
  info.fps_n = fps;
  info.fps_d = 1;
  GstCaps *caps = gst_video_info_to_caps (&info);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  gst_caps_unref (caps);
  gst_element_set_state (raw, GST_STATE_PLAYING);
  for (size_t k = 0; k < frames.size (); ++k) {
    GstBuffer *buf = gst_buffer_new_allocate (nullptr, info.size, nullptr);
    GstVideoFrame vf;
    gst_video_frame_map (&vf, &info, buf, GST_MAP_WRITE);
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0);
    auto *data = static_cast<uint8_t *> (GST_VIDEO_FRAME_PLANE_DATA (&vf, 0));
    const size_t row = size_t (first.width) * first.channels;
    for (int y = 0; y < first.height; ++y)
      std::copy (frames[k].pixels.begin () + y * row, frames[k].pixels.begin () + (y + 1) * row,
          data + size_t (y) * stride);
    gst_video_frame_unmap (&vf);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (k, GST_SECOND, fps);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale (1, GST_SECOND, fps);
    gst_app_src_push_buffer (GST_APP_SRC (src), buf);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  gst_object_unref (src);
  GstBus *bus = gst_element_get_bus (raw);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      static_cast<GstMessageType> (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_object_unref (bus);
  bool ok = msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (raw, GST_STATE_NULL);
  if (!ok || std::rename (tmp.c_str (), path.c_str ()) != 0) {
    std::remove (tmp.c_str ());
    throw ImageError (path + ": cannot write video");
  }
}

}  // namespace pixelrnn
