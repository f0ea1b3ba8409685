#include "cli_common.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <glib/gstdio.h>
#include <unistd.h>

namespace pixelrnn::cli {

namespace {
std::string current_command = "pixelrnn";
}

void
set_command (const char *name)
{
  current_command = std::string ("pixelrnn ") + name;
}

void
die (const std::string &message)
{
  std::fprintf (stderr, "%s: %s\n", current_command.c_str (), message.c_str ());
  std::exit (1);
}

void
parse (int &argc, char **&argv, const GOptionEntry *entries, const char *parameter,
    const char *summary, const char *description)
{
  GOptionContext *ctx = g_option_context_new (parameter);
  g_option_context_set_summary (ctx, summary);
  if (description)
    g_option_context_set_description (ctx, description);
  g_option_context_add_main_entries (ctx, entries, nullptr);
  GError *err = nullptr;
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    std::string msg = err->message;
    g_clear_error (&err);
    g_option_context_free (ctx);
    die (msg + " (see --help)");
  }
  g_option_context_free (ctx);
  if (argc > 1)
    die (std::string ("unexpected argument '") + argv[1] + "' (see --help)");
}

Rect
parse_rect (const std::string &text)
{
  // Four decimal integers, each in int's range (sscanf's %d would overflow silently).
  gchar **parts = g_strsplit (text.c_str (), ",", -1);
  int values[4] = {0, 0, 0, 0};
  bool ok = g_strv_length (parts) == 4;
  for (int k = 0; ok && k < 4; ++k) {
    gint64 v = 0;
    ok = g_ascii_string_to_signed (parts[k], 10, 0, G_MAXINT, &v, nullptr);
    values[k] = (int) v;
  }
  g_strfreev (parts);
  if (!ok || values[2] <= 0 || values[3] <= 0)
    throw std::invalid_argument ("bad rectangle '" + text +
        "': expected x,y,w,h: integers, x and y >= 0, w and h > 0");
  return Rect{values[0], values[1], values[2], values[3]};
}

std::vector<int>
parse_positive_list (const std::string &text, const char *option)
{
  gchar **parts = g_strsplit (text.c_str (), ",", -1);
  std::vector<int> out;
  bool ok = parts[0] != nullptr && g_strv_length (parts) <= 8;
  for (gchar **p = parts; ok && *p; ++p) {
    gint64 v = 0;
    ok = g_ascii_string_to_signed (*p, 10, 1, 64, &v, nullptr);
    out.push_back ((int) v);
  }
  g_strfreev (parts);
  if (!ok)
    throw std::invalid_argument (std::string ("bad ") + option + " '" + text +
        "': expected up to 8 integers 1..64 separated by commas");
  return out;
}

void
check_writable (const std::string &path)
{
  gchar *dir = g_path_get_dirname (path.c_str ());
  bool ok = g_file_test (dir, G_FILE_TEST_IS_DIR) && g_access (dir, W_OK) == 0 &&
            !g_file_test (path.c_str (), G_FILE_TEST_IS_DIR);
  std::string d = dir;
  g_free (dir);
  if (!ok)
    die (path + ": cannot write here (folder " + d + " missing or not writable)");
}

void
remove_stale_temporaries (const std::string &path)
{
  gchar *dir = g_path_get_dirname (path.c_str ()), *base = g_path_get_basename (path.c_str ());
  const std::string prefix = std::string (base) + ".tmp-";
  if (GDir *d = g_dir_open (dir, 0, nullptr)) {
    while (const char *name = g_dir_read_name (d)) {
      const std::string n = name;
      if (n.size () == prefix.size () + 6 && n.compare (0, prefix.size (), prefix) == 0) {
        const std::string stale = std::string (dir) + "/" + n;
        if (g_unlink (stale.c_str ()) == 0)
          std::fprintf (stderr, "removed %s, left by an interrupted save\n", stale.c_str ());
      }
    }
    g_dir_close (d);
  }
  g_free (dir);
  g_free (base);
}

std::vector<std::string>
strv (gchar **v)
{
  std::vector<std::string> out;
  for (; v && *v; ++v)
    out.emplace_back (*v);
  return out;
}

std::string
command_line (int argc, char **argv)
{
  std::string out = "pixelrnn";
  for (int k = 0; k < argc; ++k) {
    gchar *q = g_shell_quote (argv[k]);
    out += " ";
    out += std::string (argv[k]).find_first_of (" '\"$") == std::string::npos ? argv[k] : q;
    g_free (q);
  }
  return out;
}

}  // namespace pixelrnn::cli
