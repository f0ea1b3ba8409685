#include "labels_file.h"

#include "api/files.h"

#include <glib.h>

#include <sstream>

namespace pixelrnn::cli {

FrameRanges
parse_labels (const std::string &text, const std::string &path)
{
  std::istringstream in (text);
  FrameRanges ranges;
  std::string line;
  for (int number = 1; std::getline (in, line); ++number) {
    line = line.substr (0, line.find ('#'));
    gchar *stripped = g_strstrip (g_strdup (line.c_str ()));
    const std::string item = stripped;
    g_free (stripped);
    if (item.empty ())
      continue;
    const size_t dash = item.find ('-', 1);
    guint64 first = 0, last = 0;
    const bool ok = g_ascii_string_to_unsigned (item.substr (0, dash).c_str (), 10, 0, G_MAXINT, &first, nullptr) &&
        (dash == std::string::npos ? (last = first, true) :
            g_ascii_string_to_unsigned (item.substr (dash + 1).c_str (), 10, first, G_MAXINT, &last, nullptr));
    if (!ok)
      throw std::invalid_argument (path + ":" + std::to_string (number) +
          ": expected a frame number or FIRST-LAST, not '" + item + "'");
    ranges.push_back ({first, last, number});
  }
  return ranges;
}

FrameRanges
read_labels (const std::string &path)
{
  std::string text;
  try {
    text = read_regular_file (path, kMaxLabelsFileBytes, "labels file");
  } catch (const FileError &e) {
    throw std::runtime_error (e.what ());
  }
  return parse_labels (text, path);
}

}  // namespace pixelrnn::cli
