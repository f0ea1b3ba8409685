// The model file: a round trip keeps every log-probability, and each kind of bad file gets
// its own clear error, never a crash.
#include "network/likelihood.h"
#include "io/model_file.h"
#include "api/files.h"
#include "api/model_client.h"
#include "test_support.h"

#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <torch/serialize/output-archive.h>
#include <fstream>
#include <thread>
#include <glib.h>
#include <gtest/gtest.h>
#include <zlib.h>

using namespace pixelrnn;
using pixelrnn::test::small_model;

// Not in the anonymous namespace: TEST_F derives the tests from it (-Wsubobject-linkage).
class ModelFileTest : public ::testing::Test {
 protected:
  void SetUp () override
  {
    char *dir = g_dir_make_tmp ("pixelrnn-test-XXXXXX", nullptr);
    dir_ = dir;
    g_free (dir);
  }
  void TearDown () override
  {
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void) std::system (cmd.c_str ());
  }
  std::string path (const std::string &name) const { return dir_ + "/" + name; }

  std::string saved_model_bytes ()
  {
    auto model = small_model (Architecture::RowLSTM, 3);
    save_model (path ("good.pixelrnn"), model, Provenance{});
    return read (path ("good.pixelrnn"));
  }
  static std::string read (const std::string &p)
  {
    std::ifstream f (p, std::ios::binary);
    return std::string ((std::istreambuf_iterator<char> (f)), std::istreambuf_iterator<char> ());
  }
  void write (const std::string &name, const std::string &bytes)
  {
    std::ofstream (path (name), std::ios::binary) << bytes;
  }
  // Recomputes the trailing CRC so that a test reaches the check after it.
  static void fix_checksum (std::string &bytes)
  {
    uLong crc = crc32 (0L, reinterpret_cast<const Bytef *> (bytes.data () + 12),
        static_cast<uInt> (bytes.size () - 16));
    for (int k = 0; k < 4; ++k)
      bytes[bytes.size () - 4 + k] = static_cast<char> ((crc >> (8 * k)) & 0xff);
  }
  void expect_error (const std::string &name, const std::string &fragment)
  {
    try {
      load_model (path (name));
      ADD_FAILURE () << name << " loaded without error";
    } catch (const ModelFileError &e) {
      std::string msg = e.what ();
      EXPECT_NE (msg.find (fragment), std::string::npos) << "message: " << msg;
      EXPECT_NE (msg.find (name), std::string::npos) << "message does not name the file: " << msg;
    }
  }

  std::string dir_;
};

// A multi-scale model (its coarse model and view of the subsampled image included) is written
// and read back whole; through the front door it scores (the same NLL as the model in
// memory) and refuses to sample or inpaint, naming why.
TEST_F (ModelFileTest, MultiScaleRoundTripsAndScoresOnly)
{
  auto model = test::small_multi_scale_model (2, 1, 4);
  const auto config = model->config;
  save_model (path ("ms.pixelrnn"), model, Provenance{});
  auto loaded = load_model (path ("ms.pixelrnn"));
  EXPECT_EQ (loaded.config.to_json (), config.to_json ());
  auto x = test::random_images (1, 3, 8, 10);
  torch::NoGradGuard no_grad;
  const auto expected = nll_map (model, x);
  EXPECT_TRUE (torch::equal (nll_map (loaded.model, x), expected));
  ModelClient client;
  client.load (path ("ms.pixelrnn"));
  auto packed = x[0].permute ({1, 2, 0}).contiguous ();
  const auto scored = client.score (packed.data_ptr<uint8_t> (), 10, 8);
  EXPECT_NEAR (scored.bits_per_dim, expected.mean ().item<double> () / kLn2, 1e-4);
  try {
    client.generate (8, 8, 1, 1.0, 0);
    FAIL () << "a multi-scale model sampled";
  } catch (const ModelClientError &e) {
    EXPECT_NE (std::string (e.what ()).find ("multi-scale"), std::string::npos) << e.what ();
  }
}

