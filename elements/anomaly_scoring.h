/* The arithmetic behind pixelrnnlikelihood's score modes and regions, on a per-pixel NLL map
 * (bits, summed over channels). No GStreamer, no LibTorch: unit-testable on its own. */
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace pixelrnn {

struct NllMap {
  int width = 0, height = 0, channels = 1;
  std::vector<float> bits;   // per pixel, summed over channels
};

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  double bits_per_dim = 0;   // the box's mean
};

/* Side of the square windows `peak` and the regions use: an eighth of the shorter side,
 * at least 4 pixels. With tiles, the tile itself. */
int peak_window (const NllMap &map);

/* Mean bits/dim of every window x window square on a half-window grid (edges clamped). */
std::vector<Box> window_means (const NllMap &map, int window);

/* The highest window mean: a small region that the frame's mean dilutes. */
double peak_bits_per_dim (const NllMap &map, int window);

/* Codec damage shows at the codec's block grid: a concealed or corrupted macroblock does not
 * continue its neighbours, so the model is surprised on its first row and column. For every
 * `block` x `block` cell of the map (aligned to its top left, with a neighbour above and to
 * the left), the mean NLL of its top row and left column minus that of its inside; the mean
 * of the highest 1% of cells (at least one), bits/dim. 0 for maps under two blocks a side.
 * (Subtracting the same figure on a grid half a block off, for the picture's own edges, was
 * tried: on real damage it ranked worse, the two top-1% figures adding their noise.) */
double block_edge_excess (const NllMap &map, int block = 8);

/* Up to `count` non-overlapping windows farthest from the frame mean in the given
 * direction (`higher`: more surprising; otherwise simpler than the frame). */
std::vector<Box> surprising_regions (const NllMap &map, int window, int count, bool higher);

/* Bits/dim a general lossless compressor (PNG, libpng defaults) needs for the same pixels. */
double png_bits_per_dim (const uint8_t *pixels, int width, int height, int channels);

/* Two-sided deviation of a value from the mean and spread of the last `window` values. */
class ZScore {
 public:
  explicit ZScore (size_t window = 30) : window_ (window) {}
  void set_window (size_t window);
  /* The z of `value` against the history (0 until `kWarmup` values were seen), then adds it. */
  double push (double value);
  static constexpr size_t kWarmup = 5;

 private:
  size_t window_;
  std::deque<double> history_;
};

/* Thresholds learnt from normal footage only. The first `frames` scored frames give robust
 * statistics (median, and the median absolute deviation scaled to a standard deviation) of
 * the frame's bits/dim and of every cell of a coarse grid over the NLL map; a few anomalous
 * frames among them move a median little. Afterwards each cell's NLL is measured against
 * that cell's own statistics, and the frame's deviation is its worst cell's: local damage on
 * an otherwise normal frame stands out, and a busy region that is always busy does not.
 * Two-sided: a cell far simpler than its normal (a blank frame, a solid block) counts as much
 * as one far more complex. Each cell has two more statistics beside its mean NLL: how much its
 * pixels changed since the previous scored frame, so a frozen frame (no change where there
 * always is some) stands out too, and a high quantile of its pixels' NLL, so a few very
 * surprising pixels that the mean dilutes do. */
class Calibration {
 public:
  static constexpr int kGridColumns = 8, kGridRows = 6;

  Calibration () = default;
  explicit Calibration (int frames) : frames_ (frames) {}

  /* Mean bits/dim of each grid cell of `map`, row-major (kGridColumns x kGridRows, fewer
   * when the map is smaller than the grid). */
  static std::vector<double> cell_means (const NllMap &map, int &columns, int &rows);
  /* The kPeakQuantile quantile of each grid cell's per-pixel bits/dim (same order). */
  static std::vector<double> cell_peaks (const NllMap &map, int columns, int rows);
  static constexpr double kPeakQuantile = 0.99;

  bool ready () const { return !median_.empty (); }
  /* What the calibration was made for ("analysis 52x39, model ..."): saved with it, and a
   * file is used only where it matches (files written before this field match anything). */
  void set_context (const std::string &context) { context_ = context; }
  const std::string &context () const { return context_; }
  /* Frames added so far, for the message when a stream ends before the calibration does. */
  int frames_seen () const { return (int) samples_.size (); }
  /* Adds one normal frame: its NLL map and its change map (mean absolute change of each
   * pixel since the previous frame, one channel, any unit), and whether it repeats the
   * previous frame exactly, byte for byte at full size; the statistics are computed when the
   * last one arrives. */
  void add (const NllMap &map, const NllMap &change, bool repeated = false);

