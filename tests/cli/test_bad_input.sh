#!/usr/bin/env bash
# Each bad input: one line naming the file and the problem, a non-zero exit, never a crash.
. "$(dirname "$0")/lib.sh"
M=$SCRATCH/tiny.pixelrnn
tiny_model "$M" 4 || fail "could not train the tiny model"

expect_error "missing data" "no-such.idx" "$PIXELRNN" train --data "$SCRATCH/no-such.idx" --out "$SCRATCH/x.pixelrnn"
head -c 3000 <(gzip -dc "$FASHION/t10k-images-idx3-ubyte.gz") >"$SCRATCH/cut-images-idx3-ubyte"
expect_error "truncated IDX" "truncated" "$PIXELRNN" eval --model "$M" --data "$SCRATCH/cut-images-idx3-ubyte"
printf 'not an idx file at all' >"$SCRATCH/junk-idx3-ubyte"
expect_error "not IDX" "magic" "$PIXELRNN" eval --model "$M" --data "$SCRATCH/junk-idx3-ubyte"
printf 'garbage' >"$SCRATCH/broken.png"
expect_error "corrupt image" "broken.png" "$PIXELRNN" inpaint --model "$M" --gray --image "$SCRATCH/broken.png" --rect 0,0,1,1 --out "$SCRATCH/o.png"
mkdir "$SCRATCH/mixed"
cp "$DATA/fashion-t10k-0.png" "$SCRATCH/mixed/a.png"
"$PIXELRNN" sample --model "$M" --count 1 --width 9 --height 7 --scale 1 --out "$SCRATCH/mixed/b.png" >/dev/null
expect_error "images of mixed sizes" "mixed sizes" "$PIXELRNN" train --gray --data "$SCRATCH/mixed" --val-data "$SCRATCH/mixed" --out "$SCRATCH/x.pixelrnn"

# Multi-scale settings out of range, and a conditioner on a multi-scale model: one line each.
for bad in "--scale 9:scale must be in 0..8" "--scale -1:scale must be in 0..8" \
    "--scale 2 --coarse-hidden 0:coarse_hidden must be a positive multiple of channels" \
    "--scale 2 --coarse-layers 99:coarse_layers must be in 0..64"; do
  expect_error "train ${bad%%:*}" "${bad#*:}" "$PIXELRNN" train --data "$DATA/green-64x48.jpg" \
    --val-data "$DATA/green-64x48.jpg" --patch 16 --hidden 6 --head-hidden 12 --steps 1 \
    --out "$SCRATCH/x.pixelrnn" ${bad%%:*}
done
"$PIXELRNN" train --data "$DATA/green-64x48.jpg" --val-data "$DATA/green-64x48.jpg" --patch 16 \
  --hidden 6 --head-hidden 12 --layers 1 --scale 2 --coarse-hidden 6 --coarse-layers 1 --steps 1 \
  --val-images 2 --threads 1 --out "$SCRATCH/ms.pixelrnn" >/dev/null 2>&1
expect_error "a conditioner for a multi-scale model" "a multi-scale model has no inpainting conditioner" \
  "$PIXELRNN" train --init "$SCRATCH/ms.pixelrnn" --conditioner 6 --data "$DATA/green-64x48.jpg" \
  --val-data "$DATA/green-64x48.jpg" --patch 16 --steps 1 --out "$SCRATCH/x.pixelrnn"
expect_error "sampling a multi-scale model" "multi-scale model: it scores images" \
  "$PIXELRNN" sample --model "$SCRATCH/ms.pixelrnn" --out "$SCRATCH/s.png"
