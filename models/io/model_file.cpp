#include "model_file.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>

#ifndef PIXELRNN_BUILD_MODELDIR
#define PIXELRNN_BUILD_MODELDIR ""
#endif
#ifndef PIXELRNN_BUILD_ROOT
#define PIXELRNN_BUILD_ROOT ""
#endif
#ifndef PIXELRNN_INSTALL_MODELDIR
#define PIXELRNN_INSTALL_MODELDIR ""
#endif

namespace pixelrnn {

namespace {

const char kMagic[8] = {'P', 'I', 'X', 'E', 'L', 'R', 'N', 'N'};

template <typename T> void
put (std::string &out, T v)
{
  for (size_t k = 0; k < sizeof (T); ++k)
    out.push_back (static_cast<char> ((static_cast<uint64_t> (v) >> (8 * k)) & 0xff));
}

template <typename T> bool
get (const std::string &in, size_t &pos, T &v)
{
  if (in.size () < pos + sizeof (T))
    return false;
  uint64_t x = 0;
  for (size_t k = 0; k < sizeof (T); ++k)
    x |= static_cast<uint64_t> (static_cast<uint8_t> (in[pos + k])) << (8 * k);
  v = static_cast<T> (x);
  pos += sizeof (T);
  return true;
}

std::string
shape_string (at::IntArrayRef s)
{
  std::ostringstream o;
  o << s;
  return o.str ();
}

nlohmann::json
provenance_json (const Provenance &p)
{
  nlohmann::json j = {{"data", p.data}, {"steps", p.steps},
          {"validation_bits_per_dim", p.validation_bits_per_dim}, {"date", p.date},
          {"command", p.command}, {"train_seconds", p.train_seconds}};
  if (p.validation_fill_rmse >= 0)    // only conditioner training measures it
    j["validation_fill_rmse"] = p.validation_fill_rmse;
  return j;
}

Provenance
provenance_from_json (const nlohmann::json &j)
{
  Provenance p;
  p.data = j.value ("data", "");
  p.steps = j.value ("steps", int64_t{0});
  p.validation_bits_per_dim = j.value ("validation_bits_per_dim", -1.0);
  p.validation_fill_rmse = j.value ("validation_fill_rmse", -1.0);
  p.date = j.value ("date", "");
  p.command = j.value ("command", "");
  p.train_seconds = j.value ("train_seconds", 0.0);
  return p;
}

}  // namespace

std::string
iso8601_now ()
{
  char buf[32];
  std::time_t t = std::time (nullptr);
  std::strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime (&t));
  return buf;
}

void
save_model (const std::string &path, PixelModel &model, const Provenance &provenance)
{
  // Plain float32 little-endian arrays named and shaped in the header: reading them back
  // needs no parser beyond JSON (the reason safetensors exists).
  nlohmann::json tensors = nlohmann::json::array ();
  std::string data;
  for (const auto &p : model->named_parameters ()) {
    auto t = p.value ().detach ().to (torch::kFloat32).contiguous ();
    tensors.push_back ({{"name", p.key ()}, {"shape", t.sizes ().vec ()}, {"offset", data.size ()}});
    data.append (reinterpret_cast<const char *> (t.data_ptr<float> ()), t.numel () * sizeof (float));
  }
  nlohmann::json header = {{"config", nlohmann::json::parse (model->config.to_json ())},
                           {"provenance", provenance_json (provenance)},
                           {"tensors", tensors}};
  std::string header_text = header.dump ();

  std::string out (kMagic, sizeof kMagic);
  put<uint32_t> (out, kFormatVersion);
  size_t body_start = out.size ();
  put<uint64_t> (out, header_text.size ());
  out += header_text;
  put<uint64_t> (out, data.size ());
  out += data;
  uLong crc = crc32 (0L, reinterpret_cast<const Bytef *> (out.data () + body_start),
      static_cast<uInt> (out.size () - body_start));
  put<uint32_t> (out, static_cast<uint32_t> (crc));
  write_file_atomic (path, out);
}

