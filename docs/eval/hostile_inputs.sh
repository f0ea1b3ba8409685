#!/bin/bash
# The hostile-input table of the hardening issue, re-run: every class of its rows (crashes,
# hangs, silent loss, silent acceptance, races, unclear errors) as one case each, with what
# must happen. Prints a Markdown table (case | verdict | what the user sees) and exits
# non-zero if any case fails. Needs the build tree (GST_PLUGIN_PATH=build/plugin).
#
#   GST_PLUGIN_PATH=build/plugin docs/eval/hostile_inputs.sh [build]
set -u
BUILD=${1:-build}
P=$BUILD/tools/pixelrnn
export GST_PLUGIN_PATH=${GST_PLUGIN_PATH:-$BUILD/plugin}
S=$(mktemp -d /tmp/pixelrnn-hostile-XXXXXX)
trap 'rm -rf "$S"' EXIT
FASHION=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
VIDEO=/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4
failures=0
echo "| case | verdict | what the user sees |"
echo "|---|---|---|"
# case NAME EXPECT SECONDS CMD...: EXPECT is a fragment the output must hold; "rc!=0" or
# "rc=0" may prefix it (NAME passes only with that exit status); a run past SECONDS fails.
case_ () {
  local name=$1 expect=$2 seconds=$3; shift 3
  local want_rc=""
  case $expect in rc!=0:*) want_rc=nonzero; expect=${expect#rc!=0:};; rc=0:*) want_rc=zero; expect=${expect#rc=0:};; esac
  local out rc
  out=$(timeout "$seconds" "$@" 2>&1); rc=$?
  local verdict=pass
  [ $rc -eq 124 ] && verdict="FAIL (hang: killed after ${seconds}s)"
  # 128 + N: killed by signal N (gst-launch-1.0 exits 255 on an error: not a signal)
  [ $rc -gt 128 ] && [ $rc -lt 255 ] && [ $rc -ne 130 ] && verdict="FAIL (crash: signal $((rc - 128)))"
  [ "$want_rc" = nonzero ] && [ $rc -eq 0 ] && verdict="FAIL (exit 0)"
  [ "$want_rc" = zero ] && [ $rc -ne 0 ] && [ "$verdict" = pass ] && verdict="FAIL (exit $rc)"
  if [ "$verdict" = pass ] && ! grep -qF -- "$expect" <<<"$out"; then verdict="FAIL (no '$expect')"; fi
  [ "$verdict" = pass ] || failures=$((failures + 1))
  local seen
  seen=$(grep -E "ERROR|WARNING|pixelrnn [a-z]+:|^[a-z].*: " <<<"$out" | grep -v "^Additional\|^Setting\|^Redistribute" | head -2 | tr '\n|' '  ' | cut -c1-200)
  echo "| $name | $verdict | ${seen:-(nothing printed)} |"
}
L="videotestsrc num-buffers=8 ! video/x-raw,width=64,height=48 ! pixelrnnlikelihood threads=1"
mkfifo "$S/fifo"
gst-launch-1.0 -q videotestsrc num-buffers=30 ! video/x-raw,width=64,height=48 ! avenc_mpeg4 ! mp4mux ! filesink location="$S/clip.mp4"
gst-launch-1.0 -q audiotestsrc num-buffers=20 ! audioconvert ! wavenc ! filesink location="$S/audio.wav"

