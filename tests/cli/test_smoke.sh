#!/usr/bin/env bash
# Every subcommand on tiny data, as a user types it.
. "$(dirname "$0")/lib.sh"
M=$SCRATCH/tiny.pixelrnn

expect_ok "train 20 steps on Fashion-MNIST" tiny_model "$M"
[ -s "$M" ] && pass "model file written" || fail "no model file"
[ -z "$(ls "$SCRATCH" | grep tmp-)" ] && pass "no temporary file left" || fail "temporary file left"

expect_ok "eval" "$PIXELRNN" eval --model "$M" --data "$FASHION/t10k-images-idx3-ubyte.gz" --max-images 50 --per-image "$SCRATCH/per.csv" --threads 1
tail -1 "$SCRATCH/out" | grep -q "bits/dim" && pass "eval's last line names bits/dim" || fail "eval's last line: $(tail -1 "$SCRATCH/out")"
[ "$(head -1 "$SCRATCH/per.csv")" = "index,bits_per_dim,dims,png_bits_per_dim,source" ] && [ "$(wc -l <"$SCRATCH/per.csv")" -eq 51 ] \
  && pass "per-image CSV has a header and 50 rows" || fail "per-image CSV: $(head -3 "$SCRATCH/per.csv")"
mean=$(tail -1 "$SCRATCH/out" | awk '{print $2}')
awk -v m="$mean" 'BEGIN { exit !(m > 1 && m < 9) }' && pass "eval mean $mean is plausible" || fail "eval mean $mean"

expect_ok "sample" "$PIXELRNN" sample --model "$M" --count 2 --width 6 --height 5 --out "$SCRATCH/grid.png" --threads 1
head -c 8 "$SCRATCH/grid.png" | od -An -c | grep -q "P   N   G" && pass "sample wrote a PNG" || fail "sample output is not a PNG"

expect_ok "inpaint --rect with --compare" "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-0.png" --rect 10,10,3,2 --out "$SCRATCH/filled.png" --compare "$SCRATCH/side.png" --threads 1
[ -s "$SCRATCH/filled.png" ] && [ -s "$SCRATCH/side.png" ] && pass "inpaint wrote both pictures" || fail "inpaint outputs missing"
expect_ok "inpaint --mask" "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-1.png" --mask "$DATA/fashion-mask-28.png" --out "$SCRATCH/filled2.png" --context 2 --threads 1

expect_ok "info" "$PIXELRNN" info --model "$M"
grep -q "parameters:" "$SCRATCH/out" && grep -q "steps:         20" "$SCRATCH/out" && pass "info shows size and provenance" || fail "info: $(cat "$SCRATCH/out")"
# Video decoded by GStreamer: every 3rd frame of a clip, 16x16 patches.
gst-launch-1.0 -q videotestsrc pattern=ball num-buffers=30 ! video/x-raw,width=64,height=48 ! videoconvert ! jpegenc ! avimux ! filesink location="$SCRATCH/ball.avi"
expect_ok "train on video frames" "$PIXELRNN" train --data "$SCRATCH/ball.avi" --every 3 --patch 16 --out "$SCRATCH/video.pixelrnn" --steps 3 --hidden 6 --layers 1 --head-hidden 12 --val-images 4 --threads 1
grep -q "10 images from" "$SCRATCH/out" && pass "10 of 30 frames kept" || fail "frame count: $(grep data: "$SCRATCH/out")"
# Colour data with the default feature counts (32, 64: not multiples of 3 channels) trains:
# the counts go up to the next multiple, said once, instead of an error. A multi-scale model.
expect_ok "train colour defaults, multi-scale" "$PIXELRNN" train --data "$DATA/green-64x48.jpg" \
  --val-data "$DATA/green-64x48.jpg" --patch 16 --layers 1 --scale 2 --coarse-layers 1 --steps 1 \
  --val-images 2 --threads 1 --out "$SCRATCH/ms.pixelrnn"
grep -q "^--hidden 32 -> 33" "$SCRATCH/out" && grep -q "^--head-hidden 64 -> 66" "$SCRATCH/out" \
  && grep -q "h=33, 1 layers.*head 66.*multi-scale" "$SCRATCH/out" \
  && pass "feature counts rounded to the channels and said" || fail "no rounding: $(head -4 "$SCRATCH/out")"
# Fine-tuning a model that has an inpainting conditioner trains the likelihood path and says
# the conditioner stays (training the conditioner needs --conditioner N).
expect_ok "fine-tune a model with a conditioner" "$PIXELRNN" train --init natural-fast --data "$DATA/green-64x48.jpg" \
  --val-data "$DATA/green-64x48.jpg" --patch 32 --steps 1 --val-images 2 --threads 1 --out "$SCRATCH/nf.pixelrnn"
grep -q "its inpainting conditioner is kept as it is (--conditioner 32 trains the conditioner instead)" "$SCRATCH/out" \
  && pass "says the conditioner is kept" || fail "no word on the conditioner: $(head -3 "$SCRATCH/out")"
# A conditioner for the tiny model, kept by what a direct fill gets right: --keep-best keeps the
# validation with the smallest RMS error of the conditioner's mean, and info shows it.
expect_ok "train a conditioner with --keep-best" "$PIXELRNN" train --init "$M" --conditioner 8 --conditioner-layers 2 \
  --data "$FASHION/train-images-idx3-ubyte.gz" --max-images 200 --patch 16 --batch 8 --steps 6 --val-every 2 \
  --val-images 20 --keep-best --threads 1 --seed 4 --out "$SCRATCH/cond.pixelrnn"
best=$(grep -o "conditioner mean off by [0-9.]* levels" "$SCRATCH/out" | awk '{print $5}' | sort -n | head -1)
"$PIXELRNN" info --model "$SCRATCH/cond.pixelrnn" >"$SCRATCH/info" 2>&1
kept=$(grep "^fill error:" "$SCRATCH/info" | awk '{print $3}')
[ -n "$best" ] && [ "$kept" = "$best" ] && pass "kept the smallest fill error ($kept levels of $(grep -c 'conditioner mean off' "$SCRATCH/out") validations)" \
  || fail "kept fill error '$kept', smallest logged '$best': $(grep 'off by\|wrote\|kept' "$SCRATCH/out")"
expect_ok "--help" "$PIXELRNN" train --help
finish
