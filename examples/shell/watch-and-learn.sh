#!/bin/sh
# Learn what normal looks like from a video, then watch it; and learn the scene while watching.
#   watch-and-learn.sh IN.mp4 OUTDIR
# 1. Calibrate on normal footage: its first 40 frames set every grid cell's normal NLL (median and MAD); the
#    calibration is saved to OUTDIR/calibration.json.
# 2. Watch: a later run loads that calibration and flags frames against it from frame 0.
# 3. Train while watching: pixelrnntrain fine-tunes the shipped model on the frames the
#    likelihood element passes as normal and writes OUTDIR/scene.pixelrnn; the likelihood
#    element (reload=true) swaps each written version in.
set -e
in=${1:?usage: watch-and-learn.sh IN OUTDIR}
out=${2:?usage: watch-and-learn.sh IN OUTDIR}
mkdir -p "$out"
rm -f "$out/calibration.json" "$out/scene.pixelrnn"

gst-launch-1.0 -q filesrc location="$in" ! decodebin ! videoconvert ! \
    pixelrnnlikelihood calibration-frames=40 calibration-file="$out/calibration.json" ! fakesink
echo "calibrated: $out/calibration.json"

gst-launch-1.0 -q filesrc location="$in" ! decodebin ! videoconvert ! \
    pixelrnnlikelihood calibration-file="$out/calibration.json" location="$out/watched.csv" ! fakesink
echo "watched: $(awk -F, 'NR > 1 && $5 == 1' "$out/watched.csv" | wc -l) of $(($(wc -l < "$out/watched.csv") - 1)) frames anomalous ($out/watched.csv)"

gst-launch-1.0 -q filesrc location="$in" ! decodebin ! videoconvert ! \
    pixelrnnlikelihood model="$out/scene.pixelrnn" reload=true location="$out/learning.csv" ! \
    pixelrnntrain model=natural location="$out/scene.pixelrnn" save-every=5 ! fakesink
pixelrnn info --model "$out/scene.pixelrnn" | grep -E "^(steps|trained on):"