namespace {

// The whole file, read only if it is a regular file of a sane size: a FIFO would block
// forever, /dev/zero never end, a folder give a library's message without the path.
std::string
read_model_bytes (const std::string &path)
{
  try {
    return read_regular_file (path, kMaxModelFileBytes, "model file");
  } catch (const FileError &e) {
    throw ModelFileError (e.what ());
  }
}

// LibTorch's archive (files of format 1 and 2): a pickle parser, fed only on request.
void
read_legacy_archive (const std::string &weight_bytes, LoadedModel &loaded,
    const std::function<ModelFileError (const std::string &)> &fail)
{
  torch::serialize::InputArchive archive;
  try {
    std::istringstream weights (weight_bytes);
    archive.load_from (weights);
  } catch (const std::exception &e) {
    throw fail ("corrupt weights (cannot read the archive)");
  }
  torch::NoGradGuard no_grad;
  for (auto &p : loaded.model->named_parameters ()) {
    torch::Tensor t;
    bool found = false;
    try {
      found = archive.try_read (p.key (), t);
    } catch (const std::exception &) {
      throw fail ("corrupt weights (entry '" + p.key () + "' unreadable)");
    }
    if (!found)
      throw fail ("weight '" + p.key () + "' missing; the file does not match its config (" +
          loaded.config.summary () + ")");
    if (t.sizes () != p.value ().sizes ())
      throw fail ("weight '" + p.key () + "' has shape " + shape_string (t.sizes ()) +
          " but the config needs " + shape_string (p.value ().sizes ()));
    if (t.scalar_type () != torch::kFloat32)
      throw fail ("weight '" + p.key () + "' is not float32");
    p.value ().copy_ (t);
  }
}

// Format 3: a table of named, shaped float32 arrays, checked against the data's length
// before anything is allocated and against the config's parameters before anything is copied.
void
read_raw_tensors (const nlohmann::json &header, const std::string &data, LoadedModel &loaded,
    const std::function<ModelFileError (const std::string &)> &fail)
{
  static_assert (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "model files hold little-endian floats");
  if (!header.contains ("tensors") || !header["tensors"].is_array ())
    throw fail ("corrupt (no tensor table)");
  struct Entry { std::vector<int64_t> shape; uint64_t offset, count; };
  std::map<std::string, Entry> entries;
  uint64_t expected_offset = 0;
  for (const auto &t : header["tensors"]) {
    if (!t.is_object () || !t.contains ("name") || !t["name"].is_string () || !t.contains ("shape") ||
        !t["shape"].is_array () || !t.contains ("offset") || !t["offset"].is_number_unsigned ())
      throw fail ("corrupt tensor table entry");
    Entry e{{}, t["offset"].get<uint64_t> (), 1};
    for (const auto &d : t["shape"]) {
      if (!d.is_number_unsigned () || d.get<uint64_t> () > (1u << 24))
        throw fail ("corrupt tensor shape in '" + t["name"].get<std::string> () + "'");
      e.shape.push_back (d.get<int64_t> ());
      e.count *= d.get<uint64_t> ();
      if (e.count > data.size () / sizeof (float))
        throw fail ("tensor '" + t["name"].get<std::string> () + "' is larger than the file's data");
    }
    if (e.offset != expected_offset)
      throw fail ("corrupt tensor table (tensor '" + t["name"].get<std::string> () + "' not where the previous one ends)");
    expected_offset += e.count * sizeof (float);
    if (expected_offset > data.size ())
      throw fail ("truncated (tensor '" + t["name"].get<std::string> () + "' runs past the data)");
    if (!entries.emplace (t["name"].get<std::string> (), std::move (e)).second)
      throw fail ("tensor '" + t["name"].get<std::string> () + "' appears twice");
  }
  if (expected_offset != data.size ())
    throw fail ("corrupt (" + std::to_string (data.size () - expected_offset) + " bytes of data no tensor uses)");
  auto params = loaded.model->named_parameters ();
  for (const auto &e : entries)
    if (!params.contains (e.first))
      throw fail ("tensor '" + e.first + "' is not a weight of this config (" + loaded.config.summary () + ")");
  torch::NoGradGuard no_grad;
  for (auto &p : params) {
    auto it = entries.find (p.key ());
    if (it == entries.end ())
      throw fail ("weight '" + p.key () + "' missing; the file does not match its config (" +
          loaded.config.summary () + ")");
    if (at::IntArrayRef (it->second.shape) != p.value ().sizes ())
      throw fail ("weight '" + p.key () + "' has shape " + shape_string (it->second.shape) +
          " but the config needs " + shape_string (p.value ().sizes ()));
    std::memcpy (p.value ().data_ptr<float> (), data.data () + it->second.offset,
        it->second.count * sizeof (float));
  }
}

}  // namespace

