// pixelrnn score: every score mode of pixelrnnlikelihood for every frame of a video, through
// the element itself (registered in this process), one branch per mode after a tee so the
// modes run in parallel; per-frame CSV, and with --labels the AUROC, AUPR and best F1 of
// each mode.
#include "cli_common.h"
#include "commands.h"
#include "gst_decode.h"
#include "api/files.h"
#include "api/model_client.h"
#include "labels_file.h"
#include "ranking_metrics.h"

#include <gst/gst.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

/* The element is registered into this process by its registration function, declared the
 * way GStreamer's own elements declare theirs; tools/ includes no header of elements/. */
GST_ELEMENT_REGISTER_DECLARE (pixelrnnlikelihood);

namespace pixelrnn {

namespace {

using cli::FrameRanges;
using cli::read_labels;

struct Mode {
  std::string name, properties;
  bool two_sided;   // rank |score| (zscore: unusually simple frames count too)
};

// One flag per scored frame; a range past the last frame is an error naming the file.
std::vector<bool>
label_frames (const FrameRanges &ranges, const std::string &path, size_t frames)
{
  std::vector<bool> anomalous (frames, false);
  for (const auto &[first, last, line] : ranges) {
    if (last >= frames)
      cli::die (path + ":" + std::to_string (line) + ": frame " + std::to_string (last) +
          " is past the video's last frame (" + std::to_string (frames - 1) + ")");
    for (guint64 k = first; k <= last; ++k)
      anomalous[k] = true;
  }
  return anomalous;
}

std::string
gst_quoted (const std::string &s)
{
  gchar *e = g_strescape (s.c_str (), nullptr);
  std::string out = std::string ("\"") + e + "\"";
  g_free (e);
  return out;
}

}  // namespace

int
cmd_score (int argc, char **argv)
{
  gchar *model_name = nullptr, *csv_path = nullptr, *labels_path = nullptr;
  gchar **inputs = nullptr;
  gint calibrate = 0, width = 0, height = 0, max_frames = 0, threads = 1;
  const GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model_name, "Model file or shipped name (default: the element's: natural-full at every pixel from 640x480 to 1280x720, else natural)", "MODEL"},
    {"csv", 'o', 0, G_OPTION_ARG_FILENAME, &csv_path, "Write every frame's score in every mode to this CSV (default: standard output unless --labels is given)", "FILE"},
    {"labels", 'l', 0, G_OPTION_ARG_FILENAME, &labels_path, "Anomalous frames, one number or FIRST-LAST per line (0-based); prints AUROC, AUPR and best F1 per mode", "FILE"},
    {"calibrate", 'c', 0, G_OPTION_ARG_INT, &calibrate, "Add the calibrated mode, learning normal from the first N frames (left out of every mode's figures)", "N"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Analysis width (default: the element's automatic size)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Analysis height", "H"},
    {"max-frames", 0, 0, G_OPTION_ARG_INT, &max_frames, "Score only the first N frames", "N"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &threads, "Compute threads per mode (default 1; the modes run in parallel)", "N"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, nullptr, "VIDEO"},
    {nullptr}};
  cli::parse (argc, argv, entries, "VIDEO - score every frame of a video in every score mode",
      "Runs pixelrnnlikelihood once per score mode (bits-per-dim, peak, complexity, zscore, and\n"
      "calibrated with --calibrate) over VIDEO (a file or URI) and writes one CSV row per frame.\n"
      "With --labels it prints how well each mode separates the labelled frames from the rest:\n"
      "AUROC, AUPR (average precision) and the best F1 with its threshold. zscore is ranked by\n"
      "|z|; with --calibrate N the first N frames are left out of every mode's figures.");
  const auto videos = cli::strv (inputs);
  if (videos.size () != 1)
    cli::die ("give one video: pixelrnn score VIDEO [--labels FILE] [--csv FILE]");
  const std::string video = videos[0];
  if (calibrate < 0 || max_frames < 0 || width < 0 || height < 0 || threads < 0)
    cli::die ("--calibrate, --max-frames, --width, --height and --threads take N >= 0");
  /* A file:// URI names a file like a path does, and gets the same checks: a FIFO given
   * as a URI blocked for ever. */
  std::string uri, video_file;
  if (gst_uri_is_valid (video.c_str ())) {
    uri = video;
    if (gst_uri_has_protocol (video.c_str (), "file")) {
      gchar *f = g_filename_from_uri (video.c_str (), nullptr, nullptr);
      if (!f)
        cli::die (video + ": not a file URI this machine can open");
      video_file = f;
      g_free (f);
    }
  } else {
    video_file = video;
    gchar *u = gst_filename_to_uri (video.c_str (), nullptr);
    uri = u;
    g_free (u);
  }
  if (!video_file.empty ()) {
    if (!g_file_test (video_file.c_str (), G_FILE_TEST_EXISTS))
      cli::die (video_file + ": no such file");
    try {
      require_regular_file (video_file, "video");
    } catch (const FileError &e) {
      cli::die (e.what ());
    }
  }
  std::string model_path;   /* empty: the element's default for the video's size */
  if (model_name) {
    try {
      model_path = resolve_model_path (model_name);
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
  }
  if (csv_path) {
    cli::check_writable (csv_path);
    try {
      if (!video_file.empty ())
        refuse_same_file (csv_path, video_file);
      if (labels_path)
        refuse_same_file (csv_path, labels_path);
    } catch (const FileError &e) {
      cli::die (e.what ());
    }
  }
  FrameRanges label_ranges;
  if (labels_path) {
    try {
      label_ranges = read_labels (labels_path);
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
  }

  std::vector<Mode> modes{{"bits-per-dim", "score=bits-per-dim", false}, {"peak", "score=peak", false},
      {"complexity", "score=complexity", false}, {"zscore", "score=zscore", true}};
  if (calibrate > 0)
    modes.push_back ({"calibrated", "calibration-frames=" + std::to_string (calibrate), false});

  gst_init (nullptr, nullptr);
  try {
    require_video_stream (video, uri);   /* an audio-only file: say so, not "internal data stream error" */
  } catch (const std::exception &e) {
    cli::die (e.what ());
  }
  GST_ELEMENT_REGISTER (pixelrnnlikelihood, NULL);
  std::ostringstream launch;
  /* --max-frames: the pipeline runs until every mode has scored the first N frames, then
   * stops; rows past N are dropped. (identity eos-after lost a frame before it.) */
  launch << "uridecodebin uri=" << gst_quoted (uri) << " ! videoconvert ! tee name=t";
  for (const auto &m : modes) {
    launch << " t. ! queue max-size-buffers=4 ! pixelrnnlikelihood name=" << m.name;
    if (!model_path.empty ())
      launch << " model=" << gst_quoted (model_path);
    launch << " " << m.properties << " threads=" << threads;
    if (width)
      launch << " width=" << width;
    if (height)
      launch << " height=" << height;
    launch << " ! fakesink sync=false";
  }
  GError *error = nullptr;
  GstElement *pipeline = gst_parse_launch (launch.str ().c_str (), &error);
  if (!pipeline || error) {
    const std::string why = error ? error->message : "cannot build the pipeline";
    g_clear_error (&error);
    cli::die (why);
  }
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  std::map<std::string, std::vector<double>> scores;
  std::vector<guint64> timestamps;
  std::string failure;
  for (bool done = false; !done;) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
        (GstMessageType) (GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *e = nullptr;
      gst_message_parse_error (msg, &e, nullptr);
      failure = video + ": " + e->message;
      g_error_free (e);
      done = true;
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      done = true;
    } else if (const GstStructure *s = gst_message_get_structure (msg);
               s && gst_structure_has_name (s, "pixelrnn-likelihood")) {
      guint64 frame = 0, ts = 0;
      double score = 0;
      gst_structure_get_uint64 (s, "frame", &frame);
      gst_structure_get_uint64 (s, "timestamp", &ts);
      gst_structure_get_double (s, "score", &score);
      auto &column = scores[GST_OBJECT_NAME (GST_MESSAGE_SRC (msg))];
      if (column.size () <= frame)
        column.resize (frame + 1, NAN);
      column[frame] = score;
      if (timestamps.size () <= frame)
        timestamps.resize (frame + 1, GST_CLOCK_TIME_NONE);
      timestamps[frame] = ts;
      if (max_frames > 0 && scores.size () == modes.size ()) {
        bool all = true;
        for (const auto &[name, values] : scores)
          all = all && values.size () >= (size_t) max_frames &&
              std::none_of (values.begin (), values.begin () + max_frames, [] (double v) { return std::isnan (v); });
        done = all;
      }
    }
    gst_message_unref (msg);
  }
  if (max_frames > 0 && timestamps.size () > (size_t) max_frames) {
    timestamps.resize (max_frames);
    for (auto &[name, values] : scores)
      values.resize (max_frames);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  if (!failure.empty ())
    cli::die (failure);
  const size_t frames = timestamps.size ();
  if (frames == 0)
    cli::die (video + ": no frame was scored");

  std::ostringstream csv;
  csv << "frame,timestamp_ns";
  for (const auto &m : modes)
    csv << "," << m.name;
  const std::vector<bool> labels = labels_path ? label_frames (label_ranges, labels_path, frames) : std::vector<bool> ();
  if (labels_path)
    csv << ",anomalous";
  csv << "\n";
  for (size_t k = 0; k < frames; ++k) {
    csv << k << "," << timestamps[k];
    for (const auto &m : modes) {
      const auto &column = scores[m.name];
      char cell[32];
      g_snprintf (cell, sizeof cell, ",%.6f", k < column.size () ? column[k] : NAN);
      csv << cell;
    }
    if (labels_path)
      csv << "," << (labels[k] ? 1 : 0);
    csv << "\n";
  }
  if (csv_path) {
    try {
      write_file_atomic (csv_path, csv.str ());
    } catch (const std::exception &e) {
      cli::die (e.what ());
    }
  } else if (!labels_path) {
    std::fputs (csv.str ().c_str (), stdout);
  }
  if (!labels_path)
    return 0;

  // Every mode is ranked on the same frames: those after the calibration.
  std::vector<size_t> ranked;
  for (size_t k = (size_t) calibrate; k < frames; ++k)
    ranked.push_back (k);
  size_t anomalous = 0;
  for (size_t k : ranked)
    anomalous += labels[k];
  std::printf ("%s: %zu frames; ranked %zu (%zu anomalous, %zu normal)%s\n", video.c_str (), frames,
      ranked.size (), anomalous, ranked.size () - anomalous,
      calibrate ? (", after " + std::to_string (calibrate) + " calibration frames").c_str () : "");
  std::printf ("| mode | AUROC | AUPR | best F1 | at score |\n|---|---|---|---|---|\n");
  for (const auto &m : modes) {
    const auto &column = scores[m.name];
    std::vector<double> s;
    std::vector<bool> l;
    for (size_t k : ranked) {
      const double v = k < column.size () ? column[k] : NAN;
      s.push_back (std::isfinite (v) ? (m.two_sided ? std::fabs (v) : v) : -INFINITY);
      l.push_back (labels[k]);
    }
    try {
      const auto r = ranking_metrics (s, l);
      std::printf ("| %s | %.3f | %.3f | %.3f | %.4g |\n", m.name.c_str (), r.auroc, r.aupr, r.best_f1,
          r.best_threshold);
    } catch (const std::invalid_argument &e) {
      cli::die (std::string (labels_path) + ": " + e.what ());
    }
  }
  return 0;
}

}  // namespace pixelrnn
