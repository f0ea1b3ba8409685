// The anomaly scores' arithmetic, without an element: window means and z-scores, the
// per-scene calibration (robust, local, its file), repeats, alarm filtering, the normalized
// column.
#include "../fuzz_support.h"
#include "anomaly_scoring.h"

#include <glib.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

using namespace pixelrnn;

namespace {

// A width x height NLL map of one channel at `level` bits, each pixel off by 5% noise.
NllMap
noisy_map (std::mt19937 &rng, float level, int width, int height)
{
  std::normal_distribution<float> jitter (0.f, 0.05f);
  NllMap m{width, height, 1, std::vector<float> ((size_t) width * height)};
  for (auto &v : m.bits)
    v = level * (1.f + jitter (rng));
  return m;
}

// Loads the JSON file at `path`, lets `edit` change it, writes it back.
void
rewrite_json (const std::string &path, const std::function<void (nlohmann::json &)> &edit)
{
  nlohmann::json j;
  {
    std::ifstream in (path);
    j = nlohmann::json::parse (in);
  }
  edit (j);
  std::ofstream out (path);
  out << j.dump ();
}

// Loading the calibration file at `path` must fail with an error that says it is corrupt.
void
expect_corrupt_calibration (const std::string &path, const std::string &what)
{
  try {
    pixelrnn::Calibration::load (path);
    ADD_FAILURE () << "no error for " << what;
  } catch (const std::runtime_error &e) {
    EXPECT_NE (std::string (e.what ()).find ("corrupt"), std::string::npos) << e.what ();
  }
}

}  // namespace

TEST (AnomalyScoring, WindowMeansAndZscore)
{
  NllMap map{16, 8, 1, std::vector<float> (16 * 8, 2.f)};
  for (int y = 4; y < 8; ++y)
    for (int x = 12; x < 16; ++x)
      map.bits[y * 16 + x] = 10.f;
  EXPECT_FLOAT_EQ (peak_bits_per_dim (map, 4), 10.f);
  auto regions = surprising_regions (map, 4, 2, true);
  ASSERT_EQ (regions.size (), 2u);
  EXPECT_EQ (regions[0].x, 12);
  EXPECT_EQ (regions[0].y, 4);
  auto low = surprising_regions (map, 4, 1, false);
  EXPECT_FLOAT_EQ (low[0].bits_per_dim, 2.f);

  ZScore z (10);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ (z.push (4.0 + 0.01 * (i % 3)), 0.0);          // warming up
  for (int i = 5; i < 10; ++i)
    EXPECT_LT (std::fabs (z.push (4.0 + 0.01 * (i % 3))), 2.0);
  ZScore again = z;
  EXPECT_GT (z.push (5.0), 10.0);                             // far more complex
  EXPECT_LT (again.push (3.0), -10.0);                        // far simpler: two-sided
}

