#!/usr/bin/python3
"""Inpainting quality on held-out real pictures and video: PSNR, SSIM and flicker in the hole.

Compares pixelrnninpaint's modes with OpenCV's cv2.inpaint (Telea and Navier-Stokes), OpenCV
xphoto's frequency-selective reconstruction (FSR fast; FSR best with --fsr-best) and ffmpeg's
delogo filter on exactly the same pictures and square holes, at each hole size, and writes one
before/after grid per size. The texture ratio (mean gradient magnitude of the fill over that
of the true pixels) tells a blur (far below 1) from a fill that keeps the texture. Pictures: the six photographs held out of the natural
models' training (scripts/natural-data), 4x downscaled as in their evaluation, and frames of a
real video never trained on (forensics-samples-files movie1, 480x270). Flicker: the same hole
on consecutive video frames; the mean absolute change of the filled pixels from one frame to
the next, beside the same figure for the true pixels.

    GST_PLUGIN_PATH=build/plugin docs/eval/inpaint_quality.py --holes 16,32,64 \
        [--modes mean,direct] [--model NAME] [--grid docs/images/inpaint-{size}.png]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import cv2
import gi
import numpy as np

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

PHOTOS = ["/usr/share/backgrounds/mate/nature/LadyBird.jpg",
          "/usr/share/backgrounds/mate/nature/Storm.jpg",
          "/usr/share/wallpapers/EveningGlow/contents/images/1920x1080.jpg",
          "/usr/share/wallpapers/Path/contents/images/1920x1080.jpg",
          "/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg",
          "/usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg"]
VIDEO = "/usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4"
# Camera photographs used neither in training nor in the figures above: `--photos
# validation` chooses between training checkpoints on them, so that the held-out figures
# are not also what picked the model.
VALIDATION = ["/usr/share/forensics-samples/original-files/pic1/" + f
              for f in ("IMG-20191006-WA0002.jpg", "IMG_1054.JPG", "IMG_20200827_231612.jpg")] + \
             ["/usr/share/forensics-samples/original-files/pic2/" + f
              for f in ("IMG_20191224_234846.jpg", "IMG_20200124_231153.jpg", "IMG_20200608_111614.jpg")]


def load_pictures(photos, with_video, width=480):
    pics = []
    for p in photos:
        if not os.path.exists(p):
            raise SystemExit(f"{p} is missing: run scripts/install-deps")
        img = cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2RGB)
        h, w = img.shape[:2]
        # 4x shrink for the wallpapers (1920 wide) at the default width of 480; camera photos of
        # any size to that width.
        f = 4 * 480 / width if with_video else w / width
        small = cv2.resize(img, (int(w / f), int(h / f)), interpolation=cv2.INTER_AREA)
        # Widths a multiple of 4: packed RGB rows then need no padding in the GstBuffer.
        pics.append((os.path.basename(p), small[:, : small.shape[1] // 4 * 4]))
    if not with_video:
        return pics
    cap = cv2.VideoCapture(VIDEO)
    for k in range(3):
        cap.set(cv2.CAP_PROP_POS_FRAMES, 12 * k)
        ok, frame = cap.read()
        if ok:
            frame = cv2.resize(frame, (width, width * 9 // 16), interpolation=cv2.INTER_AREA)
            pics.append((f"video frame {12 * k}", cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
    return pics


def load_video_run(count, start=20, width=480):
    """`count` consecutive frames of the held-out video, 480x270 RGB at the default width."""
    cap = cv2.VideoCapture(VIDEO)
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    frames = []
    while len(frames) < count:
        ok, frame = cap.read()
        if not ok:
            break
        frame = cv2.resize(frame, (width, width * 9 // 16), interpolation=cv2.INTER_AREA)
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    return frames


def pixelrnn_fill(img, rects, props):
    return pixelrnn_fill_jobs([(img, r) for r in rects], props)


def pixelrnn_fill_jobs(jobs, props):
    """Each (image, (x, y, size)) through one pipeline (or (image, [(x, y, size), ...]) for several
    holes in it); returns the filled images and seconds."""
    img = jobs[0][0]
    h, w = img.shape[:2]
    pipe = Gst.parse_launch(
        f"appsrc name=src format=time caps=video/x-raw,format=RGB,width={w},height={h},framerate=1/1 "
        f"! pixelrnninpaint name=inpaint {props} ! appsink name=sink sync=false")
    src, sink, el = pipe.get_by_name("src"), pipe.get_by_name("sink"), pipe.get_by_name("inpaint")
    if pipe.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        msg = pipe.get_bus().pop_filtered(Gst.MessageType.ERROR)
        detail = msg.parse_error()[1] if msg else "unknown reason"
        pipe.set_state(Gst.State.NULL)
        raise SystemExit(f"pixelrnninpaint {props}: cannot start: {detail}")
    out = []
    started = time.perf_counter()
    for i, (img, rect) in enumerate(jobs):
        rects = rect if isinstance(rect, list) else [rect]
        joined = ",".join(f"<{x},{y},{s},{s}>" for x, y, s in rects)
        Gst.util_set_object_arg(el, "rect", joined if len(rects) == 1 else f"<{joined}>")
        buf = Gst.Buffer.new_wrapped(np.ascontiguousarray(img).tobytes())
        buf.pts = i * Gst.SECOND
        src.emit("push-buffer", buf)
        sample = sink.emit("pull-sample")
        b = sample.get_buffer()
        ok, info = b.map(Gst.MapFlags.READ)
        stride = len(info.data) // h
        out.append(np.frombuffer(info.data, np.uint8).reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy())
        b.unmap(info)
    seconds = time.perf_counter() - started
    src.emit("end-of-stream")
    pipe.set_state(Gst.State.NULL)
    return out, seconds


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


def flicker(frames, rect):
    x, y, s = rect
    regions = [f[y : y + s, x : x + s].astype(np.float64) for f in frames]
    return float(np.mean([np.mean(np.abs(b - a)) for a, b in zip(regions, regions[1:])]))


def fsr_fill(img, rect, flag):
    """OpenCV xphoto's frequency-selective reconstruction (python3-opencv's contrib module):
    its mask marks the *known* pixels."""
    x, y, s = rect
    valid = np.full(img.shape[:2], 255, np.uint8)
    valid[y : y + s, x : x + s] = 0
    out = np.zeros_like(img)
    cv2.xphoto.inpaint(img, valid, out, flag)
    return out


def texture_ratio(truth, got):
    """Mean gradient magnitude of the fill over that of the true region: 1 keeps the texture's
    contrast, a blur scores far below 1 (so smoothness is not mistaken for quality)."""
    def grad(a):
        g = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64)
        return float(np.mean(np.hypot(np.diff(g, axis=1)[:-1, :], np.diff(g, axis=0)[:, :-1])))
    t = grad(truth)
    return grad(got) / t if t > 0 else float("nan")


NOISE_ABLATION = "ablation: direct + white noise (best-of's texture)"


def direct_plus_matched_noise(truth_img, direct_img, best_of_img, rect, rng):
    """The ablation of best-of's grain: the direct fill plus white noise scaled (bisection) so
    that its mean gradient magnitude equals best-of's on the same hole. Grain that beats this
    in PSNR at the same texture carries information; grain that does not is noise."""
    x, y, s = rect
    def grad(a):
        g = cv2.cvtColor(a, cv2.COLOR_RGB2GRAY).astype(np.float64)
        return float(np.mean(np.hypot(np.diff(g, axis=1)[:-1, :], np.diff(g, axis=0)[:, :-1])))
    base = direct_img[y:y + s, x:x + s].astype(np.float64)
    target = grad(best_of_img[y:y + s, x:x + s])
    noise = rng.standard_normal(base.shape)
    def filled(sigma):
        return np.clip(np.round(base + sigma * noise), 0, 255).astype(np.uint8)
    lo, hi = 0.0, 64.0
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if grad(filled(mid)) < target else (lo, mid)
    out = direct_img.copy()
    out[y:y + s, x:x + s] = filled((lo + hi) / 2)
    return out


def classical(method, img, rect):
    if method == "ffmpeg delogo":
        return delogo_fill(img, rect)
    if method.startswith("OpenCV FSR"):
        return fsr_fill(img, rect, cv2.xphoto.INPAINT_FSR_BEST if "best" in method else cv2.xphoto.INPAINT_FSR_FAST)
    return opencv_fill(img, rect, cv2.INPAINT_TELEA if "Telea" in method else cv2.INPAINT_NS)


def evaluate_size(s, args, pictures, video, rng):
    methods = {"OpenCV Telea": None, "OpenCV Navier-Stokes": None, "ffmpeg delogo": None,
               "OpenCV FSR fast": None}
    if args.fsr_best:
        methods["OpenCV FSR best"] = None   # seconds per hole: 4 at 64 px, 13 at 128 px here
    model = f"model={args.model} " if args.model else ""
    for mode in args.modes.split(","):
        if mode == "best-of":
            methods["pixelrnn best-of-8"] = f"{model}mode=best-of candidates=8 temperature={args.temperature}"
        elif mode == "sample":
            methods["pixelrnn sample"] = f"{model}mode=sample temperature={args.temperature}"
        else:
            methods[f"pixelrnn {mode}"] = f"{model}mode={mode}"
    ablate = args.noise_ablation and "pixelrnn best-of-8" in methods and "pixelrnn direct" in methods
    scores = {m: ([], [], [], []) for m in list(methods) + ([NOISE_ABLATION] if ablate else [])}
    # PSNR, SSIM, from a video frame, texture ratio. The ablation's noise has its own generator,
    # so that adding it leaves every hole where it was.
    noise_rng = np.random.default_rng(args.seed + 1000)
    seconds = {m: 0.0 for m in methods}
    grid_rows = []
    for name, img in pictures:
        h, w = img.shape[:2]
        rects = [(int(rng.integers(s, w - 2 * s)), int(rng.integers(s, h - 2 * s)), s)
                 for _ in range(args.per_picture)]
        results = {}
        for m, props in methods.items():
            if props is not None:
                results[m], t = pixelrnn_fill(img, rects, props)
                seconds[m] += t
            else:
                results[m] = [classical(m, img, r) for r in rects]
        if ablate:
            results[NOISE_ABLATION] = [direct_plus_matched_noise(img, d, b, r, noise_rng) for d, b, r in
                                       zip(results["pixelrnn direct"], results["pixelrnn best-of-8"], rects)]
        for m in scores:
            for (x, y, _), out in zip(rects, results[m]):
                truth, got = img[y : y + s, x : x + s], out[y : y + s, x : x + s]
                scores[m][0].append(psnr(truth, got))
                scores[m][1].append(ssim(truth, got))
                scores[m][2].append(name.startswith("video frame"))
                scores[m][3].append(texture_ratio(truth, got))
        # One picture row per image: the first hole with its surroundings, each method.
        x, y, _ = rects[0]
        x0, y0, x1, y1 = max(0, x - s), max(0, y - s), min(w, x + 2 * s), min(h, y + 2 * s)
        masked = img.copy()
        masked[y : y + s, x : x + s] = 128
        row = [img[y0:y1, x0:x1], masked[y0:y1, x0:x1]] + [results[m][0][y0:y1, x0:x1] for m in methods]
        grid_rows.append(np.hstack([np.pad(c, ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in row]))
    holes = len(scores["OpenCV Telea"][0])
    # Flicker: one hole, the same place on consecutive frames.
    no_video = not video
    if no_video:
        video = [pictures[0][1]] * 2   # no video: a still picture stands in, flicker not reported
    h, w = video[0].shape[:2]
    rect = (int(rng.integers(s, w - 2 * s)), int(rng.integers(s, h - 2 * s)), s)
    flick = {"true pixels": flicker(video, rect)}
    for m, props in methods.items():
        if props is not None:
            filled, _ = pixelrnn_fill_jobs([(f, rect) for f in video], props)
        else:
            filled = [classical(m, f, rect) for f in video]
        flick[m] = flicker(filled, rect)
    print(f"\n{s}x{s} holes, {holes} holes on {len(grid_rows)} held-out pictures; PSNR (dB) and "
          f"SSIM inside the hole, mean over holes; flicker over {len(video)} consecutive video "
          f"frames (true pixels: {flick['true pixels']:.2f})")
    print("| method | PSNR | SSIM | texture ratio | photos PSNR / SSIM | video frames PSNR / SSIM | flicker | "
          "s per hole (element, this machine) |\n|---|---|---|---|---|---|---|---|")
    table = {}
    for m, (p, q, from_video, tex) in scores.items():
        p, q, v = np.array(p), np.array(q), np.array(from_video, dtype=bool)
        tex = float(np.nanmean(np.array(tex))) if tex else float("nan")
        avg = lambda a: float(a.mean()) if a.size else float("nan")  # noqa: E731
        per_hole = seconds[m] / holes if methods.get(m) is not None else None
        table[m] = {"psnr": float(p.mean()), "ssim": float(q.mean()), "texture_ratio": tex, "flicker": flick.get(m, float("nan")),
                    "photos": {"psnr": avg(p[~v]), "ssim": avg(q[~v])},
                    "video_frames": {"psnr": avg(p[v]), "ssim": avg(q[v])},
                    "seconds_per_hole": per_hole}
        t = f"{per_hole:.3f}" if per_hole is not None else "-"
        on_video = f"{avg(p[v]):.2f} / {avg(q[v]):.3f}" if v.any() else "-"
        flickers = "-" if no_video or m not in flick else f"{flick[m]:.2f}"
        print(f"| {m} | {p.mean():.2f} | {q.mean():.3f} | {tex:.2f} | {avg(p[~v]):.2f} / {avg(q[~v]):.3f} | "
              f"{on_video} | {flickers} | {t} |")
    if args.grid:
        path = args.grid.replace("{size}", str(s))
        width = max(r.shape[1] for r in grid_rows)
        grid = np.vstack([np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in grid_rows])
        scale = max(1, 96 // s)
        grid = cv2.resize(grid, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        tmp = path + ".tmp.png"
        cv2.imwrite(tmp, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
        os.replace(tmp, path)
        print("columns: original | hole | " + " | ".join(methods) + f"; written to {path}")
    return {"holes": holes, "methods": table, "true_flicker": flick["true pixels"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--holes", default="16,32,64", help="hole sizes, comma-separated")
    ap.add_argument("--modes", default="greedy,mean,direct", help="pixelrnninpaint modes to measure")
    ap.add_argument("--per-picture", type=int, default=4)
    ap.add_argument("--video-frames", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grid", default="", help="PNG path per size, {size} is replaced")
    ap.add_argument("--json", default="", help="also write the figures here")
    ap.add_argument("--model", default="", help="model for every mode (default: the element's)")
    ap.add_argument("--photos", choices=["held-out", "validation"], default="held-out",
                    help="held-out: the figures in docs (photos and video); validation: other camera "
                         "photos, no video, for choosing between checkpoints")
    ap.add_argument("--temperature", type=float, default=1.0, help="for sample and best-of")
    ap.add_argument("--noise-ablation", action="store_true",
                    help="with direct and best-of: add the direct fill plus white noise of best-of's texture")
    ap.add_argument("--fsr-best", action="store_true",
                    help="also OpenCV's FSR best (far slower than FSR fast: seconds per 64 px hole)")
    ap.add_argument("--width", type=int, default=480,
                    help="pictures and video frames scaled to this width (960: room for 128 px holes)")
    args = ap.parse_args()
    Gst.init(None)
    rng = np.random.default_rng(args.seed)
    held_out = args.photos == "held-out"
    pictures = load_pictures(PHOTOS if held_out else VALIDATION, held_out, args.width)
    video = load_video_run(args.video_frames, width=args.width) if held_out else []
    report = {}
    for s in (int(v) for v in args.holes.split(",")):
        report[s] = evaluate_size(s, args, pictures, video, rng)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(report, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
