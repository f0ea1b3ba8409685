/**
 * SECTION:element-pixelrnnlikelihood
 *
 * Scores each frame under a PixelRNN model (bits per dimension), flags anomalous frames and
 * marks the most surprising regions. Results leave three ways: a GstPixelrnnLikelihoodMeta
 * on the buffer, a "pixelrnn-likelihood" element message, and an optional CSV file.
 *
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     pixelrnnlikelihood location=scores.csv ! fakesink
 * ]|
 */
/* One file for the element, as GStreamer's elements are (over 500 lines: its properties, meta,
 * messages and drawing); the scoring statistics live in anomaly_scoring and score_csv. */

#include "gstpixelrnnlikelihood.h"

#include "anomaly_scoring.h"
#include "callback_guard.h"
#include "frame_pixels.h"
#include "nll_dump.h"
#include "api/model_client.h"
#include "score_csv.h"
#include <gst-pixelrnn/gstpixelrnnmeta.h>

#include <gst/video/gstvideometa.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_pixelrnn_likelihood_debug);
#define GST_CAT_DEFAULT gst_pixelrnn_likelihood_debug

#define AUTO_ANALYSIS_PIXELS PIXELRNN_AUTO_ANALYSIS_PIXELS
/* From 640x480 to 1280x720 pixels a frame the default model is natural-full, every pixel:
 * it runs at video rate there, and damage at a codec's block scale survives (a thumbnail
 * averages it away). Smaller frames keep natural on a thumbnail, and so do larger ones:
 * past about 958,000 pixels natural-full's frame scorer is over its budget of 1e9
 * multiply-adds a frame, and would score a thumbnail with a weaker model (docs/benchmarks.md). */
#define EVERY_PIXEL_MODEL "natural-full"
#define EVERY_PIXEL_FROM (640 * 480)
#define EVERY_PIXEL_UP_TO (1280 * 720)

#define DEFAULT_WIDTH 0
#define DEFAULT_HEIGHT 0
#define DEFAULT_TILES FALSE
#define DEFAULT_TILE_SIZE 32
#define DEFAULT_MAX_PIXELS (1920 * 1080)
#define DEFAULT_SCORE GST_PIXELRNN_SCORE_ZSCORE
#define DEFAULT_THRESHOLD 4.0
#define DEFAULT_WINDOW 30
#define DEFAULT_INTERVAL 1
#define DEFAULT_ACTION GST_PIXELRNN_ACTION_NONE
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_DRAW GST_PIXELRNN_DRAW_NONE
#define DEFAULT_REGIONS 3

#define DEFAULT_CALIBRATION_FRAMES 0
#define DEFAULT_MIN_DURATION 1
#define DEFAULT_HOLD 0

#define CSV_HEADER "frame,pts_ns,bits_per_dim,score,anomaly,normalized"

enum {
  PROP_0,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_TILES,
  PROP_TILE_SIZE,
  PROP_MAX_PIXELS,
  PROP_SCORE,
  PROP_THRESHOLD,
  PROP_WINDOW,
  PROP_INTERVAL,
  PROP_ACTION,
  PROP_POST_MESSAGES,
  PROP_LOCATION,
  PROP_DRAW,
  PROP_REGIONS,
  PROP_CALIBRATION_FRAMES,
  PROP_CALIBRATION_FILE,
  PROP_MIN_DURATION,
  PROP_HOLD,
};

/* What the properties hold; the streaming thread copies it at the start of each frame. */
struct LikelihoodSettings {
  gint width = DEFAULT_WIDTH, height = DEFAULT_HEIGHT;
  gboolean tiles = DEFAULT_TILES;
  gint tile_size = DEFAULT_TILE_SIZE;
  guint max_pixels = DEFAULT_MAX_PIXELS;
  GstPixelrnnScore score = DEFAULT_SCORE;
  gdouble threshold = DEFAULT_THRESHOLD;
  guint window = DEFAULT_WINDOW;
  guint interval = DEFAULT_INTERVAL;
  GstPixelrnnAction action = DEFAULT_ACTION;
  gboolean post_messages = DEFAULT_POST_MESSAGES;
  std::string location;
  GstPixelrnnDraw draw = DEFAULT_DRAW;
  guint regions = DEFAULT_REGIONS;
  guint calibration_frames = DEFAULT_CALIBRATION_FRAMES;
  std::string calibration_file;
  guint min_duration = DEFAULT_MIN_DURATION, hold = DEFAULT_HOLD;
  bool calibrated () const { return calibration_frames > 0 || !calibration_file.empty (); }
};

struct GstPixelrnnLikelihoodPrivate {
  LikelihoodSettings settings;                   /* GST_OBJECT_LOCK */

