#!/bin/sh
# Sample images from a model, one PNG each.
#   generate-samples.sh OUTDIR [COUNT] [MODEL]
set -e
dir=${1:?usage: generate-samples.sh OUTDIR [COUNT] [MODEL]}
count=${2:-16}
model=${3:-fashion-mnist}
mkdir -p "$dir"
gst-launch-1.0 -q pixelrnnsrc model="$model" width=28 height=28 num-buffers="$count" ! \
    videoconvert ! pngenc ! multifilesink location="$dir/sample-%02d.png"
echo "$count samples from $model in $dir"
