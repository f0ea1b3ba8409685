#include "nll_dump.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace pixelrnn {

void
dump_nll_map (GstElement *element, const NllMap &map, bool &warned)
{
  const char *path = std::getenv ("PIXELRNN_NLL_DUMP");
  if (!path || !*path)
    return;
  const int32_t size[2] = {map.width, map.height};
  FILE *f = std::fopen (path, "ab");
  bool ok = f != nullptr;
  if (ok) {
    ok = std::fwrite (size, sizeof size[0], 2, f) == 2 &&
        std::fwrite (map.bits.data (), sizeof (float), map.bits.size (), f) == map.bits.size ();
    ok = std::fclose (f) == 0 && ok;
  }
  if (!ok && !warned) {
    warned = true;
    GST_ELEMENT_WARNING (element, RESOURCE, WRITE, ("Could not append NLL maps to \"%s\" (PIXELRNN_NLL_DUMP).", path),
        (NULL));
  }
}

}  // namespace pixelrnn
