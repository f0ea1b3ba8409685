#!/bin/sh
# One way to read a file and one way to write one (models/api/files.h): no other source file
# of elements/, tools/ or models/ opens files itself, except those listed here with the reason
# they cannot go through files.h. Fails naming each other file and line that opens a file.
#   test_file_access.sh SOURCE_ROOT
set -eu
cd "$1"
# file: why it opens files itself
allowed='
models/api/files.cpp: the room itself (read_regular_file, write_file_atomic, refuse_same_file)
elements/score_csv.cpp: a CSV written row by row as frames are scored (locked, checked, cut back to whole rows), not at once
elements/nll_dump.cpp: the debugging dump PIXELRNN_NLL_DUMP, appended a frame at a time (any earlier frames kept), not written at once
elements/gstpixelrnntrain.cpp: the lock file beside the model it writes (flock), which holds no data
tools/gst_decode.cpp: the last bytes of a JPEG already checked to be a regular file, to see it is complete
'
bad=0
for f in $(find elements tools models -name '*.cpp' -o -name '*.h' | sort); do
  if grep -nE '(std::)?(fopen|ifstream|ofstream|fstream)[[:space:]]*[ (<]|::open[[:space:]]*\(|g_file_get_contents|g_file_set_contents' "$f" \
      | grep -vE '^[0-9]+:[[:space:]]*(//|/\*|\*)' >"${TMPDIR:-/tmp}/file-access.$$"; then
    if ! printf '%s' "$allowed" | grep -q "^$f:"; then
      sed "s#^#$f:#" "${TMPDIR:-/tmp}/file-access.$$"
      echo "$f opens a file itself: read and write through models/api/files.h (or say here why not)"
      bad=1
    fi
  fi
done
rm -f "${TMPDIR:-/tmp}/file-access.$$"
[ "$bad" = 0 ] && echo "every file of the project's own data is opened through models/api/files.h ($(printf '%s' "$allowed" | grep -c ':') files allowed, each with its reason)"
exit $bad
