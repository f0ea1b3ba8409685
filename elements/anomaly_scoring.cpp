#include "anomaly_scoring.h"

#include "api/files.h"
#include "api/image.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace pixelrnn {

int
peak_window (const NllMap &map)
{
  return std::max (4, std::min (map.width, map.height) / 8);
}

std::vector<Box>
window_means (const NllMap &map, int window)
{
  const int W = map.width, H = map.height;
  const int ww = std::min (window, W), wh = std::min (window, H);
  const int step_x = std::max (1, ww / 2), step_y = std::max (1, wh / 2);
  // Summed-area table: every window in O(1).
  std::vector<double> sat ((size_t) (W + 1) * (H + 1), 0.0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      sat[(size_t) (y + 1) * (W + 1) + x + 1] = map.bits[(size_t) y * W + x] +
          sat[(size_t) y * (W + 1) + x + 1] + sat[(size_t) (y + 1) * (W + 1) + x] -
          sat[(size_t) y * (W + 1) + x];
  std::vector<Box> boxes;
  for (int y = 0;; y += step_y) {
    y = std::min (y, H - wh);
    for (int x = 0;; x += step_x) {
      x = std::min (x, W - ww);
      const double s = sat[(size_t) (y + wh) * (W + 1) + x + ww] - sat[(size_t) y * (W + 1) + x + ww] -
          sat[(size_t) (y + wh) * (W + 1) + x] + sat[(size_t) y * (W + 1) + x];
      boxes.push_back ({x, y, ww, wh, s / ((double) ww * wh * map.channels)});
      if (x + ww >= W)
        break;
    }
    if (y + wh >= H)
      break;
  }
  return boxes;
}

double
peak_bits_per_dim (const NllMap &map, int window)
{
  double best = 0;
  for (const auto &b : window_means (map, window))
    best = std::max (best, b.bits_per_dim);
  return best;
}

namespace {

/* The mean of the highest 1% (at least one) of edge-minus-inside excesses of the grid's
 * blocks that have a neighbour above and to the left. */
double
top_block_excess (const NllMap &map, int block)
{
  const int W = map.width;
  std::vector<double> excess;
  for (int by = block; by + block <= map.height; by += block)
    for (int bx = block; bx + block <= W; bx += block) {
      double edge = 0, inside = 0;
      for (int y = 0; y < block; ++y)
        for (int x = 0; x < block; ++x) {
          const double v = map.bits[(size_t) (by + y) * W + bx + x];
          (x == 0 || y == 0 ? edge : inside) += v;
        }
      excess.push_back (edge / (2 * block - 1) - inside / ((block - 1) * (block - 1)));
    }
  if (excess.empty ())
    return 0.0;
  const size_t top = std::max<size_t> (1, excess.size () / 100);
  std::partial_sort (excess.begin (), excess.begin () + top, excess.end (), std::greater<double> ());
  double sum = 0;
  for (size_t i = 0; i < top; ++i)
    sum += excess[i];
  return sum / top;
}

}  // namespace

double
block_edge_excess (const NllMap &map, int block)
{
  if (block < 2 || map.width < 2 * block || map.height < 2 * block)
    return 0.0;
  return top_block_excess (map, block) / std::max (1, map.channels);
}

std::vector<Box>
surprising_regions (const NllMap &map, int window, int count, bool higher)
{
  auto boxes = window_means (map, window);
  std::sort (boxes.begin (), boxes.end (), [higher] (const Box &a, const Box &b) {
    return higher ? a.bits_per_dim > b.bits_per_dim : a.bits_per_dim < b.bits_per_dim;
  });
  std::vector<Box> kept;
  for (const auto &b : boxes) {
    if ((int) kept.size () >= count)
      break;
    bool overlaps = false;
    for (const auto &k : kept)
      overlaps |= b.x < k.x + k.w && k.x < b.x + b.w && b.y < k.y + k.h && k.y < b.y + b.h;
    if (!overlaps)
      kept.push_back (b);
  }
  return kept;
}

double
png_bits_per_dim (const uint8_t *pixels, int width, int height, int channels)
{
  Image image (width, height, channels);
  std::memcpy (image.pixels.data (), pixels, image.pixels.size ());
  return 8.0 * (double) png_size (image) / ((double) width * height * channels);
}

void
ZScore::set_window (size_t window)
{
  window_ = std::max<size_t> (window, 2);
  while (history_.size () > window_)
    history_.pop_front ();
}

double
ZScore::push (double value)
{
  double z = 0;
  if (history_.size () >= kWarmup) {
    double mean = 0, var = 0;
    for (double v : history_)
      mean += v;
    mean /= history_.size ();
    for (double v : history_)
      var += (v - mean) * (v - mean);
    // A floor on the spread: a perfectly steady history must not turn noise into infinity.
    const double sd = std::max (std::sqrt (var / (history_.size () - 1)), 1e-3);
    z = (value - mean) / sd;
  }
  history_.push_back (value);
  while (history_.size () > window_)
    history_.pop_front ();
  return z;
}

namespace {

/* Median of the finite values (NaN marks "not measured"); NaN when there is none. */
double
median_of (std::vector<double> v)
{
  v.erase (std::remove_if (v.begin (), v.end (), [] (double x) { return !std::isfinite (x); }), v.end ());
  if (v.empty ())
    return std::nan ("");
  std::nth_element (v.begin (), v.begin () + v.size () / 2, v.end ());
  return v[v.size () / 2];
}

/* 1.4826 x the median absolute deviation of `v` from `centre`: a normal standard deviation's
 * robust estimate. */
double
robust_spread (std::vector<double> v, double centre)
{
  for (auto &x : v)
    x = std::fabs (x - centre);
  return 1.4826 * median_of (std::move (v));
}

/* Cell means of a change map, or "not measured" for every cell when there is none. */
std::vector<double>
change_means (const NllMap &change, const NllMap &like, int &columns, int &rows)
{
  if (!change.bits.empty ())
    return Calibration::cell_means (change, columns, rows);
  auto cells = Calibration::cell_means (like, columns, rows);
  std::fill (cells.begin (), cells.end (), std::nan (""));
  return cells;
}

}  // namespace

std::vector<double>
Calibration::cell_means (const NllMap &map, int &columns, int &rows)
{
  columns = std::min (kGridColumns, std::max (1, map.width));
  rows = std::min (kGridRows, std::max (1, map.height));
  std::vector<double> sum ((size_t) columns * rows, 0.0), count (sum.size (), 0.0);
  for (int y = 0; y < map.height; ++y)
    for (int x = 0; x < map.width; ++x) {
      const size_t cell = (size_t) (y * rows / map.height) * columns + (size_t) (x * columns / map.width);
      sum[cell] += map.bits[(size_t) y * map.width + x];
      count[cell] += 1;
    }
  for (size_t k = 0; k < sum.size (); ++k)
    sum[k] = count[k] > 0 ? sum[k] / (count[k] * map.channels) : 0.0;
  return sum;
}

std::vector<double>
Calibration::cell_peaks (const NllMap &map, int columns, int rows)
{
  std::vector<std::vector<float>> values ((size_t) columns * rows);
  for (int y = 0; y < map.height; ++y)
    for (int x = 0; x < map.width; ++x)
      values[(size_t) (y * rows / map.height) * columns + (size_t) (x * columns / map.width)]
          .push_back (map.bits[(size_t) y * map.width + x]);
  std::vector<double> peaks (values.size (), 0.0);
  for (size_t k = 0; k < values.size (); ++k) {
    auto &v = values[k];
    if (v.empty ())
      continue;
    const size_t at = std::min (v.size () - 1, (size_t) (kPeakQuantile * v.size ()));
    std::nth_element (v.begin (), v.begin () + at, v.end ());
    peaks[k] = v[at] / std::max (1, map.channels);
  }
  return peaks;
}

std::vector<double>
Calibration::features (const NllMap &map, const NllMap &change, int &columns, int &rows) const
{
  auto cells = cell_means (map, columns, rows);
  auto moved = change_means (change, map, columns, rows);
  cells.insert (cells.end (), moved.begin (), moved.end ());
  if (peaks_) {
    auto peaks = cell_peaks (map, columns, rows);
    cells.insert (cells.end (), peaks.begin (), peaks.end ());
  }
  return cells;
}

void
Calibration::add (const NllMap &map, const NllMap &change, bool repeated)
{
  if (ready () || frames_ <= 0)
    return;
  int columns, rows;
  auto cells = features (map, change, columns, rows);
  if (!samples_.empty () && (columns != columns_ || rows != rows_)) {
    samples_.clear ();                          /* the analysis size changed: start again */
    still_samples_.clear ();
    repeats_ = 0;
  }
  repeats_ += repeated;
  columns_ = columns;
  rows_ = rows;
  samples_.push_back (std::move (cells));
  still_samples_.push_back (still_share (change));
  if ((int) samples_.size () < frames_)
    return;
  const size_t n = samples_[0].size ();
  median_.assign (n, 0.0);
  sigma_.assign (n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    std::vector<double> v;
    for (const auto &f : samples_)
      v.push_back (f[k]);
    const double m = median_of (v);
    if (!std::isfinite (m)) {            /* never measured (a single calibration frame) */
      median_[k] = 0.0;
      sigma_[k] = std::numeric_limits<double>::infinity ();
      continue;
    }
    /* The floor keeps a perfectly still cell (a static scene coded the same way every
     * frame) from turning noise into alarms. */
    median_[k] = m;
    sigma_[k] = std::max (robust_spread (std::move (v), m), cell_spread_floor (m));
  }
  /* The frame statistics, each over the calibration frames themselves. */
  std::vector<double> worst, spread;
  for (const auto &f : samples_) {
    worst.push_back (worst_cell (f));
    spread.push_back (mean_cell (f));
  }
  worst_median_ = median_of (worst);
  worst_sigma_ = std::max (robust_spread (std::move (worst), worst_median_), kWorstSpreadFloor);
  spread_median_ = median_of (spread);
  spread_sigma_ = std::max (robust_spread (std::move (spread), spread_median_), kMeanSpreadFloor);
  still_median_ = median_of (still_samples_);
  if (std::isfinite (still_median_)) {
    still_sigma_ = std::max (robust_spread (std::move (still_samples_), still_median_), kStillSpreadFloor);
  } else {
    still_median_ = still_sigma_ = 0.0;
  }
  still_samples_.clear ();
  repeat_rate_ = (repeats_ + 0.5) / (samples_.size () + 1.0);
  samples_.clear ();
}

std::vector<double>
Calibration::cell_deviations (const NllMap &map, const NllMap &change) const
{
  int columns, rows;
  auto cells = features (map, change, columns, rows);
  if (!ready () || columns != columns_ || rows != rows_ || cells.size () != median_.size ())
    return std::vector<double> (cells.size (), 0.0);
  for (size_t k = 0; k < cells.size (); ++k)
    cells[k] = std::isfinite (cells[k]) && std::isfinite (sigma_[k]) ? (cells[k] - median_[k]) / sigma_[k] : 0.0;
  return cells;
}

double
Calibration::worst_cell (const std::vector<double> &cells) const
{
  double worst = 0.0;
  for (size_t k = 0; k < cells.size () && k < median_.size (); ++k)
    if (std::isfinite (cells[k]) && std::isfinite (sigma_[k]))
      worst = std::max (worst, std::fabs (cells[k] - median_[k]) / sigma_[k]);
  return worst;
}

double
Calibration::still_share (const NllMap &change)
{
  if (change.bits.empty ())
    return std::nan ("");
  size_t still = 0;
  for (float v : change.bits)
    still += v == 0.f;
  return (double) still / change.bits.size ();
}

double
Calibration::mean_cell (const std::vector<double> &cells) const
{
  double total = 0.0;
  int n = 0;
  for (size_t k = 0; k < cells.size () && k < median_.size (); ++k)
    if (std::isfinite (cells[k]) && std::isfinite (sigma_[k])) {
      total += std::fabs (cells[k] - median_[k]) / sigma_[k];
      ++n;
    }
  return n > 0 ? total / n : 0.0;
}

std::vector<float>
Calibration::cell_heat (const NllMap &map, const NllMap &change) const
{
  const auto dev = cell_deviations (map, change);
  std::vector<float> heat ((size_t) cells (), 0.f);
  for (size_t k = 0; k < heat.size (); ++k) {
    double v = k < dev.size () && std::isfinite (dev[k]) ? std::fabs (dev[k]) : 0.0;
    for (size_t c = k + heat.size (); c < dev.size (); c += heat.size ())   /* change, quantile */
      if (std::isfinite (dev[c]))
        v = std::max (v, std::fabs (dev[c]));
    heat[k] = (float) v;
  }
  return heat;
}

double
Calibration::frame_deviation (const NllMap &map, const NllMap &change, bool repeated) const
{
  if (!ready ())
    return 0.0;
  int columns, rows;
  const auto cells = features (map, change, columns, rows);
  if (columns != columns_ || rows != rows_ || cells.size () != median_.size ())
    return 0.0;
  const double local = (worst_cell (cells) - worst_median_) / worst_sigma_;
  double score = local;
  if (spread_sigma_ > 0)
    score = std::max (score, (mean_cell (cells) - spread_median_) / spread_sigma_);
  const double still = still_share (change);
  if (still_sigma_ > 0 && std::isfinite (still))
    score = std::max (score, (still - still_median_) / still_sigma_);
  if (repeated && repeat_rate_ > 0)
    score = std::max (score, std::sqrt ((1.0 - repeat_rate_) / repeat_rate_));
  return score;
}

double
Calibration::normalized (double deviation, double threshold)
{
  // Linear up to the threshold, then 1 - 0.5 k/d: the same slope at the threshold, and larger
  // deviations stay ordered (a glitch above a scene cut) instead of saturating at 1.
  const double k = std::max (threshold, 1e-9);
  if (!(deviation > 0))
    return 0.0;
  if (deviation <= k)
    return 0.5 * deviation / k;
  return std::isfinite (deviation) ? 1.0 - 0.5 * k / deviation : 1.0;
}

void
Calibration::save (const std::string &path) const
{
  if (!ready ())
    throw std::runtime_error ("\"" + path + "\": the calibration is not complete");
  std::vector<double> sigma (sigma_);
  for (auto &v : sigma)
    if (!std::isfinite (v))
      v = 0.0;                             /* 0: never measured */
  nlohmann::json j = {{"format", "pixelrnn-calibration"}, {"version", 1}, {"frames", frames_},
      {"columns", columns_}, {"rows", rows_}, {"median", median_}, {"sigma", sigma},
      {"worst_median", worst_median_}, {"worst_sigma", worst_sigma_},
      {"spread_median", spread_median_}, {"spread_sigma", spread_sigma_},
      {"still_median", still_median_}, {"still_sigma", still_sigma_},
      {"repeat_rate", repeat_rate_}, {"context", context_}};
  // A unique temporary name per writer (two elements saving one file never share one).
  try {
    write_file_atomic (path, j.dump (1) + "\n");
  } catch (const FileError &e) {
    throw std::runtime_error (std::string ("cannot write the calibration: ") + e.what ());
  }
}

/* A calibration holds a few hundred numbers; anything near this size is not one. */
static constexpr uint64_t kMaxCalibrationFileBytes = 4u << 20;

Calibration
Calibration::load (const std::string &path)
{
  auto fail = [&] (const std::string &why) { return std::runtime_error ("\"" + path + "\": " + why); };
  std::string text;
  try {
    text = read_regular_file (path, kMaxCalibrationFileBytes, "calibration file");
  } catch (const FileError &e) {
    throw std::runtime_error (e.what ());
  }
  Calibration c;
  try {
    auto j = nlohmann::json::parse (text);
    if (j.value ("format", "") != "pixelrnn-calibration")
      throw fail ("not a pixelrnn calibration file");
    c.frames_ = j.at ("frames").get<int> ();
    c.columns_ = j.at ("columns").get<int> ();
    c.rows_ = j.at ("rows").get<int> ();
    c.median_ = j.at ("median").get<std::vector<double>> ();
    c.sigma_ = j.at ("sigma").get<std::vector<double>> ();
    c.worst_median_ = j.at ("worst_median").get<double> ();
    c.worst_sigma_ = j.at ("worst_sigma").get<double> ();
    /* Files written before the spread and still statistics load without them (their terms
     * are left out). */
    c.spread_median_ = j.value ("spread_median", 0.0);
    c.spread_sigma_ = j.value ("spread_sigma", 0.0);
    c.still_median_ = j.value ("still_median", 0.0);
    c.still_sigma_ = j.value ("still_sigma", 0.0);
    c.repeat_rate_ = j.value ("repeat_rate", 0.0);
    c.context_ = j.value ("context", std::string ());
  } catch (const nlohmann::json::exception &e) {
    throw fail (std::string ("corrupt calibration file (") + e.what () + ")");
  }
  /* Two statistics per cell, or three since the cells' quantiles. */
  const size_t cells = (size_t) std::max (c.columns_, 0) * std::max (c.rows_, 0);
  c.peaks_ = c.median_.size () == 3 * cells;
  const size_t n = (c.peaks_ ? 3 : 2) * cells;
  if (c.columns_ < 1 || c.rows_ < 1 || c.columns_ > kGridColumns || c.rows_ > kGridRows ||
      c.median_.size () != n || c.sigma_.size () != n)
    throw fail ("corrupt calibration file (grid and statistics do not match)");
  for (double m : c.median_)
    if (!std::isfinite (m))
      throw fail ("corrupt calibration file (a median is not finite)");
  /* 0 is how a file says "never measured" (JSON has no infinity): that term stays off. A
   * spread below the floor calibration itself applies (an edited file) is raised to it, and
   * counted, so the element can say so. */
  auto floor_spread = [&c] (double &s, double floor) {
    if (s > 0 && s < floor) {
      s = floor;
      ++c.floored_on_load_;
    }
  };
  for (size_t k = 0; k < n; ++k) {
    double &s = c.sigma_[k];
    if (s == 0.0)
      s = std::numeric_limits<double>::infinity ();
    else if (!(s > 0) || !std::isfinite (s))
      throw fail ("corrupt calibration file (a spread is negative or not finite)");
    floor_spread (s, cell_spread_floor (c.median_[k]));
  }
  if (!std::isfinite (c.worst_median_) || !(c.worst_sigma_ > 0) || !std::isfinite (c.worst_sigma_) ||
      !std::isfinite (c.spread_median_) || !(c.spread_sigma_ >= 0) || !std::isfinite (c.spread_sigma_) ||
      !std::isfinite (c.still_median_) || !(c.still_sigma_ >= 0) || !std::isfinite (c.still_sigma_) ||
      !(c.repeat_rate_ >= 0 && c.repeat_rate_ < 1))
    throw fail ("corrupt calibration file (bad frame statistics)");
  floor_spread (c.worst_sigma_, kWorstSpreadFloor);
  floor_spread (c.spread_sigma_, kMeanSpreadFloor);
  floor_spread (c.still_sigma_, kStillSpreadFloor);
  return c;
}

bool
AlarmFilter::push (bool anomalous)
{
  run_ = anomalous ? run_ + 1 : 0;
  if (run_ >= std::max (min_, 1)) {
    left_ = std::max (hold_, 0) + 1;
  }
  if (left_ > 0) {
    --left_;
    return true;
  }
  return false;
}

}  // namespace pixelrnn
