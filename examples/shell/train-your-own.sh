#!/bin/sh
# Train a model on your own video, then use it in a pipeline.
#   train-your-own.sh VIDEO OUTDIR [STEPS]
set -e
video=${1:?usage: train-your-own.sh VIDEO OUTDIR [STEPS]}
dir=${2:?usage: train-your-own.sh VIDEO OUTDIR [STEPS]}
steps=${3:-2000}
mkdir -p "$dir"
# Every 5th frame, halved in size, 32x32 crops; Ctrl-C saves a checkpoint (--resume goes on).
pixelrnn train --data "$video" --every 5 --downscale 2 --patch 32 \
    --hidden 24 --layers 3 --head-hidden 48 --steps "$steps" --val-every 100 \
    --out "$dir/mine.pixelrnn"
pixelrnn eval --model "$dir/mine.pixelrnn" --data "$video" --every 20 --downscale 2
gst-launch-1.0 -q filesrc location="$video" ! decodebin ! videoconvert ! \
    pixelrnnlikelihood model="$dir/mine.pixelrnn" location="$dir/scores.csv" ! fakesink
echo "model $dir/mine.pixelrnn; its scores of $video in $dir/scores.csv"
