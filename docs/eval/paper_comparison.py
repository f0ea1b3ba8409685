#!/usr/bin/python3
"""The PixelRNN paper's comparison redone on a CPU: each architecture trained for the same
processor time on the same photographs, then scored on held-out photographs.

    docs/eval/paper_comparison.py [--minutes 10] [--threads 1] [--work runs/paper]
        [--json docs/eval/paper_comparison.json] [--curve docs/images/paper-comparison.png]

Trains (with `pixelrnn train --cpu-minutes`, so other work on the machine does not tilt it) PixelCNN, Row LSTM and Diagonal BiLSTM with the
paper's 256-way softmax, and PixelCNN with the PixelCNN++ logistic mixture (residual, gated
and two-stream blocks), all at h=48 on
runs/natural-train (scripts/natural-data) shrunk 2x and 4x, 32x32 crops, flips. Validation
during training reads crops of the held-out photographs (nothing is selected on it); the
table's figure is `pixelrnn eval` on the whole held-out photographs shrunk 4x, beside PNG on
the same pixels. A model already in --work is reused (delete it to retrain). Needs python3-pil.
"""
import argparse
import json
import os
import re
import subprocess
import sys

from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from equal_time_curves import read as validation_curve  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIXELRNN = os.path.join(ROOT, "build", "tools", "pixelrnn")
COLOURS = [(214, 39, 40), (31, 119, 180), (44, 160, 44), (148, 103, 189), (255, 127, 14), (140, 86, 75)]

# name, architecture, layers, output (a name with "gated" or "two-stream" uses that block): depths the paper would call small, so that each runs
# a useful number of steps on one core; h and the head are the same for all.
DESIGNS = [
    ("pixelcnn-softmax", "pixelcnn", 6, "softmax"),
    ("row-lstm-softmax", "row-lstm", 3, "softmax"),
    ("diagonal-bilstm-softmax", "diagonal-bilstm", 3, "softmax"),
    ("pixelcnn-mixture", "pixelcnn", 6, "mixture"),
    ("pixelcnn-gated-mixture", "pixelcnn", 6, "mixture"),
    ("pixelcnn-two-stream-mixture", "pixelcnn", 6, "mixture"),
]


def train(work, name, arch, layers, output, minutes, threads):
    model = os.path.join(work, name + ".pixelrnn")
    log = os.path.join(work, name + ".log")
    if os.path.exists(model):
        return model, log
    cmd = [PIXELRNN, "train", "--data", os.path.join(ROOT, "runs", "natural-train"), "--scales", "2,4",
           "--patch", "32", "--flip", "--val-data", os.path.join(ROOT, "runs", "natural-heldout"),
           "--val-images", "64", "--val-every", "20", "--log-every", "20", "--arch", arch,
           "--hidden", "48", "--layers", str(layers), "--head-hidden", "96", "--output", output,
           "--batch", "16", "--lr", "1e-3", "--lr-decay", "0.9995", "--steps", "1000000",
           "--cpu-minutes", str(minutes), "--threads", str(threads), "--seed", "1", "--out", model]
    if output == "mixture":
        cmd += ["--mixtures", "5"]
    if "gated" in name:
        cmd += ["--block", "gated"]
    if "two-stream" in name:
        cmd += ["--block", "two-stream"]
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    with open(log, "w") as f:
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT)
    return model, log


def evaluate(model, threads):
    cached = model + ".eval.json"
    if os.path.exists(cached) and os.path.getmtime(cached) > os.path.getmtime(model):
        return tuple(json.load(open(cached)))
    out = subprocess.run([PIXELRNN, "eval", "--model", model, "--data",
                          os.path.join(ROOT, "runs", "natural-heldout"), "--downscale", "4",
                          "--threads", str(threads)], check=True, capture_output=True, text=True).stdout
    mean = float(re.search(r"mean ([0-9.]+) bits/dim", out).group(1))
    png = float(re.search(r"PNG .* pixels: ([0-9.]+) bits/dim", out).group(1))
    with open(cached, "w") as f:
        json.dump([mean, png], f)
    return mean, png


def curve(log):
    pts = validation_curve(log)
    steps = [int(m.group(1)) for m in re.finditer(r"step (\d+)/", open(log, errors="replace").read())]
    return pts, max(steps) if steps else 0


def draw(path, series, minutes):
    W, H, M = 720, 380, 50
    ys = [y for _, pts in series for _, y in pts]
    y0, y1 = min(ys) - 0.1, min(max(ys), 8.0) + 0.1
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([M, 10, W - 10, H - M], outline="black")
    px = lambda x: M + (W - 10 - M) * x / minutes
    py = lambda y: H - M - (H - M - 10) * (min(y, y1) - y0) / (y1 - y0)
    for t in range(5):
        y = y0 + (y1 - y0) * t / 4
        d.text((4, py(y) - 6), f"{y:.2f}", fill="black")
        x = minutes * t / 4
        d.text((px(x) - 10, H - M + 6), f"{x:g}", fill="black")
    d.text((W // 2 - 110, H - 22), "training minutes of processor time", fill="black")
    d.text((M + 8, 14), "held-out bits/dim (32x32 crops)", fill="black")
    for k, (name, pts) in enumerate(series):
        c = COLOURS[k % len(COLOURS)]
        if len(pts) > 1:
            d.line([(px(x), py(y)) for x, y in pts], fill=c, width=2)
        for x, y in pts:
            d.ellipse([px(x) - 2, py(y) - 2, px(x) + 2, py(y) + 2], fill=c)
        d.text((W - 230, 20 + 14 * k), name, fill=c)
    tmp = path + ".tmp.png"
    img.save(tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--work", default=os.path.join(ROOT, "runs", "paper"))
    ap.add_argument("--json", default=os.path.join(ROOT, "docs", "eval", "paper_comparison.json"))
    ap.add_argument("--curve", default=os.path.join(ROOT, "docs", "images", "paper-comparison.png"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows, series = [], []
    for name, arch, layers, output in DESIGNS:
        model, log = train(args.work, name, arch, layers, output, args.minutes, args.threads)
        bpd, png = evaluate(model, args.threads)
        pts, steps = curve(log)
        params = int(re.search(r"parameters:\s+(\d+)", subprocess.run(
            [PIXELRNN, "info", "--model", model], check=True, capture_output=True, text=True).stdout).group(1))
        rows.append({"design": name, "architecture": arch, "layers": layers, "output": output,
                     "parameters": params, "steps": steps, "images_seen": steps * 16,
                     "heldout_bits_per_dim_4x": bpd, "png_bits_per_dim_4x": png})
        series.append((name, pts))
        print(f"{name}: {steps} steps, held-out {bpd:.3f} bits/dim (PNG {png:.3f})", flush=True)
    draw(args.curve, series, args.minutes)
    result = {"minutes_each": args.minutes, "threads": args.threads, "hidden": 48, "designs": rows}
    with open(args.json + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(args.json + ".tmp", args.json)
    print("| design | layers | parameters | steps in %g min | held-out bits/dim (4x) | PNG |" % args.minutes)
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['design']} | {r['layers']} | {r['parameters']:,} | {r['steps']} | "
              f"{r['heldout_bits_per_dim_4x']:.3f} | {r['png_bits_per_dim_4x']:.3f} |")


if __name__ == "__main__":
    main()
