#!/usr/bin/env bash
# Resume is exact: 10 steps, stop, resume to 20 gives the same weights as 20 steps straight
# (fixed seed, one thread). Also a Ctrl-C (SIGINT) leaves a checkpoint that resumes.
. "$(dirname "$0")/lib.sh"
train () {
  "$PIXELRNN" train --data "$FASHION/train-images-idx3-ubyte.gz" --max-images 300 --hidden 4 --layers 1 \
    --head-hidden 8 --batch 8 --val-images 20 --val-every 5 --checkpoint-every 5 --threads 1 --seed 9 "$@" >/dev/null
}
digest () { "$PIXELRNN" info --model "$1" | awk '/weights sha256/ {print $3}'; }

expect_ok "20 steps straight" train --steps 20 --out "$SCRATCH/straight.pixelrnn"
expect_ok "first 10 steps" train --steps 10 --out "$SCRATCH/split.pixelrnn"
expect_ok "resume to 20" train --steps 20 --out "$SCRATCH/split.pixelrnn" --resume
a=$(digest "$SCRATCH/straight.pixelrnn"); b=$(digest "$SCRATCH/split.pixelrnn")
[ -n "$a" ] && [ "$a" = "$b" ] && pass "same weights ($a)" || fail "weights differ: $a vs $b"
different=$(digest "$SCRATCH/straight.pixelrnn"; train --steps 20 --seed 10 --out "$SCRATCH/other.pixelrnn"; digest "$SCRATCH/other.pixelrnn")
[ "$(echo "$different" | sort -u | wc -l)" -eq 2 ] && pass "another seed gives other weights" || fail "seed has no effect"

# SIGINT mid-run: the checkpoint is written, the exit status says interrupted, resume 
# --minutes: a time budget stops a run long before --steps, writes the model, and a resumed
# run counts the time already spent (so it stops again at once, one step later at most).
steps_of () { "$PIXELRNN" info --model "$1" | awk '/^steps:/ {print $2}'; }
expect_ok "time budget" train --steps 1000000 --minutes 0.02 --out "$SCRATCH/budget.pixelrnn"
n=$(steps_of "$SCRATCH/budget.pixelrnn")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 1000000 ] && pass "stopped by the clock at step $n" || fail "budget run wrote steps '$n'"
expect_ok "resume within the same budget" train --steps 1000000 --minutes 0.02 --out "$SCRATCH/budget.pixelrnn" --resume
m=$(steps_of "$SCRATCH/budget.pixelrnn")
[ "$m" -le $((n + 1)) ] && pass "spent budget is remembered ($n -> $m)" || fail "resume trained on: $n -> $m steps"
expect_ok "processor-time budget" train --steps 1000000 --cpu-minutes 0.02 --out "$SCRATCH/cpu.pixelrnn"
n=$(steps_of "$SCRATCH/cpu.pixelrnn")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 1000000 ] && pass "stopped by processor time at step $n" || fail "cpu budget run wrote steps '$n'"
expect_error "negative budget" "--minutes and --cpu-minutes must be" train --steps 10 --minutes -1 --out "$SCRATCH/x.pixelrnn"
finishes.
# Started directly (not through the shell function) so that the signal reaches pixelrnn.
"$PIXELRNN" train --data "$FASHION/train-images-idx3-ubyte.gz" --max-images 300 --hidden 4 --layers 1 \
  --head-hidden 8 --batch 8 --val-images 20 --val-every 5 --checkpoint-every 5 --threads 1 --seed 9 \
  --steps 100000 --out "$SCRATCH/int.pixelrnn" >/dev/null &
pid=$!
for _ in $(seq 1 100); do [ -s "$SCRATCH/int.pixelrnn.ckpt" ] && break; sleep 0.2; done
kill -INT $pid
rc=124
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || { wait $pid; rc=$?; break; }; sleep 0.2; done
kill -KILL $pid 2>/dev/null
[ "$rc" -eq 130 ] && pass "SIGINT exits 130" || fail "SIGINT exit status $rc"
[ -s "$SCRATCH/int.pixelrnn.ckpt" ] && pass "checkpoint on SIGINT" || fail "no checkpoint after SIGINT"
# A save killed half way (SIGKILL) leaves NAME.tmp-XXXXXX; the next start removes it.
echo partial >"$SCRATCH/int.pixelrnn.ckpt.tmp-Ab12Cd"
expect_ok "resume after SIGINT" train --steps 1 --out "$SCRATCH/int.pixelrnn" --resume
[ ! -e "$SCRATCH/int.pixelrnn.ckpt.tmp-Ab12Cd" ] && pass "stale temporary removed" || fail "stale temporary left"

# --minutes: a time budget stops a run long before --steps, writes the model, and a resumed
# run counts the time already spent (so it stops again at once, one step later at most).
steps_of () { "$PIXELRNN" info --model "$1" | awk '/^steps:/ {print $2}'; }
expect_ok "time budget" train --steps 1000000 --minutes 0.02 --out "$SCRATCH/budget.pixelrnn"
n=$(steps_of "$SCRATCH/budget.pixelrnn")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 1000000 ] && pass "stopped by the clock at step $n" || fail "budget run wrote steps '$n'"
expect_ok "resume within the same budget" train --steps 1000000 --minutes 0.02 --out "$SCRATCH/budget.pixelrnn" --resume
m=$(steps_of "$SCRATCH/budget.pixelrnn")
[ "$m" -le $((n + 1)) ] && pass "spent budget is remembered ($n -> $m)" || fail "resume trained on: $n -> $m steps"
expect_ok "processor-time budget" train --steps 1000000 --cpu-minutes 0.02 --out "$SCRATCH/cpu.pixelrnn"
n=$(steps_of "$SCRATCH/cpu.pixelrnn")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 1000000 ] && pass "stopped by processor time at step $n" || fail "cpu budget run wrote steps '$n'"
expect_error "negative budget" "--minutes and --cpu-minutes must be" train --steps 10 --minutes -1 --out "$SCRATCH/x.pixelrnn"
# --keep-best: a resumed run that ruins the model (a learning rate far too high) leaves the
# file of its best validation in place and says so.
expect_ok "keep-best: 10 steps" train --steps 10 --keep-best --out "$SCRATCH/best.pixelrnn"
expect_ok "keep-best: resumed with a ruinous rate" "$PIXELRNN" train --data "$FASHION/train-images-idx3-ubyte.gz" \
  --max-images 300 --hidden 4 --layers 1 --head-hidden 8 --batch 8 --val-images 20 --val-every 5 \
  --checkpoint-every 5 --threads 1 --seed 9 --steps 20 --lr 50 --keep-best --resume --out "$SCRATCH/best.pixelrnn"
grep -q "^kept .*best.pixelrnn from step 10" "$SCRATCH/out" && pass "keep-best says it kept step 10" \
  || fail "keep-best output: $(tail -2 "$SCRATCH/out")"
[ "$(steps_of "$SCRATCH/best.pixelrnn")" = 10 ] && pass "keep-best left the step-10 model" \
  || fail "keep-best wrote step $(steps_of "$SCRATCH/best.pixelrnn")"
finish