TEST (AnomalyScoring, CalibrationIsRobustAndLocal)
{
  // 20 normal frames: a busy right half, a calm left half, a little noise. Two of them are
  // broken (a whole frame of noise): the medians must not care.
  std::mt19937 rng (3);
  std::normal_distribution<float> jitter (0.f, 0.05f);
  auto frame = [&] (float damage_left) {
    NllMap m{32, 24, 1, std::vector<float> (32 * 24)};
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 32; ++x)
        m.bits[y * 32 + x] = (x < 16 ? 2.f : 6.f) + jitter (rng);
    for (int y = 0; y < 4; ++y)          // damage in one calm cell of the left half
      for (int x = 0; x < 4; ++x)
        m.bits[y * 32 + x] += damage_left;
    return m;
  };
  // Every normal frame changes a little everywhere; a frozen one does not change at all.
  auto moving = [&] (float amount) {
    NllMap m{32, 24, 1, std::vector<float> (32 * 24)};
    for (auto &v : m.bits)
      v = amount + 10 * std::fabs (jitter (rng));
    return m;
  };
  Calibration cal (20);
  for (int k = 0; k < 20; ++k) {
    NllMap m = frame (0.f);
    if (k == 5 || k == 11)
      for (auto &v : m.bits)
        v = 8.f;
    cal.add (m, moving (3.f));
  }
  ASSERT_TRUE (cal.ready ());
  EXPECT_LT (cal.frame_deviation (frame (0.f), moving (3.f)), 4.0);   // normal stays normal
  // +1.5 bits in one calm cell is far out for that cell, though still below the busy
  // half's normal level, which a single frame-wide threshold would need to pass.
  const double hit = cal.frame_deviation (frame (1.5f), moving (3.f));
  EXPECT_GT (hit, 10.0);
  // A blank frame is far simpler everywhere; a frozen frame changed nowhere.
  NllMap blank{32, 24, 1, std::vector<float> (32 * 24, 0.1f)};
  EXPECT_GT (cal.frame_deviation (blank, moving (3.f)), 10.0);
  EXPECT_GT (cal.frame_deviation (frame (0.f), moving (0.f)), 5.0);
  EXPECT_DOUBLE_EQ (Calibration::normalized (4.0, 4.0), 0.5);

  // Damage spread thinly (every calm cell a little more complex, none by much): the mean of
  // the cells' deviations catches it where the worst cell alone stays near normal, as a
  // calibration file written before the mean statistic (which still loads) scores it.
  const std::string old_path = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-calibration-v1.json";
  cal.save (old_path);
  rewrite_json (old_path, [] (nlohmann::json &j) {
    for (const char *key : {"spread_median", "spread_sigma", "still_median", "still_sigma"})
      j.erase (key);
  });
  auto worst_only = Calibration::load (old_path);
  // The new statistics are checked like the old ones: a negative spread is a corrupt file.
  rewrite_json (old_path, [] (nlohmann::json &j) { j["still_sigma"] = -1.0; });
  expect_corrupt_calibration (old_path, "a negative still_sigma");
  std::remove (old_path.c_str ());
  NllMap thin = frame (0.f);
  for (int y = 0; y < 24; ++y)
    for (int x = 0; x < 16; ++x)
      thin.bits[y * 32 + x] += 0.06f;
  const double spread_score = cal.frame_deviation (thin, moving (3.f));
  const double worst_score = worst_only.frame_deviation (thin, moving (3.f));
  EXPECT_LT (worst_score, 4.0) << "the worst cell alone";
  EXPECT_GT (spread_score, 8.0) << "with the mean of the cells (worst cell alone: " << worst_score << ")";
  EXPECT_GT (worst_only.frame_deviation (frame (1.5f), moving (3.f)), 10.0) << "local damage";

  EXPECT_DOUBLE_EQ (Calibration::normalized (0.0, 4.0), 0.0);
  EXPECT_DOUBLE_EQ (Calibration::normalized (-3.0, 4.0), 0.0);
  EXPECT_DOUBLE_EQ (Calibration::normalized (2.0, 4.0), 0.25);
  EXPECT_DOUBLE_EQ (Calibration::normalized (8.0, 4.0), 0.75);

  const std::string path = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-calibration.json";
  cal.save (path);
  auto again = Calibration::load (path);
  const NllMap probe = frame (0.f), probe_change = moving (3.f);
  EXPECT_DOUBLE_EQ (again.frame_deviation (probe, probe_change), cal.frame_deviation (probe, probe_change));
  EXPECT_EQ (again.floored_on_load (), 0) << "a file calibration wrote needs no flooring";
  // Spreads a file could only get by editing (tiny but positive) are raised to the floors
  // calibration applies, and counted; a normal frame does not become an alarm through them.
  rewrite_json (path, [] (nlohmann::json &j) {
    for (auto &s : j["sigma"])
      s = 1e-9;
    j["worst_sigma"] = 1e-9;
  });
  auto edited = Calibration::load (path);
  // Three statistics per cell (NLL mean, change, NLL quantile) and the worst-cell spread.
  EXPECT_EQ (edited.floored_on_load (), 3 * edited.cells () + 1);
  EXPECT_LT (edited.frame_deviation (probe, probe_change), 1e3) << "no division by a near-zero spread";
  {
    std::ofstream bad (path);
    bad << "{\"format\": \"pixelrnn-calibration\", \"frames\": 3, \"columns\": 8, \"rows\": 6, \"median\": [1], \"sigma\": [1]}";
  }
  expect_corrupt_calibration (path, "a grid that does not match its statistics");
  std::remove (path.c_str ());
}

TEST (AnomalyScoring, ARepeatedFrameIsExactlyStill)
{
  // A camera whose motion varies a lot from frame to frame (still moments, pans): every
  // cell's change spans 0.2 to 10 levels, so "little change" is normal, but no frame is ever
  // exactly unchanged. A repeated frame is.
  std::mt19937 rng (4);
  std::normal_distribution<float> jitter (0.f, 0.05f);
  auto nll = [&] {
    NllMap m{32, 24, 1, std::vector<float> (32 * 24)};
    for (auto &v : m.bits)
      v = 4.f + jitter (rng);
    return m;
  };
  auto moving = [&] (float amount) {
    NllMap m{32, 24, 1, std::vector<float> (32 * 24)};
    for (auto &v : m.bits)
      v = amount * (1.f + jitter (rng));
    return m;
  };
  Calibration cal (20);
  for (int k = 0; k < 20; ++k)
    cal.add (nll (), moving (0.2f + 0.5f * k));
  ASSERT_TRUE (cal.ready ());
  EXPECT_LT (cal.frame_deviation (nll (), moving (0.3f)), 4.0) << "a slow frame is normal";
  NllMap still{32, 24, 1, std::vector<float> (32 * 24, 0.f)};
  EXPECT_GT (cal.frame_deviation (nll (), still), 10.0) << "a repeated frame";
}

