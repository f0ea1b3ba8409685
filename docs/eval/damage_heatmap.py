#!/usr/bin/python3
"""A picture of real codec damage as the likelihood element sees it at every pixel: one video
encoded with x264, bytes flipped in one coded frame, decoded with ffmpeg's concealment (as in
codec_damage.py); the damaged frame whose blockiness is highest is drawn beside its clean
decode and the element's heat map (`draw=heatmap`, the per-pixel NLL).

    GST_PLUGIN_PATH=build/plugin docs/eval/damage_heatmap.py VIDEO OUT.png [--model natural-full]
"""
import argparse
import os
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from codec_damage import corrupt, decode_stream, encode  # noqa: E402
from likelihood_faults import Gst, decode  # noqa: E402


def heatmaps(frames, props):
    """Each frame through pixelrnnlikelihood draw=heatmap, and its blockiness score."""
    h, w, _ = frames[0].shape
    pipe = Gst.parse_launch(
        f"appsrc name=src format=time caps=video/x-raw,format=RGB,width={w},height={h},framerate=25/1 ! "
        f"pixelrnnlikelihood score=blockiness draw=heatmap {props} ! appsink name=sink sync=false")
    src, sink = pipe.get_by_name("src"), pipe.get_by_name("sink")
    pipe.set_state(Gst.State.PLAYING)
    out = []
    for i, f in enumerate(frames):
        buf = Gst.Buffer.new_wrapped(f.tobytes())
        buf.pts = i * Gst.SECOND // 25
        src.emit("push-buffer", buf)
        sample = sink.emit("pull-sample")
        b = sample.get_buffer()
        ok, info = b.map(Gst.MapFlags.READ)
        out.append(np.frombuffer(info.data, np.uint8).reshape(h, w, 3).copy())
        b.unmap(info)
    src.emit("end-of-stream")
    pipe.set_state(Gst.State.NULL)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video")
    ap.add_argument("out")
    ap.add_argument("--model", default="natural-full")
    ap.add_argument("--width", type=int, default=480)
    ap.add_argument("--frame", type=int, default=100, help="the coded frame to damage")
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    Gst.init(None)
    frames = decode(args.video, args.width)[: args.frame + 10]
    h, w, _ = frames[0].shape
    with tempfile.TemporaryDirectory(prefix="damage-heatmap-") as tmp:
        clean_path = os.path.join(tmp, "clean.h264")
        encode(frames, "h264", 50, clean_path)
        clean = decode_stream(clean_path, w, h, len(frames))
        bad = os.path.join(tmp, "bad.h264")
        open(bad, "wb").write(corrupt(open(clean_path, "rb").read(), "h264", [args.frame], 4,
                                      np.random.default_rng(args.seed)))
        damaged = decode_stream(bad, w, h, len(frames))
    k = min(args.frame + 2, len(damaged) - 1)   # concealment has spread a little by then
    drawn = heatmaps(damaged[k - 3: k + 1], f"model={args.model}")[-1]
    label = lambda img, text: cv2.putText(img.copy(), text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                                          (255, 255, 255), 2, cv2.LINE_AA)
    row = np.hstack([label(clean[k], "clean decode"), label(damaged[k], "damaged, concealed"),
                     label(drawn, f"NLL at every pixel ({os.path.basename(args.model)})")])
    cv2.imwrite(args.out, cv2.cvtColor(row, cv2.COLOR_RGB2BGR))
    print(f"frame {k}: written {args.out}")


if __name__ == "__main__":
    main()