LoadedModel
load_model (const std::string &path, LegacyArchive legacy)
{
  std::function<ModelFileError (const std::string &)> fail = [&] (const std::string &why) {
    return ModelFileError (path + ": " + why);
  };
  const std::string in = read_model_bytes (path);
  if (in.size () < sizeof kMagic || std::memcmp (in.data (), kMagic, sizeof kMagic) != 0)
    throw fail ("not a PixelRNN model file (wrong magic)");
  size_t pos = sizeof kMagic;
  uint32_t version = 0;
  if (!get (in, pos, version))
    throw fail ("truncated (file ends inside the header)");
  if (version > kFormatVersion)
    throw fail ("format version " + std::to_string (version) + " is newer than this build reads (" +
        std::to_string (kFormatVersion) + "); upgrade gst-pixelrnn");
  if (version == 0)
    throw fail ("corrupt (format version 0)");
  const size_t body_start = pos;
  uint64_t header_len = 0, weights_len = 0;
  if (!get (in, pos, header_len) || header_len > in.size () - pos)
    throw fail ("truncated (file ends inside the config)");
  std::string header_text = in.substr (pos, header_len);
  pos += header_len;
  if (!get (in, pos, weights_len) || weights_len > in.size () - pos)
    throw fail ("truncated (file ends inside the weights)");
  std::string weight_bytes = in.substr (pos, weights_len);
  pos += weights_len;
  const size_t body_end = pos;
  uint32_t stored_crc = 0;
  if (!get (in, pos, stored_crc))
    throw fail ("truncated (checksum missing)");
  if (pos != in.size ())
    throw fail ("corrupt (" + std::to_string (in.size () - pos) + " unexpected bytes at the end)");
  uLong crc = crc32 (0L, reinterpret_cast<const Bytef *> (in.data () + body_start),
      static_cast<uInt> (body_end - body_start));
  if (static_cast<uint32_t> (crc) != stored_crc)
    throw fail ("corrupt (checksum mismatch)");

  LoadedModel loaded;
  loaded.path = path;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse (header_text);
    if (!header.contains ("config"))
      throw std::runtime_error ("header has no config");
    loaded.config = ModelConfig::from_json (header["config"].dump ());
    if (header.contains ("provenance") && header["provenance"].is_object ())
      loaded.provenance = provenance_from_json (header["provenance"]);
  } catch (const std::exception &e) {
    throw fail (std::string ("bad config: ") + e.what ());
  }

  if (version < 3 && legacy != LegacyArchive::Allow)
    throw fail ("written by an older release (format " + std::to_string (version) + ", weights in "
        "LibTorch's pickle archive, which is not parsed on load); convert it once with: "
        "pixelrnn convert " + path + " NEW.pixelrnn");
  try {
    loaded.model = PixelModel (loaded.config);
  } catch (const std::bad_alloc &) {
    throw fail ("its config (" + loaded.config.summary () + ") needs more memory than there is");
  }
  if (version < 3)
    read_legacy_archive (weight_bytes, loaded, fail);
  else
    read_raw_tensors (header, weight_bytes, loaded, fail);
  torch::NoGradGuard no_grad;
  for (const auto &p : loaded.model->named_parameters ())
    if (!torch::isfinite (p.value ()).all ().item<bool> ())
      throw fail ("weight '" + p.key () + "' holds NaN or infinity");
  // Finite weights can still overflow: refuse a model whose output is not finite on a probe.
  loaded.model->eval ();
  auto probe = torch::full ({1, loaded.config.channels, 4, 4}, 128, torch::kUInt8);
  if (!torch::isfinite (loaded.model->forward (probe)).all ().item<bool> ())
    throw fail ("its output is not finite (weights too large?)");
  loaded.model->eval ();
  return loaded;
}