// A few very surprising pixels (a damaged macroblock's edge) in one cell of hundreds move
// the cell's mean NLL little; the cell's high quantile keeps them. With the quantile the frame
// alarms far past the threshold; a calibration file from before the quantile (two statistics
// per cell) still loads and, without it, the same frame does not alarm.
TEST (AnomalyScoring, ACellsQuantileKeepsLocalEvidence)
{
  std::mt19937 rng (9);
  auto noisy = [&] (float level) { return noisy_map (rng, level, 160, 120); };
  Calibration cal (30);
  for (int k = 0; k < 30; ++k)
    cal.add (noisy (4.f), noisy (2.f));
  ASSERT_TRUE (cal.ready ());
  auto map = noisy (4.f);
  const auto change = noisy (2.f);
  for (int y = 50; y < 52; ++y)          // 4 pixels of one 20x20 cell, 10 bits above normal
    for (int x = 70; x < 72; ++x)
      map.bits[(size_t) y * 160 + x] += 10.f;
  EXPECT_GT (cal.frame_deviation (map, change), 10.0);
  const std::string path = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-calibration-peaks.json";
  cal.save (path);
  rewrite_json (path, [] (nlohmann::json &j) {
    for (const char *key : {"median", "sigma"}) {
      auto values = j[key].get<std::vector<double>> ();
      values.resize (values.size () / 3 * 2);
      j[key] = values;
    }
  });
  auto old = Calibration::load (path);
  EXPECT_LT (old.frame_deviation (map, change), 4.0) << "the cell means alone dilute it";
  std::remove (path.c_str ());
}

// An exact repeat of the previous frame scores by how rare repeats were in calibration:
// a camera that never repeats a frame alarms on one; footage that repeats every other frame
// (content at half the frame rate) does not; a file from before the statistic leaves it out.
TEST (AnomalyScoring, AnExactRepeatScoresByHowRareRepeatsWere)
{
  std::mt19937 rng (6);
  auto noisy = [&] (float level) { return noisy_map (rng, level, 32, 24); };
  Calibration never (30), often (30);
  for (int k = 0; k < 30; ++k) {
    never.add (noisy (4.f), noisy (2.f), false);
    often.add (noisy (4.f), noisy (2.f), k % 2 == 1);
  }
  ASSERT_TRUE (never.ready () && often.ready ());
  const NllMap map = noisy (4.f), change = noisy (2.f);
  EXPECT_LT (never.frame_deviation (map, change, false), 4.0) << "a normal frame";
  EXPECT_GT (never.frame_deviation (map, change, true), 7.0) << "a repeat where there never was one";
  EXPECT_DOUBLE_EQ (often.frame_deviation (map, change, true), often.frame_deviation (map, change, false))
      << "a repeat where half the frames are adds nothing to a normal frame's score";
  EXPECT_LT (often.frame_deviation (map, change, true), 4.0);
  const std::string path = std::string (g_get_tmp_dir ()) + "/pixelrnn-test-calibration-repeat.json";
  never.save (path);
  EXPECT_DOUBLE_EQ (Calibration::load (path).frame_deviation (map, change, true),
      never.frame_deviation (map, change, true));
  rewrite_json (path, [] (nlohmann::json &j) { j.erase ("repeat_rate"); });
  EXPECT_LT (Calibration::load (path).frame_deviation (map, change, true), 4.0) << "older file";
  rewrite_json (path, [] (nlohmann::json &j) { j["repeat_rate"] = 1.5; });
  expect_corrupt_calibration (path, "a repeat rate of 1.5");
  std::remove (path.c_str ());
}

