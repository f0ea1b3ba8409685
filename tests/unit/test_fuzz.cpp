// Mutation fuzzing of every parser of outside bytes in libpixelrnn: the model file loader,
// the PNG reader and the IDX reader. Each round flips, inserts, deletes or overwrites a few
// bytes of a valid seed (the pictures in tests/data and tests/data/fuzz-seeds; the model file
// is written here in the current format) and, for model files, recomputes the checksum so the
// mutation reaches the parsers behind it. A round passes if the reader
// returns or throws its own error type; a crash, a hang or any other exception fails.
#include "api/idx_images.h"
#include "api/image.h"
#include "io/model_file.h"
#include "test_support.h"
#include "../fuzz_support.h"

#include <glib.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>

using namespace pixelrnn;

namespace {

using test::fuzz_rounds;
using test::mutate;
using test::read_all;
using test::write_all;

// Model files carry a CRC of bytes 12..end-4; without fixing it every mutation stops there.
void
fix_model_checksum (std::string &b)
{
  if (b.size () < 16)
    return;
  uLong crc = crc32 (0L, reinterpret_cast<const Bytef *> (b.data () + 12), (uInt) (b.size () - 16));
  for (int k = 0; k < 4; ++k)
    b[b.size () - 4 + k] = (char) ((crc >> (8 * k)) & 0xff);
}

}  // namespace

// Not in the anonymous namespace: TEST_F derives the tests from it (-Wsubobject-linkage).
class Fuzz : public ::testing::Test {
 protected:
  void SetUp () override
  {
    gchar *dir = g_dir_make_tmp ("pixelrnn-fuzz-XXXXXX", nullptr);
    dir_ = dir;
    g_free (dir);
  }
  void TearDown () override { (void) std::system (("rm -rf '" + dir_ + "'").c_str ()); }
  std::string dir_;
};

TEST_F (Fuzz, ModelFileLoader)
{
  const std::string seed_path = dir_ + "/seed.pixelrnn", path = dir_ + "/m.pixelrnn";
  auto model = test::small_model (Architecture::PixelCNN, 3, 1, 1, Output::Mixture);
  save_model (seed_path, model, Provenance{});
  const std::string seed = read_all (seed_path);
  std::mt19937_64 rng (1);
  int loaded = 0, refused = 0;
  for (int r = 0; r < fuzz_rounds (); ++r) {
    auto bytes = mutate (seed, rng);
    if (rng () % 4)
      fix_model_checksum (bytes);
    write_all (path, bytes);
    try {
      load_model (path);
      ++loaded;
    } catch (const ModelFileError &) {
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << ": " << typeid (e).name () << ": " << e.what ();
    }
  }
  std::printf ("model loader: %d rounds, %d loaded, %d refused with a ModelFileError\n",
      loaded + refused, loaded, refused);
}

TEST_F (Fuzz, PngReader)
{
  const std::string path = dir_ + "/i.png";
  const std::string seed = read_all (std::string (PIXELRNN_TEST_DATA_DIR) + "/fashion-t10k-0.png");
  std::mt19937_64 rng (2);
  int read = 0, refused = 0;
  for (int r = 0; r < fuzz_rounds (); ++r) {
    write_all (path, mutate (seed, rng, 8));
    try {
      read_png (path, 3);
      ++read;
    } catch (const ImageError &) {
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << ": " << e.what ();
    }
  }
  std::printf ("PNG reader: %d rounds, %d read, %d refused with an ImageError\n", read + refused,
      read, refused);
}

TEST_F (Fuzz, IdxReader)
{
  const std::string path = dir_ + "/d.idx";
  const std::string seed =
      read_all (test::fuzz_seed_path (PIXELRNN_TEST_DATA_DIR, "three-4x5.idx"));
  ASSERT_EQ (seed.size (), 16u + 3 * 4 * 5);
  std::mt19937_64 rng (3);
  int read = 0, refused = 0;
  for (int r = 0; r < fuzz_rounds (); ++r) {
    write_all (path, mutate (seed, rng));
    try {
      read_idx_images (path, 0);
      ++read;
    } catch (const std::runtime_error &) {
      ++refused;
    } catch (const std::exception &e) {
      FAIL () << "round " << r << ": " << e.what ();
    }
  }
  std::printf ("IDX reader: %d rounds, %d read, %d refused\n", read + refused, read, refused);
}