  /* streaming state, from start() to stop() */
  pixelrnn::ZScore zscore;
  pixelrnn::Calibration calibration;
  std::string calibration_context;   /* analysis size and model; cleared when either changes */
  bool calibration_from_file = false;  /* read at start: kept (and checked) across caps changes */
  bool dump_warned = false;           /* PIXELRNN_NLL_DUMP could not be written (warned once) */
  pixelrnn::AlarmFilter alarm;
  std::unique_ptr<pixelrnn::ScoreCsv> csv;
  bool json_lines = false;                      /* location ends in .jsonl */
  guint64 frames = 0;
  gint analysis_width = 0, analysis_height = 0;
  /* This frame and the two scored before it, at the analysis size. */
  std::vector<guint8> pixels, previous, before_previous;
  std::vector<guint8> previous_frame;   /* full size, for exact repeats */
};

struct _GstPixelrnnLikelihood {
  GstPixelrnnFilter parent;
  GstPixelrnnLikelihoodPrivate *priv;            /* made in init, deleted in finalize */
};

#define gst_pixelrnn_likelihood_parent_class parent_class
G_DEFINE_TYPE (GstPixelrnnLikelihood, gst_pixelrnn_likelihood, GST_TYPE_PIXELRNN_FILTER);
GST_ELEMENT_REGISTER_DEFINE (pixelrnnlikelihood, "pixelrnnlikelihood", GST_RANK_NONE,
    GST_TYPE_PIXELRNN_LIKELIHOOD);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC,
    GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (PIXELRNN_VIDEO_FORMATS)));

static void
gst_pixelrnn_likelihood_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "set_property", 0, [&] {
    GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (object);
    pixelrnn::ObjectLock lock (self);
    auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_WIDTH: s.width = g_value_get_int (value); break;
      case PROP_HEIGHT: s.height = g_value_get_int (value); break;
      case PROP_TILES: s.tiles = g_value_get_boolean (value); break;
      case PROP_TILE_SIZE: s.tile_size = g_value_get_int (value); break;
      case PROP_MAX_PIXELS: s.max_pixels = g_value_get_uint (value); break;
      case PROP_SCORE: s.score = (GstPixelrnnScore) g_value_get_enum (value); break;
      case PROP_THRESHOLD: s.threshold = g_value_get_double (value); break;
      case PROP_WINDOW: s.window = g_value_get_uint (value); break;
      case PROP_INTERVAL: s.interval = g_value_get_uint (value); break;
      case PROP_ACTION: s.action = (GstPixelrnnAction) g_value_get_enum (value); break;
      case PROP_POST_MESSAGES: s.post_messages = g_value_get_boolean (value); break;
      case PROP_LOCATION: {
        const gchar *location = g_value_get_string (value);
        s.location = location ? location : "";
        break;
      }
      case PROP_DRAW: s.draw = (GstPixelrnnDraw) g_value_get_enum (value); break;
      case PROP_REGIONS: s.regions = g_value_get_uint (value); break;
      case PROP_CALIBRATION_FRAMES: s.calibration_frames = g_value_get_uint (value); break;
      case PROP_CALIBRATION_FILE: {
        const gchar *file = g_value_get_string (value);
        s.calibration_file = file ? file : "";
        break;
      }
      case PROP_MIN_DURATION: s.min_duration = g_value_get_uint (value); break;
      case PROP_HOLD: s.hold = g_value_get_uint (value); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

static void
gst_pixelrnn_likelihood_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  pixelrnn::guarded_query (object, "get_property", 0, [&] {
    GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (object);
    pixelrnn::ObjectLock lock (self);
    const auto &s = self->priv->settings;
    switch (prop_id) {
      case PROP_WIDTH: g_value_set_int (value, s.width); break;
      case PROP_HEIGHT: g_value_set_int (value, s.height); break;
      case PROP_TILES: g_value_set_boolean (value, s.tiles); break;
      case PROP_TILE_SIZE: g_value_set_int (value, s.tile_size); break;
      case PROP_MAX_PIXELS: g_value_set_uint (value, s.max_pixels); break;
      case PROP_SCORE: g_value_set_enum (value, s.score); break;
      case PROP_THRESHOLD: g_value_set_double (value, s.threshold); break;
      case PROP_WINDOW: g_value_set_uint (value, s.window); break;
      case PROP_INTERVAL: g_value_set_uint (value, s.interval); break;
      case PROP_ACTION: g_value_set_enum (value, s.action); break;
      case PROP_POST_MESSAGES: g_value_set_boolean (value, s.post_messages); break;
      case PROP_LOCATION:
        g_value_set_string (value, s.location.empty () ? NULL : s.location.c_str ());
        break;
      case PROP_DRAW: g_value_set_enum (value, s.draw); break;
      case PROP_REGIONS: g_value_set_uint (value, s.regions); break;
      case PROP_CALIBRATION_FRAMES: g_value_set_uint (value, s.calibration_frames); break;
      case PROP_CALIBRATION_FILE:
        g_value_set_string (value, s.calibration_file.empty () ? NULL : s.calibration_file.c_str ());
        break;
      case PROP_MIN_DURATION: g_value_set_uint (value, s.min_duration); break;
      case PROP_HOLD: g_value_set_uint (value, s.hold); break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        break;
    }
    return 0;
  });
}