// Past the threshold the column keeps ranking: a glitch of 40 threshold units stays above a
// scene cut of 3, both below 1 (the old clamp made both 1.0 and the column useless).
TEST (AnomalyScoring, NormalizedKeepsLargerDeviationsOrdered)
{
  const double cut = Calibration::normalized (12.0, 4.0), glitch = Calibration::normalized (160.0, 4.0);
  EXPECT_GT (cut, 0.5);
  EXPECT_GT (glitch, cut);
  EXPECT_LT (glitch, 1.0);
  double previous = 0.0;
  for (double d = 0.5; d < 1e6; d *= 1.7) {
    const double n = Calibration::normalized (d, 4.0);
    EXPECT_GT (n, previous) << "at deviation " << d;
    previous = n;
  }
  EXPECT_EQ (Calibration::normalized (INFINITY, 4.0), 1.0);
  EXPECT_EQ (Calibration::normalized (NAN, 4.0), 0.0);
}

TEST (AnomalyScoring, AlarmNeedsMinDurationAndHolds)
{
  AlarmFilter a (2, 1);
  std::vector<bool> in{false, true, false, true, true, false, false, false}, got;
  for (bool v : in)
    got.push_back (a.push (v));
  EXPECT_EQ (got, (std::vector<bool>{false, false, false, false, true, true, false, false}));
}

// A block whose first row and column surprise the model (a macroblock that does not continue
// its neighbours) counts on the 8x8 grid; the same edge half a block off does not.
TEST (AnomalyScoring, BlockEdgeExcessSeesTheCodecGrid)
{
  const int W = 64, H = 48;
  NllMap flat{W, H, 3, std::vector<float> (W * H, 6.f)};
  EXPECT_FLOAT_EQ (block_edge_excess (flat), 0.f);
  auto broken_block = [&] (int bx, int by) {
    NllMap map = flat;
    for (int i = 0; i < 8; ++i) {
      map.bits[(by) * W + bx + i] = 30.f;      // top row
      map.bits[(by + i) * W + bx] = 30.f;      // left column
    }
    return map;
  };
  const double on_grid = block_edge_excess (broken_block (16, 24));
  // 15 edge pixels 24 bits above the inside, summed over 3 channels; one block is the top 1%.
  EXPECT_NEAR (on_grid, 24.0 / 3, 1e-6);
  EXPECT_LT (block_edge_excess (broken_block (20, 28)), on_grid / 2);
  // Too small for two blocks a side: nothing to measure.
  EXPECT_EQ (block_edge_excess (NllMap{12, 12, 1, std::vector<float> (144, 1.f)}), 0.0);
}

// Calibration files as a hostile user edits them: every mutant of a real file (bytes and
// digits alike) either loads into a calibration whose scores are finite, or is refused with
// std::runtime_error naming the file; nothing crashes, hangs or scores NaN.
TEST (Fuzz, CalibrationFileReader)
{
  std::mt19937 noise (5);
  std::normal_distribution<float> jitter (0.f, 0.3f);
  auto map = [&] () {
    NllMap m{64, 48, 3, std::vector<float> (64 * 48)};
    for (auto &v : m.bits)
      v = 9.f + jitter (noise);
    return m;
  };
  NllMap change{64, 48, 1, std::vector<float> (64 * 48, 1.f)};
  Calibration cal (8);
  cal.set_context ("analysis 64x48, model test");
  for (int k = 0; k < 8; ++k)
    cal.add (map (), change);
  ASSERT_TRUE (cal.ready ());
  gchar *dir = g_dir_make_tmp ("pixelrnn-calibration-fuzz-XXXXXX", nullptr);
  const std::string path = std::string (dir) + "/cal.json";
  cal.save (path);
  const std::string seed = pixelrnn::test::read_all (path);
  std::mt19937_64 rng (21);
  int loaded = 0, refused = 0;
  const int rounds = pixelrnn::test::fuzz_rounds (1000);
  const NllMap probe = map ();
  for (int r = 0; r < rounds; ++r) {
    const std::string text = r % 2 ? pixelrnn::test::mutate_text (seed, rng) : pixelrnn::test::mutate (seed, rng);
    pixelrnn::test::write_all (path, text);
    try {
      const Calibration c = Calibration::load (path);
      const double d = c.frame_deviation (probe, change);
      ASSERT_FALSE (std::isnan (d)) << text;
      ++loaded;
    } catch (const std::runtime_error &e) {
      ASSERT_NE (std::string (e.what ()).find (path), std::string::npos) << e.what ();
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << ": " << e.what ();
    }
  }
  std::printf ("calibration reader: %d rounds, %d loaded, %d refused\n", rounds, loaded, refused);
  EXPECT_GT (loaded, 0);
  EXPECT_GT (refused, 0);
  (void) std::system (("rm -rf '" + std::string (dir) + "'").c_str ());
  g_free (dir);
}
