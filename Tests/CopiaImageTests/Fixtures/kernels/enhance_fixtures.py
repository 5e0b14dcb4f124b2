#!/usr/bin/env python3
"""Reference outputs of PIL's ImageEnhance for Copia's Enhance ops (EnhanceKernels), at fixed factors.

Needs Pillow only:
    python3 -m venv /tmp/pil && /tmp/pil/bin/pip install pillow
    /tmp/pil/bin/python Tests/CopiaImageTests/Fixtures/kernels/enhance_fixtures.py

Reads the shared 40x32 RGB `input.cpix` (written by make_fixtures.py) and writes `pil_enhance_<op>_<factor>.cpix`
in the same raw format: an ASCII header `CPIX <width> <height> <channels> <bits>\\n`, then the samples.
"""
import os

import PIL
from PIL import Image, ImageEnhance

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = [
    ("brightness", ImageEnhance.Brightness, [0.37, 1.73]),
    ("color", ImageEnhance.Color, [0.2, 1.9]),
    ("contrast", ImageEnhance.Contrast, [0.3, 1.8]),
    ("sharpness", ImageEnhance.Sharpness, [0.1, 1.95]),
]


def read_cpix(name):
    with open(os.path.join(HERE, name + ".cpix"), "rb") as f:
        data = f.read()
    header, body = data.split(b"\n", 1)
    _, w, h, c, bits = header.decode().split()
    assert (int(c), int(bits)) == (3, 8), "expected an 8-bit RGB input"
    return Image.frombytes("RGB", (int(w), int(h)), body)


def write_cpix(name, img):
    w, h = img.size
    with open(os.path.join(HERE, name + ".cpix"), "wb") as f:
        f.write(f"CPIX {w} {h} 3 8\n".encode())
        f.write(img.tobytes())


def main():
    src = read_cpix("input")
    for op, enhancer, factors in CASES:
        for factor in factors:
            write_cpix(f"pil_enhance_{op}_{factor}", enhancer(src).enhance(factor))
    print(f"wrote {sum(len(f) for _, _, f in CASES)} fixtures with Pillow {PIL.__version__}")


if __name__ == "__main__":
    main()
