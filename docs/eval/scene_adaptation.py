#!/usr/bin/python3
"""Scene adaptation: how much better a model knows a scene after pixelrnntrain watched it.

Decodes VIDEO, keeps its first --train-fraction of frames for training and the rest as
held-out frames. For each budget in --minutes, plays the training frames (looped, at the
video's frame rate, in real time) through `appsrc ! pixelrnntrain model=MODEL threads=1 !
fakesink` for that many minutes, then EOS (which writes the model). Every model, the starting
one included, then scores the held-out frames through `pixelrnnlikelihood score=bits-per-dim`
at its automatic analysis size, exactly as a watching pipeline would.

    GST_PLUGIN_PATH=build/plugin docs/eval/scene_adaptation.py VIDEO [--minutes 1,5]
"""
import argparse
import os
import sys
import tempfile
import time

import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from likelihood_faults import decode, messages_until_eos, score  # noqa: E402


def caps_of(frames):
    h, w, _ = frames[0].shape
    return f"video/x-raw,format=RGB,width={w},height={h},framerate=30/1"


def train(frames, model, location, minutes, fps=30):
    pipe = Gst.parse_launch(
        f"appsrc name=src format=time caps={caps_of(frames)} block=true max-buffers=4 ! "
        f'pixelrnntrain model={model} location="{location}" save-every=100 threads=1 ! fakesink sync=false')
    src = pipe.get_by_name("src")
    pipe.set_state(Gst.State.PLAYING)
    end, k = time.monotonic() + 60 * minutes, 0
    while time.monotonic() < end:
        buf = Gst.Buffer.new_wrapped(frames[k % len(frames)].tobytes())
        buf.pts, buf.duration = k * Gst.SECOND // fps, Gst.SECOND // fps
        src.emit("push-buffer", buf)
        k += 1
        time.sleep(1.0 / fps)
    src.emit("end-of-stream")
    reports = messages_until_eos(pipe, "pixelrnn-train", "scene_adaptation")
    last = {f: reports[-1].get_value(f) for f in ("step", "images-seen", "frames-skipped", "bits-per-dim")}
    return k, last


def held_out_bits(frames, model):
    """Mean bits/dim of `frames` under `model`, as pixelrnnlikelihood scores them."""
    return float(np.mean(score(frames, f'model="{model}" score=bits-per-dim')))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video")
    ap.add_argument("--model", default="natural")
    ap.add_argument("--minutes", default="1,5")
    ap.add_argument("--train-fraction", type=float, default=0.6)
    ap.add_argument("--width", type=int, default=640, help="decode at this width (the element shrinks further)")
    ap.add_argument("--keep", help="folder to keep the trained models in")
    args = ap.parse_args()
    Gst.init(None)
    frames = decode(args.video, args.width)
    cut = int(len(frames) * args.train_fraction)
    train_frames, held_out = frames[:cut], frames[cut:]
    out = args.keep or tempfile.mkdtemp(prefix="scene-")
    os.makedirs(out, exist_ok=True)
    print(f"{args.video}: {len(frames)} frames {frames[0].shape[1]}x{frames[0].shape[0]}; "
          f"training on frames 0-{cut - 1}, held out {cut}-{len(frames) - 1}")
    base = held_out_bits(held_out, args.model)
    print("| model | training | steps | frames taken / skipped | held-out bits/dim |")
    print("|---|---|---|---|---|")
    print(f"| {args.model} (shipped) | - | - | - | {base:.3f} |", flush=True)
    for minutes in [float(m) for m in args.minutes.split(",")]:
        location = os.path.join(out, f"scene-{minutes:g}min.pixelrnn")
        offered, last = train(train_frames, args.model, location, minutes)
        bits = held_out_bits(held_out, location)
        print(f"| after pixelrnntrain | {minutes:g} min, 1 thread | {last['step']} | "
              f"{last['images-seen']} / {last['frames-skipped']} | {bits:.3f} ({bits - base:+.3f}) |", flush=True)


if __name__ == "__main__":
    main()