expect_error "mask of the wrong size" "fashion-mask-28.png" "$PIXELRNN" inpaint --model "$M" --gray --image "$SCRATCH/mixed/b.png" --mask "$DATA/fashion-mask-28.png" --out "$SCRATCH/o.png"
expect_error "model/data channel mismatch" "channel" "$PIXELRNN" inpaint --model "$M" --image "$DATA/fashion-t10k-0.png" --rect 0,0,2,2 --out "$SCRATCH/o.png"
expect_error "unwritable output" "/nonexistent-dir/out.png" "$PIXELRNN" sample --model "$M" --out /nonexistent-dir/out.png
expect_error "missing model" "absent.pixelrnn" "$PIXELRNN" info --model "$SCRATCH/absent.pixelrnn"
expect_error "a device as the model" "/dev/zero: not a regular file" "$PIXELRNN" info --model /dev/zero
mkfifo "$SCRATCH/fifo.pixelrnn"
expect_error "a FIFO as the model" "not a regular file" "$PIXELRNN" info --model "$SCRATCH/fifo.pixelrnn"
expect_error "a folder as the model" "is a folder" "$PIXELRNN" info --model "$SCRATCH"
# Data and checkpoints are read from regular files only: a FIFO blocked the decoder for ever.
mkfifo "$SCRATCH/fifo.png" "$SCRATCH/fifo.ckpt"
expect_error "a FIFO as data" "fifo.png: not a regular file" timeout 20 "$PIXELRNN" eval --model natural --data "$SCRATCH/fifo.png"
expect_error "a FIFO as the checkpoint" "fifo.ckpt: not a regular file but a FIFO" timeout 20 "$PIXELRNN" train --resume \
  --checkpoint "$SCRATCH/fifo.ckpt" --data "$DATA/green-64x48.jpg" --val-data "$DATA/green-64x48.jpg" --patch 32 --hidden 12 \
  --layers 1 --head-hidden 24 --out "$SCRATCH/o.pixelrnn"
head -c 100 "$M" >"$SCRATCH/cut.pixelrnn"
expect_error "truncated model" "truncated" "$PIXELRNN" eval --model "$SCRATCH/cut.pixelrnn" --data "$FASHION/t10k-images-idx3-ubyte.gz"
# Data files a hostile user (or a bad disk) hands over: each error names the file and why.
expect_error "CMYK JPEG" "cmyk-40x30.jpg: cannot decode it" "$PIXELRNN" eval --model natural --data "$DATA/cmyk-40x30.jpg"
head -c 400 "$DATA/green-64x48.jpg" >"$SCRATCH/cut.jpg"
expect_error "JPEG cut short" "cut.jpg: truncated JPEG" "$PIXELRNN" eval --model natural --data "$SCRATCH/cut.jpg"
: >"$SCRATCH/empty.png"
expect_error "0-byte PNG, at once" "empty.png: empty file" timeout 10 "$PIXELRNN" eval --model natural --data "$SCRATCH/empty.png"
printf '\x00\x00\x08\x03\x00\x00\x00\x05\x00\x01\x00\x00\x00\x01\x00\x00xxxx' >"$SCRATCH/huge.idx"
expect_error "IDX header of 65536x65536 images" "truncated (header promises 5 images of 65536x65536)" "$PIXELRNN" eval --model fashion-mnist --data "$SCRATCH/huge.idx"
printf '\x00\x00\x08\x03\x00\x98\x96\x80\x00\x00\x00\x1c\x00\x00\x00\x1cxxxx' >"$SCRATCH/many.idx"
expect_error "IDX header of ten million images" "truncated (header promises 10000000 images" "$PIXELRNN" eval --model fashion-mnist --data "$SCRATCH/many.idx"
expect_error "image smaller than --patch" "green-64x48.jpg: 64x48 is smaller than --patch 100" "$PIXELRNN" train --data "$DATA/green-64x48.jpg" --val-data "$DATA/green-64x48.jpg" --patch 100 --steps 1 --out "$SCRATCH/o.pixelrnn"
# Several shrink factors: a copy too small for the patch at one factor is left out at that
# factor only, and said; at every factor it is an error naming the picture.
expect_ok "a copy too small at one of --scales is left out" "$PIXELRNN" train --data "$DATA/green-64x48.jpg" \
  --val-data "$DATA/green-64x48.jpg" --scales 1,2 --patch 40 --steps 1 --val-images 1 --hidden 12 --layers 1 --head-hidden 24 --threads 1 --out "$SCRATCH/o.pixelrnn"