  /* Robust deviations of every cell, signed: the NLL cells (same order as cell_means), then
   * the change cells, then (calibrations since they were added) the cells' NLL quantiles. */
  std::vector<double> cell_deviations (const NllMap &map, const NllMap &change) const;
  /* The frame's score: the largest |cell deviation|, measured against the same figure on the
   * calibration frames themselves (their median and robust spread). With 96 cells the
   * worst one of a normal frame is a few deviations out by chance; this second step makes
   * "threshold" mean "this many spreads beyond a normal frame's worst cell". The mean
   * |cell deviation|, measured the same way, counts too (the larger of the two): damage
   * spread over the whole frame (noise, a frozen picture of a moving scene) moves every cell
   * a little and no single cell much. So does the share of pixels that did not change at
   * all against a normal frame's share: a repeated (frozen) frame is exactly still. And a
   * frame that repeats the previous one exactly scores the standard score of that event
   * against how often calibration frames did: sqrt ((1 - p) / p), p = (repeats + 0.5) /
   * (frames + 1) (a Bernoulli variable's (1 - mean) / deviation; median and MAD say
   * nothing of a 0/1 event). A camera's sensor noise never repeats a frame (60 frames, none
   * repeated: 11 deviations); footage that often does (a slide show, 24 frames/s content in
   * 30) gets a small figure. */
  double frame_deviation (const NllMap &map, const NllMap &change, bool repeated = false) const;
  /* The cell deviation at which a frame alarms at `threshold`: a normal frame's worst cell
   * plus `threshold` spreads of it. The calibrated heat map is red there. */
  double alarm_cell_deviation (double threshold) const { return worst_median_ + threshold * worst_sigma_; }
  /* Per grid cell, the larger of its NLL and change |deviations| (cells () values). */
  std::vector<float> cell_heat (const NllMap &map, const NllMap &change) const;
  int cells () const { return columns_ * rows_; }
  int columns () const { return columns_; }
  int rows () const { return rows_; }
  /* 0 at the calibrated median, 0.5 at `threshold` deviations (the anomalib convention, the
   * same meaning on every camera), then 1 - 0.5 threshold/deviation: 0.75 at twice the
   * threshold, approaching 1, strictly increasing so larger deviations stay ordered. */
  static double normalized (double deviation, double threshold);

  /* JSON, written to a temporary name and renamed; load throws std::runtime_error naming
   * the file and the problem. */
  void save (const std::string &path) const;
  static Calibration load (const std::string &path);
  /* How many spreads of a loaded file were below the floors calibration applies (the
   * file was edited or written by something else) and were raised to them. */
  int floored_on_load () const { return floored_on_load_; }

 private:
  int frames_ = 0, columns_ = 0, rows_ = 0;
  std::vector<std::vector<double>> samples_;   /* per frame, the cell means */
  std::vector<double> median_, sigma_;         /* per cell */
  double worst_median_ = 0, worst_sigma_ = 1;  /* of the calibration frames' worst cells */
  /* Of the calibration frames' mean |cell deviation| (damage spread thinly over the whole
   * frame, such as noise or a frozen picture, moves every cell a little and no cell much);
   * spread_sigma_ 0 = not calibrated (a file from before it): the term is left out. */
  double spread_median_ = 0, spread_sigma_ = 0;
  /* Of the calibration frames' share of pixels that did not change at all: a repeated
   * (frozen) frame is exactly still everywhere, where a normal one of a moving scene is not;
   * still_sigma_ 0 = not calibrated. */
  double still_median_ = 0, still_sigma_ = 0;
  std::vector<double> still_samples_;
  /* Share of calibration frames that repeated the previous one exactly (smoothed: never 0);
   * 0 = not calibrated (a file from before it): the term is left out. */
  double repeat_rate_ = 0;
  /* No block-edge statistic: at every pixel its calibration spread was far narrower than
   * clean frames' own (docs/benchmarks.md, "Every pixel by default from 640x480, and the
   * block-edge term dropped"); files that carry one load without it. */
  std::string context_;
  int repeats_ = 0;
  int floored_on_load_ = 0;
  /* The floors on every spread: a perfectly steady statistic must not turn noise into
   * alarms (or a division by zero). */
  static constexpr double kWorstSpreadFloor = 0.5, kMeanSpreadFloor = 0.05, kStillSpreadFloor = 0.01;
  static double cell_spread_floor (double median) { return std::max (0.01, 0.01 * median); }
  static double still_share (const NllMap &change);
  double worst_cell (const std::vector<double> &cells) const;
  double mean_cell (const std::vector<double> &cells) const;
  /* The NLL cell means of `map`, then the change cell means (all NaN without a change map). */
  /* Then, unless the calibration predates them, each cell's high quantile of NLL. */
  std::vector<double> features (const NllMap &map, const NllMap &change, int &columns, int &rows) const;
  /* Cells' third statistic: local evidence a cell mean dilutes (a few damaged macroblocks in
   * a cell of thousands of pixels). Off for files from before it. */
  bool peaks_ = true;
};

/* Alarm smoothing for live use: an alarm starts after `min_duration` consecutive anomalous
 * frames and lasts `hold` frames after the last one. */
class AlarmFilter {
 public:
  AlarmFilter (int min_duration = 1, int hold = 0) : min_ (min_duration), hold_ (hold) {}
  void configure (int min_duration, int hold) { min_ = min_duration; hold_ = hold; }
  bool push (bool anomalous);

 private:
  int min_ = 1, hold_ = 0, run_ = 0, left_ = 0;
};

}  // namespace pixelrnn
