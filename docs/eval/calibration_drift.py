#!/usr/bin/python3
"""Why the calibrated score misses real codec damage on moving footage: the statistics a
calibration could keep, each ranked by AUROC on the damaged and clean frames of
codec_damage.py's runs (the same encodes, bytes and ground truth).

The element writes every scored frame's per-pixel NLL map (PIXELRNN_NLL_DUMP, see
elements/nll_dump.h); from the maps this script computes, per frame, frame-level figures
(bits/dim, the 99.9th percentile, block-edge excess at the 8 and 16 px grids) and per-cell
figures of the 8x6 grid the calibration uses (each cell's mean and 99th percentile NLL), each
measured against the first --calibrate frames (median and robust spread) signed, two-sided
(|z|), and for the cells as the worst cell's deviation beyond a calibration frame's worst.

    GST_PLUGIN_PATH=build/plugin docs/eval/calibration_drift.py VIDEO [VIDEO ...] [--seeds 1,2]
        [--model natural-full]
"""
import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from codec_damage import CODECS, corrupt, decode_stream, encode, psnr  # noqa: E402
from likelihood_faults import Gst, auroc, decode, score  # noqa: E402


def read_maps(path):
    raw, maps, at = open(path, "rb").read(), [], 0
    while at < len(raw):
        w, h = np.frombuffer(raw, np.int32, 2, at)
        at += 8
        maps.append(np.frombuffer(raw, np.float32, w * h, at).reshape(h, w))
        at += 4 * w * h
    return maps


def block_excess(m, block):
    """As anomaly_scoring.h's block_edge_excess: top 1% of cells' edge-minus-inside NLL."""
    H, W = (m.shape[0] // block) * block, (m.shape[1] // block) * block
    b = m[:H, :W].reshape(H // block, block, W // block, block).transpose(0, 2, 1, 3)
    edge = np.concatenate([b[:, :, 0, :], b[:, :, 1:, 0]], axis=2).mean(-1)
    e = (edge - b[:, :, 1:, 1:].mean((-1, -2)))[1:, 1:].ravel()
    return np.sort(e)[-max(1, len(e) // 100):].mean()


def cells(m, quantile=None):
    H, W = m.shape
    return np.array([(lambda c: c.mean() if quantile is None else np.quantile(c, quantile))(
        m[r * H // 6:(r + 1) * H // 6, k * W // 8:(k + 1) * W // 8]) for r in range(6) for k in range(8)])


def robust(v, calibrate):
    med = np.median(v[:calibrate], 0)
    return med, np.maximum(np.median(np.abs(v[:calibrate] - med), 0) * 1.4826, np.maximum(0.01, 0.01 * np.abs(med)))


def statistics(maps, calibrate):
    frame = {"bits/dim": [m.mean() for m in maps], "99.9th percentile": [np.quantile(m, 0.999) for m in maps],
             "block edges, 8 px": [block_excess(m, 8) for m in maps],
             "block edges, 16 px": [block_excess(m, 16) for m in maps]}
    out = {}
    for name, v in frame.items():
        med, sig = robust(np.array(v), calibrate)
        z = (np.array(v) - med) / sig
        out[name + ", signed"], out[name + ", two-sided"] = z, np.abs(z)
    for name, q in (("cell means", None), ("cell 99th percentiles", 0.99)):
        x = np.array([cells(m, q) for m in maps])
        med, sig = robust(x, calibrate)
        d = (x - med) / sig
        for side, f in (("two-sided", np.abs), ("higher only", lambda d: np.maximum(d, 0))):
            worst = f(d).max(1)
            wm, ws = robust(worst, calibrate)
            out[f"worst of {name}, {side}"] = (worst - wm) / ws
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="+")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--model", default="natural-full")
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--calibrate", type=int, default=60)
    args = ap.parse_args()
    Gst.init(None)
    table, names = [], None
    for video in args.videos:
        frames = decode(video, args.width)[: args.frames]
        h, w, _ = frames[0].shape
        for codec in ("h264", "mpeg4"):
            with tempfile.TemporaryDirectory(prefix="calibration-drift-") as tmp:
                clean_path = os.path.join(tmp, "clean." + CODECS[codec][1])
                encode(frames, codec, 50, clean_path)
                data = open(clean_path, "rb").read()
                clean = decode_stream(clean_path, w, h, len(frames))
                for seed in (int(s) for s in args.seeds.split(",")):
                    rng = np.random.default_rng(seed)     # the same draws as codec_damage.py
                    first = args.calibrate + 2
                    hit = sorted(rng.choice(np.arange(first, len(clean) - 1), 3, replace=False))
                    bad = os.path.join(tmp, f"bad{seed}")
                    open(bad, "wb").write(corrupt(data, codec, hit, 4, rng))
                    damaged = decode_stream(bad, w, h, len(clean))
                    damaged += [damaged[-1]] * (len(clean) - len(damaged))
                    quality = np.array([psnr(a, b) for a, b in zip(clean, damaged)])
                    after = np.arange(len(clean)) >= first
                    positive, negative = after & (quality < 30), after & np.isinf(quality)
                    if not positive.any() or not negative.any():
                        continue
                    dump = os.path.join(tmp, f"nll{seed}.bin")
                    os.environ["PIXELRNN_NLL_DUMP"] = dump
                    score(damaged, f"score=bits-per-dim model={args.model} threads=1")
                    del os.environ["PIXELRNN_NLL_DUMP"]
                    stats = statistics(read_maps(dump), args.calibrate)
                    names = list(stats)
                    row = [auroc(v[positive], v[negative]) for v in stats.values()]
                    table.append(row)
                    print(f"{os.path.basename(video)} {codec} {seed} ({int(positive.sum())} / {int(negative.sum())}): "
                          + ", ".join(f"{n} {r:.2f}" for n, r in zip(names, row)), flush=True)
    t = np.array(table)
    print(f"\n| statistic, against the first {args.calibrate} frames | mean AUROC ({len(t)} runs) | lowest |")
    print("|---|---|---|")
    for k, n in enumerate(names):
        print(f"| {n} | {t[:, k].mean():.2f} | {t[:, k].min():.2f} |")


if __name__ == "__main__":
    main()
