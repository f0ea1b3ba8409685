#!/usr/bin/python3
"""Anomaly scores on real codec damage: corrupted H.264 and MPEG-4 part 2 streams, decoded with
the decoder's own error concealment, against ffmpeg's detectors on the same frames.

For each video and codec: the first --frames frames (scaled to --width) are encoded (x264 with
a keyframe every --gop frames, or ffmpeg's mpeg4), as a raw elementary stream; --hits coded
frames after the calibration part get --bytes random bytes of their slice data flipped
(seeded); both streams are decoded by ffmpeg (its error concealment: damaged macroblocks are
guessed and spread until the next keyframe). Ground truth per frame from the clean decode:
PSNR under 30 dB is damaged, identical is clean, anything in between is left out. Every
likelihood score mode (the calibrated one learns from the first --calibrate frames, none of
them damaged) and ffmpeg's signalstats YDIF, blockdetect and blurdetect (each ranked by its
robust deviation from the calibration frames) are ranked by AUROC on exactly those frames.

    GST_PLUGIN_PATH=build/plugin docs/eval/codec_damage.py VIDEO [VIDEO ...] [--seeds 1,2]
        [--props "model=natural-full"]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from likelihood_faults import MODES, Gst, auroc, decode, ffmpeg_scores, score  # noqa: E402

CODECS = {"h264": (["-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-crf", "20"], "h264",
                   b"\x00\x00\x01"),
          "mpeg4": (["-c:v", "mpeg4", "-q:v", "3", "-bf", "0"], "m4v", b"\x00\x00\x01\xb6")}


def encode(frames, codec, gop, path):
    h, w, _ = frames[0].shape
    args, fmt, _ = CODECS[codec]
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                    "-s", f"{w}x{h}", "-r", "25", "-i", "-", *args, "-g", str(gop), "-pix_fmt", "yuv420p",
                    "-f", fmt, path], input=b"".join(f.tobytes() for f in frames), check=True)


def frame_units(data, codec):
    """Start offsets of each coded frame's data: H.264 slice NAL units (types 1 and 5), MPEG-4
    VOPs; one per frame with these encoder settings."""
    marker = CODECS[codec][2]
    starts, at = [], data.find(marker)
    while at >= 0:
        if codec == "mpeg4" or (data[at + 3] & 0x1F) in (1, 5):
            starts.append(at)
        at = data.find(marker, at + 3)
    return starts


def corrupt(data, codec, frames, count, rng):
    units = frame_units(data, codec)
    out = bytearray(data)
    for f in frames:
        start = units[f] + 8                             # past the start code and slice header's first bytes
        end = units[f + 1] if f + 1 < len(units) else len(data)
        for pos in rng.integers(start, max(start + 1, end - 4), count):
            out[pos] ^= int(rng.integers(1, 256))
    return bytes(out)


def decode_stream(path, w, h, count):
    raw = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "quiet", "-err_detect", "ignore_err",
                          "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-"],
                         capture_output=True).stdout
    n = len(raw) // (w * h * 3)
    frames = [np.frombuffer(raw, np.uint8, w * h * 3, i * w * h * 3).reshape(h, w, 3) for i in range(n)]
    return frames[:count]


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="+")
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--gop", type=int, default=50)
    ap.add_argument("--calibrate", type=int, default=60)
    ap.add_argument("--hits", type=int, default=3, help="coded frames corrupted per run")
    ap.add_argument("--bytes", type=int, default=4, help="bytes flipped per corrupted frame")
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--codecs", default="h264,mpeg4")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--props", default="", help="more pixelrnnlikelihood properties, e.g. model=natural-full")
    args = ap.parse_args()
    Gst.init(None)
    names = args.modes.split(",") + ["ffmpeg ydif", "ffmpeg block", "ffmpeg blur", "calibrated false alarms/h"]
    print("| video | codec | seed | damaged / clean frames | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 4) + "|")
    for video in args.videos:
        frames = decode(video, args.width)[: args.frames]
        h, w, _ = frames[0].shape
        for codec in args.codecs.split(","):
            with tempfile.TemporaryDirectory(prefix="codec-damage-") as tmp:
                clean_path = os.path.join(tmp, "clean." + CODECS[codec][1])
                encode(frames, codec, args.gop, clean_path)
                data = open(clean_path, "rb").read()
                clean = decode_stream(clean_path, w, h, len(frames))
                for seed in (int(s) for s in args.seeds.split(",")):
                    rng = np.random.default_rng(seed)
                    first = args.calibrate + 2
                    hit = sorted(rng.choice(np.arange(first, len(clean) - 1), args.hits, replace=False))
                    bad_path = os.path.join(tmp, f"bad{seed}." + CODECS[codec][1])
                    open(bad_path, "wb").write(corrupt(data, codec, hit, args.bytes, rng))
                    damaged = decode_stream(bad_path, w, h, len(clean))
                    if len(damaged) < len(clean):    # frames the decoder dropped: repeat the last
                        damaged += [damaged[-1]] * (len(clean) - len(damaged))
                    quality = np.array([psnr(a, b) for a, b in zip(clean, damaged)])
                    after = np.arange(len(clean)) >= first
                    positive = after & (quality < 30)
                    negative = after & np.isinf(quality)
                    cells, alarms = [], float("nan")
                    for mode in args.modes.split(","):
                        s = score(damaged, MODES[mode].format(calibrate=args.calibrate) + " " + args.props)
                        s = np.abs(s) if mode == "zscore" else s
                        cells.append(auroc(s[positive], s[negative]) if positive.any() and negative.any() else float("nan"))
                        if mode == "calibrated" and negative.any():
                            # Clean frames over the default threshold (4), as alarms per hour at 25 frames/s.
                            alarms = float(np.mean(s[negative] >= 4.0)) * 25 * 3600
                    for name, s in ffmpeg_scores(damaged, args.calibrate, fps=25).items():
                        if name != "ffmpeg freezedetect":
                            cells.append(auroc(s[positive], s[negative]) if positive.any() and negative.any() else float("nan"))
                    print(f"| {os.path.basename(video)} | {codec} | {seed} | {int(positive.sum())} / {int(negative.sum())} | "
                          + " | ".join(f"{c:.2f}" for c in cells) + f" | {alarms:.0f} |", flush=True)


if __name__ == "__main__":
    main()
