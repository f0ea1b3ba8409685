#!/bin/bash
# pixelrnn score on a real (made here) video: 30 frames of one photograph with another
# photograph at frames 12 and 20. Every mode gets a CSV column; with labels, the figures;
# zscore must rank both odd frames above every repeated one. Bad input: one-line errors.
. "$(dirname "$0")/lib.sh"

mkdir -p "$SCRATCH/frames"
for k in $(seq 0 29); do
  n=$(printf %02d "$k")
  if [ "$k" = 12 ] || [ "$k" = 20 ]; then cp "$DATA/storm-160x120.png" "$SCRATCH/frames/f$n.png"
  else cp "$DATA/ladybird-160x120.png" "$SCRATCH/frames/f$n.png"; fi
done
gst-launch-1.0 -q multifilesrc location="$SCRATCH/frames/f%02d.png" index=0 stop-index=29 \
  caps=image/png,framerate=10/1 ! pngdec ! videoconvert ! jpegenc ! avimux ! \
  filesink location="$SCRATCH/video.avi" || fail "could not make the test video"
VIDEO="$SCRATCH/video.avi"
printf '12\n# the second odd frame, as a range\n20-20\n' >"$SCRATCH/labels.txt"

expect_ok "score with labels and calibration" "$PIXELRNN" score "$VIDEO" --labels "$SCRATCH/labels.txt" \
  --calibrate 5 --csv "$SCRATCH/scores.csv"
cp "$SCRATCH/out" "$SCRATCH/summary.txt"
rows=$(($(wc -l <"$SCRATCH/scores.csv") - 1))
[ "$rows" = 30 ] && pass "one CSV row per frame" || fail "CSV has $rows rows, not 30"
header=$(head -1 "$SCRATCH/scores.csv")
[ "$header" = "frame,timestamp_ns,bits-per-dim,peak,complexity,zscore,calibrated,anomalous" ] \
  && pass "CSV columns: every mode and the label" || fail "CSV header: $header"
grep -q "^12,1200000000,.*,1$" "$SCRATCH/scores.csv" && pass "frame 12 labelled, with its timestamp" \
  || fail "frame 12's row: $(grep '^12,' "$SCRATCH/scores.csv")"
grep -q "ranked 25 (2 anomalous, 23 normal)" "$SCRATCH/summary.txt" && pass "calibration frames left out" \
  || fail "summary: $(head -1 "$SCRATCH/summary.txt")"
for mode in bits-per-dim peak complexity zscore calibrated; do
  grep -q "^| $mode | [01]\.[0-9]* | " "$SCRATCH/summary.txt" && pass "figures for $mode" || fail "no figures for $mode"
done
grep -q "^| zscore | 1.000 | 1.000 | 1.000 |" "$SCRATCH/summary.txt" && pass "zscore ranks both odd frames first" \
  || fail "zscore: $(grep zscore "$SCRATCH/summary.txt")"

expect_ok "score to standard output" "$PIXELRNN" score "$VIDEO" --max-frames 4
[ "$(wc -l <"$SCRATCH/out")" = 5 ] && pass "--max-frames 4: header and 4 rows" || fail "$(cat "$SCRATCH/out")"
# Exactly the first N frames: the rows equal the first rows of a full run (zscore aside: its
# window sees the same frames, so it too must agree).
"$PIXELRNN" score "$VIDEO" --csv "$SCRATCH/full.csv" >/dev/null 2>&1
"$PIXELRNN" score "$VIDEO" --max-frames 7 --csv "$SCRATCH/seven.csv" >/dev/null 2>&1
[ "$(head -8 "$SCRATCH/full.csv")" = "$(cat "$SCRATCH/seven.csv")" ] && pass "--max-frames 7 scores exactly frames 0-6" \
  || fail "--max-frames 7 differs from the full run's first rows: $(diff <(head -8 "$SCRATCH/full.csv") "$SCRATCH/seven.csv" | head -4)"

printf '12\nabc\n' >"$SCRATCH/bad.txt"
expect_error "missing video" "no such file" "$PIXELRNN" score "$SCRATCH/none.mp4"
expect_error "not a video" "bad.txt: " "$PIXELRNN" score "$SCRATCH/bad.txt"
printf '12\n40\n' >"$SCRATCH/late.txt"
expect_error "label past the end" "late.txt:2: frame 40 is past the video's last frame (29)" \
  "$PIXELRNN" score "$VIDEO" --labels "$SCRATCH/late.txt"
expect_error "label that is not a number" "bad.txt:2: expected a frame number or FIRST-LAST" \
  "$PIXELRNN" score "$VIDEO" --labels "$SCRATCH/bad.txt"
printf '# none\n' >"$SCRATCH/empty.txt"
expect_error "labels without an anomalous frame" "need anomalous and normal frames" \
  "$PIXELRNN" score "$VIDEO" --labels "$SCRATCH/empty.txt"
expect_error "unknown model" "nonexistent" "$PIXELRNN" score "$VIDEO" --model nonexistent
gst-launch-1.0 -q audiotestsrc num-buffers=20 ! audioconvert ! wavenc ! filesink location="$SCRATCH/audio.wav"
expect_error "an audio-only file" "audio.wav: has no video stream (found audio/x-wav" \
  "$PIXELRNN" score "$SCRATCH/audio.wav"

# Files it must not read or overwrite: refused at once (a FIFO would block, /dev/zero never
# end), before any frame is scored; the output never replaces the input.
mkfifo "$SCRATCH/labels.fifo"
expect_error "labels from a FIFO" "labels.fifo: not a regular file but a FIFO" \
  timeout 20 "$PIXELRNN" score "$VIDEO" --labels "$SCRATCH/labels.fifo"
expect_error "a FIFO given as a file:// URI" "labels.fifo: not a regular file" \
  timeout 20 "$PIXELRNN" score "file://$SCRATCH/labels.fifo"
expect_error "labels from /dev/zero" "/dev/zero: not a regular file but a device" \
  timeout 20 "$PIXELRNN" score "$VIDEO" --labels /dev/zero
cp "$VIDEO" "$SCRATCH/input.mp4"
before=$(md5sum <"$SCRATCH/input.mp4")
expect_error "CSV onto the input video" "is the input" \
  "$PIXELRNN" score "$SCRATCH/input.mp4" --max-frames 2 --csv "$SCRATCH/input.mp4"
[ "$(md5sum <"$SCRATCH/input.mp4")" = "$before" ] && pass "the input video is untouched" || fail "the input video changed"
expect_error "rows to a full disk" "cannot write to standard output" \
  sh -c '"$0" score "$1" --max-frames 2 >/dev/full' "$PIXELRNN" "$VIDEO"
ln -s "$SCRATCH/target.csv" "$SCRATCH/link.csv"
expect_ok "CSV through a symlink" "$PIXELRNN" score "$VIDEO" --max-frames 2 --csv "$SCRATCH/link.csv"
[ -L "$SCRATCH/link.csv" ] && [ "$(wc -l <"$SCRATCH/target.csv")" = 3 ] && pass "the symlink stays; its target holds the rows" \
  || fail "symlink replaced or target empty: $(ls -la "$SCRATCH"/link.csv "$SCRATCH"/target.csv 2>&1)"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