TEST_F (ModelFileTest, RoundTripKeepsLogProbabilities)
{
  for (auto arch : {Architecture::PixelCNN, Architecture::RowLSTM, Architecture::DiagonalBiLSTM})
  for (auto output : {Output::Softmax, Output::Mixture})
  for (auto block : {Block::Residual, Block::Gated, Block::TwoStream}) {
    if (block != Block::Residual && arch != Architecture::PixelCNN)
      continue;
    auto model = small_model (arch, 3, 1, 2, output, block, block != Block::Residual ? 0.25f : 0.f);
    Provenance p;
    p.data = "unit test";
    p.steps = 17;
    p.validation_bits_per_dim = 4.25;
    p.date = iso8601_now ();
    save_model (path ("m.pixelrnn"), model, p);
    auto loaded = load_model (path ("m.pixelrnn"));
    EXPECT_EQ (loaded.config.to_json (), model->config.to_json ());
    EXPECT_EQ (loaded.provenance.data, "unit test");
    EXPECT_EQ (loaded.provenance.steps, 17);
    EXPECT_DOUBLE_EQ (loaded.provenance.validation_bits_per_dim, 4.25);
    torch::NoGradGuard no_grad;
    model->eval ();
    auto x = test::random_images (2, 3, 5, 6);
    EXPECT_TRUE (torch::equal (log_probs (model, x), log_probs (loaded.model, x)))
        << architecture_name (arch) << " " << output_name (output) << " " << block_name (block);
  }
}

// A config naming a block this release does not know (or a typo) is refused, naming it.
TEST_F (ModelFileTest, UnknownBlockIsRefusedByName)
{
  auto json = test::small_config (Architecture::PixelCNN, 3).to_json ();
  json.insert (json.size () - 1, ",\"block\":\"three-stream\"");
  try {
    ModelConfig::from_json (json);
    ADD_FAILURE () << "an unknown block was accepted";
  } catch (const std::exception &e) {
    EXPECT_NE (std::string (e.what ()).find ("unknown block 'three-stream'"), std::string::npos) << e.what ();
  }
}

TEST_F (ModelFileTest, ConditionerBaseRoundTripsAndOlderFilesReadAsMembrane)
{
  for (auto base : {ConditionerBase::Membrane, ConditionerBase::Axis, ConditionerBase::Steered}) {
    auto model = test::small_conditioned_model (base, 4, 2, 2);
    save_model (path ("c.pixelrnn"), model, Provenance{});
    auto loaded = load_model (path ("c.pixelrnn"));
    EXPECT_EQ (loaded.config.conditioner_base, base);
    auto a = model->named_parameters (), b = loaded.model->named_parameters ();
    for (auto &p : a)
      EXPECT_TRUE (torch::equal (p.value (), b[p.key ()])) << p.key ();
    // The membrane is what files without the field were trained with; they keep their bytes.
    const bool written = loaded.config.to_json ().find ("conditioner_base") != std::string::npos;
    EXPECT_EQ (written, base != ConditionerBase::Membrane);
  }
  auto json = test::small_config (Architecture::PixelCNN, 3).to_json ();
  json.insert (json.size () - 1, ",\"conditioner_hidden\":4,\"conditioner_base\":\"blur\"");
  try {
    ModelConfig::from_json (json);
    ADD_FAILURE () << "an unknown conditioner base was accepted";
  } catch (const std::exception &e) {
    EXPECT_NE (std::string (e.what ()).find ("conditioner base 'blur'"), std::string::npos) << e.what ();
  }
}

TEST_F (ModelFileTest, WritesTheCurrentFormat)
{
  auto model = small_model (Architecture::PixelCNN, 3, 1, 2, Output::Mixture);
  save_model (path ("v.pixelrnn"), model, Provenance{});
  std::ifstream f (path ("v.pixelrnn"), std::ios::binary);
  char head[12];
  f.read (head, sizeof head);
  EXPECT_EQ (static_cast<uint8_t> (head[8]), kFormatVersion);
}

TEST_F (ModelFileTest, MissingFile) { expect_error ("absent.pixelrnn", "no such model file"); }

