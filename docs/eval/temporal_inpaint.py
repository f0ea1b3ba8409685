#!/usr/bin/python3
"""Time as a source, on real video the models never saw: pixelrnninpaint with history=N
(hole pixels copied, motion-compensated, from earlier frames that saw them; the model fills
the rest) against the same element without history and against OpenCV's Telea and FSR on
the same frames and holes. A static hole over each held-out clip: what a logo covers while
the camera moves (with --grid N, N x N holes spread evenly over the frame instead of one in
the middle: a hole in the middle of a panning shot often sits on the subject the camera
follows, which moves with it). PSNR over the hole pixels of every frame, and the share of hole
pixels history filled. With --move V the holes move instead, V pixels a frame to and fro across
their part of the frame (an object removed as it moves, over a camera that may be still): the
frames go through the element one by one (appsrc), each with its own rectangles.

  docs/eval/temporal_inpaint.py --clips runs/video-heldout.txt --frames 48 --out table.md

Needs the plugin in the build tree (GST_PLUGIN_PATH) and python3-opencv (xphoto for FSR).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inpaint_quality import Gst, delogo_fill, pixelrnn_fill_jobs  # noqa: E402


def decode(clip, width, frames, inpaint=None):
    """Frames of `clip` scaled to `width` (even height), RGB, through pixelrnninpaint if given."""
    capture = cv2.VideoCapture(clip)
    w, h = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if not w:
        raise RuntimeError(f"{clip}: no video stream")
    height = int(round(h * width / w / 2)) * 2
    with tempfile.NamedTemporaryFile(suffix=".rgb") as out:
        chain = (f"filesrc location={clip} ! decodebin ! videoconvert ! videoscale ! "
                 f"video/x-raw,format=RGB,width={width},height={height},pixel-aspect-ratio=1/1 ! "
                 f"identity eos-after={frames + 1} ! ")
        if inpaint:
            chain += f"pixelrnninpaint {inpaint} ! "
        chain += f"filesink location={out.name}"
        subprocess.run(["gst-launch-1.0", "-q"] + chain.split(), check=True, capture_output=True)
        data = np.fromfile(out.name, dtype=np.uint8)
    n = data.size // (width * height * 3)
    return data[: n * width * height * 3].reshape(n, height, width, 3)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def holes_at(k, corners, size, W, n, move):
    """The holes' corners in frame k: fixed, or moving V px a frame to and fro around their place."""
    if move <= 0:
        return corners
    reach = max(0, W // (2 * n) - size // 2 - 2)
    if reach == 0:
        return corners
    t = (k * move) % (4 * reach)           # triangle wave: 0 .. reach .. -reach .. 0
    off = t if t <= reach else (2 * reach - t if t <= 3 * reach else t - 4 * reach)
    return [(x + off, y) for x, y in corners]


def through_element(frames, rects_per_frame, props):
    """Each RGB frame through one pixelrnninpaint pipeline with its own rectangles."""
    Gst.init(None)
    out, _ = pixelrnn_fill_jobs([(f, list(r)) for f, r in zip(frames, rects_per_frame)], props)
    return np.stack(out)


def classical_fills(frame, mask, rects):
    """delogo, Telea and FSR fast of one RGB frame: three filled frames."""
    d = frame.copy()
    for x, y, size in rects:
        d[y:y + size, x:x + size] = delogo_fill(frame, (x, y, size))[y:y + size, x:x + size]
    bgr = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
    t = cv2.cvtColor(cv2.inpaint(bgr, mask, 5, cv2.INPAINT_TELEA), cv2.COLOR_BGR2RGB)
    dst = np.zeros_like(bgr)
    cv2.xphoto.inpaint(bgr, (1 - mask).astype(np.uint8), dst, cv2.xphoto.INPAINT_FSR_FAST)
    return d, t, cv2.cvtColor(dst, cv2.COLOR_BGR2RGB)


def moving_row(clip, truth, corners, size, n, args):
    """One table row for holes that move (--move): every frame through the element by appsrc."""
    _, H, W, _ = truth.shape
    rects = [[(x, y, size) for x, y in holes_at(k, corners, size, W, n, args.move)] for k in range(len(truth))]
    ours = through_element(truth, rects, f"history={args.history}")
    alone = through_element(truth, rects, "")
    seqs = {"history": [], "alone": [], "telea": [], "fsr": [], "delogo": [], "truth": []}
    for k, frame in enumerate(truth):
        mask = np.zeros((H, W), np.uint8)
        for x, y, s in rects[k]:
            mask[y:y + s, x:x + s] = 1
        hole = mask.astype(bool)
        d, t, f = classical_fills(frame, mask, rects[k])
        for key, img in (("history", ours[k]), ("alone", alone[k]), ("telea", t), ("fsr", f),
                         ("delogo", d), ("truth", frame)):
            seqs[key].append(img[hole])
        if k == len(truth) * 3 // 4:   # one frame for the picture: hole, fills, truth around it
            x, y, s = rects[k][0]
            x0, y0, x1, y1 = max(0, x - s // 2), max(0, y - s // 2), min(W, x + s + s // 2), min(H, y + s + s // 2)
            masked = frame.copy()
            masked[hole] = 128
            cells = [frame, masked, alone[k], ours[k], d]
            row_picture = np.hstack([np.pad(c[y0:y1, x0:x1], ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in cells])
    stacked = {key: np.stack(v) for key, v in seqs.items()}
    row = {"clip": os.path.basename(clip) + f" (moving {args.move} px/frame)", "picture": row_picture, "size": size, "frames": len(truth),
           "taken": float(np.mean(np.any(stacked["history"] != stacked["alone"], axis=-1)))}
    for key in ("history", "alone", "telea", "fsr", "delogo"):
        row[key] = psnr(stacked[key], stacked["truth"])
    # Flicker is the frame-to-frame change at a fixed place: not defined for a hole that moves.
    row["flicker"] = {name: float("nan") for name in ("truth", "history", "alone", "delogo")}
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", required=True, help="file with one clip path per line")
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--sizes", default="32,64")
    ap.add_argument("--history", type=int, default=8)
    ap.add_argument("--grid", type=int, default=1, help="N x N holes spread over the frame (1: one in the middle)")
    ap.add_argument("--move", type=int, default=0,
                    help="holes move this many pixels a frame, to and fro (0: fixed holes)")
    ap.add_argument("--picture", help="with --move: PNG of one frame per clip and size (original, hole, "
                    "no history, history, delogo)")
    ap.add_argument("--out", help="markdown table to write")
    args = ap.parse_args()
    clips = [c.strip() for c in open(args.clips) if c.strip()]
    rows = []
    totals = {}
    for clip in clips:
        truth = decode(clip, args.width, args.frames)
        n, H, W, _ = truth.shape
        for size in [int(s) for s in args.sizes.split(",")]:
            n = args.grid
            corners = [(int((i + 0.5) * W / n) - size // 2, int((j + 0.5) * H / n) - size // 2)
                       for j in range(n) for i in range(n)]
            if args.move > 0:
                row = moving_row(clip, truth, corners, size, n, args)
                rows.append(row)
                print({k: v for k, v in row.items() if k != "picture"}, flush=True)
                for key in ("history", "alone", "telea", "fsr", "delogo"):
                    totals.setdefault((size, key), []).append(row[key])
                continue
            rects = ",".join(f"<{x},{y},{size},{size}>" for x, y in corners)
            rect = f"rect=<{rects}>" if n > 1 else f"rect={rects}"
            ours = decode(clip, args.width, args.frames, f"{rect} history={args.history}")
            alone = decode(clip, args.width, args.frames, rect)
            mask = np.zeros((H, W), np.uint8)
            for x, y in corners:
                mask[y:y + size, x:x + size] = 1
            hole = mask.astype(bool)
            # Some decoders do not give every run the same frames (threads, a frame more or
            # less at the start): each output frame is compared with the truth frame that equals
            # it outside the hole, which the element leaves untouched.
            def aligned(frames):
                out = []
                for k, f in enumerate(frames):
                    near = range(max(0, k - 4), min(len(truth), k + 5))
                    j = min(near, key=lambda j: np.mean((f[~hole].astype(np.int32) - truth[j][~hole]) ** 2))
                    if np.array_equal(f[~hole], truth[j][~hole]):
                        out.append((f, truth[j]))
                return out
            pairs_ours, pairs_alone = aligned(ours), aligned(alone)
            m = min(len(pairs_ours), len(pairs_alone))
            telea, fsr, delogo = [], [], []
            for k in range(m):
                d, t, f = classical_fills(pairs_alone[k][1], mask, [(x, y, size) for x, y in corners])
                delogo.append(d[hole])
                telea.append(t[hole])
                fsr.append(f[hole])
            true_hole = np.stack([pairs_alone[k][1][hole] for k in range(m)])
            ours_true = np.stack([pairs_ours[k][1][hole] for k in range(m)])
            ours_hole = np.stack([pairs_ours[k][0][hole] for k in range(m)])
            alone_hole = np.stack([pairs_alone[k][0][hole] for k in range(m)])
            taken = np.mean(np.any(ours_hole != alone_hole, axis=-1))
            row = {
                "clip": os.path.basename(clip), "size": size, "frames": m,
                "history": psnr(ours_hole, ours_true), "alone": psnr(alone_hole, true_hole),
                "telea": psnr(np.stack(telea), true_hole), "fsr": psnr(np.stack(fsr), true_hole),
                "delogo": psnr(np.stack(delogo), true_hole), "taken": taken,
                # Flicker: mean absolute change of the hole's pixels from frame to frame.
                "flicker": {name: float(np.mean(np.abs(np.diff(seq.astype(np.float64), axis=0))))
                            for name, seq in (("truth", true_hole), ("history", ours_hole),
                                              ("alone", alone_hole), ("delogo", np.stack(delogo)))},
            }
            rows.append(row)
            print(row, flush=True)
            for key in ("history", "alone", "telea", "fsr", "delogo"):
                totals.setdefault((size, key), []).append(row[key])
    lines = [f"| clip | hole | frames | history={args.history} (dB) | no history (dB) | Telea | FSR-fast | delogo | "
             "hole pixels from history | flicker: truth / history / no history / delogo |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        f = r["flicker"]
        lines.append(f"| {r['clip']} | {r['size']} | {r['frames']} | {r['history']:.2f} | {r['alone']:.2f} | "
                     f"{r['telea']:.2f} | {r['fsr']:.2f} | {r['delogo']:.2f} | {100 * r['taken']:.0f}% | "
                     f"{f['truth']:.2f} / {f['history']:.2f} / {f['alone']:.2f} / {f['delogo']:.2f} |")
    for size in sorted({s for s, _ in totals}):
        mean = {k: np.mean(totals[(size, k)]) for k in ("history", "alone", "telea", "fsr", "delogo")}
        lines.append(f"| **mean** | {size} | | **{mean['history']:.2f}** | {mean['alone']:.2f} | "
                     f"{mean['telea']:.2f} | {mean['fsr']:.2f} | {mean['delogo']:.2f} | | |")
    text = "\n".join(lines) + "\n"
    print(text)
    pictures = [r.pop("picture") for r in rows if "picture" in r]
    if args.picture and pictures:
        width = max(p.shape[1] for p in pictures)
        grid = np.vstack([np.pad(p, ((0, 0), (0, width - p.shape[1]), (0, 0)), constant_values=255) for p in pictures])
        grid = cv2.resize(grid, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
        tmp = args.picture + ".tmp.png"
        cv2.imwrite(tmp, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
        os.replace(tmp, args.picture)
        print(f"columns: original | hole | no history | history={args.history} | delogo; written to {args.picture}")
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    sys.exit(main())
