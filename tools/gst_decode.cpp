#include "gst_decode.h"

#include <gst/pbutils/pbutils.h>

#include "api/files.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <algorithm>
#include <cstdio>
#include <memory>

namespace pixelrnn {

void
require_video_stream (const std::string &source, const std::string &uri)
{
  GError *err = nullptr;
  GstDiscoverer *discoverer = gst_discoverer_new (30 * GST_SECOND, &err);
  if (!discoverer) {
    const std::string why = err ? err->message : "no discoverer";
    g_clear_error (&err);
    throw ImageError (source + ": cannot inspect: " + why);
  }
  GstDiscovererInfo *info = gst_discoverer_discover_uri (discoverer, uri.c_str (), &err);
  g_object_unref (discoverer);
  const GstDiscovererResult result = info ? gst_discoverer_info_get_result (info) : GST_DISCOVERER_ERROR;
  std::string problem;
  if (result != GST_DISCOVERER_OK && result != GST_DISCOVERER_MISSING_PLUGINS) {
    problem = std::string ("cannot be decoded (") + (err ? err->message : "not a media file") + ")";
  } else {
    GList *videos = gst_discoverer_info_get_video_streams (info);
    if (!videos) {
      std::string found;
      GList *all = gst_discoverer_info_get_stream_list (info);
      for (GList *l = all; l; l = l->next) {
        GstCaps *caps = gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (l->data));
        if (caps) {
          const GstStructure *st = gst_caps_get_structure (caps, 0);
          if (st && !gst_structure_has_name (st, "application/x-id3"))
            found += std::string (found.empty () ? "" : ", ") + gst_structure_get_name (st);
          gst_caps_unref (caps);
        }
      }
      gst_discoverer_stream_info_list_free (all);
      problem = "has no video stream (found " + (found.empty () ? std::string ("nothing decodable") : found) + ")";
    }
    gst_discoverer_stream_info_list_free (videos);
  }
  g_clear_error (&err);
  if (info)
    gst_discoverer_info_unref (info);
  if (!problem.empty ())
    throw ImageError (source + ": " + problem);
}

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

// The first message of `type` (an error or a warning) on the bus, as text a user can act on;
// empty if there is none.
std::string
bus_problem (GstElement *pipeline, GstMessageType type)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, type);
  gst_object_unref (bus);
  if (!msg)
    return {};
  GError *err = nullptr;
  gchar *debug = nullptr;
  if (type == GST_MESSAGE_ERROR)
    gst_message_parse_error (msg, &err, &debug);
  else
    gst_message_parse_warning (msg, &err, &debug);
  std::string text = err ? err->message : "unknown error";
  const std::string detail = debug ? debug : "";
  g_clear_error (&err);
  g_free (debug);
  gst_message_unref (msg);
  // Decoders report what they could not read in debug logs only; on the bus the stream just
  // stops ("Internal data stream error", reason error or not-negotiated), or, when the decoder
  // dropped every frame as a decode error, ends with "No valid frames decoded" (which of the
  // two arrives depends on timing).
  if (detail.find ("streaming stopped") != std::string::npos ||
      text.find ("No valid frames decoded") != std::string::npos)
    text = "cannot decode it (corrupt, or a kind the decoders here do not read, such as a CMYK "
           "JPEG; convert it to an RGB PNG or JPEG)";
  return text;
}

// libjpeg decodes a JPEG cut short without complaint, filling the rest with gray. A
// complete one ends with the end-of-image marker FF D9 (some writers append a few bytes).
bool
jpeg_looks_complete (const std::string &path)
{
  std::string lower = path;
  for (auto &c : lower)
    c = (char) g_ascii_tolower (c);
  const bool jpeg = g_str_has_suffix (lower.c_str (), ".jpg") || g_str_has_suffix (lower.c_str (), ".jpeg");
  FILE *f = jpeg ? std::fopen (path.c_str (), "rb") : nullptr;
  if (!f)
    return true;
  unsigned char tail[1024];
  std::fseek (f, 0, SEEK_END);
  const long size = std::ftell (f);
  const long n = std::min<long> (size, sizeof tail);
  std::fseek (f, size - n, SEEK_SET);
  const size_t got = std::fread (tail, 1, (size_t) n, f);
  std::fclose (f);
  for (size_t k = 0; k + 1 < got; ++k)
    if (tail[k] == 0xff && tail[k + 1] == 0xd9)
      return true;
  return false;
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
  /* A FIFO would block the decoder for ever and a device never end: a local source is read
   * only from a regular file (folders are listed by the caller). */
  if (g_file_test (source.c_str (), G_FILE_TEST_EXISTS)) {
    uint64_t size = 0;
    try {
      size = require_regular_file (source, "picture or video");
    } catch (const FileError &e) {
      throw ImageError (e.what ());
    }
    if (size == 0)
      throw ImageError (source + ": empty file");
  }
  if (options.strict && !jpeg_looks_complete (source))
    throw ImageError (source + ": truncated JPEG (no end-of-image marker)");
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
  GstBus *bus = gst_element_get_bus (raw);
  gint64 last_progress = g_get_monotonic_time ();
  while (true) {
    // Short waits, so that an error (an undecodable file) ends the wait at once.
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), GST_SECOND / 10);
    if (!sample) {
      if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
        break;
      GstMessage *error = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      if (error) {
        gst_bus_post (bus, error);              // put it back for bus_problem
        break;
      }
      if (g_get_monotonic_time () - last_progress > 30 * G_USEC_PER_SEC)
        break;                                  // a stalled source
      continue;
    }
    last_progress = g_get_monotonic_time ();
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
  gst_object_unref (bus);
  const std::string error = bus_problem (raw, GST_MESSAGE_ERROR);
  if (frames.empty ())
    throw ImageError (source + ": " + (error.empty () ? "no frame could be decoded" : error));
  // A still image the decoder warned about (a JPEG cut short, say) is not trained on.
  const std::string warning = bus_problem (raw, GST_MESSAGE_WARNING);
  if (options.strict && !warning.empty ())
    throw ImageError (source + ": corrupt or truncated (" + warning + ")");
  return frames;
}

}  // namespace pixelrnn