TEST_F (ModelFileTest, WrongMagic)
{
  write ("png.pixelrnn", "\x89PNG\r\n\x1a\n and more bytes");
  expect_error ("png.pixelrnn", "wrong magic");
  write ("empty.pixelrnn", "");
  expect_error ("empty.pixelrnn", "wrong magic");
}

TEST_F (ModelFileTest, NewerVersion)
{
  auto bytes = saved_model_bytes ();
  bytes[8] = static_cast<char> (kFormatVersion + 1);
  write ("newer.pixelrnn", bytes);
  expect_error ("newer.pixelrnn", "newer than this build reads");
}

TEST_F (ModelFileTest, TruncatedAnywhere)
{
  auto bytes = saved_model_bytes ();
  for (size_t cut : {size_t (10), size_t (15), size_t (40), bytes.size () / 2, bytes.size () - 5, bytes.size () - 1}) {
    write ("cut.pixelrnn", bytes.substr (0, cut));
    expect_error ("cut.pixelrnn", "truncated");
  }
}

TEST_F (ModelFileTest, FlippedByteFailsTheChecksum)
{
  auto bytes = saved_model_bytes ();
  bytes[bytes.size () / 2] ^= 0x5a;
  write ("flipped.pixelrnn", bytes);
  expect_error ("flipped.pixelrnn", "checksum mismatch");
}

// Every weight byte set to `byte`, checksum fixed: the bytes parse, the values are refused.
TEST_F (ModelFileTest, NonFiniteOrOverflowingWeightsWithAValidChecksum)
{
  for (auto [fill, fragment] : {std::pair<uint32_t, const char *>{0x7fc00000u, "NaN or infinity"},
                                {0x7f61b1e6u /* 3e38 */, "output is not finite"}}) {
    auto bytes = saved_model_bytes ();
    size_t header_len = 0;
    for (int k = 0; k < 8; ++k)
      header_len |= size_t (static_cast<uint8_t> (bytes[12 + k])) << (8 * k);
    for (size_t k = 20 + header_len + 8; k + 4 <= bytes.size () - 4; k += 4)
      std::memcpy (&bytes[k], &fill, 4);
    fix_checksum (bytes);
    write ("huge.pixelrnn", bytes);
    expect_error ("huge.pixelrnn", fragment);
  }
}

// Header edits with the checksum recomputed, as a hostile user would make them.
TEST_F (ModelFileTest, ConfigValuesAreBoundedAndWeightsMustMatchExactly)
{
  const std::pair<std::string, std::string> cases[] = {
    {"\"hidden\":999999999", "out of range"},
    {"\"hidden\":3000", "at most 1024"},
    {"\"hidden\":1000000000000", "out of range"},
    {"\"layers\":0", "is not a weight of this config"},
    {"\"head_hidden\":999999", "at most 4096"},
  };
  for (const auto &[edit, fragment] : cases) {
    auto bytes = saved_model_bytes ();
    const std::string key = edit.substr (0, edit.find (':') + 1);
    auto at = bytes.find (key);
    ASSERT_NE (at, std::string::npos) << key;
    auto end = bytes.find_first_of (",}", at);
    std::string header_before = bytes.substr (0, at) + edit + bytes.substr (end);
    // The header grew or shrank: fix its length field.
    const int64_t delta = (int64_t) edit.size () - (int64_t) (end - at);
    uint64_t len = 0;
    for (int k = 0; k < 8; ++k)
      len |= uint64_t (static_cast<uint8_t> (header_before[12 + k])) << (8 * k);
    len += delta;
    for (int k = 0; k < 8; ++k)
      header_before[12 + k] = static_cast<char> ((len >> (8 * k)) & 0xff);
    fix_checksum (header_before);
    write ("edited.pixelrnn", header_before);
    expect_error ("edited.pixelrnn", fragment);
  }
}

