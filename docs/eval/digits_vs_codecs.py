#!/usr/bin/python3
"""Test bits/dim of the digits model against PNG and WebP lossless on the same 500 test digits.

  docs/eval/digits_vs_codecs.py [--model digits] [--data data/digits/test-images-idx3-ubyte.gz]

The model's figure is `pixelrnn eval` on the IDX file. The codecs see the same pixels twice:
each digit as its own 28x28 file (what storing digits one by one costs, headers included), and
all 500 tiled into one 700x560 picture (the codecs' best case: one header, context across
digits). PNG: OpenCV's libpng at compression 9; WebP: `cwebp -lossless -z 9`.
"""
import argparse
import gzip
import os
import re
import subprocess
import tempfile

import cv2
import numpy as np


def read_idx(path):
    data = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
    n, h, w = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(3))
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)


def codec_bits(images, tmp):
    png = webp = 0
    for k, img in enumerate(images):
        path = os.path.join(tmp, f'{k}.png')
        cv2.imwrite(path, img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        png += os.path.getsize(path) * 8
        out = os.path.join(tmp, f'{k}.webp')
        subprocess.run(['cwebp', '-quiet', '-lossless', '-z', '9', path, '-o', out], check=True)
        webp += os.path.getsize(out) * 8
    return png, webp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', default='digits')
    ap.add_argument('--data', default='data/digits/test-images-idx3-ubyte.gz')
    ap.add_argument('--pixelrnn', default=os.environ.get('PIXELRNN', 'build/tools/pixelrnn'))
    args = ap.parse_args()
    digits = read_idx(args.data)
    dims = digits.size
    out = subprocess.run([args.pixelrnn, 'eval', '--model', args.model, '--data', args.data],
                         check=True, capture_output=True, text=True).stdout
    model = float(re.search(r'mean ([0-9.]+) bits/dim', out).group(1))
    with tempfile.TemporaryDirectory(prefix='pixelrnn-digits-') as tmp:
        png1, webp1 = codec_bits(list(digits), tmp)
        grid = digits.reshape(20, 25, 28, 28).transpose(0, 2, 1, 3).reshape(20 * 28, 25 * 28)
        png_all, webp_all = codec_bits([grid], tmp)
    print(f'| {len(digits)} test digits, 28x28 | bits/dim |')
    print('|---|---|')
    print(f'| {args.model} (pixelrnn eval) | **{model:.3f}** |')
    print(f'| PNG, one file per digit | {png1 / dims:.3f} |')
    print(f'| WebP lossless, one file per digit | {webp1 / dims:.3f} |')
    print(f'| PNG, all digits tiled in one picture | {png_all / dims:.3f} |')
    print(f'| WebP lossless, all digits tiled in one picture | {webp_all / dims:.3f} |')


if __name__ == '__main__':
    main()
