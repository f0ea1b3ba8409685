#include "score_csv.h"

#include <cerrno>
#include <cstring>

namespace pixelrnn {

ScoreCsv::ScoreCsv (std::string path, std::string header)
    : path_ (std::move (path)), header_ (std::move (header))
{
}

ScoreCsv::~ScoreCsv ()
{
  if (file_)
    fclose (file_);
}

void
ScoreCsv::fail (const char *what)
{
  const int err = errno;
  if (file_)
    fclose (file_);
  file_ = nullptr;
  throw CsvError ("\"" + path_ + "\": " + what + ": " + std::strerror (err));
}

void
ScoreCsv::write_row (const std::string &row)
{
  if (!file_) {
    file_ = fopen (path_.c_str (), "w");
    if (!file_)
      fail ("cannot open for writing");
    if (!header_.empty () && (fputs (header_.c_str (), file_) < 0 || fputc ('\n', file_) == EOF))
      fail ("cannot write");
  }
  if (fputs (row.c_str (), file_) < 0 || fputc ('\n', file_) == EOF || fflush (file_) != 0)
    fail ("cannot write");
}

void
ScoreCsv::close ()
{
  if (!file_)
    return;
  FILE *f = file_;
  file_ = nullptr;
  if (fclose (f) != 0)
    throw CsvError ("\"" + path_ + "\": cannot write: " + std::strerror (errno));
}

}  // namespace pixelrnn
