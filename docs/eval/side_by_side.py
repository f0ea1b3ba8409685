#!/usr/bin/python3
"""One hole in one picture, filled by each method, side by side in one labelled PNG:
original | hole | OpenCV Telea | OpenCV FSR fast | ffmpeg delogo | pixelrnninpaint (default) | mean |
best-of at temperature 0.3 (texture) | greedy.

  GST_PLUGIN_PATH=build/plugin docs/eval/side_by_side.py FRAME.png X,Y,SIZE OUT.png

The pixelrnn columns come from the element itself (gst-launch-1.0 ... ! pixelrnninpaint
rect=<X,Y,SIZE,SIZE> [mode=...]); each column is the hole's neighbourhood (three hole sizes
across), enlarged so the pixels can be seen.
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np


def element_fill(path, x, y, s, mode, tmp, *more):
    out = os.path.join(tmp, f"fill-{mode or 'default'}.png")
    props = ([f"mode={mode}"] if mode else []) + list(more)
    subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={path}", "!", "pngdec", "!", "videoconvert", "!",
                    "pixelrnninpaint", f"rect=<{x},{y},{s},{s}>", *props, "!", "videoconvert", "!",
                    "pngenc", "!", "filesink", f"location={out}"], check=True)
    return cv2.imread(out)


def delogo_fill(path, x, y, s, tmp):
    out = os.path.join(tmp, "delogo.png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-vf", f"delogo=x={x}:y={y}:w={s}:h={s}", "-frames:v", "1", out], check=True)
    return cv2.imread(out)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, rect, out = sys.argv[1], sys.argv[2], sys.argv[3]
    x, y, s = (int(v) for v in rect.split(","))
    img = cv2.imread(path)
    if img is None:
        sys.exit(f"side_by_side.py: cannot read {path}")
    hole = np.zeros(img.shape[:2], np.uint8)
    hole[y : y + s, x : x + s] = 255
    valid = 255 - hole
    fsr = np.zeros_like(img)
    cv2.xphoto.inpaint(img, valid, fsr, cv2.xphoto.INPAINT_FSR_FAST)
    masked = img.copy()
    masked[y : y + s, x : x + s] = (128, 128, 128)
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as tmp:
        path = os.path.join(tmp, "picture.png")   # one clean PNG for ffmpeg and GStreamer
        cv2.imwrite(path, img)
        columns = [("original", img), ("hole", masked), ("OpenCV Telea", cv2.inpaint(img, hole, 3, cv2.INPAINT_TELEA)),
                   ("OpenCV FSR fast", fsr), ("ffmpeg delogo", delogo_fill(path, x, y, s, tmp)),
                   ("pixelrnn default", element_fill(path, x, y, s, "", tmp)),
                   ("pixelrnn mean", element_fill(path, x, y, s, "mean", tmp)),
                   ("best-of, T=0.3", element_fill(path, x, y, s, "best-of", tmp, "temperature=0.3")),
                   ("pixelrnn greedy", element_fill(path, x, y, s, "greedy", tmp))]
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x - s), max(0, y - s), min(w, x + 2 * s), min(h, y + 2 * s)
    scale = max(1, 160 // (x1 - x0))
    tiles = []
    for name, picture in columns:
        crop = cv2.resize(picture[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        label = np.full((22, crop.shape[1], 3), 255, np.uint8)
        cv2.putText(label, name, (3, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
        tiles.append(np.pad(np.vstack([label, crop]), ((2, 2), (2, 2), (0, 0)), constant_values=255))
    tmp_out = out + ".tmp.png"
    cv2.imwrite(tmp_out, np.hstack(tiles))
    os.replace(tmp_out, out)
    print(f"side_by_side.py: wrote {out}")


if __name__ == "__main__":
    main()
