// Mutation fuzzing of every parser of outside bytes in libpixelrnn: the model file loader,
// the PNG reader and the IDX reader. Each round flips, inserts, deletes or overwrites a few
// bytes of a valid seed (tests/data/fuzz-seeds holds them) and, for model files, recomputes
// the checksum so the mutation reaches the parsers behind it. A round passes if the reader
// returns or throws its own error type; a crash, a hang or any other exception fails.
// PIXELRNN_FUZZ_ROUNDS sets the rounds per reader (default 300; docs/benchmarks.md gives a
// longer run's figures).
#include "io/idx_dataset.h"
#include "io/image.h"
#include "io/model_file.h"
#include "test_support.h"

#include <glib.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <random>

using namespace pixelrnn;

namespace {

int
rounds ()
{
  const char *v = g_getenv ("PIXELRNN_FUZZ_ROUNDS");
  return v ? std::max (1, std::atoi (v)) : 300;
}

std::string
read_all (const std::string &path)
{
  std::ifstream f (path, std::ios::binary);
  return std::string ((std::istreambuf_iterator<char> (f)), std::istreambuf_iterator<char> ());
}

void
write_all (const std::string &path, const std::string &bytes)
{
  std::ofstream (path, std::ios::binary) << bytes;
}

std::string
mutate (std::string s, std::mt19937_64 &rng, size_t protect_front = 0)
{
  const int edits = 1 + (int) (rng () % 4);
  for (int e = 0; e < edits && s.size () > protect_front + 1; ++e) {
    const size_t at = protect_front + rng () % (s.size () - protect_front);
    switch (rng () % 5) {
      case 0: s[at] ^= (char) (1u << (rng () % 8)); break;                 // bit flip
      case 1: s[at] = (char) (rng () % 256); break;                        // byte
      case 2: s.insert (at, 1 + rng () % 16, (char) (rng () % 256)); break;  // insertion
      case 3: s.erase (at, std::min<size_t> (1 + rng () % 16, s.size () - at)); break;
      case 4: {                                                           // interesting value
        static const uint32_t values[] = {0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff};
        const uint32_t v = values[rng () % 8];
        for (int k = 0; k < 4 && at + k < s.size (); ++k)
          s[at + k] = (char) (v >> (8 * k));
        break;
      }
    }
  }
  return s;
}

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

}  // namespace

TEST_F (Fuzz, ModelFileLoader)
{
  const std::string seed_path = dir_ + "/seed.pixelrnn", path = dir_ + "/m.pixelrnn";
  auto model = test::small_model (Architecture::PixelCNN, 3, 1, 1, Output::Mixture);
  save_model (seed_path, model, Provenance{});
  const std::string seed = read_all (seed_path);
  std::mt19937_64 rng (1);
  int loaded = 0, refused = 0;
  for (int r = 0; r < rounds (); ++r) {
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
  for (int r = 0; r < rounds (); ++r) {
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
  std::string seed ("\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x05", 16);
  for (int k = 0; k < 3 * 4 * 5; ++k)
    seed.push_back ((char) (k * 7));
  std::mt19937_64 rng (3);
  int read = 0, refused = 0;
  for (int r = 0; r < rounds (); ++r) {
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
