#!/usr/bin/python3
"""An application in Python (GObject introspection) that embeds pixelrnnlikelihood.

Builds the pipeline, sets properties, reads the "pixelrnn-likelihood" message of every scored
frame from the bus, and reads on each buffer (a pad probe) the figures the element attached:
the "pixelrnn-likelihood" custom meta's fields (the same as the C GstPixelrnnLikelihoodMeta)
and, on anomalous frames, GstVideoRegionOfInterestMeta.

    likelihood.py [VIDEO-FILE-OR-URI] [--frames N] [--threshold T]

Exits 0 when every scored frame posted a message and carried the meta, with the same figures.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?")
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--threshold", type=float, default=4.0)
    args = ap.parse_args()
    Gst.init(None)
    if args.video:
        uri = args.video if Gst.uri_is_valid(args.video) else Gst.filename_to_uri(args.video)
        source = f"uridecodebin uri={uri} ! videoconvert ! videoscale ! video/x-raw,width=320,height=180"
    else:
        source = f"videotestsrc num-buffers={args.frames} pattern=ball ! video/x-raw,width=160,height=120"
    pipeline = Gst.parse_launch(f"{source} ! videoconvert ! pixelrnnlikelihood name=score ! fakesink name=sink")
    score = pipeline.get_by_name("score")
    score.set_property("threshold", args.threshold)
    Gst.util_set_object_arg(score, "score", "zscore")

    seen = {"meta": 0, "roi": 0, "buffers": 0}
    meta_figures = {}   # frame -> bits/dim read from the buffer

    def on_buffer(pad, info):
        buf = info.get_buffer()
        seen["buffers"] += 1
        meta = buf.get_custom_meta("pixelrnn-likelihood")
        if meta is not None:
            s = meta.get_structure()
            seen["meta"] += 1
            meta_figures[s.get_value("frame")] = s.get_value("bits-per-dim")
        if buf.get_meta("GstVideoRegionOfInterestMetaAPI") is not None:
            seen["roi"] += 1
        return Gst.PadProbeReturn.OK

    pipeline.get_by_name("sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer)

    loop = GLib.MainLoop()
    result = {"messages": 0, "anomalies": 0, "status": 0}
    message_figures = {}

    def on_message(bus, msg):
        if msg.type == Gst.MessageType.ELEMENT and msg.get_structure().get_name() == "pixelrnn-likelihood":
            s = msg.get_structure()
            result["messages"] += 1
            result["anomalies"] += int(s.get_value("anomaly"))
            message_figures[s.get_value("frame")] = s.get_value("bits-per-dim")
            print(f"frame {s.get_value('frame'):3d}  {s.get_value('timestamp') / Gst.SECOND:7.3f} s  "
                  f"{s.get_value('bits-per-dim'):.4f} bits/dim  z {s.get_value('score'):+.2f}"
                  + ("  ANOMALY" if s.get_value("anomaly") else ""))
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print(f"likelihood.py: {err.message}\n{debug}", file=sys.stderr)
            result["status"] = 1
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    print(f"{result['messages']} messages, {seen['meta']} of {seen['buffers']} buffers with meta, "
          f"{result['anomalies']} anomalous ({seen['roi']} with regions)")
    same = all(abs(meta_figures.get(f, -1) - b) < 1e-9 for f, b in message_figures.items())
    print("buffer meta and messages agree" if same else "buffer meta and messages DISAGREE")
    ok = (result["status"] == 0 and result["messages"] > 0 and seen["meta"] == result["messages"]
          and same)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
