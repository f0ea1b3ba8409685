// What every `pixelrnn` subcommand shares: option parsing (GLib's GOptionContext), the
// one-line error and exit, and small parsers for the values users type.
#pragma once

#include "api/hole_windows.h"

#include <glib.h>
#include <string>
#include <vector>

namespace pixelrnn::cli {

using pixelrnn::Rect;

// Prints "pixelrnn <command>: <message>" on stderr and exits with status 1.
[[noreturn]] void die (const std::string &message);
void set_command (const char *name);

// Parses argv (argv[0] = the subcommand) against `entries`; --help prints and exits 0.
// A parse error dies with GLib's message.
void parse (int &argc, char **&argv, const GOptionEntry *entries, const char *parameter,
    const char *summary, const char *description = nullptr);

// "x,y,w,h" with x, y >= 0 and w, h > 0; throws std::invalid_argument naming the text
// otherwise (the command's caller prints it as its one-line error).
Rect parse_rect (const std::string &text);

// "2,4,8": integers 1..64, at most 8 of them; throws std::invalid_argument naming the option
// and text otherwise.
std::vector<int> parse_positive_list (const std::string &text, const char *option);

// Dies unless `path` could be created or replaced (its folder exists and is writable).
void check_writable (const std::string &path);

// Deletes PATH.tmp-XXXXXX files that a killed writer (write_file_atomic) left behind.
void remove_stale_temporaries (const std::string &path);

std::vector<std::string> strv (gchar **v);
// The whole command line as typed, for a model's provenance.
std::string command_line (int argc, char **argv);

}  // namespace pixelrnn::cli