grep -q "1 images from .*green-64x48.jpg (1 copies smaller than 40 px at their shrink factor left out)" "$SCRATCH/out" \
  && pass "the copy left out is counted" || fail "no count of the copy left out: $(head -3 "$SCRATCH/out")"
expect_error "too small at every one of --scales" "green-64x48.jpg@1/3: 21x16 is smaller than --patch 50" \
  "$PIXELRNN" train --data "$DATA/green-64x48.jpg" --val-data "$DATA/green-64x48.jpg" --scales 2,3 --patch 50 --steps 1 --out "$SCRATCH/o.pixelrnn"
expect_error "negative fidelity weight" "--fidelity-weight must be >= 0" "$PIXELRNN" train --init natural-fast --conditioner 32 --fidelity-weight -1 --data "$DATA/green-64x48.jpg" --out "$SCRATCH/o.pixelrnn"
expect_error "fidelity only without a conditioner" "--fidelity-only trains a conditioner" "$PIXELRNN" train --init natural-fast --fidelity-only --data "$DATA/green-64x48.jpg" --out "$SCRATCH/o.pixelrnn"
expect_error "unknown conditioner base" "--conditioner-base: unknown conditioner base 'blur'" "$PIXELRNN" train --init natural-fast --conditioner 32 --conditioner-base blur --data "$DATA/green-64x48.jpg" --out "$SCRATCH/o.pixelrnn"
# Work that would run for hours is refused at once with the estimate (the limit is checked
# by counting, so a tiny limit shows it without a big image).
expect_error "samples past --max-pixels" "over --max-pixels 50: each of its values is a step of the model" \
  timeout 10 "$PIXELRNN" sample --model "$M" --count 2 --width 6 --height 5 --max-pixels 50 --out "$SCRATCH/o.png"
expect_error "a greedy hole past --max-pixels" "the hole for mode greedy is 16 pixels, over --max-pixels 15" \
  timeout 10 "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-0.png" --rect 2,2,4,4 --mode greedy --max-pixels 15 --out "$SCRATCH/o.png"
expect_error "rectangle outside the image" "outside" "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-0.png" --rect 20,20,10,10 --out "$SCRATCH/o.png"
expect_error "a batch of 0 images (looped for ever before)" "--batch must be positive" timeout 30 "$PIXELRNN" eval --model "$M" --batch 0 --data "$FASHION/t10k-images-idx3-ubyte.gz" --max-images 4
expect_error "rectangle overflowing int" "outside" "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-0.png" --rect 1,1,2147483647,2 --out "$SCRATCH/o.png"
expect_error "bad rectangle" "bad rectangle" "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-0.png" --rect 1,2,x --out "$SCRATCH/o.png"
expect_error "no candidates" "--candidates" "$PIXELRNN" inpaint --model "$M" --gray --image "$DATA/fashion-t10k-0.png" --rect 1,2,3,3 --candidates 0 --out "$SCRATCH/o.png"
expect_error "--init model of other channels" "channel" "$PIXELRNN" train --init natural --gray --data "$DATA/fashion-t10k-0.png" --val-data "$DATA/fashion-t10k-1.png" --steps 1 --out "$SCRATCH/o.pixelrnn"
expect_error "--init model missing" "no-such-model" "$PIXELRNN" train --init no-such-model --data "$DATA/fashion-t10k-0.png" --steps 1 --out "$SCRATCH/o.pixelrnn"
expect_error "unknown block" "unknown block 'twostream' (expected residual, gated or two-stream)" "$PIXELRNN" train --data "$DATA/green-64x48.jpg" --block twostream --out "$SCRATCH/o.pixelrnn"
expect_error "two-stream block on a recurrent model" "--block and --dropout are for --arch pixelcnn" "$PIXELRNN" train --data "$DATA/green-64x48.jpg" --arch row-lstm --block two-stream --out "$SCRATCH/o.pixelrnn"
expect_error "unknown architecture" "unknown architecture" "$PIXELRNN" train --data "$FASHION/t10k-images-idx3-ubyte.gz" --arch transformer --out "$SCRATCH/x.pixelrnn"
expect_error "unknown option" "--frobnicate" "$PIXELRNN" eval --frobnicate
finish
