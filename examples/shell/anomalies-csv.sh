#!/bin/sh
# Score every frame of a video file and flag anomalies; one CSV row per frame.
#   anomalies-csv.sh IN.mp4 scores.csv
set -e
in=${1:?usage: anomalies-csv.sh IN CSV}
csv=${2:?usage: anomalies-csv.sh IN CSV}
mkdir -p "$(dirname "$csv")"
gst-launch-1.0 -q filesrc location="$in" ! decodebin ! videoconvert ! \
    pixelrnnlikelihood score=zscore threshold=4 location="$csv" ! fakesink
echo "$(($(wc -l < "$csv") - 1)) frames scored, $(awk -F, 'NR > 1 && $5 == 1' "$csv" | wc -l) anomalous: $csv"
