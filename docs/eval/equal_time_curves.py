#!/usr/bin/python3
"""Draws validation bits/dim against processor minutes from `pixelrnn train` logs: designs
compared at equal compute (each log is one architecture; resumed runs keep counting).

    docs/eval/equal_time_curves.py OUT.png LABEL=LOG [LABEL=LOG ...]

Reads the "step N/M ... val X bits/dim ... cpu S s" lines and prints, per log, the validation
figure last reached by 15, 30, 45 and 60 processor-minutes. Needs python3-opencv.
"""
import re
import sys

import cv2
import numpy as np

W, H, M = 720, 380, 50
COLOURS = [(40, 39, 214), (180, 119, 31), (44, 160, 44), (189, 103, 148)]   # BGR


def read(log):
    """(processor minutes, validation bits/dim) at each new validation figure of a log."""
    pts, last = [], None
    for line in open(log, errors="replace"):
        m = re.search(r"val ([0-9.]+) bits/dim.*cpu (\d+) s", line)
        if m and m.group(1) != last:
            last = m.group(1)
            pts.append((int(m.group(2)) / 60.0, float(m.group(1))))
    return pts


def main():
    out, pairs = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    series = [(label, read(log)) for label, log in pairs]
    print("| architecture | " + " | ".join(f"val at {t} min" for t in (15, 30, 45, 60)) + " | minutes logged |")
    print("|---|---|---|---|---|---|")
    for label, pts in series:
        cells = []
        for t in (15, 30, 45, 60):
            before = [y for x, y in pts if x <= t]
            cells.append(f"{min(before):.3f}" if before and pts[-1][0] >= t - 1 else "-")
        print(f"| {label} | " + " | ".join(cells) + f" | {pts[-1][0]:.1f} |" if pts else f"| {label} | no points |")
    xs = [x for _, s in series for x, _ in s]
    ys = [y for _, s in series for _, y in s]
    x1, y0, y1 = max(xs), min(ys) - 0.05, min(max(ys), 5.0) + 0.05
    img = np.full((H, W, 3), 255, np.uint8)
    text = lambda xy, t, c=(0, 0, 0): cv2.putText(img, t, (int(xy[0]), int(xy[1]) + 10), cv2.FONT_HERSHEY_SIMPLEX, 0.4, c, 1, cv2.LINE_AA)
    cv2.rectangle(img, (M, 10), (W - 10, H - M), (0, 0, 0), 1)
    px = lambda x: int(M + (W - 10 - M) * x / x1)
    py = lambda y: int(H - M - (H - M - 10) * (min(y, y1) - y0) / (y1 - y0))
    for t in range(5):
        y = y0 + (y1 - y0) * t / 4
        text((4, py(y) - 6), f"{y:.2f}")
        x = x1 * t / 4
        text((px(x) - 10, H - M + 6), f"{x:.0f}")
    text((W // 2 - 110, H - 22), "processor minutes (one thread)")
    text((M + 8, 14), "validation bits/dim")
    for k, (label, pts) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        cv2.polylines(img, [np.array([(px(x), py(y)) for x, y in pts], np.int32)], False, colour, 2, cv2.LINE_AA)
        text((W - 270, 20 + 16 * k), label, colour)
    cv2.imwrite(out, img)


if __name__ == "__main__":
    main()
