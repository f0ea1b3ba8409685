// What the fuzzers share: the mutation of a valid seed (bit flips, bytes, insertions,
// deletions, boundary integers), the seeds in tests/data/fuzz-seeds, and the round count.
// PIXELRNN_FUZZ_ROUNDS sets the rounds per reader (default 300; docs/benchmarks.md gives a
// longer run's figures).
#pragma once

#include <glib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace pixelrnn::test {

inline int
fuzz_rounds (int default_rounds = 300)
{
  const char *v = g_getenv ("PIXELRNN_FUZZ_ROUNDS");
  return v ? std::max (1, std::atoi (v)) : default_rounds;
}

inline std::string
read_all (const std::string &path)
{
  std::ifstream f (path, std::ios::binary);
  return std::string ((std::istreambuf_iterator<char> (f)), std::istreambuf_iterator<char> ());
}

inline void
write_all (const std::string &path, const std::string &bytes)
{
  std::ofstream (path, std::ios::binary) << bytes;
}

// The non-empty lines of a seed file.
inline std::vector<std::string>
read_lines (const std::string &path)
{
  std::istringstream in (read_all (path));
  std::vector<std::string> lines;
  for (std::string line; std::getline (in, line);)
    if (!line.empty ())
      lines.push_back (line);
  return lines;
}

// One to four edits of `s` at or after `protect_front` (so that a signature survives).
inline std::string
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

// Edits of text that stay text-like: digits, separators and signs as well as raw bytes, so
// that most mutants still reach the number parsing behind the syntax check.
inline std::string
mutate_text (std::string s, std::mt19937_64 &rng)
{
  static const char alphabet[] = "0123456789,<>-+ x";
  static const char *const numbers[] = {"0", "-1", "2147483647", "2147483648", "-2147483648",
                                        "4294967296", "99999999999999999999", "1e9", "0x10"};
  const int edits = 1 + (int) (rng () % 3);
  for (int e = 0; e < edits; ++e) {
    const size_t at = s.empty () ? 0 : rng () % (s.size () + 1);
    switch (rng () % 4) {
      case 0: s.insert (at, 1, alphabet[rng () % (sizeof alphabet - 1)]); break;
      case 1: if (at < s.size ()) s.erase (at, 1); break;
      case 2: s.insert (at, numbers[rng () % 9]); break;
      case 3: if (at < s.size ()) s[at] = (char) (rng () % 256); break;
    }
  }
  return s;
}

inline std::string
fuzz_seed_path (const std::string &data_dir, const std::string &name)
{
  return data_dir + "/fuzz-seeds/" + name;
}

}  // namespace pixelrnn::test
