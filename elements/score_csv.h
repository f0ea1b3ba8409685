/* The likelihood element's CSV file: opened and locked when the element starts (a folder, a
 * FIFO without a reader or a file another writer holds is an error then, not at the end),
 * emptied only when the first row is ready (a pipeline that fails before its first frame
 * leaves an existing file's rows alone), every row written straight to the file and checked,
 * so a full disk is an error the moment it happens; the file is then cut back to its last
 * whole row, never left with half of one. */
#pragma once

#include <sys/types.h>
#include <stdexcept>
#include <string>

namespace pixelrnn {

class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ScoreCsv {
 public:
  /* An empty header writes none (JSON lines). */
  ScoreCsv (std::string path, std::string header);
  ~ScoreCsv ();
  ScoreCsv (const ScoreCsv &) = delete;
  ScoreCsv &operator= (const ScoreCsv &) = delete;

  /* Opens the file without emptying it and takes its lock (flock, regular files); throws
   * CsvError naming the file and why. write_row opens it if this was not called. */
  void open ();
  /* Appends one line (no newline in `row`); throws CsvError naming the file and why. */
  void write_row (const std::string &row);
  /* Closes the file; throws CsvError if the last bytes could not be written. */
  void close ();
  const std::string &path () const { return path_; }

 private:
  void fail (const char *what);
  void write_whole (const std::string &bytes);
  std::string path_, header_;
  int fd_ = -1;
  bool regular_ = false;
  bool started_ = false;     /* emptied and header written: rows go on */
  off_t whole_rows_ = 0;     /* bytes of whole rows in a regular file */
};

}  // namespace pixelrnn
