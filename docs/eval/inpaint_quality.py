#!/usr/bin/python3
"""Inpainting quality on held-out real pictures: PSNR and SSIM inside the hole.

Compares pixelrnninpaint (greedy, sample, best-of) with OpenCV's cv2.inpaint (Telea and
Navier-Stokes) and ffmpeg's delogo filter on the same pictures and the same square holes,
and writes a before/after grid. Pictures: the natural model's held-out photographs
(mate-backgrounds LadyBird and Storm, 4x downscaled as in its evaluation) and frames of a
real video (forensics-samples-files).

    GST_PLUGIN_PATH=build/plugin docs/eval/inpaint_quality.py [--hole 16] [--grid out.png]
"""
import argparse
import os
import subprocess
import tempfile

import cv2
import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

PHOTOS = ["/usr/share/backgrounds/mate/nature/LadyBird.jpg",
          "/usr/share/backgrounds/mate/nature/Storm.jpg"]
VIDEO = "/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4"


def load_pictures():
    pics = []
    for p in PHOTOS:
        img = cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2RGB)
        h, w = img.shape[:2]
        pics.append((os.path.basename(p), cv2.resize(img, (w // 4, h // 4), interpolation=cv2.INTER_AREA)))
    cap = cv2.VideoCapture(VIDEO)
    for k in range(3):
        cap.set(cv2.CAP_PROP_POS_FRAMES, 12 * k)
        ok, frame = cap.read()
        if ok:
            frame = cv2.resize(frame, (480, 270), interpolation=cv2.INTER_AREA)
            pics.append((f"video frame {12 * k}", cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
    return pics


def pixelrnn_fill(img, rects, props):
    h, w = img.shape[:2]
    pipe = Gst.parse_launch(
        f"appsrc name=src format=time caps=video/x-raw,format=RGB,width={w},height={h},framerate=1/1 "
        f"! pixelrnninpaint name=inpaint {props} ! appsink name=sink sync=false")
    src, sink, el = pipe.get_by_name("src"), pipe.get_by_name("sink"), pipe.get_by_name("inpaint")
    pipe.set_state(Gst.State.PLAYING)
    out = []
    for i, (x, y, s) in enumerate(rects):
        Gst.util_set_object_arg(el, "rect", f"<{x},{y},{s},{s}>")
        buf = Gst.Buffer.new_wrapped(np.ascontiguousarray(img).tobytes())
        buf.pts = i * Gst.SECOND
        src.emit("push-buffer", buf)
        sample = sink.emit("pull-sample")
        b = sample.get_buffer()
        ok, info = b.map(Gst.MapFlags.READ)
        stride = len(info.data) // h
        out.append(np.frombuffer(info.data, np.uint8).reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy())
        b.unmap(info)
    src.emit("end-of-stream")
    pipe.set_state(Gst.State.NULL)
    return out


def opencv_fill(img, rect, flag):
    x, y, s = rect
    mask = np.zeros(img.shape[:2], np.uint8)
    mask[y : y + s, x : x + s] = 255
    return cv2.inpaint(img, mask, 3, flag)


def delogo_fill(img, rect):
    x, y, s = rect
    h, w = img.shape[:2]
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.png"), os.path.join(d, "out.png")
        cv2.imwrite(src, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        # delogo interpolates from the pixels just outside its box; keep the box off the edges.
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-vf",
                        f"delogo=x={x}:y={y}:w={s}:h={s}", dst], check=True)
        return cv2.cvtColor(cv2.imread(dst), cv2.COLOR_BGR2RGB)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def ssim(a, b):
    """Mean SSIM (Wang et al. 2004, 7x7 Gaussian window) over the hole, per channel."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda m: cv2.GaussianBlur(m, (7, 7), 1.5)  # noqa: E731
    mu_a, mu_b = blur(a), blur(b)
    va, vb, cov = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2, blur(a * b) - mu_a * mu_b
    return float(np.mean(((2 * mu_a * mu_b + c1) * (2 * cov + c2))
                         / ((mu_a ** 2 + mu_b ** 2 + c1) * (va + vb + c2))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hole", type=int, default=16)
    ap.add_argument("--per-picture", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grid", default="")
    ap.add_argument("--model", default="natural")
    ap.add_argument("--temperature", type=float, default=1.0, help="for sample and best-of")
    args = ap.parse_args()
    Gst.init(None)
    rng = np.random.default_rng(args.seed)
    s = args.hole
    methods = {
        "OpenCV Telea": None, "OpenCV Navier-Stokes": None, "ffmpeg delogo": None,
        "pixelrnn greedy": f"model={args.model} mode=greedy",
        "pixelrnn sample": f"model={args.model} mode=sample temperature={args.temperature}",
        "pixelrnn best-of-8": f"model={args.model} mode=best-of candidates=8 temperature={args.temperature}",
    }
    scores = {m: ([], []) for m in methods}
    grid_rows = []
    for name, img in load_pictures():
        h, w = img.shape[:2]
        rects = [(int(rng.integers(s, w - 2 * s)), int(rng.integers(s, h - 2 * s)), s)
                 for _ in range(args.per_picture)]
        results = {}
        for m, props in methods.items():
            if props is not None:
                results[m] = pixelrnn_fill(img, rects, props)
            elif m == "ffmpeg delogo":
                results[m] = [delogo_fill(img, r) for r in rects]
            else:
                flag = cv2.INPAINT_TELEA if "Telea" in m else cv2.INPAINT_NS
                results[m] = [opencv_fill(img, r, flag) for r in rects]
        for m in methods:
            for (x, y, _), out in zip(rects, results[m]):
                truth, got = img[y : y + s, x : x + s], out[y : y + s, x : x + s]
                scores[m][0].append(psnr(truth, got))
                scores[m][1].append(ssim(truth, got))
        # One picture row per image: the first hole with 2s of surroundings, each method.
        x, y, _ = rects[0]
        x0, y0, x1, y1 = max(0, x - s), max(0, y - s), min(w, x + 2 * s), min(h, y + 2 * s)
        masked = img.copy()
        masked[y : y + s, x : x + s] = 128
        row = [img[y0:y1, x0:x1], masked[y0:y1, x0:x1]] + [results[m][0][y0:y1, x0:x1] for m in methods]
        grid_rows.append(np.hstack([np.pad(c, ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in row]))
    print(f"{s}x{s} holes, {len(scores['OpenCV Telea'][0])} holes on {len(grid_rows)} pictures; "
          f"PSNR (dB) and SSIM inside the hole, mean over holes")
    print("| method | PSNR | SSIM |\n|---|---|---|")
    for m, (p, q) in scores.items():
        print(f"| {m} | {np.mean(p):.2f} | {np.mean(q):.3f} |")
    if args.grid:
        width = max(r.shape[1] for r in grid_rows)
        grid = np.vstack([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in grid_rows])
        grid = cv2.resize(grid, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
        tmp = args.grid + ".tmp.png"
        cv2.imwrite(tmp, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
        os.replace(tmp, args.grid)
        print("columns: original | hole | " + " | ".join(methods) + f"; written to {args.grid}")


if __name__ == "__main__":
    main()
