#!/usr/bin/env python3
"""Reference outputs for Copia's image kernels, computed with OpenCV / albumentations at fixed parameters.

Run with the peers venv (opencv-python-headless, albumentations, numpy):
    ~/.cache/copia-peers/venv/bin/python Tests/CopiaImageTests/Fixtures/kernels/make_fixtures.py

Every image is written as `.cpix`, a tiny lossless raw format that Swift reads with Foundation alone (the PNG codec is
written in parallel): an ASCII header line `CPIX <width> <height> <channels> <bits>\n`, then the interleaved samples,
little-endian for 16-bit. `fixtures.json` lists each output with the exact call and parameters that produced it.
The input is a 40x32 RGB crop of SampleData/photos/person/astronaut_01.jpg (NASA, public domain; see SampleData/SOURCES.md).
"""
import json
import os
import sys

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
import cv2
import numpy as np

cv2.setNumThreads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))


def write(name, img):
    img = np.ascontiguousarray(img)
    if img.ndim == 2:
        img = img[:, :, None]
    h, w, c = img.shape
    bits = 8 if img.dtype == np.uint8 else 16
    with open(os.path.join(HERE, name + ".cpix"), "wb") as f:
        f.write(f"CPIX {w} {h} {c} {bits}\n".encode())
        f.write(img.astype("<u2" if bits == 16 else "u1").tobytes())


