// Fuzzing the command line's readers of outside input: image folders decoded through
// GStreamer (mutated JPEG and PNG files, as `pixelrnn train --data DIR` reads them) and the
// `--rect x,y,w,h` parser. A round passes if the reader returns a valid result or throws its
// own error (std::runtime_error naming the file, std::invalid_argument naming the text); a
// crash, a hang or any other exception fails. PIXELRNN_FUZZ_ROUNDS sets the rounds.
#include "../fuzz_support.h"
#include "cli_common.h"
#include "dataset.h"
#include "labels_file.h"

#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <random>

using namespace pixelrnn;
using namespace pixelrnn::test;

namespace {

std::string
data_dir ()
{
  return PIXELRNN_TEST_DATA_DIR;
}

}  // namespace

// Not in the anonymous namespace: TEST_F derives the tests from it (-Wsubobject-linkage).
class Fuzz : public ::testing::Test {
 protected:
  void SetUp () override
  {
    gchar *dir = g_dir_make_tmp ("pixelrnn-cli-fuzz-XXXXXX", nullptr);
    dir_ = dir;
    g_free (dir);
  }
  void TearDown () override { (void) std::system (("rm -rf '" + dir_ + "'").c_str ()); }
  std::string dir_;
};

TEST_F (Fuzz, ImageFolderReader)
{
  const std::vector<std::pair<std::string, std::string>> seeds{
      {"picture.jpg", read_all (data_dir () + "/green-64x48.jpg")},
      {"picture.png", read_all (data_dir () + "/fashion-t10k-1.png")}};
  std::mt19937_64 rng (11);
  int read = 0, refused = 0;
  const int rounds = fuzz_rounds (100);
  for (int r = 0; r < rounds; ++r) {
    const auto &[name, seed] = seeds[r % seeds.size ()];
    const std::string folder = dir_ + "/round";
    (void) std::system (("rm -rf '" + folder + "'").c_str ());
    g_mkdir (folder.c_str (), 0700);
    write_all (folder + "/" + name, mutate (seed, rng, 4));
    DatasetOptions options;
    try {
      Dataset ds = load_dataset ({folder}, options);
      ASSERT_EQ (ds.images.size (), 1u) << "round " << r;
      const auto &image = ds.images[0];
      ASSERT_EQ (image.channels, 3) << "round " << r;
      ASSERT_GT (image.width * image.height, 0) << "round " << r;
      ASSERT_EQ (image.pixels.size (), (size_t) image.width * image.height * 3) << "round " << r;
      ++read;
    } catch (const std::runtime_error &e) {
      // The one-line message the CLI prints must say which file.
      ASSERT_NE (std::string (e.what ()).find (folder), std::string::npos) << e.what ();
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << ": " << typeid (e).name () << ": " << e.what ();
    }
  }
  std::printf ("image folder reader: %d rounds, %d read, %d refused naming the file\n", rounds,
      read, refused);
  EXPECT_GT (refused, 0);
}

TEST_F (Fuzz, CliRectParser)
{
  const auto seeds = read_lines (fuzz_seed_path (data_dir (), "cli-rects.txt"));
  ASSERT_GE (seeds.size (), 5u);
  std::mt19937_64 rng (12);
  int parsed = 0, refused = 0;
  const int rounds = fuzz_rounds (3000);
  for (int r = 0; r < rounds; ++r) {
    const std::string text = r < (int) seeds.size () ? seeds[r] : mutate_text (seeds[rng () % seeds.size ()], rng);
    try {
      const Rect rect = cli::parse_rect (text);
      ASSERT_GE (rect.x, 0) << text;
      ASSERT_GE (rect.y, 0) << text;
      ASSERT_GT (rect.w, 0) << text;
      ASSERT_GT (rect.h, 0) << text;
      ++parsed;
    } catch (const std::invalid_argument &e) {
      ASSERT_NE (std::string (e.what ()).find ("bad rectangle"), std::string::npos) << e.what ();
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << " '" << text << "': " << e.what ();
    }
  }
  std::printf ("--rect parser: %d rounds, %d parsed, %d refused\n", rounds, parsed, refused);
  EXPECT_GT (parsed, 0);
  EXPECT_GT (refused, 0);
}

// `score --labels`: every mutant of a labels file either parses into ordered ranges within
// the frame limit or is refused with a message naming the file and the line.
TEST_F (Fuzz, LabelsParser)
{
  const std::string seed = read_all (fuzz_seed_path (data_dir (), "labels.txt"));
  ASSERT_FALSE (seed.empty ());
  std::mt19937_64 rng (13);
  int parsed = 0, refused = 0;
  const int rounds = fuzz_rounds (3000);
  for (int r = 0; r < rounds; ++r) {
    const std::string text = r == 0 ? seed : (r % 2 ? mutate_text (seed, rng) : mutate (seed, rng));
    try {
      for (const auto &range : cli::parse_labels (text, "labels.txt")) {
        ASSERT_LE (range.first, range.last) << text;
        ASSERT_LE (range.last, (uint64_t) G_MAXINT) << text;
        ASSERT_GE (range.line, 1) << text;
      }
      ++parsed;
    } catch (const std::invalid_argument &e) {
      ASSERT_EQ (std::string (e.what ()).rfind ("labels.txt:", 0), 0u) << e.what ();
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << ": " << e.what ();
    }
  }
  std::printf ("labels parser: %d rounds, %d parsed, %d refused\n", rounds, parsed, refused);
  EXPECT_GT (parsed, 0);
  EXPECT_GT (refused, 0);
}