static LikelihoodSettings
current_settings (GstPixelrnnLikelihood * self)
{
  pixelrnn::ObjectLock lock (self);
  return self->priv->settings;
}

static gboolean
gst_pixelrnn_likelihood_start (GstPixelrnnFilter * filter)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (filter);
  auto *priv = self->priv;
  const auto settings = current_settings (self);
  priv->csv.reset ();
  priv->json_lines = g_str_has_suffix (settings.location.c_str (), ".jsonl");
  if (!settings.location.empty ()) {
    priv->csv = std::make_unique<pixelrnn::ScoreCsv> (settings.location, priv->json_lines ? "" : CSV_HEADER);
    try {
      priv->csv->open ();
    } catch (const pixelrnn::CsvError &e) {
      priv->csv.reset ();
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("Could not open the scores file."), ("%s", e.what ()));
      return FALSE;
    }
  }
  priv->zscore = pixelrnn::ZScore (settings.window);
  priv->alarm = pixelrnn::AlarmFilter ((int) settings.min_duration, (int) settings.hold);
  priv->frames = 0;
  priv->calibration = pixelrnn::Calibration ((int) settings.calibration_frames);
  priv->calibration_from_file = false;
  priv->analysis_width = priv->analysis_height = 0;
  const std::string &file = settings.calibration_file;
  if (!file.empty () && g_file_test (file.c_str (), G_FILE_TEST_EXISTS)) {
    try {
      priv->calibration = pixelrnn::Calibration::load (file);
      priv->calibration_from_file = true;
    } catch (const std::exception &e) {
      GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Could not read the calibration file."), ("%s", e.what ()));
      return FALSE;
    }
    GST_INFO_OBJECT (self, "calibration read from %s", file.c_str ());
    if (priv->calibration.floored_on_load () > 0)
      GST_ELEMENT_WARNING (self, RESOURCE, READ,
          ("%d spread(s) in the calibration file \"%s\" were below their floors and were raised to them.",
              priv->calibration.floored_on_load (), file.c_str ()),
          ("Calibration never writes such values; the file was edited or made elsewhere. The floors: "
              "docs/elements.md, calibration."));
  } else if (!file.empty () && settings.calibration_frames == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("Calibration file \"%s\" does not exist.", file.c_str ()),
        ("Set calibration-frames=N to calibrate on the first N frames and write it there."));
    return FALSE;
  }
  return TRUE;
}

/* Scores from another model are on another scale: the zscore history and a calibration learnt
 * on this stream start again (a calibration file without calibration-frames stays, with a
 * note in the log, since there are no frames to learn a new one from). */
static void
gst_pixelrnn_likelihood_model_swapped (GstPixelrnnFilter * filter)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (filter);
  auto *priv = self->priv;
  const auto settings = current_settings (self);
  priv->zscore = pixelrnn::ZScore (settings.window);
  priv->alarm = pixelrnn::AlarmFilter ((int) settings.min_duration, (int) settings.hold);
  priv->calibration_context.clear ();
  if (settings.calibration_frames > 0)
    priv->calibration = pixelrnn::Calibration ((int) settings.calibration_frames);
  else if (!settings.calibration_file.empty ())
    GST_WARNING_OBJECT (self, "model changed; the calibration from %s was made with the old one",
        settings.calibration_file.c_str ());
}

static void
gst_pixelrnn_likelihood_stop (GstPixelrnnFilter * filter)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (filter);
  auto csv = std::move (self->priv->csv);
  if (csv) {
    try {
      csv->close ();
    } catch (const pixelrnn::CsvError &e) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not write the scores."), ("%s", e.what ()));
    }
  }
  self->priv->pixels = {};
  self->priv->previous = {};
  self->priv->before_previous = {};
  self->priv->previous_frame = {};
}

/* A new analysis size mid-stream: bits/dim at another size is on another scale, so the zscore
 * history and a calibration learnt on this stream start again; the frames kept for change
 * and repeat statistics are of the old size. A calibration file stays and is checked against
 * the new size (a mismatch is an error that names both). */
static void
start_again_at_new_size (GstPixelrnnLikelihood * self, const LikelihoodSettings & settings,
    int old_width, int old_height)
{
  auto *priv = self->priv;
  priv->zscore = pixelrnn::ZScore (settings.window);
  priv->previous.clear ();
  priv->before_previous.clear ();
  priv->previous_frame.clear ();
  const bool relearn = settings.calibration_frames > 0 && !priv->calibration_from_file;
  if (relearn)
    priv->calibration = pixelrnn::Calibration ((int) settings.calibration_frames);
  GST_ELEMENT_WARNING (self, STREAM, FORMAT,
      ("The frame size changed mid-stream: scoring at %dx%d, before at %dx%d.", priv->analysis_width,
          priv->analysis_height, old_width, old_height),
      ("The zscore history starts again%s.", relearn ? ", and so does the calibration (the next "
          "calibration-frames frames)" : ""));
}

/* The default model for W x H frames: natural-full from 640x480 to 1280x720 pixels unless
 * the analysis size or tiles are set (then the thumbnail or tile model, natural). */
