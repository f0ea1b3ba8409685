#include "idx_images.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <zlib.h>

namespace pixelrnn {

IdxImages
read_idx_images (const std::string &path, int64_t limit)
{
  auto fail = [&] (const std::string &why) { return std::runtime_error (path + ": " + why); };
  gzFile f = gzopen (path.c_str (), "rb");
  if (!f)
    throw fail (std::string ("cannot open: ") + std::strerror (errno));
  auto read_exact = [&] (void *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
      int r = gzread (f, static_cast<char *> (buf) + done, static_cast<unsigned> (std::min<size_t> (n - done, 1 << 30)));
      if (r <= 0)
        return false;
      done += static_cast<size_t> (r);
    }
    return true;
  };
  unsigned char head[16];
  if (!read_exact (head, 4)) {
    gzclose (f);
    throw fail ("truncated (no IDX header)");
  }
  if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] != 3) {
    gzclose (f);
    throw fail ("not an IDX file of 8-bit images (magic must be 0x00000803)");
  }
  if (!read_exact (head + 4, 12)) {
    gzclose (f);
    throw fail ("truncated (IDX header incomplete)");
  }
  auto be32 = [&] (int at) {
    return (uint32_t (head[at]) << 24) | (uint32_t (head[at + 1]) << 16) |
           (uint32_t (head[at + 2]) << 8) | uint32_t (head[at + 3]);
  };
  IdxImages out;
  out.count = be32 (4);
  out.rows = static_cast<int> (be32 (8));
  out.cols = static_cast<int> (be32 (12));
  if (out.rows <= 0 || out.cols <= 0 || out.rows > 65536 || out.cols > 65536) {
    gzclose (f);
    throw fail ("implausible image size in IDX header");
  }
  if (limit > 0 && limit < out.count)
    out.count = limit;
  // Grown as the data arrives, never to the size the header claims: a header promising
  // 65536x65536 images or ten million of them must not allocate before the file proves it.
  const uint64_t promised = uint64_t (out.count) * uint64_t (out.rows) * uint64_t (out.cols);
  bool ok = true;
  while (ok && out.pixels.size () < promised) {
    const size_t at = out.pixels.size ();
    const size_t chunk = (size_t) std::min<uint64_t> (promised - at, 16u << 20);
    out.pixels.resize (at + chunk);
    ok = read_exact (out.pixels.data () + at, chunk);
  }
  gzclose (f);
  if (!ok)
    throw fail ("truncated (header promises " + std::to_string (out.count) + " images of " +
        std::to_string (out.rows) + "x" + std::to_string (out.cols) + ")");
  return out;
}

}  // namespace pixelrnn
