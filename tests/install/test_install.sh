#!/bin/sh
# meson install into a temporary root, then use the installed copy: the CLI and the plugin
# find the installed models (not the build tree's) with no PIXELRNN_MODEL_PATH set.
#   test_install.sh BUILD_DIR PREFIX LIBDIR
set -eu
build=$1 prefix=$2 libdir=$3
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
unset PIXELRNN_MODEL_PATH || true
meson install -C "$build" --no-rebuild --quiet --destdir "$root" >/dev/null
installed="$root$prefix"
for f in "$installed/bin/pixelrnn" "$installed/$libdir/gstreamer-1.0/libgstpixelrnn.so" \
    "$installed/share/gst-pixelrnn/models/natural.pixelrnn" \
    "$installed/share/gst-pixelrnn/models/fashion-mnist.pixelrnn" \
    "$installed/share/gst-pixelrnn/models/digits.pixelrnn" \
    "$installed/include/gst-pixelrnn/gstpixelrnnmeta.h"; do
  [ -e "$f" ] || { echo "not installed: $f"; exit 1; }
done
"$installed/bin/pixelrnn" info --model natural | grep -q "^file: *$installed/share/gst-pixelrnn/models/natural.pixelrnn" ||
  { echo "installed pixelrnn did not read the installed model:"; "$installed/bin/pixelrnn" info --model natural | head -1; exit 1; }
# Run from PATH as users do: dladdr then gives a bare "pixelrnn"; the installed models win.
(cd "$root" && PATH="$installed/bin:$PATH" pixelrnn info --model natural) | grep -q "^file: *$installed/share/gst-pixelrnn/models/natural.pixelrnn" ||
  { echo "pixelrnn run from PATH did not read the installed model:"; (cd "$root" && PATH="$installed/bin:$PATH" pixelrnn info --model natural) | head -1; exit 1; }
# A temporary prefix is outside GStreamer's search path, so here (only) the plugin path is set;
# installed with --prefix=/usr it lands in GStreamer's own plugin folder.
export GST_PLUGIN_PATH_1_0="$installed/$libdir/gstreamer-1.0"
export GST_REGISTRY_1_0="$root/registry.bin"
GST_DEBUG=pixelrnnmodel:4 gst-launch-1.0 -q videotestsrc num-buffers=3 ! \
    video/x-raw,width=64,height=48 ! videoconvert ! \
    pixelrnnlikelihood location="$root/scores.csv" ! fakesink 2> "$root/log"
grep -q "model $installed/share/gst-pixelrnn/models/natural.pixelrnn" "$root/log" ||
  { echo "installed plugin did not read the installed model:"; grep "model" "$root/log"; exit 1; }
[ "$(wc -l < "$root/scores.csv")" -eq 4 ] || { echo "expected 3 scored frames"; cat "$root/scores.csv"; exit 1; }
echo "installed to $installed: CLI and plugin read their own models"