TEST_F (ModelFileTest, OnlyRegularFilesAreOpened)
{
  ASSERT_EQ (mkdir (path ("folder.pixelrnn").c_str (), 0755), 0);
  expect_error ("folder.pixelrnn", "is a folder");
  ASSERT_EQ (mkfifo (path ("fifo.pixelrnn").c_str (), 0644), 0);
  expect_error ("fifo.pixelrnn", "not a regular file");       // would block forever if opened
  try {
    load_model ("/dev/zero");
    ADD_FAILURE () << "/dev/zero loaded";
  } catch (const ModelFileError &e) {
    EXPECT_NE (std::string (e.what ()).find ("/dev/zero: not a regular file"), std::string::npos) << e.what ();
  }
}

// A file of format 1 (weights in LibTorch's pickle archive), written as the last release did:
// refused on load with the command that converts it, read by that command.
TEST_F (ModelFileTest, LegacyArchiveFilesNeedAnExplicitConversion)
{
  auto model = small_model (Architecture::PixelCNN, 3);
  torch::serialize::OutputArchive archive;
  for (const auto &p : model->named_parameters ())
    archive.write (p.key (), p.value ().detach ());
  std::ostringstream weights;
  archive.save_to (weights);
  const std::string header = "{\"config\":" + model->config.to_json () + ",\"provenance\":{}}";
  std::string out ("PIXELRNN", 8);
  auto put = [&] (uint64_t v, int n) {
    for (int k = 0; k < n; ++k)
      out.push_back (static_cast<char> ((v >> (8 * k)) & 0xff));
  };
  put (1, 4);
  put (header.size (), 8);
  out += header;
  put (weights.str ().size (), 8);
  out += weights.str ();
  put (0, 4);
  fix_checksum (out);
  write ("old.pixelrnn", out);
  expect_error ("old.pixelrnn", "pixelrnn convert");
  auto loaded = load_model (path ("old.pixelrnn"), LegacyArchive::Allow);
  torch::NoGradGuard no_grad;
  model->eval ();
  auto x = test::random_images (1, 3, 4, 5);
  EXPECT_TRUE (torch::equal (log_probs (model, x), log_probs (loaded.model, x)));
}

TEST_F (ModelFileTest, ConfigThatDoesNotMatchTheWeights)
{
  auto bytes = saved_model_bytes ();
  // Same length, other size: "hidden":12 -> "hidden":15.
  auto at = bytes.find ("\"hidden\":12");
  ASSERT_NE (at, std::string::npos);
  bytes[at + 10] = '5';
  fix_checksum (bytes);
  write ("mismatch.pixelrnn", bytes);
  expect_error ("mismatch.pixelrnn", "but the config needs");
}

TEST_F (ModelFileTest, BadConfig)
{
  auto bytes = saved_model_bytes ();
  auto at = bytes.find ("\"channels\":3");
  ASSERT_NE (at, std::string::npos);
  bytes[at + 11] = '2';
  fix_checksum (bytes);
  write ("badconfig.pixelrnn", bytes);
  expect_error ("badconfig.pixelrnn", "channels must be 1 or 3");
}

TEST_F (ModelFileTest, SaveIsAtomicAndLeavesNoTemporaryFile)
{
  auto model = small_model (Architecture::PixelCNN, 1);
  save_model (path ("a.pixelrnn"), model, Provenance{});
  GDir *dir = g_dir_open (dir_.c_str (), 0, nullptr);
  int files = 0;
  while (const char *name = g_dir_read_name (dir)) {
    ++files;
    EXPECT_STREQ (name, "a.pixelrnn");
  }
  g_dir_close (dir);
  EXPECT_EQ (files, 1);
  EXPECT_THROW (save_model (path ("no/such/dir/a.pixelrnn"), model, Provenance{}), std::runtime_error);
}

