#!/usr/bin/env python3
"""Held-out bits/dim of a model against PNG and WebP lossless on exactly the same pixels.

  docs/eval/natural_vs_codecs.py --model natural --data runs/natural-heldout --downscale 4
  docs/eval/natural_vs_codecs.py --model natural-full --data clip.mp4 --every 25 --max-images 8

`pixelrnn eval` scores the images and writes them, exactly as scored (decoded, shrunk), as
PNG files; PNG is libpng with default settings on those files (the figure `pixelrnn eval`
prints), WebP is `cwebp -lossless -z 9` (Debian package webp) on the same files. Prints a
Markdown table per image and overall (pixel-weighted), the form docs/models.md shows.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, action="append", help="folder, image or video (repeatable)")
    ap.add_argument("--every", type=int, default=0, help="video: every Nth frame")
    ap.add_argument("--max-images", type=int, default=0, help="at most N images or frames per source")
    ap.add_argument("--downscale", type=int, default=1)
    ap.add_argument("--pixelrnn", default=os.environ.get("PIXELRNN", "build/tools/pixelrnn"))
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="pixelrnn-codecs-") as tmp:
        per_image = os.path.join(tmp, "per.csv")
        pixels = os.path.join(tmp, "pixels")
        cmd = [args.pixelrnn, "eval", "--model", args.model, "--downscale", str(args.downscale),
               "--per-image", per_image, "--save-pixels", pixels, "--batch", "1"]
        for d in args.data:
            cmd += ["--data", d]
        if args.every:
            cmd += ["--every", str(args.every)]
        if args.max_images:
            cmd += ["--max-images", str(args.max_images)]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        rows = list(csv.DictReader(open(per_image)))
        total = {"dims": 0, "model": 0.0, "png": 0.0, "webp": 0.0}
        by_package = {}
        print(f"| image (1/{args.downscale} size) | pixels | {os.path.basename(args.model)} | PNG | WebP lossless |")
        print("|---|---|---|---|---|")
        for r in rows:
            png = os.path.join(pixels, "%05d.png" % int(r["index"]))
            webp = os.path.join(tmp, "x.webp")
            subprocess.run(["cwebp", "-quiet", "-lossless", "-z", "9", png, "-o", webp], check=True)
            dims = int(r["dims"])
            model = float(r["bits_per_dim"])
            png_bpd = float(r["png_bits_per_dim"])
            webp_bpd = 8.0 * os.path.getsize(webp) / dims
            total["dims"] += dims
            total["model"] += model * dims
            total["png"] += png_bpd * dims
            total["webp"] += webp_bpd * dims
            name = os.path.basename(r["source"])
            # scripts/natural-data names files PACKAGE--NAME.png: figures per source package too.
            package = name.split("--")[0] if "--" in name else "(no package)"
            p = by_package.setdefault(package, {"dims": 0, "model": 0.0, "png": 0.0, "webp": 0.0, "n": 0})
            for key, value in (("dims", dims), ("model", model * dims), ("png", png_bpd * dims), ("webp", webp_bpd * dims), ("n", 1)):
                p[key] += value
            print(f"| {name} | {dims // 3} | {model:.3f} | {png_bpd:.3f} | {webp_bpd:.3f} |")
        d = total["dims"]
        print(f"| **all** | {d // 3} | **{total['model'] / d:.3f}** | {total['png'] / d:.3f} | {total['webp'] / d:.3f} |")
        if len(by_package) > 1:
            print(f"\n| source package (1/{args.downscale} size) | photographs | pixels | {os.path.basename(args.model)} | PNG | WebP lossless |")
            print("|---|---|---|---|---|---|")
            for package, p in sorted(by_package.items()):
                d = p["dims"]
                print(f"| {package} | {p['n']} | {d // 3} | {p['model'] / d:.3f} | {p['png'] / d:.3f} | {p['webp'] / d:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
