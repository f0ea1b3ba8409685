#!/usr/bin/python3
"""Anomaly detection with pixelrnnlikelihood on a real video with injected faults.

Decodes VIDEO (scaled to --width, RGB), injects faults into a copy of the frame sequence
(blank frames, solid boxes, noise bursts, frozen frames, and the damage real decoders leave:
a band of rows displaced sideways, smeared (repeated) block rows, small solid bright blocks,
noise over part of the frame), runs the sequence through `appsrc ! pixelrnnlikelihood ... !
fakesink` once per score mode, reads the score from each buffer's element message, and prints
the AUROC of every mode for every fault type. zscore is two-sided, so its |z| is what is
ranked; the other modes rank the score itself (calibrated's is already two-sided per cell). "calibrated" learns normal from the first
--calibrate frames (calibration-frames); no fault is placed there, and those frames are left
out of every mode's clean set, so all modes are ranked on exactly the same frames.

The baselines are ffmpeg's classical detectors on the same frames (`--baselines`):
signalstats YDIF (mean absolute change of luma from the previous frame), blockdetect and
blurdetect, each ranked by its robust deviation from the calibration frames (|x - median| /
MAD, two-sided, so an unusually still or sharp frame counts too), and freezedetect (a frame
counts as detected when it lies in a freeze interval ffmpeg reports, with the minimum
duration set below one frame so that a single repeated frame can be reported).

With --train-minutes M, a scene model is first fine-tuned from the shipped one on the same
calibration frames (docs/eval/scene_adaptation.py's pixelrnntrain run, M minutes, one thread),
and a mode "calibrated+scene" scores with it: everything it learns comes from the frames
before the first fault.

    GST_PLUGIN_PATH=build/plugin docs/eval/likelihood_faults.py VIDEO [--loops 3]
"""
import argparse
import subprocess
import sys
import tempfile

import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

MODES = {"bits-per-dim": "score=bits-per-dim", "peak": "score=peak", "complexity": "score=complexity",
         "zscore": "score=zscore", "blockiness": "score=blockiness",
         "calibrated": "calibration-frames={calibrate}"}
FAULTS = ["blank", "box", "noise", "frozen", "shift", "smear", "small-box", "part-noise"]


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


