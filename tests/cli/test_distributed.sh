#!/usr/bin/env bash
# Data-parallel training over 127.0.0.1 (c10d, Gloo): two ranks give the weights one process
# gives with the combined batch; a 2-rank resume equals an uninterrupted 2-rank run; a rank
# killed mid-run stops the other with a clear error within the timeout; Ctrl-C on rank 0 stops
# both and leaves a checkpoint; an unreachable master and a resume with another world size
# are refused with a one-line reason; ranks with different settings both stop with one line
# naming the setting; a negative rank is refused; a rank alone gives up after its timeout.
. "$(dirname "$0")/lib.sh"
port=$((20000 + $$ % 20000))
next_port () { port=$((port + 1)); }
common=(--data "$FASHION/train-images-idx3-ubyte.gz" --max-images 300 --hidden 8 --layers 2
  --head-hidden 16 --val-images 20 --val-every 1000 --checkpoint-every 1000 --threads 1 --seed 5 --log-every 5)
train () { "$PIXELRNN" train "${common[@]}" "$@"; }
# two_ranks ARGS...: ranks 0 and 1 on the next port; both must exit 0.
two_ranks () {
  next_port
  train --world-size 2 --rank 1 --master-port $port "$@" >"$SCRATCH/rank1.log" 2>&1 &
  local other=$!
  train --world-size 2 --rank 0 --master-port $port "$@" >"$SCRATCH/rank0.log" 2>&1
  local rc0=$?
  wait $other
  local rc1=$?
  [ $rc0 -eq 0 ] && [ $rc1 -eq 0 ] || { echo "rank 0 exit $rc0, rank 1 exit $rc1"; cat "$SCRATCH"/rank*.log; return 1; }
}

expect_ok "one process, batch 8" train --steps 8 --batch 8 --out "$SCRATCH/one.pixelrnn"
expect_ok "two ranks, batch 4 each" two_ranks --steps 8 --batch 4 --out "$SCRATCH/two.pixelrnn"
# Tolerance: the all-reduce sums two half-batch gradients where one process sums one batch;
# float32 rounding differs in the last bits, about 1e-7 of weights of order 1 per step.
expect_ok "same weights within 1e-5" "$PIXELRNN" diff "$SCRATCH/one.pixelrnn" "$SCRATCH/two.pixelrnn" --tolerance 1e-5
grep -q "img/s" "$SCRATCH/rank0.log" && pass "rank 0 reports progress" || fail "rank 0 printed no progress"
[ ! -e "$SCRATCH/two.pixelrnn.tmp" ] && grep -q "rank 0 writes" "$SCRATCH/rank1.log" && pass "only rank 0 writes" || fail "rank 1 did not leave writing to rank 0"

# Resume: 4 steps, then on to 8, equals 8 straight (all with 2 ranks).
expect_ok "two ranks, 8 straight" two_ranks --steps 8 --batch 4 --out "$SCRATCH/straight.pixelrnn"
expect_ok "two ranks, first 4" two_ranks --steps 4 --batch 4 --out "$SCRATCH/split.pixelrnn"
expect_ok "two ranks, resume to 8" two_ranks --steps 8 --batch 4 --out "$SCRATCH/split.pixelrnn" --resume
expect_ok "resumed run equals the straight one" "$PIXELRNN" diff "$SCRATCH/straight.pixelrnn" "$SCRATCH/split.pixelrnn" --tolerance 0
expect_error "resume with another world size" "--world-size 2" \
  train --steps 9 --batch 8 --out "$SCRATCH/split.pixelrnn" --resume

# A rank that cannot reach the master says so within its timeout.
next_port
expect_error "unreachable master" "cannot reach the master" \
  train --steps 5 --batch 4 --world-size 2 --rank 1 --master-port $port --dist-timeout 3 --out "$SCRATCH/x.pixelrnn"

# Rank 0 whose other rank never comes: one line, after the timeout once (the store's wait and
# Gloo's connection share one deadline; they took twice the timeout and printed a C++ trace).
next_port
start=$(date +%s)
train --steps 5 --batch 4 --world-size 2 --rank 0 --master-port $port --dist-timeout 4 \
  --out "$SCRATCH/alone.pixelrnn" >/dev/null 2>"$SCRATCH/alone.err"
rc=$?
took=$(( $(date +%s) - start ))
# Start-up (LibTorch, the data) is a few seconds on a busy machine; twice the timeout is not.
if [ $rc -eq 1 ] && [ "$(wc -l <"$SCRATCH/alone.err")" -eq 1 ] && [ $took -ge 4 ] && [ $took -lt 11 ] && grep -q "rank 1 of 2 did not join within 4 s" "$SCRATCH/alone.err"; then
  pass "rank 0 alone: exit 1 after ${took}s (timeout 4 s) -> $(cat "$SCRATCH/alone.err")"
else
  fail "rank 0 alone: exit $rc after ${took}s: $(head -3 "$SCRATCH/alone.err")"
fi

# Rank 1 killed mid-run: rank 0 ends with a clear error, well within its timeout.
next_port
# Started directly (not through the shell function) so that signals reach pixelrnn.
"$PIXELRNN" train "${common[@]}" --world-size 2 --rank 0 --master-port $port --dist-timeout 20 \
  --steps 100000 --batch 4 --out "$SCRATCH/killed.pixelrnn" >"$SCRATCH/k0.out" 2>"$SCRATCH/k0.err" &