static const gchar *
gst_pixelrnn_likelihood_default_model_for_size (GstPixelrnnFilter * filter, int width, int height)
{
  const auto settings = current_settings (GST_PIXELRNN_LIKELIHOOD (filter));
  const bool automatic = settings.width <= 0 && settings.height <= 0 && !settings.tiles;
  const gint64 pixels = (gint64) width * height;
  return automatic && pixels >= EVERY_PIXEL_FROM && pixels <= EVERY_PIXEL_UP_TO ? EVERY_PIXEL_MODEL : NULL;
}

static gboolean
gst_pixelrnn_likelihood_set_info (GstPixelrnnFilter * filter, const GstVideoInfo * in_info)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (filter);
  auto *priv = self->priv;
  const int W = GST_VIDEO_INFO_WIDTH (in_info), H = GST_VIDEO_INFO_HEIGHT (in_info);
  const auto settings = current_settings (self);
  const int old_width = priv->analysis_width, old_height = priv->analysis_height;
  if (settings.tiles) {
    /* Full resolution costs a model pass per tile: refuse sizes that would take minutes per
     * frame up front, with the estimate, instead of running into hours and gigabytes. */
    if (settings.max_pixels > 0 && (guint64) W * H > settings.max_pixels) {
      auto client = gst_pixelrnn_filter_get_client (filter);
      const double seconds = client->estimated_seconds ((double) W * H);
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("%dx%d frames are too large to score in tiles: the limit is %u pixels (max-pixels).", W, H,
              settings.max_pixels),
          ("Scoring every pixel takes about %.0f s per frame on one core (about 2 x parameters "
              "multiply-adds a pixel at ~5 GFLOP/s). Raise max-pixels (0 = no limit), or leave tiles off "
              "to score a scaled-down frame.", seconds));
      return FALSE;
    }
    priv->analysis_width = W;
    priv->analysis_height = H;
  } else {
    /* Automatic size: every pixel when the model scores whole frames at video rate
     * (natural-full), else a frame scaled down to about AUTO_ANALYSIS_PIXELS. */
    auto client = gst_pixelrnn_filter_get_client (filter);
    const bool every_pixel = client && client->scores_every_pixel (W, H) &&
        settings.width <= 0 && settings.height <= 0;
    pixelrnn::analysis_size (W, H, settings.width, settings.height,
        every_pixel ? (int) MIN ((gint64) W * H, G_MAXINT) : AUTO_ANALYSIS_PIXELS, priv->analysis_width, priv->analysis_height);
  }
  priv->calibration_context.clear ();
  if (old_width > 0 && (old_width != priv->analysis_width || old_height != priv->analysis_height))
    start_again_at_new_size (self, settings, old_width, old_height);
  GST_INFO_OBJECT (self, "scoring %dx%d frames at %dx%d%s", W, H, priv->analysis_width,
      priv->analysis_height, settings.tiles ? " in tiles" : "");
  return TRUE;
}

static void
post_result (GstPixelrnnLikelihood * self, GstBuffer * buffer, guint64 frame, double bpd,
    double score, gboolean anomaly, double normalized, gboolean calibrating)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
  GstClockTime ts = GST_BUFFER_PTS (buffer);
  GstClockTime running = gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts);
  GstClockTime stream = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, ts);
  double latency_ms, throughput;
  gst_pixelrnn_filter_get_figures (GST_PIXELRNN_FILTER (self), &latency_ms, &throughput);
  GstStructure *s = gst_structure_new ("pixelrnn-likelihood",
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64, stream,
      "running-time", G_TYPE_UINT64, running,
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buffer),
      "frame", G_TYPE_UINT64, frame,
      "bits-per-dim", G_TYPE_DOUBLE, bpd,
      "score", G_TYPE_DOUBLE, score,
      "anomaly", G_TYPE_BOOLEAN, anomaly,
      "normalized", G_TYPE_DOUBLE, normalized,
      "calibrating", G_TYPE_BOOLEAN, calibrating,
      "latency-ms", G_TYPE_DOUBLE, latency_ms,
      "throughput", G_TYPE_DOUBLE, throughput, NULL);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* A JSON number with 6 decimals; JSON has no inf or nan, so a non-finite value is null
 * ("not measurable for this frame", docs/elements.md). */
static std::string
json_number (double value)
{
  if (!std::isfinite (value))
    return "null";
  char text[64];
  g_snprintf (text, sizeof text, "%.6f", value);
  return text;
}

/* The buffer's pixelrnn-anomaly boxes as a JSON array of {x, y, w, h}. */
static std::string
regions_json (GstBuffer * buffer)
{
  std::string out = "[";
  gpointer state = NULL;
  GstMeta *meta;
  int count = 0;
  /* Every anomaly box the element added (at most `regions`): the row is built as a string,
   * so no count is cut off to fit a buffer. */
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    auto *roi = (GstVideoRegionOfInterestMeta *) meta;
    if (roi->roi_type != g_quark_from_static_string ("pixelrnn-anomaly"))
      continue;
    char box[96];
    g_snprintf (box, sizeof box, "%s{\"x\": %u, \"y\": %u, \"w\": %u, \"h\": %u}",
        count++ ? ", " : "", roi->x, roi->y, roi->w, roi->h);
    out += box;
  }
  return out + "]";
}