def main():
    src = cv2.imread(os.path.join(ROOT, "SampleData/photos/person/astronaut_01.jpg"), cv2.IMREAD_COLOR)
    if src is None:
        sys.exit("cannot read the astronaut photo")
    src = cv2.cvtColor(src, cv2.COLOR_BGR2RGB)
    y0, x0 = (src.shape[0] - 32) // 3, (src.shape[1] - 40) // 2
    img = np.ascontiguousarray(src[y0:y0 + 32, x0:x0 + 40])
    h, w = img.shape[:2]
    write("input", img)
    img16 = (img.astype(np.uint16) * 257 + np.arange(w, dtype=np.uint16)[None, :, None] * 3)
    write("input16", img16)
    manifest = {"opencv": cv2.__version__, "input": "input.cpix", "input16": "input16.cpix", "outputs": []}

    def record(name, call, **params):
        manifest["outputs"].append({"file": name + ".cpix", "call": call, **params})

    # Rotation about albumentations 2.x's centre ((w-1)/2, (h-1)/2), as cv2.getRotationMatrix2D builds it.
    interps = {"nearest": cv2.INTER_NEAREST, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC}
    borders = {"constant": cv2.BORDER_CONSTANT, "reflect101": cv2.BORDER_REFLECT_101, "reflect": cv2.BORDER_REFLECT,
               "replicate": cv2.BORDER_REPLICATE, "wrap": cv2.BORDER_WRAP}
    fill = (10, 200, 30)
    angle = 17.0
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
    for iname, interp in interps.items():
        for bname, border in borders.items():
            if iname != "bilinear" and bname not in ("constant", "reflect101"):
                continue
            out = cv2.warpAffine(img, m, (w, h), flags=interp, borderMode=border, borderValue=fill)
            name = f"rotate17_{iname}_{bname}"
            write(name, out)
            record(name, "cv2.warpAffine(getRotationMatrix2D)", angle=angle, interpolation=iname, border=bname,
                   fill=list(fill), matrix=m.tolist())
    out16 = cv2.warpAffine(img16, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    write("rotate17_bilinear_reflect101_16bit", out16)
    record("rotate17_bilinear_reflect101_16bit", "cv2.warpAffine", angle=angle, interpolation="bilinear",
           border="reflect101", matrix=m.tolist())

    # A general affine map: scale, shear and shift, smaller output.
    ma = np.array([[1.21, 0.18, -4.5], [-0.1, 0.93, 3.25]])
    out = cv2.warpAffine(img, ma, (37, 33), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    write("affine_bilinear_reflect101_37x33", out)
    record("affine_bilinear_reflect101_37x33", "cv2.warpAffine", matrix=ma.tolist(), interpolation="bilinear",
           border="reflect101", width=37, height=33)

    # Resizes: down, up, and mixed, in each interpolation.
    rinterps = dict(interps, area=cv2.INTER_AREA)
    for (rw, rh) in [(29, 23), (20, 16), (45, 37), (61, 26)]:
        for iname, interp in rinterps.items():
            out = cv2.resize(img, (rw, rh), interpolation=interp)
            name = f"resize_{iname}_{rw}x{rh}"
            write(name, out)
            record(name, "cv2.resize", width=rw, height=rh, interpolation=iname)

    # albumentations RandomBrightnessContrast at fixed alpha/beta (albucore.multiply_add: a uint8 LUT).
    import albucore
    for alpha, beta in [(1.15, 0.1 * 255), (0.83, -0.17 * 255)]:
        out = albucore.multiply_add(img, alpha, beta)
        name = f"brightness_contrast_{alpha}_{beta:.2f}"
        write(name, out)
        record(name, "albucore.multiply_add", alpha=alpha, beta=beta)

    # Gaussian blur (default border: reflect101).
    for k, sigma in [(5, 0.0), (7, 1.3)]:
        out = cv2.GaussianBlur(img, (k, k), sigma)
        name = f"gaussian_blur_k{k}_s{sigma}"
        write(name, out)
        record(name, "cv2.GaussianBlur", ksize=k, sigma=sigma)

    # Colour conversions used by ColorJitter / HueSaturationValue / ToGray.
    write("gray", cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
    record("gray", "cv2.cvtColor(COLOR_RGB2GRAY)")
    write("hsv", cv2.cvtColor(img, cv2.COLOR_RGB2HSV))
    record("hsv", "cv2.cvtColor(COLOR_RGB2HSV)")
    write("hsv_roundtrip", cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2HSV), cv2.COLOR_HSV2RGB))
    record("hsv_roundtrip", "cv2.cvtColor(HSV2RGB(RGB2HSV))")
    write("equalize", np.dstack([cv2.equalizeHist(img[:, :, c]) for c in range(3)]))
    record("equalize", "cv2.equalizeHist per channel")
    write("median_blur_k5", cv2.medianBlur(img, 5))
    record("median_blur_k5", "cv2.medianBlur", ksize=5)
    write("box_blur_k3", cv2.blur(img, (3, 3)))
    record("box_blur_k3", "cv2.blur", ksize=3)

    # albumentations' own functions at fixed parameters, on a smaller 24x20 crop (to keep fixtures small).
    from albumentations.augmentations.pixel import functional as fpixel
    from albumentations.augmentations.blur import functional as fblur
    small = np.ascontiguousarray(img[6:26, 8:32])
    write("small", small)

    def albu(name, out, call, **params):
        write(name, out)
        record(name, call, **params)

    albu("albu_shift_hsv", fpixel.shift_hsv(small, 10, 20, -15), "fpixel.shift_hsv", hue=10, sat=20, val=-15)
    albu("albu_shift_hsv_neg", fpixel.shift_hsv(small, -17.5, -40.2, 25.7), "fpixel.shift_hsv", hue=-17.5, sat=-40.2, val=25.7)
    albu("albu_brightness", fpixel.adjust_brightness_torchvision(small, 1.13), "fpixel.adjust_brightness_torchvision", factor=1.13)
    albu("albu_contrast", fpixel.adjust_contrast_torchvision(small, 0.87), "fpixel.adjust_contrast_torchvision", factor=0.87)
    albu("albu_saturation", fpixel.adjust_saturation_torchvision(small, 1.3), "fpixel.adjust_saturation_torchvision", factor=1.3)
    albu("albu_hue", fpixel.adjust_hue_torchvision(small, 0.07), "fpixel.adjust_hue_torchvision", factor=0.07)
    albu("albu_gamma", fpixel.gamma_transform(small, 0.83), "fpixel.gamma_transform", gamma=0.83)
    albu("albu_solarize", fpixel.solarize(small, 0.4), "fpixel.solarize", threshold=0.4)
    albu("albu_posterize", fpixel.posterize(small, 3), "fpixel.posterize", bits=3)
    albu("albu_gray", fpixel.to_gray_weighted_average(small), "fpixel.to_gray_weighted_average")
    sharpen = (1 - 0.3) * np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32) + 0.3 * np.array(
        [[-1, -1, -1], [-1, 8 + 0.7, -1], [-1, -1, -1]], np.float32)
    albu("albu_sharpen", fpixel.convolve(small, sharpen), "Sharpen kernel alpha=0.3 lightness=0.7 + fpixel.convolve",
         alpha=0.3, lightness=0.7)
    k1 = fblur.create_gaussian_kernel_1d(1.7, 0)
    albu("albu_gaussian_blur_s1.7", fpixel.separable_convolve(small, k1), "GaussianBlur: create_gaussian_kernel_1d(1.7) + separable_convolve",
         sigma=1.7)
    # Noise stresses rounding (sums land anywhere between integers); 37 wide so rows are not whole vectors. Seed 137
    # at sigma 2.9 has samples where plain float sums, unfused sums or unpaired columns would each round the other way.
    noise = np.random.default_rng(137).integers(0, 256, size=(29, 37, 3), dtype=np.uint8)
    write("noise_37x29", noise)
    record("noise_37x29", "np.random.default_rng(137).integers(0, 256, size=(29, 37, 3), dtype=np.uint8)")
    for sigma in (0.5, 2.9):
        k = fblur.create_gaussian_kernel_1d(sigma, 0)
        albu(f"albu_gaussian_blur_noise_s{sigma}", fpixel.separable_convolve(noise, k),
             f"GaussianBlur: create_gaussian_kernel_1d({sigma}) + separable_convolve on noise_37x29", sigma=sigma)
    hm = np.array([[1.1, 0.05, -2.0], [-0.03, 0.95, 1.5], [0.002, -0.001, 1.0]])
    albu("perspective_bilinear_constant", cv2.warpPerspective(small, hm, (24, 20), flags=cv2.INTER_LINEAR,
         borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)), "cv2.warpPerspective", homography=hm.ravel().tolist())
    ys, xs = np.mgrid[0:20, 0:24].astype(np.float32)
    mx = xs + 1.5 * np.sin(ys / 3.0); my = ys + 1.2 * np.cos(xs / 4.0)
    albu("remap_bilinear_reflect101", cv2.remap(small, mx.astype(np.float32), my.astype(np.float32), cv2.INTER_LINEAR,
         borderMode=cv2.BORDER_REFLECT_101), "cv2.remap, mapX = x + 1.5 sin(y / 3), mapY = y + 1.2 cos(x / 4)")
    albu("pad_reflect101", cv2.copyMakeBorder(small, 3, 1, 2, 5, cv2.BORDER_REFLECT_101), "cv2.copyMakeBorder",
         top=3, bottom=1, left=2, right=5)
    albu("albu_autocontrast_cdf", fpixel.auto_contrast(small, 0, None, "cdf"), "fpixel.auto_contrast", cutoff=0, method="cdf")
    albu("albu_autocontrast_pil_c3", fpixel.auto_contrast(small, 3, None, "pil"), "fpixel.auto_contrast", cutoff=3, method="pil")
    gray_small = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    albu("clahe_gray_c2_t4x5", cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 5)).apply(gray_small),
         "cv2.createCLAHE(2.0, (tilesX 4, tilesY 5)).apply(gray of small)", clip=2.0, tilesX=4, tilesY=5)
    albu("albu_clahe_rgb_c3", fpixel.clahe(small, 3.0, (3, 4)), "fpixel.clahe (Lab L channel)", clip=3.0, tileGridSize=[3, 4])
    from albumentations.augmentations.geometric import functional as fgeometric
    am = fgeometric.create_affine_transformation_matrix({"x": 3.0, "y": -2.0}, {"x": 7.0, "y": -4.0}, {"x": 1.1, "y": 0.9},
                                                        21.0, fgeometric.center((20, 24)))
    manifest["affine_matrix"] = {"translate": [3.0, -2.0], "shear": [7.0, -4.0], "scale": [1.1, 0.9], "rotate": 21.0,
                                 "size": [24, 20], "matrix": am[:2].ravel().tolist()}

    with open(os.path.join(HERE, "fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