# hangs and unbounded memory
case_ "calibration-file is a FIFO" "rc!=0:not a regular file" 30 gst-launch-1.0 -q $L calibration-file="$S/fifo" calibration-frames=3 ! fakesink
case_ "calibration-file is /dev/zero" "rc!=0:not a regular file" 30 gst-launch-1.0 -q $L calibration-file=/dev/zero calibration-frames=3 ! fakesink
case_ "location is a FIFO without a reader" "rc!=0:a FIFO with no reader" 30 gst-launch-1.0 -q $L location="$S/fifo" ! fakesink
case_ "score --labels /dev/zero" "rc!=0:not a regular file but a device" 30 "$P" score "$S/clip.mp4" --labels /dev/zero
case_ "score --labels FIFO" "rc!=0:not a regular file but a FIFO" 30 "$P" score "$S/clip.mp4" --labels "$S/fifo"
case_ "score file:// URI of a FIFO" "rc!=0:not a regular file" 30 "$P" score "file://$S/fifo"
mkfifo "$S/fifo.png" "$S/fifo.ckpt"
case_ "training data that is a FIFO" "rc!=0:not a regular file" 30 "$P" eval --model natural --data "$S/fifo.png"
case_ "a checkpoint that is a FIFO" "rc!=0:not a regular file but a FIFO" 60 "$P" train --resume --checkpoint "$S/fifo.ckpt" \
  --data "$FASHION" --max-images 50 --hidden 8 --layers 2 --head-hidden 16 --val-images 10 --steps 1 --out "$S/c.pixelrnn"
case_ "pixelrnnsrc at 4096x4096" "rc!=0:too large to generate" 30 gst-launch-1.0 -q pixelrnnsrc num-buffers=1 width=4096 height=4096 ! fakesink
case_ "tiles=true on 8000x8000" "rc!=0:too large to score in tiles" 60 gst-launch-1.0 -q videotestsrc num-buffers=1 ! video/x-raw,width=8000,height=8000 ! pixelrnnlikelihood tiles=true ! fakesink
case_ "a sampled 3000x3000 hole" "rc!=0:too large for mode=sample" 60 gst-launch-1.0 -q videotestsrc num-buffers=1 ! video/x-raw,width=4000,height=4000 ! pixelrnninpaint "rect=<10,10,3000,3000>" mode=sample ! fakesink
case_ "pixelrnn sample 4000x4000" "rc!=0:over --max-pixels" 30 "$P" sample --model natural --width 4000 --height 4000 --out "$S/x.png"

# silent data loss
touch "$S/target.csv"; ln -s "$S/target.csv" "$S/link.csv"
case_ "location through a symlink" "rc=0:" 30 gst-launch-1.0 -q $L location="$S/link.csv" ! fakesink
[ -L "$S/link.csv" ] && [ "$(wc -l <"$S/target.csv")" -ge 8 ] && echo "| ... the symlink stays, its target holds the rows | pass | $(wc -l <"$S/target.csv") lines |" \
  || { echo "| ... the symlink stays, its target holds the rows | FAIL | $(ls -l "$S/link.csv") |"; failures=$((failures + 1)); }
case_ "location /dev/null (a device)" "rc=0:" 30 gst-launch-1.0 -q $L location=/dev/null ! fakesink
[ -c /dev/null ] && echo "| ... /dev/null is still a device | pass | |" || { echo "| ... /dev/null replaced | FAIL | |"; failures=$((failures + 1)); }
cp "$S/clip.mp4" "$S/input.mp4"
case_ "score VIDEO --csv VIDEO" "rc!=0:is the input" 30 "$P" score "$S/input.mp4" --csv "$S/input.mp4"
cmp -s "$S/clip.mp4" "$S/input.mp4" && echo "| ... the video is untouched | pass | |" || { echo "| ... the video changed | FAIL | |"; failures=$((failures + 1)); }
case_ "score rows to /dev/full" "rc!=0:cannot write to standard output" 60 sh -c "\"$P\" score \"$S/clip.mp4\" --max-frames 2 >/dev/full"
case_ "two likelihood elements, one location" "rc!=0:another element or process is writing this file" 30 gst-launch-1.0 -q videotestsrc num-buffers=5 ! video/x-raw,width=64,height=48 ! tee name=t t. ! queue ! pixelrnnlikelihood threads=1 location="$S/two.csv" ! fakesink t. ! queue ! pixelrnnlikelihood threads=1 location="$S/two.csv" ! fakesink
case_ "two pixelrnntrain, one location" "rc!=0:Another writer holds" 60 gst-launch-1.0 -q videotestsrc num-buffers=5 ! video/x-raw,width=64,height=48 ! tee name=t t. ! queue ! pixelrnntrain location="$S/tt.pixelrnn" ! fakesink t. ! queue ! pixelrnntrain location="$S/tt.pixelrnn" ! fakesink

