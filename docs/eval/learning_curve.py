#!/usr/bin/python3
"""Draws validation bits/dim against images seen from `pixelrnn train` logs (one per stage).

    docs/eval/learning_curve.py OUT.png BATCH LOG [LOG ...]

Reads the "step N/M ... val X bits/dim" lines; each log's points are drawn in its own colour,
later stages continuing the step count. Needs python3-pil.
"""
import re
import sys

from PIL import Image, ImageDraw

W, H, M = 720, 360, 50
COLOURS = [(214, 39, 40), (31, 119, 180), (44, 160, 44), (148, 103, 189)]


def main():
    out, batch, logs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    series = []
    for log in logs:
        pts, last = [], None
        for line in open(log, errors="replace"):
            m = re.search(r"step (\d+)/\d+ .*val ([0-9.]+) bits/dim", line)
            if m and m.group(2) != last:   # a new measurement, not the last one repeated
                last = m.group(2)
                pts.append((int(m.group(1)) * batch, float(m.group(2))))
        series.append(pts)
    xs = [x for s in series for x, _ in s]
    ys = [y for s in series for _, y in s]
    x1, y0, y1 = max(xs), min(ys) - 0.1, min(max(ys), 7.0) + 0.1
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([M, 10, W - 10, H - M], outline="black")
    px = lambda x: M + (W - 10 - M) * x / x1
    py = lambda y: H - M - (H - M - 10) * (min(y, y1) - y0) / (y1 - y0)
    for t in range(5):
        y = y0 + (y1 - y0) * t / 4
        d.text((4, py(y) - 6), f"{y:.2f}", fill="black")
        x = x1 * t / 4
        d.text((px(x) - 20, H - M + 6), f"{int(x):,}", fill="black")
    d.text((W // 2 - 60, H - 22), "images seen (32x32 patches)", fill="black")
    d.text((M + 8, 14), "validation bits/dim", fill="black")
    for k, pts in enumerate(series):
        c = COLOURS[k % len(COLOURS)]
        d.line([(px(x), py(y)) for x, y in pts], fill=c, width=2)
        d.text((W - 200, 20 + 14 * k), f"stage {k + 1}", fill=c)
    img.save(out)


if __name__ == "__main__":
    main()