r0=$!
"$PIXELRNN" train "${common[@]}" --world-size 2 --rank 1 --master-port $port --dist-timeout 20 \
  --steps 100000 --batch 4 --out "$SCRATCH/killed.pixelrnn" >/dev/null 2>&1 &
r1=$!
for _ in $(seq 1 100); do grep -q "^step" "$SCRATCH/k0.out" 2>/dev/null && break; sleep 0.2; done
sleep 1
kill -KILL $r1
start=$(date +%s)
rc=124
for _ in $(seq 1 150); do kill -0 $r0 2>/dev/null || { wait $r0; rc=$?; break; }; sleep 0.2; done
kill -KILL $r0 2>/dev/null
took=$(( $(date +%s) - start ))
if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "another rank" "$SCRATCH/k0.err"; then
  pass "killed rank: rank 0 stops in ${took}s -> $(tail -1 "$SCRATCH/k0.err")"
else
  fail "killed rank: rank 0 exit $rc after ${took}s: $(tail -2 "$SCRATCH/k0.err")"
fi

# Ctrl-C on rank 0 stops both after the same step; rank 0 leaves a checkpoint.
next_port
"$PIXELRNN" train "${common[@]}" --world-size 2 --rank 0 --master-port $port --steps 100000 --batch 4 \
  --out "$SCRATCH/int.pixelrnn" >"$SCRATCH/i0.out" 2>&1 &
r0=$!
"$PIXELRNN" train "${common[@]}" --world-size 2 --rank 1 --master-port $port --steps 100000 --batch 4 \
  --out "$SCRATCH/int.pixelrnn" >"$SCRATCH/i1.out" 2>&1 &
r1=$!
for _ in $(seq 1 100); do grep -q "^step" "$SCRATCH/i0.out" 2>/dev/null && break; sleep 0.2; done
kill -INT $r0
rc0=124; rc1=124
for _ in $(seq 1 100); do kill -0 $r0 2>/dev/null || { wait $r0; rc0=$?; break; }; sleep 0.2; done
for _ in $(seq 1 100); do kill -0 $r1 2>/dev/null || { wait $r1; rc1=$?; break; }; sleep 0.2; done
kill -KILL $r0 $r1 2>/dev/null
[ $rc0 -eq 130 ] && [ $rc1 -eq 130 ] && pass "Ctrl-C on rank 0 stops both (130, 130)" || fail "Ctrl-C: exits $rc0, $rc1"
[ -s "$SCRATCH/int.pixelrnn.ckpt" ] && pass "checkpoint after Ctrl-C" || fail "no checkpoint after Ctrl-C"
# ranks_disagree NAME FRAGMENT "RANK1 ARGS" "RANK0 ARGS": ranks 1 and 0 started with settings
# that differ; both must exit 1 (not a signal) with one line holding FRAGMENT, writing nothing.
ranks_disagree () {
  local name=$1 fragment=$2 rank1=$3 rank0=$4
  next_port
  # shellcheck disable=SC2086  # the settings are word lists
  train --world-size 2 --rank 1 --master-port $port --dist-timeout 20 --steps 5 --batch 4 $rank1 \
    --out "$SCRATCH/disagree.pixelrnn" >"$SCRATCH/d1.out" 2>"$SCRATCH/d1.err" &
  local other=$!
  # shellcheck disable=SC2086
  train --world-size 2 --rank 0 --master-port $port --dist-timeout 20 --steps 5 --batch 4 $rank0 \
    --out "$SCRATCH/disagree.pixelrnn" >"$SCRATCH/d0.out" 2>"$SCRATCH/d0.err"
  local rc0=$?
  wait $other
  local rc1=$?
  if [ $rc0 -eq 1 ] && [ $rc1 -eq 1 ] && grep -q "$fragment" "$SCRATCH/d0.err" && grep -q "$fragment" "$SCRATCH/d1.err" \
      && [ "$(wc -l <"$SCRATCH/d0.err")" -eq 1 ] && [ ! -e "$SCRATCH/disagree.pixelrnn" ]; then
    pass "$name: both ranks exit 1 -> $(cat "$SCRATCH/d0.err")"
  else
    fail "$name: exits $rc0, $rc1: $(cat "$SCRATCH/d0.err" "$SCRATCH/d1.err" | head -4)"
  fi
}
# Different model settings: the ranks compare them before the first tensor crosses (Gloo
# would abort on the mismatched tensors).
ranks_disagree "different --hidden" "model hidden: rank 0 has 8, rank 1 has 16" "--hidden 16" "--hidden 8"
# A different --world-size on one rank (rank 1 here says 3): compared through the store
# before Gloo connects (Gloo failed with an address-size assertion).
ranks_disagree "different --world-size" "world size: rank 0 has 2, rank 1 has 3" "--world-size 3" ""
expect_error "negative rank" "rank -1 is outside" \
  train --steps 5 --batch 4 --world-size 2 --rank -1 --out "$SCRATCH/x.pixelrnn"
finish