# silent acceptance
gst-launch-1.0 -q $L calibration-file="$S/cal.json" calibration-frames=5 ! fakesink
case_ "a calibration for another analysis size" "rc!=0:was made for another stream or model" 30 gst-launch-1.0 -q $L width=32 height=24 calibration-file="$S/cal.json" ! fakesink
case_ "calibration-frames longer than the stream" "Incomplete calibration: the stream ended after 3 of 50" 30 gst-launch-1.0 videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pixelrnnlikelihood threads=1 calibration-file="$S/cal2.json" calibration-frames=50 ! fakesink
python3 -c "
import json; d = json.load(open('$S/cal.json')); d['sigma'] = [1e-9] * len(d['sigma']); json.dump(d, open('$S/tiny.json', 'w'))"
case_ "a calibration file with near-zero spreads" "were below their floors and were raised" 30 gst-launch-1.0 $L calibration-file="$S/tiny.json" ! fakesink
case_ "ranks with different --hidden" "rc!=0:model hidden: rank 0 has 8, rank 1 has 16" 60 bash -c "
  \"$P\" train --data $FASHION --max-images 100 --layers 2 --head-hidden 16 --val-images 20 --threads 1 --steps 2 --batch 4 --dist-timeout 20 --master-port 29811 --world-size 2 --rank 1 --hidden 16 --out $S/r.pixelrnn 2>/dev/null &
  \"$P\" train --data $FASHION --max-images 100 --layers 2 --head-hidden 16 --val-images 20 --threads 1 --steps 2 --batch 4 --dist-timeout 20 --master-port 29811 --world-size 2 --rank 0 --hidden 8 --out $S/r.pixelrnn; rc=\$?; wait; exit \$rc"
case_ "ranks with different --world-size" "rc!=0:world size: rank 0 has 2, rank 1 has 3" 60 bash -c "
  \"$P\" train --data $FASHION --max-images 100 --hidden 8 --layers 2 --head-hidden 16 --val-images 20 --threads 1 --steps 2 --batch 4 --dist-timeout 20 --master-port 29813 --world-size 3 --rank 1 --out $S/w.pixelrnn 2>/dev/null &
  \"$P\" train --data $FASHION --max-images 100 --hidden 8 --layers 2 --head-hidden 16 --val-images 20 --threads 1 --steps 2 --batch 4 --dist-timeout 20 --master-port 29813 --world-size 2 --rank 0 --out $S/w.pixelrnn; rc=\$?; wait; exit \$rc"
case_ "--rank -1" "rc!=0:rank -1 is outside" 30 "$P" train --data "$FASHION" --rank -1 --world-size 2 --steps 1 --out "$S/r.pixelrnn"

# unclear errors
case_ "an audio-only file" "rc!=0:has no video stream" 30 "$P" score "$S/audio.wav"
head -c 1000 /dev/urandom >"$S/bad.pixelrnn"
case_ "pixelrnntrain from a corrupt model" "rc!=0:Could not read the model to start from" 30 gst-launch-1.0 -q videotestsrc num-buffers=5 ! video/x-raw,width=64,height=48 ! pixelrnntrain init="$S/bad.pixelrnn" location="$S/o.pixelrnn" ! fakesink
mkdir "$S/dir"
case_ "likelihood location is a folder" "rc!=0:is a folder" 30 gst-launch-1.0 -q $L location="$S/dir" ! fakesink
case_ "a calibration that cannot be written" "rc!=0:Could not write the calibration file" 30 gst-launch-1.0 -q $L calibration-file=/proc/nope/cal.json calibration-frames=3 ! fakesink
echo
echo "$failures case(s) failed"
[ "$failures" -eq 0 ]
