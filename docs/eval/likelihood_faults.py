#!/usr/bin/python3
"""Anomaly detection with pixelrnnlikelihood on a real video with injected faults.

Decodes VIDEO (scaled to --width, RGB), injects faults into a copy of the frame sequence
(blank frames, solid boxes, noise bursts, frozen frames), runs the sequence through
`appsrc ! pixelrnnlikelihood score=MODE ! appsink` once per score mode, reads the score from
each buffer's element message, and prints the AUROC of every mode for every fault type.
zscore is two-sided, so its |z| is what is ranked; the other modes rank the score itself.

    GST_PLUGIN_PATH=build/plugin docs/eval/likelihood_faults.py VIDEO [--loops 3]
"""
import argparse
import sys

import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

MODES = ["bits-per-dim", "peak", "complexity", "zscore"]
FAULTS = ["blank", "box", "noise", "frozen"]


def decode(path, width):
    pipe = Gst.parse_launch(
        f'filesrc location="{path}" ! decodebin ! videoconvert ! videoscale ! '
        f"video/x-raw,format=RGB,width={width},pixel-aspect-ratio=1/1 ! appsink name=sink sync=false")
    sink = pipe.get_by_name("sink")
    pipe.set_state(Gst.State.PLAYING)
    frames = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        caps = sample.get_caps().get_structure(0)
        w, h = caps.get_value("width"), caps.get_value("height")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        stride = len(info.data) // h
        rows = np.frombuffer(info.data, np.uint8).reshape(h, stride)[:, : w * 3]
        frames.append(rows.reshape(h, w, 3).copy())
        buf.unmap(info)
    pipe.set_state(Gst.State.NULL)
    return frames


def inject(frames, rng, per_fault):
    """Returns the faulty sequence and a label per frame ('' = clean)."""
    out = [f.copy() for f in frames]
    labels = [""] * len(out)
    # Faults at least 8 frames apart and after a 10-frame warm-up, so that each has clean
    # neighbours (zscore's history) and frozen frames repeat a clean frame.
    slots = list(range(10, len(out), 8))
    rng.shuffle(slots)
    for i, fault in enumerate(FAULTS * per_fault):
        k = slots[i]
        h, w, _ = out[k].shape
        if fault == "blank":
            out[k][:] = rng.integers(0, 256)
        elif fault == "box":
            bw, bh = w // 5, h // 5
            x, y = rng.integers(0, w - bw), rng.integers(0, h - bh)
            out[k][y : y + bh, x : x + bw] = rng.integers(0, 256, 3)
        elif fault == "noise":
            noisy = out[k].astype(np.int16) + rng.normal(0, 40, out[k].shape).astype(np.int16)
            out[k] = np.clip(noisy, 0, 255).astype(np.uint8)
        elif fault == "frozen":
            out[k] = out[k - 1].copy()
        labels[k] = fault
    return out, labels


def score(frames, mode):
    h, w, _ = frames[0].shape
    pipe = Gst.parse_launch(
        f"appsrc name=src format=time caps=video/x-raw,format=RGB,width={w},height={h},"
        f"framerate=30/1 ! pixelrnnlikelihood score={mode} ! fakesink sync=false")
    src = pipe.get_by_name("src")
    bus = pipe.get_bus()
    pipe.set_state(Gst.State.PLAYING)
    for i, f in enumerate(frames):
        buf = Gst.Buffer.new_wrapped(f.tobytes())
        buf.pts = i * Gst.SECOND // 30
        buf.duration = Gst.SECOND // 30
        src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    scores = []
    while True:
        msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE, Gst.MessageType.ELEMENT
                                     | Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg.type == Gst.MessageType.ERROR:
            sys.exit(f"likelihood_faults: {msg.parse_error()[0].message}")
        if msg.type == Gst.MessageType.EOS:
            break
        s = msg.get_structure()
        if s.get_name() == "pixelrnn-likelihood":
            scores.append(s.get_value("score"))
    pipe.set_state(Gst.State.NULL)
    return np.array(scores)


def auroc(positive, negative):
    """Probability that a random faulty frame outranks a random clean one (ties count half)."""
    p, n = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(((p > n) + 0.5 * (p == n)).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video")
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--loops", type=int, default=1, help="play the clip forth and back N times")
    ap.add_argument("--per-fault", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    Gst.init(None)
    frames = decode(args.video, args.width)
    clip = list(frames)
    for i in range(1, args.loops):
        clip += frames[::-1] if i % 2 else frames
    rng = np.random.default_rng(args.seed)
    faulty, labels = inject(clip, rng, args.per_fault)
    labels = np.array(labels)
    print(f"{args.video}: {len(faulty)} frames {faulty[0].shape[1]}x{faulty[0].shape[0]}, "
          f"{args.per_fault} of each fault")
    print("| score mode | " + " | ".join(FAULTS) + " | all |")
    print("|---" * (len(FAULTS) + 2) + "|")
    for mode in MODES:
        s = score(faulty, mode)
        ranked = np.abs(s) if mode == "zscore" else s
        clean = ranked[labels == ""]
        cells = [auroc(ranked[labels == f], clean) for f in FAULTS]
        cells.append(auroc(ranked[labels != ""], clean))
        print(f"| {mode} | " + " | ".join(f"{c:.2f}" for c in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