static GstFlowReturn
gst_pixelrnn_likelihood_transform_frame (GstPixelrnnFilter * filter, GstVideoFrame * frame)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (filter);
  auto *priv = self->priv;
  const auto settings = current_settings (self);
  const guint interval = MAX (settings.interval, 1u);
  const GstPixelrnnScore mode = settings.score;
  const GstPixelrnnAction action = settings.action;
  const int tile = settings.tiles ? MAX (settings.tile_size, 1) : 0;
  priv->zscore.set_window (settings.window);

  const guint64 n = priv->frames++;
  if (n % interval != 0)
    return action == GST_PIXELRNN_ACTION_GATE ? GST_BASE_TRANSFORM_FLOW_DROPPED : GST_FLOW_OK;

  auto client = gst_pixelrnn_filter_get_client (filter);
  const int C = client->channels ();
  const int aw = priv->analysis_width, ah = priv->analysis_height;
  const int W = GST_VIDEO_FRAME_WIDTH (frame), H = GST_VIDEO_FRAME_HEIGHT (frame);
  auto &pixels = priv->pixels;
  pixels.resize ((size_t) aw * ah * C);
  if (aw == W && ah == H)
    pixelrnn::read_region (frame, 0, 0, W, H, C, pixels.data ());
  else
    pixelrnn::read_scaled (frame, aw, ah, C, pixels.data ());

  pixelrnn::ScoreResult r;
  try {
    r = client->score (pixels.data (), aw, ah, tile);
  } catch (const std::exception &e) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Scoring frame %" G_GUINT64_FORMAT " failed.", n),
        ("%s", e.what ()));
    return GST_FLOW_ERROR;
  }
  pixelrnn::NllMap map{aw, ah, C, std::move (r.nll)};
  pixelrnn::dump_nll_map (GST_ELEMENT (self), map, priv->dump_warned);
  const int window = tile > 0 ? tile : pixelrnn::peak_window (map);
  const double z = priv->zscore.push (r.bits_per_dim);
  double score = r.bits_per_dim;
  switch (mode) {
    case GST_PIXELRNN_SCORE_BITS_PER_DIM: break;
    case GST_PIXELRNN_SCORE_PEAK: score = pixelrnn::peak_bits_per_dim (map, window); break;
    case GST_PIXELRNN_SCORE_COMPLEXITY:
      score = r.bits_per_dim - pixelrnn::png_bits_per_dim (pixels.data (), aw, ah, C);
      break;
    case GST_PIXELRNN_SCORE_ZSCORE: score = z; break;
    case GST_PIXELRNN_SCORE_BLOCKINESS: score = pixelrnn::block_edge_excess (map); break;
  }
  /* Calibrated: the score is the worst grid cell's robust deviation from its own normal. */
  const bool calibrated = settings.calibrated ();
  pixelrnn::NllMap change{aw, ah, 1, {}};      /* empty: no previous frame to compare with */
  bool repeated = false;
  if (calibrated) {
    repeated = pixelrnn::repeats_previous (frame, priv->previous_frame);
    /* Each pixel's change is the smaller of its change since the previous frame and since
     * the one before: after a single damaged frame, the first good one is then compared
     * with the good frame before the damage, instead of changing as much as the damage did
     * and alarming too. */
    const auto &prev = priv->previous, &earlier = priv->before_previous;
    if (prev.size () == pixels.size ()) {
      const bool two = earlier.size () == pixels.size ();
      change.bits.assign ((size_t) aw * ah, 0.f);
      for (size_t p = 0; p < change.bits.size (); ++p) {
        int d = 0, e = 0;
        for (int c = 0; c < C; ++c) {
          d += std::abs ((int) pixels[p * C + c] - (int) prev[p * C + c]);
          if (two)
            e += std::abs ((int) pixels[p * C + c] - (int) earlier[p * C + c]);
        }
        change.bits[p] = (float) (two ? std::min (d, e) : d) / C;
      }
    }
    priv->before_previous.swap (priv->previous);
    priv->previous = pixels;
  }
  gboolean calibrating = FALSE;
  if (calibrated) {
    auto &cal = priv->calibration;
    /* A calibration is of one model's NLL at one analysis size: another is refused, never
     * turned into meaningless scores. */
    if (priv->calibration_context.empty ())
      priv->calibration_context = "analysis " + std::to_string (aw) + "x" + std::to_string (ah) +
          ", model " + client->summary ();
    const std::string &context = priv->calibration_context;
    if (!cal.ready ()) {
      cal.add (map, change, repeated);
      cal.set_context (context);
      calibrating = TRUE;
      score = 0.0;
      if (cal.ready () && !settings.calibration_file.empty ()) {
        try {
          cal.save (settings.calibration_file);
          GST_INFO_OBJECT (self, "calibration written to %s", settings.calibration_file.c_str ());
        } catch (const std::exception &e) {
          GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not write the calibration file."),
              ("%s", e.what ()));
          return GST_FLOW_ERROR;
        }
      }
    } else if (!cal.context ().empty () && cal.context () != context) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("The calibration in \"%s\" was made for another stream or model.",
              settings.calibration_file.c_str ()),
          ("It was made for %s; this stream is %s. Delete the file (with calibration-frames=N the "
              "element then calibrates on this stream and writes it again).", cal.context ().c_str (),
              context.c_str ()));
      return GST_FLOW_ERROR;
    } else {
      score = cal.frame_deviation (map, change, repeated);
    }
  }
  const double magnitude = mode == GST_PIXELRNN_SCORE_ZSCORE && !calibrated ? std::fabs (score) : score;
  const gboolean over = !calibrating && magnitude >= settings.threshold;
  priv->alarm.configure ((int) settings.min_duration, (int) settings.hold);
  const gboolean anomaly = priv->alarm.push (over);
  /* 0.5 at the threshold, whatever the score's unit (the anomalib convention). */
  const double normalized = calibrating ? 0.0 :
      pixelrnn::Calibration::normalized (magnitude, settings.threshold);
  GstBuffer *buffer = frame->buffer;
  gst_buffer_add_pixelrnn_likelihood_meta (buffer, r.bits_per_dim, score, anomaly, n);
  if (GstCustomMeta *c = gst_buffer_get_custom_meta (buffer, GST_PIXELRNN_LIKELIHOOD_CUSTOM_META_NAME))
    gst_structure_set (gst_custom_meta_get_structure (c), "normalized", G_TYPE_DOUBLE, normalized, NULL);

  if (anomaly && settings.regions > 0 && calibrated && priv->calibration.ready ()) {
    /* The grid cells furthest above their own normal, those over the threshold. */
    const int columns = priv->calibration.columns (), rows = priv->calibration.rows ();
    auto dev = priv->calibration.cell_deviations (map, change);
    dev.resize (priv->calibration.cells ());   /* regions from the NLL cells */
    std::vector<size_t> order (dev.size ());
    for (size_t k = 0; k < order.size (); ++k)
      order[k] = k;
    std::sort (order.begin (), order.end (), [&] (size_t a, size_t b) {
      return std::fabs (dev[a]) > std::fabs (dev[b]);
    });
    for (size_t k = 0; k < order.size () && k < settings.regions && std::fabs (dev[order[k]]) >= settings.threshold; ++k) {
      const int cx = (int) (order[k] % columns), cy = (int) (order[k] / columns);
      const guint x = (guint) ((int64_t) cx * W / columns), y = (guint) ((int64_t) cy * H / rows);
      const guint w = (guint) ((int64_t) (cx + 1) * W / columns) - x;
      const guint h = (guint) ((int64_t) (cy + 1) * H / rows) - y;
      GstVideoRegionOfInterestMeta *roi =
          gst_buffer_add_video_region_of_interest_meta (buffer, "pixelrnn-anomaly", x, y, w, h);
      gst_video_region_of_interest_meta_add_param (roi, gst_structure_new ("pixelrnn-anomaly",
              "deviation", G_TYPE_DOUBLE, dev[order[k]], NULL));
    }
  } else if (anomaly && settings.regions > 0) {
    /* A frame simpler than its neighbours points at its simplest places, and vice versa. */
    const bool higher = !(mode == GST_PIXELRNN_SCORE_ZSCORE && score < 0);
    for (const auto &b : pixelrnn::surprising_regions (map, window, (int) settings.regions, higher)) {
      const guint x = (guint) ((int64_t) b.x * W / aw), y = (guint) ((int64_t) b.y * H / ah);
      const guint w = (guint) ((int64_t) (b.x + b.w) * W / aw) - x;
      const guint h = (guint) ((int64_t) (b.y + b.h) * H / ah) - y;
      GstVideoRegionOfInterestMeta *roi =
          gst_buffer_add_video_region_of_interest_meta (buffer, "pixelrnn-anomaly", x, y, w, h);
      gst_video_region_of_interest_meta_add_param (roi, gst_structure_new ("pixelrnn-anomaly",
              "bits-per-dim", G_TYPE_DOUBLE, b.bits_per_dim, NULL));
    }
  }
  if (settings.draw == GST_PIXELRNN_DRAW_HEATMAP && calibrated && !calibrating &&
      priv->calibration.ready ()) {
    /* Each grid cell against its own normal: a normal frame looks calm, and red means the
     * cell alone would raise the alarm. */
    const auto heat = priv->calibration.cell_heat (map, change);
    pixelrnn::blend_heatmap (frame, heat.data (), priv->calibration.columns (),
        priv->calibration.rows (), C, (float) priv->calibration.alarm_cell_deviation (settings.threshold));
  } else if (settings.draw == GST_PIXELRNN_DRAW_HEATMAP) {
    std::vector<float> per_dim (map.bits);
    for (auto &v : per_dim)
      v /= C;
    pixelrnn::blend_heatmap (frame, per_dim.data (), aw, ah, C, 8.f);
  }
  if (settings.post_messages)
    post_result (self, buffer, n, r.bits_per_dim, score, anomaly, normalized, calibrating);
  if (priv->csv) {
    std::string row;
    if (priv->json_lines) {
      /* One object per frame, shaped like gvametaconvert's JSON: timestamp in ns, then the
       * element's fields and the anomalous regions' boxes in frame pixels. */
      char head[256];
      g_snprintf (head, sizeof head, "{\"timestamp\": %" G_GUINT64_FORMAT ", \"frame\": %" G_GUINT64_FORMAT ", ",
          (guint64) GST_BUFFER_PTS (buffer), n);
      row = std::string (head) + "\"bits_per_dim\": " + json_number (r.bits_per_dim) + ", \"score\": " +
          json_number (score) + ", \"anomaly\": " + (anomaly ? "true" : "false") + ", \"normalized\": " +
          json_number (normalized) + ", \"calibrating\": " + (calibrating ? "true" : "false") +
          ", \"regions\": " + regions_json (buffer) + "}";
    } else {
      char line[2048];   /* %.6f of the largest double is 317 characters */
      g_snprintf (line, sizeof line, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%.6f,%.6f,%d,%.6f", n,
          (guint64) GST_BUFFER_PTS (buffer), r.bits_per_dim, score, anomaly ? 1 : 0, normalized);
      row = line;
    }
    try {
      priv->csv->write_row (row);
    } catch (const pixelrnn::CsvError &e) {
      priv->csv.reset ();
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not write the scores."), ("%s", e.what ()));
      return GST_FLOW_ERROR;
    }
  }
  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %.4f bits/dim, score %.4f%s", n,
      r.bits_per_dim, score, anomaly ? " ANOMALY" : "");
  if ((action == GST_PIXELRNN_ACTION_DROP && anomaly) ||
      (action == GST_PIXELRNN_ACTION_GATE && !anomaly))
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  return GST_FLOW_OK;
}

