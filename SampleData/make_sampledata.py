#!/usr/bin/env python3
"""Regenerate Copia's committed sample data from the original public datasets.

Produces, next to this script (SampleData/):

  digits/<0..9>/digit_NNNN.png  UCI handwritten digits (sklearn.datasets.load_digits),
                                8x8 8-bit grayscale PNGs, imbalanced (classes 5-9 subsampled)
  wine.csv                      UCI wine table (sklearn.datasets.load_wine), imbalanced
                                (class_2 subsampled)
  photos/<class>/<src>_NN.jpg   fixed crops of public-domain / CC0 photographs bundled
                                with scikit-image (skimage.data), ~256 px, JPEG q90
  photos_labels.csv             file,label,group for the photos (group = source photo)

Everything is deterministic: fixed seeds, numpy Generator(PCG64), fixed crop boxes,
no timestamps or metadata in the written files.  Running the script twice gives
byte-identical output (with the same numpy / Pillow / libjpeg versions).

Runs offline: all inputs ship inside the scikit-learn and scikit-image wheels.
Requires: numpy, scikit-learn, scikit-image, Pillow.

Usage:  python3 SampleData/make_sampledata.py
"""

import hashlib
import math
import os
import re
import shutil
import sys

import numpy as np
import PIL
import skimage
import skimage.data
import sklearn
from PIL import Image
from sklearn.datasets import load_digits, load_wine

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------- #
# Parameters (changing any of these changes the committed files)
# --------------------------------------------------------------------------- #

DIGITS_SEED = 20261129
WINE_SEED = 20261130

# Fraction of each digit class that is kept; classes not listed are kept whole.
DIGITS_KEEP_FRACTION = {5: 0.20, 6: 0.17, 7: 0.15, 8: 0.12, 9: 0.10}

# Number of rows kept per wine class; classes not listed are kept whole.
WINE_KEEP_COUNT = {"class_2": 12}

PHOTO_LONG_SIDE = 256
PHOTO_JPEG_QUALITY = 90

# class -> source image (skimage.data function name) -> crop boxes (x, y, width, height)
# in pixels of the original image.  Every box is >= 256 px on its long side, so crops
# are only ever downscaled (Lanczos) or kept at native size.  Classes are deliberately
# imbalanced (space 8 / person 5 / texture 3) and every class has >= 2 source photos,
# so that group-aware splits (group = source photo) are possible.
PHOTO_CROPS = {
    "space": {
        "rocket": [                    # 640 x 427
            (0, 0, 640, 427),          # full frame
            (107, 0, 427, 427),        # centred square
            (176, 0, 288, 427),        # tall strip around the rocket
            (0, 107, 480, 320),        # lower-left: towers and pad lights
        ],
        "hubble_deep_field": [         # 1000 x 872
            (0, 0, 500, 436),          # top-left quarter
            (500, 0, 500, 436),        # top-right quarter
            (0, 436, 500, 436),        # bottom-left quarter
            (500, 436, 500, 436),      # bottom-right quarter
        ],
    },
    "person": {
        "astronaut": [                 # 512 x 512
            (0, 0, 512, 512),          # full frame
            (96, 0, 320, 320),         # head and shoulders
            (0, 64, 352, 448),         # left part with the flag
        ],
        "camera": [                    # 512 x 512, grayscale
            (0, 0, 512, 512),          # full frame
            (0, 32, 384, 480),         # photographer and tripod
        ],
    },
    "texture": {
        # 512 x 512 grayscale textures; native-resolution 256 x 256 crops (no resampling)
        "brick": [(128, 128, 256, 256)],   # centre
        "gravel": [(0, 0, 256, 256)],      # top-left
        "grass": [(256, 256, 256, 256)],   # bottom-right
    },
}


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #

def keep_count(fraction, n):
    """Round half up (explicit, so it does not depend on float rounding mode)."""
    return int(math.floor(fraction * n + 0.5))


def choose_subset(rng, indices, k):
    """Pick k of `indices` uniformly without replacement; return them sorted.

    Uses only Generator.random() (PCG64 doubles) and a stable argsort, which are the
    most version-stable parts of numpy's random API.
    """
    order = np.argsort(rng.random(len(indices)), kind="stable")[:k]
    return np.sort(np.asarray(indices)[order])