// The file this code was loaded from: the plugin, or the executable. dladdr gives an
// executable's name as it was invoked ("pixelrnn" when run from PATH), so that case asks
// the kernel for the real path.
static std::string
loaded_from ()
{
  Dl_info info;
  if (dladdr (reinterpret_cast<void *> (&loaded_from), &info) && info.dli_fname &&
      std::strchr (info.dli_fname, '/'))
    return info.dli_fname;
  char buf[4096];
  const ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string (buf, (size_t) n) : "";
}

// Code running from the build tree uses the source tree's models; installed code its own.
static bool
running_from_build_tree ()
{
  const std::string self = loaded_from (), root = PIXELRNN_BUILD_ROOT;
  return !root.empty () && self.compare (0, root.size () + 1, root + "/") == 0;
}

// share/gst-pixelrnn/models above the binary or plugin this code was loaded from: an install
// moved to another prefix (or unpacked with DESTDIR) still finds its own models.
static std::string
installed_model_dir ()
{
  std::string dir = loaded_from ();
  if (dir.empty ())
    return "";
  for (int up = 0; up < 4; ++up) {
    auto slash = dir.find_last_of ('/');
    if (slash == std::string::npos)
      break;
    dir.resize (slash);
    std::string candidate = dir + "/share/gst-pixelrnn/models";
    struct stat st;
    if (stat (candidate.c_str (), &st) == 0 && S_ISDIR (st.st_mode))
      return candidate;
  }
  return "";
}

std::string
resolve_model (const std::string &name)
{
  struct stat st;
  if (name.find ('/') != std::string::npos || (name.size () > 9 &&
      name.compare (name.size () - 9, 9, ".pixelrnn") == 0)) {
    if (stat (name.c_str (), &st) != 0)
      throw ModelFileError (name + ": no such model file");
    return name;
  }
  std::vector<std::string> dirs;
  if (const char *env = std::getenv ("PIXELRNN_MODEL_PATH")) {
    std::stringstream s (env);
    std::string d;
    while (std::getline (s, d, ':'))
      if (!d.empty ())
        dirs.push_back (d);
  }
  const bool build_tree = running_from_build_tree ();
  if (build_tree && *PIXELRNN_BUILD_MODELDIR)
    dirs.push_back (PIXELRNN_BUILD_MODELDIR);
  if (auto installed = installed_model_dir (); !installed.empty ())
    dirs.push_back (installed);
  if (*PIXELRNN_INSTALL_MODELDIR)
    dirs.push_back (PIXELRNN_INSTALL_MODELDIR);
  if (!build_tree && *PIXELRNN_BUILD_MODELDIR)
    dirs.push_back (PIXELRNN_BUILD_MODELDIR);
  std::string looked;
  for (const auto &d : dirs) {
    std::string candidate = d + "/" + name + ".pixelrnn";
    if (stat (candidate.c_str (), &st) == 0)
      return candidate;
    looked += (looked.empty () ? "" : ", ") + d;
  }
  if (stat (name.c_str (), &st) == 0)
    return name;
  throw ModelFileError ("model '" + name + "' not found (not a file; no " + name +
      ".pixelrnn in " + (looked.empty () ? std::string ("any model folder") : looked) + ")");
}

}  // namespace pixelrnn