/* Too late for the model (QoS): passed unscored, like the frames `interval` skips. */
static GstFlowReturn
gst_pixelrnn_likelihood_transform_late_frame (GstPixelrnnFilter * filter, GstVideoFrame * frame)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (filter);
  (void) frame;
  self->priv->frames++;
  return current_settings (self).action == GST_PIXELRNN_ACTION_GATE ?
      GST_BASE_TRANSFORM_FLOW_DROPPED : GST_FLOW_OK;
}

/* A stream that ends before calibration-frames were seen: say so on the bus; the file is not
 * written from an incomplete calibration. */
static gboolean
gst_pixelrnn_likelihood_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (trans);
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    pixelrnn::guarded (self, "sink_event", FALSE, [&] () -> gboolean {
      const auto settings = current_settings (self);
      const auto &calibration = self->priv->calibration;
      if (settings.calibration_frames > 0 && !calibration.ready ()) {
        const std::string what = settings.calibration_file.empty () ? std::string ("No frame was scored against it.")
            : "The calibration file " + settings.calibration_file + " was not written.";
        GST_ELEMENT_WARNING (self, STREAM, FAILED,
            ("Incomplete calibration: the stream ended after %d of %u calibration frames.",
                calibration.frames_seen (), settings.calibration_frames),
            ("%s Lower calibration-frames or give a longer stream.", what.c_str ()));
      }
      return TRUE;
    });
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static void
gst_pixelrnn_likelihood_finalize (GObject * object)
{
  GstPixelrnnLikelihood *self = GST_PIXELRNN_LIKELIHOOD (object);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_pixelrnn_likelihood_class_init (GstPixelrnnLikelihoodClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstPixelrnnFilterClass *filter_class = GST_PIXELRNN_FILTER_CLASS (klass);
  const GParamFlags rw = (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const GParamFlags ready = (GParamFlags) (rw | GST_PARAM_MUTABLE_READY);
  const GParamFlags live = (GParamFlags) (rw | GST_PARAM_CONTROLLABLE | GST_PARAM_MUTABLE_PLAYING);

  gobject_class->set_property = gst_pixelrnn_likelihood_set_property;
  gobject_class->get_property = gst_pixelrnn_likelihood_get_property;
  gobject_class->finalize = gst_pixelrnn_likelihood_finalize;
  GST_BASE_TRANSFORM_CLASS (klass)->sink_event = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_sink_event);

  g_object_class_install_property (gobject_class, PROP_WIDTH,
      g_param_spec_int ("width", "Analysis width",
          "Width the frame is scaled to before scoring, pixels (0 = automatic: every pixel with "
          "a model that scores whole frames, e.g. natural-full; else about "
          G_STRINGIFY (AUTO_ANALYSIS_PIXELS) " pixels in all, keeping the aspect ratio)",
          0, G_MAXINT, DEFAULT_WIDTH, ready));
  g_object_class_install_property (gobject_class, PROP_HEIGHT,
      g_param_spec_int ("height", "Analysis height",
          "Height the frame is scaled to before scoring, pixels (0 = automatic)",
          0, G_MAXINT, DEFAULT_HEIGHT, ready));
  g_object_class_install_property (gobject_class, PROP_TILES,
      g_param_spec_boolean ("tiles", "Tiles",
          "Score full-resolution tiles of tile-size pixels instead of a scaled-down frame",
          DEFAULT_TILES, ready));
  g_object_class_install_property (gobject_class, PROP_TILE_SIZE,
      g_param_spec_int ("tile-size", "Tile size", "Side of a tile, pixels (tiles=true)",
          4, 4096, DEFAULT_TILE_SIZE, ready));
  g_object_class_install_property (gobject_class, PROP_MAX_PIXELS,
      g_param_spec_uint ("max-pixels", "Max pixels",
          "Largest frame scored with tiles=true; larger caps are refused (0 = no limit)",
          0, G_MAXUINT, DEFAULT_MAX_PIXELS, (GParamFlags) (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)));
  g_object_class_install_property (gobject_class, PROP_SCORE,
      g_param_spec_enum ("score", "Score", "What the threshold applies to",
          GST_TYPE_PIXELRNN_SCORE, DEFAULT_SCORE, live));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "A frame is anomalous when its score reaches this (units per score mode: docs/elements.md)",
          -G_MAXDOUBLE, G_MAXDOUBLE, DEFAULT_THRESHOLD, live));
  g_object_class_install_property (gobject_class, PROP_WINDOW,
      g_param_spec_uint ("window", "Window", "Frames of history for the zscore mode",
          2, 100000, DEFAULT_WINDOW, live));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Score every Nth frame; the others pass unscored (dropped with action=gate)",
          1, G_MAXUINT, DEFAULT_INTERVAL, live));
  g_object_class_install_property (gobject_class, PROP_ACTION,
      g_param_spec_enum ("action", "Action", "What happens to anomalous frames",
          GST_TYPE_PIXELRNN_ACTION, DEFAULT_ACTION, live));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a pixelrnn-likelihood element message for every scored frame",
          DEFAULT_POST_MESSAGES, live));
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "CSV location",
          "CSV file of every scored frame's scores (.jsonl: JSON lines; NULL = none)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_DRAW,
      g_param_spec_enum ("draw", "Draw", "Draw the NLL map into the frame",
          GST_TYPE_PIXELRNN_DRAW, DEFAULT_DRAW, live));
  g_object_class_install_property (gobject_class, PROP_REGIONS,
      g_param_spec_uint ("regions", "Regions",
          "Most surprising regions marked as region-of-interest metas on anomalous frames", 0, 64, DEFAULT_REGIONS, live));
  g_object_class_install_property (gobject_class, PROP_CALIBRATION_FRAMES,
      g_param_spec_uint ("calibration-frames", "Calibration frames",
          "Learn the scene's normal from the first N scored frames (0 = off)",
          0, 100000, DEFAULT_CALIBRATION_FRAMES, ready));
  g_object_class_install_property (gobject_class, PROP_CALIBRATION_FILE,
      g_param_spec_string ("calibration-file", "Calibration file",
          "Calibration JSON: read if it exists, else written after calibrating", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_MIN_DURATION,
      g_param_spec_uint ("min-duration", "Minimum duration",
          "Frames in a row over the threshold before a frame is flagged (live alarms)",
          1, 100000, DEFAULT_MIN_DURATION, live));
  g_object_class_install_property (gobject_class, PROP_HOLD,
      g_param_spec_uint ("hold", "Hold",
          "Frames an alarm stays on after the last frame over the threshold",
          0, 100000, DEFAULT_HOLD, live));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "PixelRNN likelihood",
      "Filter/Analyzer/Video",
      "Scores frames under a PixelRNN model (bits/dim), flags anomalous frames and marks where",
      "gst-pixelrnn developers");

  filter_class->start = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_start);
  filter_class->model_swapped = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_model_swapped);
  filter_class->stop = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_stop);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_set_info);
  filter_class->default_model_for_size = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_default_model_for_size);
  filter_class->transform_frame = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_transform_frame);
  filter_class->transform_late_frame = GST_DEBUG_FUNCPTR (gst_pixelrnn_likelihood_transform_late_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_PIXELRNN_SCORE, (GstPluginAPIFlags) 0);
  gst_type_mark_as_plugin_api (GST_TYPE_PIXELRNN_ACTION, (GstPluginAPIFlags) 0);
  gst_type_mark_as_plugin_api (GST_TYPE_PIXELRNN_DRAW, (GstPluginAPIFlags) 0);
  GST_DEBUG_CATEGORY_INIT (gst_pixelrnn_likelihood_debug, "pixelrnnlikelihood", 0,
      "PixelRNN likelihood scoring");
}

static void
gst_pixelrnn_likelihood_init (GstPixelrnnLikelihood * self)
{
  self->priv = new GstPixelrnnLikelihoodPrivate ();
}