def inject(frames, rng, per_fault, first):
    """Returns the faulty sequence and a label per frame ('' = clean)."""
    out = [f.copy() for f in frames]
    labels = [""] * len(out)
    # Faults at least 8 frames apart and after the warm-up, so that each has clean
    # neighbours (zscore's history) and frozen frames repeat a clean frame.
    slots = list(range(first, len(out), 8))
    if len(slots) < len(FAULTS) * per_fault:
        sys.exit(f"likelihood_faults: {len(out)} frames hold {len(slots)} faults, not "
                 f"{len(FAULTS) * per_fault}: use --loops or fewer --per-fault")
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
        elif fault == "shift":           # a lost slice: a band of rows displaced sideways
            y, bh = rng.integers(0, h - h // 8), h // 8
            out[k][y : y + bh] = np.roll(out[k][y : y + bh], int(rng.integers(w // 8, w // 3)), axis=1)
        elif fault == "smear":           # a block row repeated down the frame
            y = int(rng.integers(h // 4, h - h // 4)) // 8 * 8
            out[k][y + 8 : y + 8 + h // 6] = np.tile(out[k][y : y + 8], (h // 6 // 8 + 1, 1, 1))[: min(h // 6, h - y - 8)]
        elif fault == "small-box":       # a solid bright block of a few macroblocks
            bw, bh = w // 12, h // 12
            x, y = rng.integers(0, w - bw), rng.integers(0, h - bh)
            out[k][y : y + bh, x : x + bw] = [255, 255, 255] if rng.integers(0, 2) else [0, 255, 0]
        elif fault == "part-noise":      # noise over a quarter of the frame
            y, x = int(rng.integers(0, h // 2)), int(rng.integers(0, w // 2))
            part = out[k][y : y + h // 2, x : x + w // 2].astype(np.int16)
            out[k][y : y + h // 2, x : x + w // 2] = np.clip(part + rng.normal(0, 30, part.shape), 0, 255).astype(np.uint8)
        labels[k] = fault
    return out, labels


def likelihood_messages(frames, props, program="likelihood_faults"):
    """The pixelrnn-likelihood message of every frame, pushed through the element at 30/1."""
    h, w, _ = frames[0].shape
    pipe = Gst.parse_launch(
        f"appsrc name=src format=time caps=video/x-raw,format=RGB,width={w},height={h},"
        f"framerate=30/1 ! pixelrnnlikelihood {props} ! fakesink sync=false")
    src = pipe.get_by_name("src")
    pipe.set_state(Gst.State.PLAYING)
    for i, f in enumerate(frames):
        buf = Gst.Buffer.new_wrapped(f.tobytes())
        buf.pts = i * Gst.SECOND // 30
        buf.duration = Gst.SECOND // 30
        src.emit("push-buffer", buf)
    src.emit("end-of-stream")
    return messages_until_eos(pipe, "pixelrnn-likelihood", program)


def score(frames, props):
    return np.array([m.get_value("score") for m in likelihood_messages(frames, props)])


def messages_until_eos(pipe, name, program="likelihood_faults"):
    """The structures of every element message called `name` until EOS, then stops the
    pipeline; an error message exits naming `program`."""
    bus, found = pipe.get_bus(), []
    while True:
        msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE, Gst.MessageType.ELEMENT
                                     | Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg.type == Gst.MessageType.ERROR:
            sys.exit(f"{program}: {msg.parse_error()[0].message}")
        if msg.type == Gst.MessageType.EOS:
            break
        if msg.get_structure().get_name() == name:
            found.append(msg.get_structure())
    pipe.set_state(Gst.State.NULL)
    return found


def ffmpeg_scores(frames, calibrate, fps=30):
    """Per-frame scores of ffmpeg's detectors (see the module doc)."""
    h, w, _ = frames[0].shape
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as meta:
        subprocess.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
             "-s", f"{w}x{h}", "-r", str(fps), "-i", "-", "-vf",
             f"signalstats,blockdetect,blurdetect,freezedetect=d={0.9 / fps:.4f},"
             f"metadata=print:file={meta.name}", "-f", "null", "-"],
            input=b"".join(f.tobytes() for f in frames), check=True)
        values = {"ydif": [], "block": [], "blur": []}
        freezes, start = [], None
        for line in meta.read().splitlines():
            if line.startswith("frame:"):
                for v in values.values():
                    v.append(v[-1] if v else 0.0)
            key, _, val = line.partition("=")
            if key == "lavfi.signalstats.YDIF":
                values["ydif"][-1] = float(val)
            elif key == "lavfi.block":
                values["block"][-1] = float(val)
            elif key == "lavfi.blur":
                values["blur"][-1] = float(val)
            elif key == "lavfi.freezedetect.freeze_start":
                start = float(val)
            elif key == "lavfi.freezedetect.freeze_end" and start is not None:
                freezes.append((start, float(val)))
                start = None
    if start is not None:
        freezes.append((start, len(frames) / fps))
    out = {}
    for name, v in values.items():
        v = np.array(v[: len(frames)])
        cal = v[1:calibrate] if calibrate > 2 else v
        med = np.median(cal)
        mad = max(np.median(np.abs(cal - med)), 1e-6)
        out[f"ffmpeg {name}"] = np.abs(v - med) / mad
    t = np.arange(len(frames)) / fps
    out["ffmpeg freezedetect"] = np.array([float(any(a - 1e-6 <= x < b - 1e-6 for a, b in freezes)) for x in t])
    return out


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
    ap.add_argument("--calibrate", type=int, default=60, help="normal frames the calibrated mode learns from")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--props", default="", help="more pixelrnnlikelihood properties, e.g. model=natural-full")
    ap.add_argument("--baselines", action="store_true", help="also rank ffmpeg's detectors on the same frames")
    ap.add_argument("--train-minutes", type=float, default=0,
                    help="also fine-tune a scene model on the calibration frames and score with it")
    args = ap.parse_args()
    Gst.init(None)
    frames = decode(args.video, args.width)
    clip = list(frames)
    for i in range(1, args.loops):
        # Forth and back without repeating the turning frame (that would be a frozen frame).
        clip += frames[::-1][1:] if i % 2 else frames[1:]
    rng = np.random.default_rng(args.seed)
    first = max(10, args.calibrate + 2)
    faulty, labels = inject(clip, rng, args.per_fault, first)
    labels = np.array(labels)
    scored = np.arange(len(labels)) >= first
    print(f"{args.video}: {len(faulty)} frames {faulty[0].shape[1]}x{faulty[0].shape[0]}, "
          f"{args.per_fault} of each fault from frame {first}; clean frames ranked: "
          f"{int(((labels == '') & (np.arange(len(labels)) >= first)).sum())}")
    print("| score mode | " + " | ".join(FAULTS) + " | all |")
    print("|---" * (len(FAULTS) + 2) + "|")
    def row(name, ranked):
        clean = ranked[(labels == "") & scored]
        cells = [auroc(ranked[labels == f], clean) for f in FAULTS]
        cells.append(auroc(ranked[labels != ""], clean))
        print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |", flush=True)

    for mode in args.modes.split(","):
        s = score(faulty, MODES[mode].format(calibrate=args.calibrate) + " " + args.props)
        row(mode, np.abs(s) if mode == "zscore" else s)
    if args.train_minutes > 0:
        import tempfile
        from scene_adaptation import train
        scene = tempfile.mkdtemp(prefix="faults-scene-") + "/scene.pixelrnn"
        train(faulty[: args.calibrate], "natural", scene, args.train_minutes)
        s = score(faulty, f'model="{scene}" ' + MODES["calibrated"].format(calibrate=args.calibrate))
        row("calibrated+scene", s)
    if args.baselines:
        for name, s in ffmpeg_scores(faulty, args.calibrate).items():
            row(name, s)


if __name__ == "__main__":
    main()