// Two writers of one file at once (two elements writing one calibration file): each write
// has a temporary name of its own, so the file is always one writer's whole bytes, never a
// mix, and no temporary file is left behind.
TEST_F (ModelFileTest, ConcurrentAtomicWritesNeverMix)
{
  const std::string target = path ("shared.json");
  const std::string a (200000, 'a'), b (300000, 'b');
  auto writer = [&] (const std::string &bytes) {
    for (int k = 0; k < 40; ++k)
      write_file_atomic (target, bytes);
  };
  std::thread one (writer, a), two (writer, b);
  one.join ();
  two.join ();
  std::ifstream in (target, std::ios::binary);
  const std::string got ((std::istreambuf_iterator<char> (in)), std::istreambuf_iterator<char> ());
  EXPECT_TRUE (got == a || got == b) << got.size () << " bytes, mixed";
  GDir *dir = g_dir_open (dir_.c_str (), 0, nullptr);
  while (const char *name = g_dir_read_name (dir))
    EXPECT_STREQ (name, "shared.json");
  g_dir_close (dir);
}

TEST_F (ModelFileTest, ShortNamesResolveOrSayWhereTheyLooked)
{
  try {
    resolve_model ("no-such-shipped-model");
    ADD_FAILURE () << "resolved a model that does not exist";
  } catch (const ModelFileError &e) {
    EXPECT_NE (std::string (e.what ()).find ("not found"), std::string::npos) << e.what ();
  }
  auto model = small_model (Architecture::PixelCNN, 1);
  save_model (path ("mine.pixelrnn"), model, Provenance{});
  g_setenv ("PIXELRNN_MODEL_PATH", dir_.c_str (), TRUE);
  EXPECT_EQ (resolve_model ("mine"), path ("mine.pixelrnn"));
  g_unsetenv ("PIXELRNN_MODEL_PATH");
}

// Modules follow the PyTorch C++ frontend (torch::nn::Cloneable with reset ()): clone () gives
// an independent deep copy, as fine-tuning and weight averaging want, for every architecture,
// block and the inpainting conditioner.
TEST (ModelClone, DeepCopiesEveryArchitecture)
{
  struct Case { Architecture arch; Block block; bool conditioner; };
  for (auto c : {Case{Architecture::PixelCNN, Block::Residual, false}, Case{Architecture::PixelCNN, Block::Gated, false},
                 Case{Architecture::PixelCNN, Block::TwoStream, false}, Case{Architecture::RowLSTM, Block::Residual, false},
                 Case{Architecture::DiagonalBiLSTM, Block::Residual, false}, Case{Architecture::PixelCNN, Block::Residual, true}}) {
    ModelConfig config;
    config.architecture = c.arch;
    config.block = c.block;
    config.channels = 3;
    config.hidden = 6;
    config.layers = 2;
    config.head_hidden = 12;
    config.output = Output::Mixture;
    config.mixtures = 2;
    if (c.conditioner) {
      config.conditioner_hidden = 4;
      config.conditioner_layers = 2;
      config.conditioner_base = ConditionerBase::Axis;
    }
    torch::manual_seed (3);
    PixelModel model (config);
    model->eval ();
    auto copy = std::dynamic_pointer_cast<PixelModelImpl> (model->clone ());
    ASSERT_TRUE (copy) << architecture_name (c.arch);
    copy->eval ();
    auto x = torch::randint (0, 256, {2, 3, 6, 5}, torch::kUInt8);
    torch::NoGradGuard no_grad;
    EXPECT_TRUE (torch::equal (model->forward (x), copy->forward (x))) << architecture_name (c.arch);
    const auto ours = model->named_parameters (), theirs = copy->named_parameters ();
    ASSERT_EQ (ours.size (), theirs.size ());
    for (const auto &p : ours) {
      ASSERT_TRUE (theirs.contains (p.key ())) << p.key ();
      EXPECT_NE (p.value ().data_ptr (), theirs[p.key ()].data_ptr ()) << p.key () << " is shared";
    }
    // Changing the copy leaves the original alone.
    for (auto &p : copy->parameters ())
      p.add_ (1.0);
    EXPECT_FALSE (torch::equal (model->forward (x), copy->forward (x))) << architecture_name (c.arch);
    if (c.conditioner) {
      EXPECT_TRUE (copy->conditioner) << "the conditioner is cloned too";
    }
  }
}
