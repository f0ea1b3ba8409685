# Shared by the CLI tests: a scratch folder, the binary, and assertions that print what failed.
set -u
PIXELRNN=${PIXELRNN:?set by meson}
DATA=${TEST_DATA_DIR:?set by meson}
FASHION=/usr/share/datasets/fashion-mnist
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
failures=0
checks=0

fail () { echo "FAIL: $*"; failures=$((failures + 1)); checks=$((checks + 1)); }
pass () { echo "ok: $*"; checks=$((checks + 1)); }

# expect_ok NAME CMD...: the command exits 0.
expect_ok () {
  local name=$1; shift
  if "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; then pass "$name"
  else fail "$name (exit $?): $(tail -3 "$SCRATCH/err")"; fi
}

# expect_error NAME FRAGMENT CMD...: non-zero exit, exactly one line on stderr containing FRAGMENT.
expect_error () {
  local name=$1 fragment=$2; shift 2
  "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
  local rc=$?
  local lines; lines=$(wc -l <"$SCRATCH/err")
  if [ "$rc" -eq 0 ]; then fail "$name: exited 0"
  elif [ "$rc" -gt 128 ]; then fail "$name: crashed (signal $((rc - 128)))"
  elif [ "$lines" -ne 1 ]; then fail "$name: $lines lines on stderr: $(head -5 "$SCRATCH/err")"
  elif ! grep -qF -- "$fragment" "$SCRATCH/err"; then fail "$name: message lacks '$fragment': $(cat "$SCRATCH/err")"
  else pass "$name -> $(cat "$SCRATCH/err")"; fi
}

# A tiny model trained for a few steps, shared by the tests.
tiny_model () {
  "$PIXELRNN" train --data "$FASHION/train-images-idx3-ubyte.gz" --max-images 200 --out "$1" \
    --hidden 4 --layers 1 --head-hidden 8 --steps "${2:-20}" --batch 8 --val-images 20 \
    --val-every 10 --threads 1 --seed 3 >/dev/null
}

finish () {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}
