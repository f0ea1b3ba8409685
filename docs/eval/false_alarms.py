#!/usr/bin/python3
"""False alarms of pixelrnnlikelihood on clean footage: every frame of held-out clips nothing
was done to, scored at the element's default threshold; each alarm is a false one. Reports,
per setting, the flagged frames and the alarm events (runs of consecutive flagged frames) per
hour of footage at each clip's own frame rate, at the element's threshold and (from the scores
it reports, |score| >= T as the element decides) at higher ones. Frames the element spends
calibrating are not counted (nor their time).

    GST_PLUGIN_PATH=build/plugin docs/eval/false_alarms.py VIDEO [VIDEO ...] [--width 480]
        [--settings "default=;calibrated=calibration-frames=60"] [--thresholds 4,6,8,12,16]
"""
import argparse
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from likelihood_faults import Gst, decode, likelihood_messages  # noqa: E402

DEFAULT_SETTINGS = "default (zscore)=;calibrated (60 frames)=calibration-frames=60"


def frame_rate(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=r_frame_rate", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True).stdout.strip()
    return float(Fraction(out.splitlines()[0]))


def flags(frames, props):
    """Per frame: (anomaly, calibrating, score) from the element's messages."""
    return [(bool(m.get_value("anomaly")), bool(m.get_value("calibrating")), m.get_value("score"))
            for m in likelihood_messages(frames, props, "false_alarms")]


def events(alarms):
    """Runs of consecutive alarming frames."""
    return sum(1 for k, a in enumerate(alarms) if a and (k == 0 or not alarms[k - 1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("videos", nargs="+")
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--settings", default=DEFAULT_SETTINGS,
                    help="NAME=PROPERTIES;... (pixelrnnlikelihood properties per setting)")
    ap.add_argument("--thresholds", default="4,6,8,12,16",
                    help="thresholds to count alarm events at from the scores (the element's own: 4)")
    args = ap.parse_args()
    Gst.init(None)
    settings = [s.split("=", 1) for s in args.settings.split(";")]
    thresholds = [float(t) for t in args.thresholds.split(",")]
    totals = {name: [0, 0, 0.0] for name, _ in settings}   # flagged frames, events, seconds
    by_threshold = {name: [0] * len(thresholds) for name, _ in settings}
    print("| clip | frames | fps | " + " | ".join(f"{n}: flagged / events" for n, _ in settings) + " |")
    print("|---|---|---|" + "---|" * len(settings))
    for path in args.videos:
        frames = decode(path, args.width)
        fps = frame_rate(path)
        cells = []
        for name, props in settings:
            per_frame = [(a, abs(score)) for a, calibrating, score in flags(frames, props) if not calibrating]
            counted = [a for a, _ in per_frame]
            totals[name][0] += sum(counted)
            totals[name][1] += events(counted)
            totals[name][2] += len(counted) / fps
            for k, t in enumerate(thresholds):
                by_threshold[name][k] += events([magnitude >= t for _, magnitude in per_frame])
            cells.append(f"{sum(counted)} / {events(counted)}")
        print(f"| {os.path.basename(path)} | {len(frames)} | {fps:.1f} | " + " | ".join(cells) + " |",
              flush=True)
    print()
    print("| setting | footage scored | flagged frames per hour | alarm events per hour |")
    print("|---|---|---|---|")
    for name, (flagged, n_events, seconds) in totals.items():
        hours = seconds / 3600
        print(f"| {name} | {seconds:.0f} s | {flagged / hours:.0f} | {n_events / hours:.0f} |")
    print()
    print("| setting | " + " | ".join(f"events/hour at {t:g}" for t in thresholds) + " |")
    print("|---|" + "---|" * len(thresholds))
    for name, counts in by_threshold.items():
        hours = totals[name][2] / 3600
        print(f"| {name} | " + " | ".join(f"{c / hours:.0f}" for c in counts) + " |")


if __name__ == "__main__":
    main()
