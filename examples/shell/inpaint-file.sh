#!/bin/sh
# Fill a rectangle in every frame of a video file; write an MJPEG AVI.
#   inpaint-file.sh IN.mp4 OUT.avi ["<x,y,w,h>"]
set -e
in=${1:?usage: inpaint-file.sh IN OUT [RECT]}
out=${2:?usage: inpaint-file.sh IN OUT [RECT]}
rect=${3:-<100,80,32,32>}
mkdir -p "$(dirname "$out")"
gst-launch-1.0 -q filesrc location="$in" ! decodebin ! videoconvert ! \
    pixelrnninpaint rect="$rect" ! videoconvert ! jpegenc ! avimux ! filesink location="$out"
echo "inpainted $rect in every frame: $out"