def reset_dir(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def listing_digest(rel_paths):
    """sha256 of the `sha256sum`-style listing "<hex>  <relpath>\\n" (sorted by path)."""
    lines = "".join(f"{sha256_file(os.path.join(HERE, p))}  {p}\n" for p in sorted(rel_paths))
    return hashlib.sha256(lines.encode()).hexdigest()


def snake_case(name):
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# --------------------------------------------------------------------------- #
# 1. digits
# --------------------------------------------------------------------------- #

def make_digits():
    ds = load_digits()
    images = ds.images            # (1797, 8, 8) float64, integer values 0..16
    target = ds.target
    assert images.shape == (1797, 8, 8)
    assert np.all(images == np.round(images)) and images.min() >= 0 and images.max() <= 16

    # pixel = round(v * 255 / 16), half up.  Only v = 8 gives an exact .5 (127.5 -> 128).
    pixels = np.floor(images * 255.0 / 16.0 + 0.5).astype(np.uint8)

    out = os.path.join(HERE, "digits")
    reset_dir(out)
    rng = np.random.default_rng(DIGITS_SEED)
    written, counts = [], {}
    for c in range(10):                       # fixed class order -> fixed rng stream use
        idx = np.flatnonzero(target == c)
        if c in DIGITS_KEEP_FRACTION:
            idx = choose_subset(rng, idx, keep_count(DIGITS_KEEP_FRACTION[c], len(idx)))
        cdir = os.path.join(out, str(c))
        os.makedirs(cdir)
        for i in idx:
            rel = f"digits/{c}/digit_{i:04d}.png"
            Image.fromarray(pixels[i], mode="L").save(os.path.join(HERE, rel), format="PNG",
                                                      optimize=False)
            written.append(rel)
        counts[c] = (len(idx), int(np.sum(target == c)))
    return written, counts


# --------------------------------------------------------------------------- #
# 2. wine
# --------------------------------------------------------------------------- #

def make_wine():
    ds = load_wine()
    X, y, names = ds.data, ds.target, list(ds.target_names)
    header = [snake_case(n) for n in ds.feature_names] + ["label"]
    assert len(header) == 14 and len(set(header)) == 14

    rng = np.random.default_rng(WINE_SEED)
    keep = []
    counts = {}
    for c, cname in enumerate(names):
        idx = np.flatnonzero(y == c)
        if cname in WINE_KEEP_COUNT:
            idx = choose_subset(rng, idx, WINE_KEEP_COUNT[cname])
        keep.extend(int(i) for i in idx)
        counts[cname] = (len(idx), int(np.sum(y == c)))
    keep.sort()                               # original row order

    lines = [",".join(header)]
    for i in keep:
        vals = [repr(float(v)) for v in X[i]]  # shortest round-trip text, e.g. 14.23, 127.0
        assert all(float(s) == v for s, v in zip(vals, X[i]))
        lines.append(",".join(vals + [names[y[i]]]))
    with open(os.path.join(HERE, "wine.csv"), "w", newline="\n", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    kept_c2 = [i for i in keep if names[y[i]] == "class_2"]
    return ["wine.csv"], counts, kept_c2


# --------------------------------------------------------------------------- #
# 3./4. photos and photos_labels.csv
# --------------------------------------------------------------------------- #

def make_photos():
    out = os.path.join(HERE, "photos")
    reset_dir(out)
    rows, written, counts = [], [], {}
    for label in sorted(PHOTO_CROPS):
        os.makedirs(os.path.join(out, label))
        counts[label] = 0
        for src in sorted(PHOTO_CROPS[label]):
            arr = getattr(skimage.data, src)()
            img = Image.fromarray(arr)
            img = img.convert("RGB")          # grayscale sources stored as 3-channel too
            for n, (x, y, w, h) in enumerate(PHOTO_CROPS[label][src], start=1):
                assert x >= 0 and y >= 0 and x + w <= img.width and y + h <= img.height, (src, n)
                crop = img.crop((x, y, x + w, y + h))
                scale = PHOTO_LONG_SIDE / max(w, h)
                assert scale <= 1.0
                size = (max(1, round(w * scale)), max(1, round(h * scale)))
                if size != crop.size:
                    crop = crop.resize(size, Image.Resampling.LANCZOS)
                rel = f"photos/{label}/{src}_{n:02d}.jpg"
                crop.save(os.path.join(HERE, rel), format="JPEG", quality=PHOTO_JPEG_QUALITY,
                          optimize=False, progressive=False, subsampling="4:2:0")
                written.append(rel)
                rows.append((rel, label, src))
                counts[label] += 1
    rows.sort()
    with open(os.path.join(HERE, "photos_labels.csv"), "w", newline="\n", encoding="ascii") as f:
        f.write("file,label,group\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    return written, counts


# --------------------------------------------------------------------------- #

def main():
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, scikit-learn "
          f"{sklearn.__version__}, scikit-image {skimage.__version__}, Pillow {PIL.__version__}")

    d_files, d_counts = make_digits()
    w_files, w_counts, kept_c2 = make_wine()
    p_files, p_counts = make_photos()

    def size(files):
        return sum(os.path.getsize(os.path.join(HERE, f)) for f in files)

    print(f"\ndigits/  {len(d_files)} PNG files, {size(d_files)} bytes, seed {DIGITS_SEED}")
    for c, (k, n) in d_counts.items():
        print(f"  {c}: {k:4d} of {n}")
    print(f"  listing sha256: {listing_digest(d_files)}")

    print(f"\nwine.csv  {sum(k for k, _ in w_counts.values())} rows, {size(w_files)} bytes, "
          f"seed {WINE_SEED}")
    for c, (k, n) in w_counts.items():
        print(f"  {c}: {k:3d} of {n}")
    print(f"  class_2 rows kept (original indices): {kept_c2}")
    print(f"  sha256: {sha256_file(os.path.join(HERE, 'wine.csv'))}")

    print(f"\nphotos/  {len(p_files)} JPEG files, {size(p_files)} bytes")
    for c, k in p_counts.items():
        print(f"  {c}: {k}")
    print(f"  listing sha256: {listing_digest(p_files)}")
    print(f"\nphotos_labels.csv  sha256: "
          f"{sha256_file(os.path.join(HERE, 'photos_labels.csv'))}")

    total = size(d_files) + size(w_files) + size(p_files) + size(["photos_labels.csv"])
    print(f"\ntotal generated: {len(d_files) + len(p_files) + 2} files, {total} bytes")


if __name__ == "__main__":
    main()
